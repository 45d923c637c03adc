package training

import (
	"fmt"
	"net/url"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

type adminScreenData struct {
	Session    adminSessionView
	ClassID    uint64
	ClassTitle string
	Code       string
	CodeParts  [2]string
	OpensAt    string
	ClosesAt   string
	Open       bool
	InSession  bool
	QR         string
}

func (h *Handlers) adminSessionScreenPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	id, x, cl, err := web.WithIDPair(c, h.svc.hostSession)
	if err != nil {
		return err
	}
	code, err := h.svc.Code(ctx, p, id)
	if err != nil {
		return err
	}
	x.Code = code.Code
	d := &adminScreenData{Session: adminViewSession(*x, 0, h.svc.now()), ClassID: cl.ID, ClassTitle: cl.Title, Code: code.Code,
		OpensAt: code.OpensAt.In(web.Shanghai).Format("15:04"), ClosesAt: code.ClosesAt.In(web.Shanghai).Format("15:04"),
		Open: h.svc.SessionOpen(ctx, cl, x), InSession: cl.Status == StatusInSession,
		QR: fmt.Sprintf("/api/v1/sessions/%d/qr.png?v=%s", x.ID, url.QueryEscape(code.Code))}
	if len(code.Code) == 6 {
		d.CodeParts = [2]string{code.Code[:3], code.Code[3:]}
	} else {
		d.CodeParts = [2]string{code.Code, ""}
	}
	return h.pages.Render(c, fiber.StatusOK, "training/admin_session_screen", "签到码："+x.Topic, d)
}
