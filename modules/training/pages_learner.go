package training

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// learnerPages are the cadre's pages: the classes, one class with its
// timetable, sign-in and leave, the certificate, and the public
// certificate check.
func (h *Handlers) learnerPages(r fiber.Router) {
	r.Get("/classes", web.RequireLogin, h.learnerClassesPage)
	r.Get("/classes/:id", web.RequireLogin, h.learnerClassPage)
	r.Post("/classes/:id/register", web.RequireLogin, h.learnerRegisterSubmit)
	r.Post("/classes/:id/withdraw", web.RequireLogin, h.learnerWithdrawSubmit)
	r.Post("/classes/:id/leave", web.RequireLogin, h.learnerLeaveSubmit)
	r.Get("/classes/:id/signin", web.RequireLogin, h.learnerSignInPage)
	r.Post("/classes/:id/sessions/:sid/signin", web.RequireLogin, h.learnerSignInSubmit)
	r.Get("/certificates/:serial", web.RequireLogin, h.learnerCertificatePage)
	r.Get("/certificates/:serial/qr.png", web.RequireLogin, h.learnerCertificateQR)
	r.Get("/verify", h.learnerVerifyPage)
	r.Get("/verify/:serial", h.learnerVerifyPage)
}

// ---------- formatting for pages (Beijing time) ----------

var learnerWeekdays = [...]string{"日", "一", "二", "三", "四", "五", "六"}

// learnerClock is the Beijing time of day, 09:05.
func learnerClock(t time.Time) string { return t.In(web.Shanghai).Format("15:04") }

// learnerDay names a day the way a timetable does: 3月5日 周四.
func learnerDay(t time.Time) string {
	t = t.In(web.Shanghai)
	return fmt.Sprintf("%d月%d日 周%s", t.Month(), t.Day(), learnerWeekdays[t.Weekday()])
}

// learnerStamp is a Beijing date and time to the minute ("" for none).
func learnerStamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(web.Shanghai).Format("2006-01-02 15:04")
}

// learnerCNDate writes a YYYY-MM-DD date as 2026年3月1日.
func learnerCNDate(s string) string {
	t, err := ParseDate(s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// learnerSpan is a class's dates: one day, or "from 至 to".
func learnerSpan(from, to string) string {
	if from == to {
		return from
	}
	return from + " 至 " + to
}

// learnerTone is the badge colour of a registration status.
func learnerTone(status string) string {
	switch status {
	case RegApproved, RegGraduated:
		return "badge-ok"
	case RegPending:
		return "badge-info"
	case RegWaitlisted:
		return "badge-warn"
	case RegRejected, RegIncomplete, RegAbsent:
		return "badge-danger"
	}
	return ""
}

// learnerMeaning tells the cadre what their registration status means.
var learnerMeaning = map[string]string{
	RegPending:    "已报名，待主办学院审核。审核通过后会通知您。",
	RegApproved:   "已录取，请按时参加培训。上课时凭老师出示的签到码签到。",
	RegWaitlisted: "候补中：名额已满，有名额空出时将按报名先后自动递补，递补后会通知您。",
	RegRejected:   "未被录取。",
	RegWithdrawn:  "您已退出本班次。",
	RegReplaced:   "单位已安排其他同志参加本班次。",
	RegGraduated:  "已结业，学时已计入您的学习档案。",
	RegIncomplete: "未达到结业要求，未能结业。",
	RegAbsent:     "按缺训处理，未能结业。",
}

func learnerFlags(flags []string) []string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		if n := FlagNames[f]; n != "" {
			out = append(out, n)
		}
	}
	return out
}

func learnerActive(status string) bool { return slices.Contains(activeStatuses, status) }

// learnerLabels name the form fields in learnerRefusal messages.
var learnerLabels = map[string]string{
	"reason": "请假事由", "code": "签到码",
}

// learnerRefusal is what a page shows of an error the service returned: its
// message, or its field messages. ok is false for a server error, which
// goes to the error page instead.
func learnerRefusal(err error) (we *web.Error, msg string, ok bool) {
	we = web.AsError(err)
	if we.Status >= 500 {
		return we, "", false
	}
	if len(we.Fields) == 0 {
		return we, we.Message, true
	}
	keys := make([]string, 0, len(we.Fields))
	for k := range we.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		label := learnerLabels[k]
		if label == "" {
			parts[i] = we.Fields[k]
		} else {
			parts[i] = label + "：" + we.Fields[k]
		}
	}
	return we, strings.Join(parts, "；"), true
}

// ---------- 培训班次: the list ----------

// learnerOpenCard is a class taking registrations.
type learnerOpenCard struct {
	ClassSummary
	Dates     string
	SeatsLeft int
	Closes    string
	Mine      *learnerMyRow // the caller's active registration
}

// learnerMyRow is one of the caller's classes.
type learnerMyRow struct {
	MyRegistration
	Dates string
	Tone  string
	Flags []string
}

type learnerCertRow struct {
	Certificate
	Issued string
}

type learnerClassesData struct {
	Open  []learnerOpenCard
	Mine  []learnerMyRow
	Certs []learnerCertRow
}

func (h *Handlers) learnerClassesPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	open, err := h.svc.OpenClasses(ctx, p)
	if err != nil {
		return err
	}
	mine, err := h.svc.MyRegistrations(ctx, p)
	if err != nil {
		return err
	}
	certs, err := h.svc.MyCertificates(ctx, p)
	if err != nil {
		return err
	}
	d := learnerClassesData{Open: []learnerOpenCard{}, Mine: make([]learnerMyRow, len(mine)), Certs: make([]learnerCertRow, len(certs))}
	active := map[uint64]*learnerMyRow{}
	for i, m := range mine {
		d.Mine[i] = learnerMyRow{MyRegistration: m, Dates: learnerSpan(m.Class.StartsOn, m.Class.EndsOn), Tone: learnerTone(m.Status), Flags: learnerFlags(m.Flags)}
		if learnerActive(m.Status) {
			active[m.ClassID] = &d.Mine[i]
		}
	}
	for i := range open {
		s := h.svc.Summary(ctx, &open[i])
		d.Open = append(d.Open, learnerOpenCard{ClassSummary: s, Dates: learnerSpan(s.StartsOn, s.EndsOn), SeatsLeft: max(s.Quota-s.Enrolled, 0),
			Closes: learnerStamp(s.ClosesAt), Mine: active[s.ID]})
	}
	for i, x := range certs {
		d.Certs[i] = learnerCertRow{Certificate: x, Issued: learnerCNDate(x.IssuedOn)}
	}
	return h.pages.Render(c, fiber.StatusOK, "training/learner_classes", "培训班次", d)
}

// ---------- one class ----------

type learnerSession struct {
	ID       uint64
	Topic    string
	Teacher  string
	Place    string
	Site     string
	Day      string
	Time     string
	Hours    web.Hours
	SignedAt string // HH:MM once signed in
	Open     bool   // takes sign-ins now
	Ended    bool
	Leave    string // the status of a leave request covering it
}

type learnerCourse struct {
	CourseItem
	Done bool
}

type learnerLeave struct {
	LeaveResponse
	Topics  []string
	Created string
}

// learnerLeaveForm is the leave request being filled in.
type learnerLeaveForm struct {
	Sessions map[uint64]bool
	Reason   string
	Hours    string
}

type learnerClassData struct {
	Class     ClassResponse
	Dates     string
	RegOpens  string
	RegCloses string
	SeatsLeft int

	Reg      *Registration
	RegName  string
	RegTone  string
	RegNote  string
	RegFlags []string
	Active   bool
	Trainee  bool

	CanRegister  bool
	RegisterHint string
	CanWithdraw  bool
	CanLeave     bool

	Sessions      []learnerSession
	LeaveSessions []learnerSession
	Courses       []learnerCourse
	Leaves        []learnerLeave
	Certificate   *Certificate

	Error string // a refused action
	Form  learnerLeaveForm
}

func (h *Handlers) learnerClassPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.learnerRenderClass(c, fiber.StatusOK, id, "", learnerLeaveForm{})
}

// learnerRenderClass shows a class to the cadre, with the message of a refused
// action and the leave form as it was filled in.
func (h *Handlers) learnerRenderClass(c *fiber.Ctx, status int, id uint64, alert string, form learnerLeaveForm) error {
	ctx, p := c.UserContext(), web.Caller(c)
	cl, err := h.svc.GetClass(ctx, p, id)
	if err != nil {
		return err
	}
	detail, err := h.svc.Detail(ctx, p, cl)
	if err != nil {
		return err
	}
	mine, err := h.svc.Mine(ctx, p, cl)
	if err != nil {
		return err
	}
	sessions, err := h.svc.Sessions(ctx, id)
	if err != nil {
		return err
	}
	now := h.svc.now()
	d := learnerClassData{Class: detail, Dates: learnerSpan(detail.StartsOn, detail.EndsOn), SeatsLeft: max(detail.Quota-detail.Enrolled, 0),
		Reg: mine.Registration, Certificate: mine.Certificate, Error: alert, Form: form}
	if detail.RegistrationOpensAt != nil {
		d.RegOpens = learnerStamp(*detail.RegistrationOpensAt)
	}
	if detail.RegistrationClosesAt != nil {
		d.RegCloses = learnerStamp(*detail.RegistrationClosesAt)
	}
	if r := mine.Registration; r != nil {
		d.RegName, d.RegTone, d.RegNote = RegStatusNames[r.Status], learnerTone(r.Status), learnerMeaning[r.Status]
		d.RegFlags = learnerFlags(splitList(r.Flags))
		d.Active = learnerActive(r.Status)
		d.Trainee = r.Status == RegApproved
		d.CanWithdraw = d.Active && (cl.Status == StatusOpen || cl.Status == StatusClosed) && !cl.Started(now)
		d.CanLeave = d.Trainee && (cl.Status == StatusOpen || cl.Status == StatusClosed || cl.Status == StatusInSession)
	}
	switch {
	case d.Active:
	case !cl.SelfRegister:
		d.RegisterHint = "本班次由所在单位推荐报名，如需参加请联系本单位管理员。"
	case detail.Status == StatusOpen && now.Before(cl.RegOpensAt):
		d.RegisterHint = "报名尚未开始，开始时间：" + d.RegOpens
	case detail.Status != StatusOpen:
		d.RegisterHint = "本班次当前不在报名期（" + detail.StatusName + "）。"
	case d.SeatsLeft == 0 && !cl.Waitlist:
		d.RegisterHint = "名额已满。"
	default:
		d.CanRegister = true
		if d.SeatsLeft == 0 {
			d.RegisterHint = "名额已满，报名后进入候补名单，有名额空出时按报名先后递补。"
		} else if !cl.AutoApprove {
			d.RegisterHint = "报名后由主办学院审核。"
		}
	}

	leaveOf := map[uint64]string{}
	for _, l := range mine.Leaves {
		if l.Status == LeaveRejected {
			continue
		}
		for _, sid := range l.SessionIDs {
			leaveOf[sid] = "请假" + l.StatusName
		}
	}
	topics := map[uint64]string{}
	for i := range sessions {
		x := &sessions[i]
		topics[x.ID] = x.Topic
		v := learnerSession{ID: x.ID, Topic: x.Topic, Teacher: x.Teacher, Place: x.Place, Site: x.Site, Day: learnerDay(x.StartsAt),
			Time: learnerClock(x.StartsAt) + "–" + learnerClock(x.EndsAt), Hours: x.Hours, Ended: now.After(x.EndsAt), Leave: leaveOf[x.ID]}
		if t, ok := mine.Signed[x.ID]; ok {
			v.SignedAt = learnerClock(t)
		} else if d.Trainee {
			v.Open = h.svc.SessionOpen(ctx, cl, x)
		}
		d.Sessions = append(d.Sessions, v)
		if d.CanLeave && v.SignedAt == "" && v.Leave == "" && !v.Ended {
			d.LeaveSessions = append(d.LeaveSessions, v)
		}
	}
	for _, x := range detail.Courses {
		d.Courses = append(d.Courses, learnerCourse{CourseItem: x, Done: mine.CoursesDone[x.CourseID]})
	}
	for _, l := range mine.Leaves {
		v := learnerLeave{LeaveResponse: l, Created: learnerStamp(l.CreatedAt)}
		for _, sid := range l.SessionIDs {
			if t := topics[sid]; t != "" {
				v.Topics = append(v.Topics, t)
			}
		}
		d.Leaves = append(d.Leaves, v)
	}
	if d.Form.Sessions == nil {
		d.Form.Sessions = map[uint64]bool{}
	}
	return h.pages.Render(c, status, "training/learner_class", detail.Title, d)
}

// learnerRefused shows the class page again with the reason an action was
// refused; a class the caller may not see stays a 404.
func (h *Handlers) learnerRefused(c *fiber.Ctx, id uint64, err error, form learnerLeaveForm) error {
	we, msg, ok := learnerRefusal(err)
	if !ok {
		return err
	}
	return h.learnerRenderClass(c, we.Status, id, msg, form)
}

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
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), web.Caller(c)
	r, err := h.svc.MyRegistrationIn(ctx, p, id)
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

// ---------- sign-in ----------

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

// ---------- certificates ----------

type learnerCertData struct {
	CertificateView
	From      string
	To        string
	Issued    string
	VerifyURL string
	QR        string
	Owner     bool // the caller's own; else a manager of the class looks
}

// learnerCertificate loads a certificate for its owner or a manager of its class.
func (h *Handlers) learnerCertificate(c *fiber.Ctx) (CertificateView, error) {
	ctx, p := c.UserContext(), web.Caller(c)
	v, err := h.svc.VerifyCertificate(ctx, c.Params("serial"))
	if err != nil {
		return v, err
	}
	if v.UserID == p.UserID {
		return v, nil
	}
	if p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin) {
		if _, err := h.svc.managedClass(ctx, p, v.ClassID); err == nil {
			return v, nil
		} else if !web.IsStatus(err, fiber.StatusNotFound) && !web.IsStatus(err, fiber.StatusForbidden) {
			return v, err
		}
	}
	return CertificateView{}, web.NotFound()
}

func (h *Handlers) learnerCertificatePage(c *fiber.Ctx) error {
	v, err := h.learnerCertificate(c)
	if err != nil {
		return err
	}
	d := learnerCertData{CertificateView: v, From: learnerCNDate(v.StartsOn), To: learnerCNDate(v.EndsOn), Issued: learnerCNDate(v.IssuedOn),
		VerifyURL: web.PublicURL(c) + "/verify/" + url.PathEscape(v.Serial), QR: "/certificates/" + url.PathEscape(v.Serial) + "/qr.png",
		Owner: v.UserID == web.Caller(c).UserID}
	return h.pages.Render(c, fiber.StatusOK, "training/cert_print", "结业证书", d)
}

func (h *Handlers) learnerCertificateQR(c *fiber.Ctx) error {
	v, err := h.learnerCertificate(c)
	if err != nil {
		return err
	}
	return qrPNG(c, "/verify/"+url.PathEscape(v.Serial), 240)
}

type learnerVerifyData struct {
	Serial   string
	Cert     *CertificateCheck
	Dates    string
	Issued   string
	NotFound bool
}

// learnerVerifyPage checks a certificate by its serial, for anyone.
func (h *Handlers) learnerVerifyPage(c *fiber.Ctx) error {
	serial := c.Params("serial")
	if serial == "" {
		if q := strings.ToUpper(strings.TrimSpace(c.Query("serial"))); q != "" {
			return c.Redirect("/verify/"+url.PathEscape(q), fiber.StatusSeeOther)
		}
		return h.pages.Render(c, fiber.StatusOK, "training/cert_verify", "结业证书查验", learnerVerifyData{})
	}
	if s, err := url.PathUnescape(serial); err == nil {
		serial = s
	}
	d := learnerVerifyData{Serial: strings.ToUpper(strings.TrimSpace(serial))}
	if r := []rune(d.Serial); len(r) > 40 {
		d.Serial = string(r[:40]) + "…"
	}
	v, err := h.svc.CheckCertificate(c.UserContext(), c.IP(), serial)
	var we *web.Error
	if errors.As(err, &we) && we.Status == fiber.StatusNotFound {
		d.NotFound = true
		return h.pages.Render(c, fiber.StatusNotFound, "training/cert_verify", "结业证书查验", d)
	}
	if err != nil {
		return err
	}
	d.Cert, d.Dates, d.Issued = &v, learnerCNDate(v.StartsOn)+" 至 "+learnerCNDate(v.EndsOn), learnerCNDate(v.IssuedOn)
	return h.pages.Render(c, fiber.StatusOK, "training/cert_verify", "结业证书查验", d)
}
