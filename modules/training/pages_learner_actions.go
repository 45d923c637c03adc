package training

import (
	"fmt"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) learnerRegisterSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.Register(c.UserContext(), web.Caller(c), id, 0)
	if err != nil {
		return h.learnerRefused(c, id, err, learnerLeaveForm{})
	}
	switch r.Status {
	case RegApproved:
		web.Flash(c, "报名成功，您已被录取，请按时参加培训")
	case RegWaitlisted:
		web.Flash(c, "名额已满，您已进入候补名单，有名额空出时将自动递补")
	default:
		web.Flash(c, "报名成功，等待主办学院审核")
	}
	return c.Redirect(fmt.Sprintf("/classes/%d", id), fiber.StatusSeeOther)
}

func (h *Handlers) learnerWithdrawSubmit(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	id, r, err := web.WithID(c, h.svc.MyRegistrationIn)
	if err != nil {
		return err
	}
	if r == nil {
		return h.learnerRefused(c, id, web.Conflict("not_registered", "您没有报名本班次"), learnerLeaveForm{})
	}
	if _, err := h.svc.Withdraw(ctx, p, r.ID); err != nil {
		return h.learnerRefused(c, id, err, learnerLeaveForm{})
	}
	web.Flash(c, "您已退出本班次")
	return c.Redirect(fmt.Sprintf("/classes/%d", id), fiber.StatusSeeOther)
}

func (h *Handlers) learnerLeaveSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := learnerLeaveForm{Sessions: map[uint64]bool{}, Reason: c.FormValue("reason"), Hours: strings.TrimSpace(c.FormValue("hours"))}
	in := LeaveRequest{Reason: form.Reason}
	for _, v := range c.Request().PostArgs().PeekMulti("session_id") {
		sid, err := web.ParseUint(string(v))
		if err != nil {
			return h.learnerRefused(c, id, web.Invalid(map[string]string{"session_ids": "请选择请假的课程"}), form)
		}
		in.SessionIDs = append(in.SessionIDs, sid)
		form.Sessions[sid] = true
	}
	if form.Hours != "" && len(in.SessionIDs) == 0 {
		if err := in.Hours.UnmarshalJSON([]byte(form.Hours)); err != nil {
			return h.learnerRefused(c, id, web.Invalid(map[string]string{"hours": "请填写学时数，最多两位小数"}), form)
		}
	}
	l, err := h.svc.RequestLeave(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return h.learnerRefused(c, id, err, form)
	}
	web.Flash(c, "请假申请已提交（"+l.Hours.String()+" 学时），等待主办学院审批")
	return c.Redirect(fmt.Sprintf("/classes/%d#leave", id), fiber.StatusSeeOther)
}

type learnerSignInData struct {
	ClassID    uint64
	ClassTitle string
	Session    *learnerSession
	Code       string
	Trainee    bool
	SignedAt   string
	Open       bool
	Window     string
	Error      string
}

func (h *Handlers) learnerSignInPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	sid, _ := web.ParseUint(c.Query("session"))
	return h.learnerRenderSignIn(c, fiber.StatusOK, id, sid, strings.TrimSpace(c.Query("code")), "")
}

// learnerRenderSignIn shows the page a session's QR code opens; without a
// session it picks the one taking sign-ins now.
func (h *Handlers) learnerRenderSignIn(c *fiber.Ctx, status int, id, sid uint64, code, alert string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	cl, err := h.svc.GetClass(ctx, p, id)
	if err != nil {
		return err
	}
	sessions, err := h.svc.Sessions(ctx, id)
	if err != nil {
		return err
	}
	mine, err := h.svc.Mine(ctx, p, cl)
	if err != nil {
		return err
	}
	d := learnerSignInData{ClassID: id, ClassTitle: cl.Title, Code: code, Error: alert,
		Trainee: mine.Registration != nil && mine.Registration.Status == RegApproved}
	var x *Session
	for i := range sessions {
		if sessions[i].ID == sid || sid == 0 && h.svc.SessionOpen(ctx, cl, &sessions[i]) {
			x = &sessions[i]
			break
		}
	}
	if x == nil && sid != 0 {
		return web.NotFound()
	}
	if x != nil {
		from, to := h.svc.signInWindow(ctx, x)
		v := learnerSession{ID: x.ID, Topic: x.Topic, Teacher: x.Teacher, Place: x.Place, Site: x.Site, Day: learnerDay(x.StartsAt),
			Time: learnerClock(x.StartsAt) + "–" + learnerClock(x.EndsAt), Hours: x.Hours}
		d.Session = &v
		d.Open = h.svc.SessionOpen(ctx, cl, x)
		d.Window = learnerDay(from) + " " + learnerClock(from) + " 至 " + learnerClock(to)
		if t, ok := mine.Signed[x.ID]; ok {
			d.SignedAt = learnerClock(t)
		}
	}
	return h.pages.Render(c, status, "training/learner_signin", "课程签到", d)
}

func (h *Handlers) learnerSignInSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	sid, err := web.ParamID(c, "sid")
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), web.Caller(c)
	x, err := h.svc.sessionByID(ctx, sid)
	if err != nil {
		return err
	}
	if x.ClassID != id {
		return web.NotFound()
	}
	code := strings.TrimSpace(c.FormValue("code"))
	fromQR := c.FormValue("from") == "signin"
	out, err := h.svc.SignIn(ctx, p, sid, code)
	if err != nil {
		we, msg, ok := learnerRefusal(err)
		if !ok {
			return err
		}
		if we.Status == fiber.StatusNotFound {
			msg = "您不是本班次已录取的学员，无需签到。如有疑问请联系主办学院。"
		}
		if fromQR {
			return h.learnerRenderSignIn(c, we.Status, id, sid, code, msg)
		}
		return h.learnerRenderClass(c, we.Status, id, "签到未成功："+msg, learnerLeaveForm{})
	}
	if fromQR {
		return c.Redirect(fmt.Sprintf("/classes/%d/signin?session=%d", id, sid), fiber.StatusSeeOther)
	}
	web.Flash(c, "签到成功 "+learnerClock(out.SignedAt)+"："+out.Topic)
	return c.Redirect(fmt.Sprintf("/classes/%d#timetable", id), fiber.StatusSeeOther)
}
