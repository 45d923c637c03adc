package training

import (
	"fmt"
	"net/url"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// teacherPages are the teacher's: the sign-in screen of a session they
// teach, shown in the room for the trainees to sign in, with its QR code;
// the screen follows a new code when the host changes it.
func (h *Handlers) teacherPages(r fiber.Router) {
	teacher := web.RequireRole(web.RoleTeacher)
	r.Get("/teach/sessions/:id/screen", teacher, h.teacherScreenPage)
	r.Get("/teach/sessions/:id/code", teacher, h.teacherScreenCode)
	r.Get("/teach/sessions/:id/qr.png", teacher, h.teacherScreenQR)
}

// teacherScreenCode is what the screen polls: the code now and its QR image.
type teacherScreenCode struct {
	Code string `json:"code"`
	QR   string `json:"qr"`
}

func teacherQR(x *Session) string {
	return fmt.Sprintf("/teach/sessions/%d/qr.png?v=%s", x.ID, url.QueryEscape(x.Code))
}

func (h *Handlers) teacherScreenPage(c *fiber.Ctx) error {
	_, sc, err := web.WithID(c, h.svc.TeacherSessionScreen)
	if err != nil {
		return err
	}
	x := sc.Session
	d := &adminScreenData{Session: adminViewSession(x, 0, h.svc.now()), ClassID: x.ClassID, ClassTitle: sc.ClassTitle, Code: x.Code,
		OpensAt: sc.Code.OpensAt.In(web.Shanghai).Format("15:04"), ClosesAt: sc.Code.ClosesAt.In(web.Shanghai).Format("15:04"),
		Open: sc.Open, InSession: sc.InSession, QR: teacherQR(&x)}
	if len(x.Code) == 6 {
		d.CodeParts = [2]string{x.Code[:3], x.Code[3:]}
	} else {
		d.CodeParts = [2]string{x.Code, ""}
	}
	return h.pages.Render(c, fiber.StatusOK, "training/teacher_session_screen", "签到码："+x.Topic, d)
}

func (h *Handlers) teacherScreenCode(c *fiber.Ctx) error {
	_, sc, err := web.WithID(c, h.svc.TeacherSessionScreen)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(teacherScreenCode{Code: sc.Session.Code, QR: teacherQR(&sc.Session)})
}

func (h *Handlers) teacherScreenQR(c *fiber.Ctx) error {
	_, sc, err := web.WithID(c, h.svc.TeacherSessionScreen)
	if err != nil {
		return err
	}
	return web.QRPNG(c, sc.Code.Path, 360)
}
