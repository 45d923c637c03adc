package training

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

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
	cl, detail, err := h.svc.ClassDetail(ctx, p, id)
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
		d.RegFlags = learnerFlags(db.SplitList(r.Flags))
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
