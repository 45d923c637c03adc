package faculty

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Page paths of the lectures.
const (
	LecturesAdminPath = "/admin/lectures"
	LecturesPath      = "/lectures"
)

// lectureStatuses are the statuses in the order the pages list them.
var lectureStatuses = []string{LectureDraft, LecturePublished, LectureHeld, LectureCancelled}

func (h *Handlers) registerLecturePages(pages fiber.Router) {
	only := web.RequireRole(Managers...)
	pages.Get(LecturesAdminPath, only, h.lectureListPage)
	pages.Get(LecturesAdminPath+"/new", only, h.lectureNewPage)
	pages.Post(LecturesAdminPath, only, h.lectureCreateSubmit)
	pages.Get(LecturesAdminPath+"/:id", only, h.lectureDetailPage)
	pages.Get(LecturesAdminPath+"/:id/edit", only, h.lectureEditPage)
	pages.Post(LecturesAdminPath+"/:id", only, h.lectureUpdateSubmit)
	pages.Post(LecturesAdminPath+"/:id/step/:step", only, h.lectureStepSubmit)
	pages.Post(LecturesAdminPath+"/:id/recording", only, h.lectureRecordingSubmit)
	pages.Get(LecturesAdminPath+"/:id/screen", only, h.lectureScreenPage)
	pages.Post(LecturesAdminPath+"/:id/code", only, h.lectureCodeSubmit)
	pages.Get(LecturesAdminPath+"/:id/qr.png", only, h.lectureQR)
	pages.Get(LecturesPath, web.RequireLogin, h.upcomingPage)
	pages.Get(LecturesPath+"/:id", web.RequireLogin, h.lecturePage)
	pages.Post(LecturesPath+"/:id/signin", web.RequireLogin, h.lectureSignInSubmit)
}

func (h *Handlers) lectureListPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f := lectureFilter(c)
	if LectureStatusNames[f.Status] == "" {
		f.Status = ""
	}
	items, total, err := h.svc.Lectures(ctx, p, f, pg)
	if err != nil {
		return err
	}
	series, err := h.svc.LectureSeries(ctx, p)
	if err != nil {
		return err
	}
	year := ""
	if f.Year != 0 {
		year = strconv.Itoa(f.Year)
	}
	export := "/api/v1/lectures.xlsx?" + url.Values{"series": {f.Series}, "status": {f.Status}, "year": {year}}.Encode()
	return h.pages.Render(c, fiber.StatusOK, "faculty/lecture_list", "讲坛讲座", map[string]any{
		"List": web.NewList(items, total, pg), "F": f, "Year": year, "Series": series, "Statuses": lectureStatuses, "StatusNames": LectureStatusNames, "Export": export,
	})
}

// lectureFormView is what the lecture form shows.
type lectureFormView struct {
	ID       uint64
	In       LectureRequest
	Errors   map[string]string
	Title    string
	Teachers []Teacher
}

func (h *Handlers) lectureForm(c *fiber.Ctx, status int, v lectureFormView) error {
	ts, err := h.svc.SpeakerChoices(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	v.Teachers = ts
	return h.pages.Render(c, status, "faculty/lecture_form", v.Title, map[string]any{"V": v, "KindNames": KindNames})
}

func (h *Handlers) lectureNewPage(c *fiber.Ctx) error {
	return h.lectureForm(c, fiber.StatusOK, lectureFormView{In: LectureRequest{Series: c.Query("series"), StartTime: "09:00", EndTime: "11:00"}, Title: "新建讲座"})
}

func (h *Handlers) lectureEditPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	l, err := h.svc.managedLecture(c.UserContext(), h.svc.db, web.Caller(c), id)
	if err != nil {
		return err
	}
	return h.lectureForm(c, fiber.StatusOK, lectureFormView{ID: l.ID, In: l.request(), Title: "修改讲座"})
}

// lectureFormRequest reads the lecture form.
func lectureFormRequest(c *fiber.Ctx) LectureRequest {
	num := func(k string) int {
		n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue(k)))
		return n
	}
	teacher, _ := web.ParseUint(strings.TrimSpace(c.FormValue("teacher_id")))
	return LectureRequest{Series: c.FormValue("series"), Topic: c.FormValue("topic"), TeacherID: teacher, Date: c.FormValue("date"),
		StartTime: c.FormValue("start_time"), EndTime: c.FormValue("end_time"), Place: c.FormValue("place"), Audience: c.FormValue("audience"), Capacity: num("capacity")}
}

// lectureFailed shows the form again with the fields a refused request names.
func (h *Handlers) lectureFailed(c *fiber.Ctx, v lectureFormView, err error) error {
	var we *web.Error
	if errors.As(err, &we) && len(we.Fields) > 0 {
		v.Errors = we.Fields
		return h.lectureForm(c, fiber.StatusUnprocessableEntity, v)
	}
	return err
}

func (h *Handlers) lectureCreateSubmit(c *fiber.Ctx) error {
	in := lectureFormRequest(c)
	l, err := h.svc.CreateLecture(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return h.lectureFailed(c, lectureFormView{In: in, Title: "新建讲座"}, err)
	}
	web.Flash(c, "讲座已保存为草稿，发布后全市干部可见")
	return c.Redirect(fmt.Sprintf("%s/%d", LecturesAdminPath, l.ID), fiber.StatusSeeOther)
}

func (h *Handlers) lectureUpdateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := lectureFormRequest(c)
	if _, err := h.svc.UpdateLecture(c.UserContext(), web.Caller(c), id, in); err != nil {
		if web.IsStatus(err, fiber.StatusConflict) {
			return h.renderLecture(c, fiber.StatusConflict, id, web.AsError(err).Message)
		}
		return h.lectureFailed(c, lectureFormView{ID: id, In: in, Title: "修改讲座"}, err)
	}
	web.Flash(c, "讲座已保存")
	return c.Redirect(fmt.Sprintf("%s/%d", LecturesAdminPath, id), fiber.StatusSeeOther)
}

func (h *Handlers) lectureDetailPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderLecture(c, fiber.StatusOK, id, "")
}

// renderLecture shows a lecture to its host, with problem as the reason a
// step was refused when there is one.
func (h *Handlers) renderLecture(c *fiber.Ctx, status int, id uint64, problem string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	l, err := h.svc.managedLecture(ctx, h.svc.db, p, id)
	if err != nil {
		return err
	}
	it, err := h.svc.lectureView(ctx, l)
	if err != nil {
		return err
	}
	att, err := h.svc.Attendance(ctx, p, id, pg)
	if err != nil {
		return err
	}
	return h.pages.Render(c, status, "faculty/lecture_detail", it.Topic, map[string]any{
		"L": it, "Att": att, "Problem": problem, "Editable": l.Status == LectureDraft || l.Status == LecturePublished,
	})
}

// pageRefusal shows a refused step on the lecture's page; not found and
// forbidden go to the error page.
func (h *Handlers) pageRefusal(c *fiber.Ctx, id uint64, err error) error {
	we := web.AsError(err)
	if we.Status >= 500 || we.Status == fiber.StatusNotFound || we.Status == fiber.StatusForbidden {
		return err
	}
	return h.renderLecture(c, we.Status, id, we.Message+fieldText(we.Fields))
}

func (h *Handlers) lectureStepSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	step := c.Params("step")
	if _, err := h.svc.StepLecture(c.UserContext(), web.Caller(c), id, step, CancelRequest{Reason: c.FormValue("reason")}); err != nil {
		return h.pageRefusal(c, id, err)
	}
	web.Flash(c, "已"+LectureStepNames[step])
	return c.Redirect(fmt.Sprintf("%s/%d", LecturesAdminPath, id), fiber.StatusSeeOther)
}

func (h *Handlers) lectureRecordingSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	course, _ := web.ParseUint(strings.TrimSpace(c.FormValue("course_id")))
	if _, err := h.svc.LinkRecording(c.UserContext(), web.Caller(c), id, RecordingRequest{CourseID: course}); err != nil {
		return h.pageRefusal(c, id, err)
	}
	web.Flash(c, "已关联讲座录像课程")
	return c.Redirect(fmt.Sprintf("%s/%d", LecturesAdminPath, id), fiber.StatusSeeOther)
}

// lectureScreenData is what the code screen in the hall shows.
type lectureScreenData struct {
	L         LectureItem
	Code      string
	CodeParts [2]string
	OpensAt   string
	ClosesAt  string
	Open      bool
	Today     bool
	QR        string
}

func (h *Handlers) lectureScreenPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	code, l, err := h.svc.LectureCode(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	now := h.svc.now()
	d := lectureScreenData{L: lectureItem(l), Code: code.Code, OpensAt: code.OpensAt.In(web.Shanghai).Format("15:04"), ClosesAt: code.ClosesAt.In(web.Shanghai).Format("15:04"),
		Open: !now.Before(code.OpensAt) && !now.After(code.ClosesAt), Today: now.In(web.Shanghai).Format(time.DateOnly) == lectureItem(l).Date,
		QR: fmt.Sprintf("%s/%d/qr.png?v=%s", LecturesAdminPath, l.ID, url.QueryEscape(code.Code))}
	if len(code.Code) == 6 {
		d.CodeParts = [2]string{code.Code[:3], code.Code[3:]}
	} else {
		d.CodeParts = [2]string{code.Code, ""}
	}
	return h.pages.Render(c, fiber.StatusOK, "faculty/lecture_screen", "签到码："+l.Topic, d)
}

func (h *Handlers) lectureCodeSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.RenewLectureCode(c.UserContext(), web.Caller(c), id); err != nil {
		return h.pageRefusal(c, id, err)
	}
	web.Flash(c, "已更换签到码，旧签到码不再有效")
	return c.Redirect(fmt.Sprintf("%s/%d/screen", LecturesAdminPath, id), fiber.StatusSeeOther)
}

func (h *Handlers) lectureQR(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	code, _, err := h.svc.LectureCode(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return web.QRPNG(c, code.Path, 360)
}

func (h *Handlers) upcomingPage(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.Upcoming(c.UserContext(), web.Caller(c), pg)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "faculty/lecture_upcoming", "讲坛讲座", map[string]any{"List": web.NewList(items, total, pg)})
}

func (h *Handlers) lecturePage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderPublicLecture(c, fiber.StatusOK, id, strings.TrimSpace(c.Query("code")), "")
}

// renderPublicLecture shows a lecture to a cadre with its sign-in form
// (the page its QR code opens, code filled in), with problem as the reason
// a sign-in was refused.
func (h *Handlers) renderPublicLecture(c *fiber.Ctx, status int, id uint64, code, problem string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	it, err := h.svc.Lecture(ctx, p, id)
	if err != nil {
		return err
	}
	signed, err := h.svc.SignedAt(ctx, p, id)
	if err != nil {
		return err
	}
	d := map[string]any{"L": it, "Code": code, "Problem": problem, "Study": web.MayStudy(p) == nil}
	if signed != nil {
		d["SignedAt"] = signed.In(web.Shanghai).Format("01-02 15:04")
	}
	return h.pages.Render(c, status, "faculty/lecture_public", it.Topic, d)
}

func (h *Handlers) lectureSignInSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	code := strings.TrimSpace(c.FormValue("code"))
	if _, err := h.svc.SignInLecture(c.UserContext(), web.Caller(c), id, code); err != nil {
		we := web.AsError(err)
		if we.Status >= 500 || we.Status == fiber.StatusNotFound || we.Status == fiber.StatusForbidden {
			return err
		}
		return h.renderPublicLecture(c, we.Status, id, code, we.Message)
	}
	web.Flash(c, "签到成功")
	return c.Redirect(fmt.Sprintf("%s/%d", LecturesPath, id), fiber.StatusSeeOther)
}
