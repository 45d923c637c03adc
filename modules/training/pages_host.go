package training

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// The host college's and the org department's pages: the class list, the
// class plan form, the class workspace (quotas, courses, timetable,
// registrations, roster and attendance, leave, files, graduation), the
// teacher's sign-in screen and the filing queue. Every form posts to a page
// route that calls the service, records the same audit entry as the JSON
// API, and redirects (303) with a flash message, or shows the refusal on
// the page it came from.
func (h *Handlers) hostPages(r fiber.Router) {
	managers := web.RequireRole(web.RoleCollegeAdmin, web.RoleOrgAdmin)
	host := web.RequireRole(web.RoleCollegeAdmin)
	orgDept := web.RequireRole(web.RoleOrgAdmin)
	r.Get("/admin/classes", managers, h.adminClassesPage)
	r.Get("/admin/classes/new", host, h.adminClassNewPage)
	r.Post("/admin/classes", host, h.adminClassCreateSubmit)
	r.Get("/admin/classes/:id/edit", host, h.adminClassEditPage)
	r.Get("/admin/classes/:id", managers, h.adminClassPage)
	r.Post("/admin/classes/:id", host, h.adminClassUpdateSubmit)
	r.Post("/admin/classes/:id/submit", host, h.adminClassActionSubmit("submit"))
	r.Post("/admin/classes/:id/approve", orgDept, h.adminClassActionSubmit("approve"))
	r.Post("/admin/classes/:id/reject", orgDept, h.adminClassActionSubmit("reject"))
	r.Post("/admin/classes/:id/open", host, h.adminClassActionSubmit("open"))
	r.Post("/admin/classes/:id/close", host, h.adminClassActionSubmit("close"))
	r.Post("/admin/classes/:id/start", host, h.adminClassActionSubmit("start"))
	r.Post("/admin/classes/:id/archive", managers, h.adminClassActionSubmit("archive"))
	r.Post("/admin/classes/:id/quotas", managers, h.adminQuotasSubmit)
	r.Post("/admin/classes/:id/courses", host, h.adminCoursesSubmit)
	r.Post("/admin/classes/:id/sessions", host, h.adminSessionAddSubmit)
	r.Post("/admin/classes/:id/files", host, h.adminFileUploadSubmit)
	r.Post("/admin/classes/:id/graduate", host, h.adminGraduateSubmit)
	r.Get("/admin/sessions/:id/screen", host, h.adminSessionScreenPage)
	r.Post("/admin/sessions/:id/code", host, h.adminSessionCodeSubmit)
	r.Post("/admin/sessions/:id/delete", host, h.adminSessionDeleteSubmit)
	r.Post("/admin/sessions/:id/attendance", host, h.adminAttendanceSubmit)
	r.Post("/admin/registrations/:id/approve", host, h.adminRegistrationSubmit("approve"))
	r.Post("/admin/registrations/:id/reject", host, h.adminRegistrationSubmit("reject"))
	r.Post("/admin/registrations/:id/withdraw", host, h.adminRegistrationSubmit("withdraw"))
	r.Post("/admin/leaves/:id/approve", host, h.adminLeaveSubmit(true))
	r.Post("/admin/leaves/:id/reject", host, h.adminLeaveSubmit(false))
	r.Get("/admin/filings", orgDept, h.adminFilingsPage)
}

// adminStatusOrder lists the class statuses in life-cycle order.
var adminStatusOrder = []string{StatusDraft, StatusFiling, StatusApproved, StatusOpen, StatusClosed, StatusInSession, StatusGraduated, StatusArchived}

// adminRegStatusOrder lists the registration statuses in the order of the tabs.
var adminRegStatusOrder = []string{RegPending, RegApproved, RegWaitlisted, RegRejected, RegWithdrawn, RegReplaced, RegGraduated, RegIncomplete, RegAbsent}

var adminWeekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// adminLocalLayout is the format of <input type="datetime-local">.
const adminLocalLayout = "2006-01-02T15:04"

// adminErr is a refused action, shown in the section of the page it came from.
type adminErr struct {
	Section string
	Message string
	Fields  map[string]string
}

// Field is the message of one field ("" when none).
func (e *adminErr) Field(name string) string {
	if e == nil {
		return ""
	}
	return e.Fields[name]
}

// formMessage is the message to show above a form: none when the form
// marks the fields themselves.
func (e *adminErr) formMessage() string {
	if len(e.Fields) > 0 {
		return ""
	}
	return e.Message
}

// Extra lists the field messages that have no place on the form: those
// whose names start with none of the given prefixes.
func (e *adminErr) Extra(inline ...string) []string {
	if e == nil {
		return nil
	}
	var keys []string
	for k := range e.Fields {
		if !slices.ContainsFunc(inline, func(p string) bool { return strings.HasPrefix(k, p) }) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = e.Fields[k]
	}
	return out
}

// adminRefusal turns a service error into a message for the page, or returns
// the error itself for the error page: a server failure, a missing record
// or a caller without the right.
func adminRefusal(err error, section string) (*adminErr, int, error) {
	we := web.AsError(err)
	switch {
	case we.Status >= 500, we.Status == fiber.StatusUnauthorized, we.Status == fiber.StatusForbidden, we.Status == fiber.StatusNotFound:
		return nil, 0, err
	}
	return &adminErr{Section: section, Message: we.Message, Fields: we.Fields}, we.Status, nil
}

func adminClassURL(id uint64, anchor string) string {
	u := "/admin/classes/" + web.Itoa(id)
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

func adminParseHours(s string) (web.Hours, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	var h web.Hours
	if err := h.UnmarshalJSON([]byte(s)); err != nil {
		return 0, false
	}
	return h, true
}

func adminHoursText(h web.Hours) string {
	if h <= 0 {
		return ""
	}
	return h.String()
}

func adminLocalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(web.Shanghai).Format(adminLocalLayout)
}

func adminShortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(web.Shanghai).Format("2006-01-02 15:04")
}

func adminPostMulti(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

func adminPostIDs(c *fiber.Ctx, name string) []uint64 {
	var out []uint64
	for _, v := range adminPostMulti(c, name) {
		if id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func adminAt(xs []string, i int) string {
	if i < len(xs) {
		return strings.TrimSpace(xs[i])
	}
	return ""
}

// ---------- class list ----------

// adminTab is a filter tab with its count.
type adminTab struct {
	Value string
	Name  string
	N     int64
	Link  string
}

type adminClassesData struct {
	Items  []ClassSummary
	Total  int64
	Page   int
	Pages  int
	Status string
	Q      string
	Tabs   []adminTab
	Hosts  bool // show the host column (the org department sees every college)
}

func (h *Handlers) adminClassesPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		pg = web.Page{Page: 1, PageSize: 20}
	}
	status := c.Query("status")
	if _, ok := StatusNames[status]; !ok {
		status = ""
	}
	q := strings.TrimSpace(c.Query("q"))
	rows, total, err := h.svc.ListManaged(ctx, p, ListFilter{Status: status, Q: q}, pg)
	if err != nil {
		return err
	}
	counts, err := h.svc.adminClassCounts(ctx, p, 0)
	if err != nil {
		return err
	}
	d := &adminClassesData{Total: total, Page: pg.Page, Status: status, Q: q, Hosts: canApprove(p)}
	d.Pages = int((total + int64(pg.PageSize) - 1) / int64(pg.PageSize))
	for i := range rows {
		d.Items = append(d.Items, h.svc.Summary(ctx, &rows[i]))
	}
	link := func(st string) string {
		v := url.Values{}
		if st != "" {
			v.Set("status", st)
		}
		if q != "" {
			v.Set("q", q)
		}
		if len(v) == 0 {
			return "/admin/classes"
		}
		return "/admin/classes?" + v.Encode()
	}
	var all int64
	for _, n := range counts {
		all += n
	}
	d.Tabs = append(d.Tabs, adminTab{Value: "", Name: "全部", N: all, Link: link("")})
	for _, st := range adminStatusOrder {
		d.Tabs = append(d.Tabs, adminTab{Value: st, Name: StatusNames[st], N: counts[st], Link: link(st)})
	}
	return h.pages.Render(c, fiber.StatusOK, "training/admin_classes", "班次管理", d)
}

// ---------- class plan form ----------

// adminClassForm is the class plan form as typed, for showing it again.
type adminClassForm struct {
	Title            string
	Kind             string
	HostOrgID        uint64
	Entrusted        string
	StartsOn         string
	EndsOn           string
	Place            string
	Online           bool
	Quota            string
	Hours            string
	SelfRegistration bool
	AutoApprove      bool
	NoWaitlist       bool
	Levels           []string
	Audience         map[uint64]bool
	RegOpensAt       string
	RegClosesAt      string
	FollowUp         bool
	Contact          string
	ContactPhone     string
	Description      string
	MinAttendance    string
	RequireCourses   bool
	ExamID           uint64
}

// Picked reports whether an org is among the audience.
func (f adminClassForm) Picked(id uint64) bool { return f.Audience[id] }

// AudienceCount is how many audience orgs are picked.
func (f adminClassForm) AudienceCount() int { return len(f.Audience) }

func adminFormFromClass(c *Class) adminClassForm {
	f := adminClassForm{Title: c.Title, Kind: c.Kind, HostOrgID: c.HostOrgID, Entrusted: c.Entrusted, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		Place: c.Place, Online: c.Online, Quota: strconv.Itoa(c.Quota), Hours: adminHoursText(c.Hours), SelfRegistration: c.SelfRegister,
		AutoApprove: c.AutoApprove, NoWaitlist: !c.Waitlist, Levels: splitList(c.Levels), Audience: map[uint64]bool{},
		RegOpensAt: adminLocalTime(c.RegOpensAt), RegClosesAt: adminLocalTime(c.RegClosesAt), FollowUp: c.FollowUp, Contact: c.Contact,
		ContactPhone: c.ContactPhone, Description: c.Description, RequireCourses: c.RequireCourses, ExamID: c.ExamID}
	if c.MinAttendance > 0 {
		f.MinAttendance = strconv.Itoa(c.MinAttendance)
	}
	for _, id := range splitIDs(c.AudienceOrgs) {
		f.Audience[id] = true
	}
	return f
}

// adminClassFromForm reads the plan form; errs holds what could not be read.
func adminClassFromForm(c *fiber.Ctx) (ClassRequest, adminClassForm, map[string]string) {
	f := adminClassForm{Title: c.FormValue("title"), Kind: c.FormValue("kind"), Entrusted: c.FormValue("entrusted"),
		StartsOn: strings.TrimSpace(c.FormValue("starts_on")), EndsOn: strings.TrimSpace(c.FormValue("ends_on")), Place: c.FormValue("place"),
		Online: c.FormValue("online") != "", Quota: strings.TrimSpace(c.FormValue("quota")), Hours: strings.TrimSpace(c.FormValue("hours")),
		SelfRegistration: c.FormValue("self_registration") != "", AutoApprove: c.FormValue("auto_approve") != "",
		NoWaitlist: c.FormValue("no_waitlist") != "", Levels: adminPostMulti(c, "levels"), Audience: map[uint64]bool{},
		RegOpensAt: strings.TrimSpace(c.FormValue("registration_opens_at")), RegClosesAt: strings.TrimSpace(c.FormValue("registration_closes_at")),
		FollowUp: c.FormValue("follow_up") != "", Contact: c.FormValue("contact"), ContactPhone: c.FormValue("contact_phone"),
		Description: c.FormValue("description"), MinAttendance: strings.TrimSpace(c.FormValue("min_attendance")),
		RequireCourses: c.FormValue("require_courses") != ""}
	errs := map[string]string{}
	if f.StartsOn == "" {
		errs["starts_on"] = "请选择开班日期"
	}
	if f.EndsOn == "" {
		errs["ends_on"] = "请选择结业日期"
	}
	if f.Quota == "" {
		errs["quota"] = "请填写总名额"
	}
	in := ClassRequest{Title: f.Title, Kind: f.Kind, Entrusted: f.Entrusted, StartsOn: f.StartsOn, EndsOn: f.EndsOn, Place: f.Place,
		Online: f.Online, SelfRegistration: f.SelfRegistration, AutoApprove: f.AutoApprove, NoWaitlist: f.NoWaitlist, Levels: f.Levels,
		FollowUp: f.FollowUp, Contact: f.Contact, ContactPhone: f.ContactPhone, Description: f.Description, RequireCourses: f.RequireCourses}
	if v := strings.TrimSpace(c.FormValue("host_org_id")); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			errs["host_org_id"] = "请选择主办学院"
		}
		f.HostOrgID, in.HostOrgID = id, id
	}
	if f.Quota != "" {
		n, err := strconv.Atoi(f.Quota)
		if err != nil {
			errs["quota"] = "名额应为整数"
		}
		in.Quota = n
	}
	if hrs, ok := adminParseHours(f.Hours); ok {
		in.Hours = hrs
	} else {
		errs["hours"] = "学时应为数字，最多两位小数"
	}
	for _, id := range adminPostIDs(c, "audience_org_ids") {
		if !f.Audience[id] {
			f.Audience[id] = true
			in.AudienceOrgIDs = append(in.AudienceOrgIDs, id)
		}
	}
	for _, x := range []struct {
		field string
		value string
		dst   **time.Time
	}{{"registration_opens_at", f.RegOpensAt, &in.RegistrationOpensAt}, {"registration_closes_at", f.RegClosesAt, &in.RegistrationClosesAt}} {
		if x.value == "" {
			continue
		}
		t, err := time.ParseInLocation(adminLocalLayout, x.value, web.Shanghai)
		if err != nil {
			errs[x.field] = "时间格式应为 YYYY-MM-DD HH:MM"
			continue
		}
		*x.dst = &t
	}
	if f.MinAttendance != "" {
		n, err := strconv.Atoi(f.MinAttendance)
		if err != nil {
			errs["min_attendance"] = "出勤率要求应为 0 到 100 的整数"
		}
		in.MinAttendance = n
	}
	if v := strings.TrimSpace(c.FormValue("exam_id")); v != "" && v != "0" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			errs["exam_id"] = "请选择结业考试"
		}
		f.ExamID, in.ExamID = id, id
	}
	return in, f, errs
}

type adminClassFormData struct {
	Form         adminClassForm
	Errors       map[string]string
	Message      string // a refusal that is not about one field
	ClassID      uint64 // 0: a new class
	StatusName   string
	RejectReason string
	Editable     bool
	Kinds        []string
	Levels       []string
	Colleges     []adminOrgOption
	Orgs         []adminOrgOption
	Exams        []adminPickItem
	DayHours     web.Hours
}

func (h *Handlers) adminClassFormPage(c *fiber.Ctx, status int, form adminClassForm, cl *Class, errs map[string]string, msg string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	d := &adminClassFormData{Form: form, Errors: errs, Message: msg, Editable: true, Kinds: Kinds, Levels: Levels}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	if d.Form.Audience == nil {
		d.Form.Audience = map[uint64]bool{}
	}
	title := "新建班次"
	if cl != nil {
		d.ClassID, d.StatusName, d.RejectReason = cl.ID, StatusNames[cl.Status], cl.RejectReason
		d.Editable = cl.Status == StatusDraft
		title = "修改班次计划：" + cl.Title
	}
	var err error
	if d.Colleges, err = h.svc.adminHostColleges(ctx, p); err != nil {
		return err
	}
	if d.Form.HostOrgID != 0 && !slices.ContainsFunc(d.Colleges, func(o adminOrgOption) bool { return o.ID == d.Form.HostOrgID }) {
		d.Colleges = append(d.Colleges, adminOrgOption{ID: d.Form.HostOrgID, Name: h.svc.people.OrgName(ctx, d.Form.HostOrgID)})
	}
	if d.Orgs, err = h.svc.adminOrgOptions(ctx, "unit", "department"); err != nil {
		return err
	}
	if d.Exams, err = h.svc.adminCollegeExams(ctx, p); err != nil {
		return err
	}
	if d.Form.ExamID != 0 && !slices.ContainsFunc(d.Exams, func(e adminPickItem) bool { return e.ID == d.Form.ExamID }) {
		d.Exams = append(d.Exams, adminPickItem{ID: d.Form.ExamID, Title: "考试 #" + web.Itoa(d.Form.ExamID)})
	}
	if h.svc.ledger != nil {
		d.DayHours = h.svc.ledger.DayHours(ctx)
	}
	return h.pages.Render(c, status, "training/admin_class_form", title, d)
}

func (h *Handlers) adminClassNewPage(c *fiber.Ctx) error {
	p := web.Caller(c)
	f := adminClassForm{Kind: Kinds[0], HostOrgID: p.OrgID, Audience: map[uint64]bool{}}
	return h.adminClassFormPage(c, fiber.StatusOK, f, nil, nil, "")
}

// adminCheckClassForm merges the form's reading errors with the service's own
// checks, so that every mistake shows at once.
func (h *Handlers) adminCheckClassForm(c *fiber.Ctx, in ClassRequest, errs map[string]string) map[string]string {
	if len(errs) == 0 {
		return nil
	}
	probe := in
	if probe.HostOrgID == 0 {
		probe.HostOrgID = web.Caller(c).OrgID
	}
	for k, v := range h.svc.validateClass(c.UserContext(), &probe) {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	return errs
}

func (h *Handlers) adminClassCreateSubmit(c *fiber.Ctx) error {
	in, form, errs := adminClassFromForm(c)
	if errs = h.adminCheckClassForm(c, in, errs); errs != nil {
		return h.adminClassFormPage(c, fiber.StatusBadRequest, form, nil, errs, "")
	}
	cl, err := h.svc.CreateClass(c.UserContext(), web.Caller(c), in)
	if err != nil {
		pe, status, err := adminRefusal(err, "form")
		if err != nil {
			return err
		}
		return h.adminClassFormPage(c, status, form, nil, pe.Fields, pe.formMessage())
	}
	web.Flash(c, "班次已创建（草稿）。请分配名额、安排课表，然后提交备案。")
	return c.Redirect(adminClassURL(cl.ID, ""), fiber.StatusSeeOther)
}

func (h *Handlers) adminClassEditPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cl, err := h.svc.hostClass(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	msg := ""
	if cl.Status != StatusDraft {
		msg = "只有草稿状态的班次可以修改计划（当前：" + StatusNames[cl.Status] + "）"
	}
	return h.adminClassFormPage(c, fiber.StatusOK, adminFormFromClass(cl), cl, nil, msg)
}

func (h *Handlers) adminClassUpdateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), web.Caller(c)
	cur, err := h.svc.hostClass(ctx, p, id)
	if err != nil {
		return err
	}
	in, form, errs := adminClassFromForm(c)
	if errs = h.adminCheckClassForm(c, in, errs); errs != nil {
		return h.adminClassFormPage(c, fiber.StatusBadRequest, form, cur, errs, "")
	}
	if _, err := h.svc.UpdateClass(ctx, p, id, in); err != nil {
		pe, status, err := adminRefusal(err, "form")
		if err != nil {
			return err
		}
		if latest, lerr := h.svc.hostClass(ctx, p, id); lerr == nil {
			cur = latest
		}
		return h.adminClassFormPage(c, status, form, cur, pe.Fields, pe.formMessage())
	}
	web.Flash(c, "班次计划已保存")
	return c.Redirect(adminClassURL(id, ""), fiber.StatusSeeOther)
}

// ---------- the class workspace ----------

// adminStep is one step of the class life cycle.
type adminStep struct {
	Name  string
	State string // done, current, todo
}

type adminQuotaRow struct {
	OrgID    uint64
	OrgName  string
	Quota    string
	Used     int
	OrgErr   string
	QuotaErr string
}

type adminCourseRow struct {
	CourseID uint64
	Title    string
	Required bool
	Hours    string
	IDErr    string
	HoursErr string
}

type adminSessionForm struct {
	Topic, Teacher, Place, Site string
	Date, Start, End, Hours     string
}

type adminSessionView struct {
	ID                          uint64
	Topic, Teacher, Place, Site string
	Day, Date, Start, End       string
	Hours                       web.Hours
	Code                        string
	Signed                      int
}

func adminViewSession(x Session, signed int) adminSessionView {
	s, e := x.StartsAt.In(web.Shanghai), x.EndsAt.In(web.Shanghai)
	return adminSessionView{ID: x.ID, Topic: x.Topic, Teacher: x.Teacher, Place: x.Place, Site: x.Site, Day: s.Format("01-02") + " " + adminWeekdays[s.Weekday()],
		Date: s.Format(time.DateOnly), Start: s.Format("15:04"), End: e.Format("15:04"), Hours: x.Hours, Code: x.Code, Signed: signed}
}

type adminRegView struct {
	RegistrationResponse
	FlagNames     []string
	SourceName    string
	CanApprove    bool
	CanReject     bool
	CanWithdraw   bool
	WithdrawLabel string
}

type adminRosterView struct {
	RosterRow
	FlagNames []string
	Reasons   []string // why the trainee would not graduate now
}

type adminAttRow struct {
	UserID  uint64
	Name    string
	OrgName string
	Present bool
}

type adminLeaveView struct {
	LeaveResponse
	Topics      string
	WouldExceed bool // approving it takes the trainee over the limit
}

type adminCheckItem struct {
	Kind, Name string
	Present    bool
}

type adminCertView struct {
	Serial, Name string
}

type adminShortfall struct {
	Name, OrgName, Note string
}

// adminGradResult is the outcome of a graduation, read back from the records.
type adminGradResult struct {
	Graduated    int
	Incomplete   []adminShortfall
	Absent       []adminShortfall
	Hours        web.Hours
	GraduatedAt  string
	Certificates []adminCertView
}

type adminNavLink struct{ ID, Name string }

type adminFileView struct {
	FileResponse
	SizeText string
}

// adminSize tells a file's size in words.
func adminSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d 字节", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return strconv.FormatFloat(float64(n*10>>20)/10, 'f', -1, 64) + " MB"
}

type adminKindOption struct{ Value, Name string }

// adminWSForm is what a failed form on the workspace sent, to show it again.
type adminWSForm struct {
	QuotaRows    []adminQuotaRow
	CourseRows   []adminCourseRow
	Session      *adminSessionForm
	RejectReason string
	Absent       map[uint64]bool
}

type adminClassData struct {
	Class     ClassResponse
	Status    string // with the registration deadline applied
	Host      bool   // the caller runs the class
	Approver  bool   // the caller is the org department
	Steps     []adminStep
	Nav       []adminNavLink
	Err       *adminErr
	DayHours  web.Hours
	ByDays    bool // the hours come from the day rule
	Audience  []string
	ExamTitle string
	RegWindow string // the registration window, Beijing time

	CanEdit, CanSubmit, CanReview, CanOpen, CanClose, CanStart, CanArchive bool
	CanQuotas, CanCourses, CanSessions, CanUpload, CanGraduate             bool
	ShowRegs, ShowRoster, ShowLeaves                                       bool
	RegActions                                                             bool // the registrations have a column of actions

	QuotaSum      int
	QuotaRows     []adminQuotaRow
	OrgOptions    []adminOrgOption
	CourseRows    []adminCourseRow
	CourseOptions []adminPickItem
	Sessions      []adminSessionView
	SessionForm   adminSessionForm
	RejectReason  string

	Regs      []adminRegView
	RegTotal  int64
	RegPager  web.Pager
	RegStatus string
	RegQ      string
	RegTabs   []adminTab

	Roster     []adminRosterView
	AttSession *adminSessionView
	AttRows    []adminAttRow

	Leaves     []adminLeaveView
	LeaveLimit web.Hours
	LeaveDenom int

	Files     []adminFileView
	FileKinds []adminKindOption
	MaxFileMB int

	Checklist     []adminCheckItem
	FilesRequired bool
	FilesReady    bool
	Absent        map[uint64]bool
	Result        *adminGradResult
}

// ErrIn returns the refusal shown in a section, nil when none.
func (d *adminClassData) ErrIn(section string) *adminErr {
	if d.Err != nil && d.Err.Section == section {
		return d.Err
	}
	return nil
}

// FieldErr is the message of one field of a section's form.
func (d *adminClassData) FieldErr(section, field string) string {
	return d.ErrIn(section).Field(field)
}

// ErrAnchor is the section of the page where the refused form is.
func (d *adminClassData) ErrAnchor() string {
	if d.Err == nil {
		return ""
	}
	s := d.Err.Section
	switch {
	case strings.HasPrefix(s, "reg:"):
		return "registrations"
	case strings.HasPrefix(s, "leave:"):
		return "leaves"
	}
	return map[string]string{"actions": "status", "review": "status", "quotas": "quotas", "courses": "courses", "session": "sessions",
		"sessions": "sessions", "attendance": "attendance", "files": "files", "graduate": "graduation"}[s]
}

// inlineFields are the fields each section's form shows next to its inputs.
var inlineFields = map[string][]string{
	"quotas": {"quotas["}, "courses": {"courses["}, "session": {"topic", "teacher", "place", "site", "starts_at", "ends_at", "hours"},
	"graduate": {"confirm"}, "files": {"kind", "file"}, "review": {"reason"},
}

// ErrExtra lists the messages of the refusal that its form cannot show.
func (d *adminClassData) ErrExtra() []string {
	if d.Err == nil {
		return nil
	}
	inline := inlineFields[d.Err.Section]
	if strings.HasPrefix(d.Err.Section, "reg:") {
		inline = []string{"reason"}
	}
	return d.Err.Extra(inline...)
}

func (h *Handlers) adminClassPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.adminRenderClass(c, fiber.StatusOK, id, nil, nil)
}

// adminRenderClass shows the workspace, with a refused action when perr is set.
func (h *Handlers) adminRenderClass(c *fiber.Ctx, status int, id uint64, perr *adminErr, form *adminWSForm) error {
	d, err := h.adminClassDataFor(c, id, perr, form)
	if err != nil {
		return err
	}
	return h.pages.Render(c, status, "training/admin_class", d.Class.Title, d)
}

// adminFailed shows a refused action on the workspace, or the error page.
func (h *Handlers) adminFailed(c *fiber.Ctx, classID uint64, err error, section string, form *adminWSForm) error {
	pe, status, err := adminRefusal(err, section)
	if err != nil {
		return err
	}
	return h.adminRenderClass(c, status, classID, pe, form)
}

func (h *Handlers) adminClassDataFor(c *fiber.Ctx, id uint64, perr *adminErr, form *adminWSForm) (*adminClassData, error) {
	ctx, p := c.UserContext(), web.Caller(c)
	cl, err := h.svc.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	det, err := h.svc.Detail(ctx, p, cl)
	if err != nil {
		return nil, err
	}
	if form == nil {
		form = &adminWSForm{}
	}
	st := det.Status
	host, approver := canHost(p), canApprove(p)
	d := &adminClassData{Class: det, Status: st, Host: host, Approver: approver, Err: perr, ByDays: cl.Hours == 0, MaxFileMB: MaxFileBytes >> 20}
	if h.svc.ledger != nil {
		d.DayHours = h.svc.ledger.DayHours(ctx)
	}
	d.LeaveDenom = max(h.svc.settings.Int(ctx, SetLeaveDenom), 1)
	opens, closes := "开放报名时", "开班前"
	if !cl.RegOpensAt.IsZero() {
		opens = adminShortTime(cl.RegOpensAt)
	}
	if !cl.RegClosesAt.IsZero() {
		closes = adminShortTime(cl.RegClosesAt)
	}
	d.RegWindow = opens + " 至 " + closes
	cur := slices.Index(adminStatusOrder, cl.Status)
	for i, s := range adminStatusOrder {
		state := "todo"
		switch {
		case i < cur:
			state = "done"
		case i == cur:
			state = "current"
		}
		d.Steps = append(d.Steps, adminStep{Name: StatusNames[s], State: state})
	}
	for _, oid := range det.AudienceOrgIDs {
		d.Audience = append(d.Audience, h.svc.people.OrgName(ctx, oid))
	}
	if cl.ExamID != 0 && h.svc.progress != nil {
		d.ExamTitle, _ = h.svc.progress.ExamTitle(ctx, cl.ExamID, h.svc.orgPath(ctx, cl.HostOrgID))
		if d.ExamTitle == "" {
			d.ExamTitle = "考试 #" + web.Itoa(cl.ExamID)
		}
	}
	running := cl.Status != StatusGraduated && cl.Status != StatusArchived
	d.CanEdit = host && cl.Status == StatusDraft
	d.CanSubmit = d.CanEdit
	d.CanReview = approver && cl.Status == StatusFiling
	d.CanOpen = host && cl.Status == StatusApproved
	d.CanClose = host && cl.Status == StatusOpen && st == StatusOpen
	d.CanStart = host && (cl.Status == StatusOpen || cl.Status == StatusClosed)
	d.CanArchive = (host || approver) && cl.Status == StatusGraduated
	d.CanQuotas = (host && slices.Contains([]string{StatusDraft, StatusFiling, StatusApproved}, cl.Status)) ||
		(approver && slices.Contains([]string{StatusDraft, StatusFiling}, cl.Status))
	d.CanCourses = host && running
	d.CanSessions = host && running
	d.CanUpload = host && cl.Status != StatusArchived
	d.CanGraduate = host && cl.Status == StatusInSession
	d.ShowRegs = published(cl.Status)
	d.RegActions = host && running
	d.ShowRoster = slices.Contains([]string{StatusInSession, StatusGraduated, StatusArchived}, cl.Status)
	d.RejectReason = form.RejectReason

	// Quotas.
	for _, q := range det.Quotas {
		d.QuotaSum += q.Quota
	}
	if form.QuotaRows != nil {
		d.QuotaRows = form.QuotaRows
	} else {
		for _, q := range det.Quotas {
			d.QuotaRows = append(d.QuotaRows, adminQuotaRow{OrgID: q.OrgID, OrgName: q.OrgName, Quota: strconv.Itoa(q.Quota), Used: q.Used})
		}
	}
	if d.CanQuotas {
		for range max(1, 3-len(d.QuotaRows)) {
			d.QuotaRows = append(d.QuotaRows, adminQuotaRow{})
		}
		if d.OrgOptions, err = h.svc.adminOrgOptions(ctx, "unit", "department"); err != nil {
			return nil, err
		}
		for _, r := range d.QuotaRows {
			if r.OrgID != 0 && !slices.ContainsFunc(d.OrgOptions, func(o adminOrgOption) bool { return o.ID == r.OrgID }) {
				d.OrgOptions = append(d.OrgOptions, adminOrgOption{ID: r.OrgID, Name: h.svc.people.OrgName(ctx, r.OrgID)})
			}
		}
	}

	// Courses.
	if form.CourseRows != nil {
		d.CourseRows = form.CourseRows
	} else {
		for _, x := range det.Courses {
			d.CourseRows = append(d.CourseRows, adminCourseRow{CourseID: x.CourseID, Title: x.Title, Required: x.Required, Hours: adminHoursText(x.Hours)})
		}
	}
	if d.CanCourses {
		for range max(1, 2-len(d.CourseRows)) {
			d.CourseRows = append(d.CourseRows, adminCourseRow{Required: true})
		}
		if d.CourseOptions, err = h.svc.adminPublishedCourses(ctx); err != nil {
			return nil, err
		}
		for _, x := range det.Courses {
			if !slices.ContainsFunc(d.CourseOptions, func(o adminPickItem) bool { return o.ID == x.CourseID }) {
				d.CourseOptions = append(d.CourseOptions, adminPickItem{ID: x.CourseID, Title: x.Title})
			}
		}
	}

	// Timetable.
	sessions, err := h.svc.Sessions(ctx, id)
	if err != nil {
		return nil, err
	}
	signedPer, err := h.svc.adminSessionAttendance(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, x := range sessions {
		v := adminViewSession(x, signedPer[x.ID])
		if !host {
			v.Code = ""
		}
		d.Sessions = append(d.Sessions, v)
	}
	if form.Session != nil {
		d.SessionForm = *form.Session
	} else {
		d.SessionForm = adminSessionForm{Date: cl.StartsOn, Start: "09:00", End: "12:00"}
		if n := len(sessions); n > 0 {
			last := sessions[n-1].EndsAt.In(web.Shanghai)
			if last.Hour() < 13 {
				d.SessionForm = adminSessionForm{Date: last.Format(time.DateOnly), Start: "14:30", End: "17:30"}
			} else if next := last.AddDate(0, 0, 1).Format(time.DateOnly); next <= cl.EndsOn {
				d.SessionForm.Date = next
			} else {
				d.SessionForm.Date = last.Format(time.DateOnly)
			}
		}
	}

	// Registrations.
	if d.ShowRegs {
		if err := h.adminFillRegistrations(c, d, cl); err != nil {
			return nil, err
		}
	}

	// Roster and attendance.
	var roster []RosterRow
	var signed map[uint64]map[uint64]time.Time
	if d.ShowRoster {
		_, roster, _, signed, err = h.svc.Roster(ctx, p, id)
		if err != nil {
			return nil, err
		}
	}
	for _, r := range roster {
		v := adminRosterView{RosterRow: r}
		for _, f := range r.Flags {
			v.FlagNames = append(v.FlagNames, FlagNames[f])
		}
		if r.Status == RegApproved {
			v.Reasons = adminShortfalls(cl, r, len(sessions))
		}
		d.Roster = append(d.Roster, v)
	}
	if attID, _ := strconv.ParseUint(c.Query("att"), 10, 64); attID != 0 && host && cl.Status == StatusInSession {
		for _, v := range d.Sessions {
			if v.ID == attID {
				d.AttSession = &v
			}
		}
		if d.AttSession != nil {
			for _, r := range roster {
				if r.Status != RegApproved {
					continue
				}
				_, ok := signed[r.UserID][attID]
				d.AttRows = append(d.AttRows, adminAttRow{UserID: r.UserID, Name: r.Name, OrgName: r.OrgName, Present: ok})
			}
		}
	}

	// Leave.
	if d.ShowRegs {
		leaves, err := h.svc.Leaves(ctx, p, id)
		if err != nil {
			return nil, err
		}
		d.LeaveLimit = h.svc.leaveLimit(ctx, cl)
		topics := map[uint64]string{}
		for _, x := range sessions {
			topics[x.ID] = x.Topic
		}
		for _, l := range leaves {
			v := adminLeaveView{LeaveResponse: l}
			var names []string
			for _, sid := range l.SessionIDs {
				if t := topics[sid]; t != "" {
					names = append(names, t)
				}
			}
			v.Topics = strings.Join(names, "、")
			v.WouldExceed = l.Status == LeavePending && l.TotalHours+l.Hours > l.Limit
			d.Leaves = append(d.Leaves, v)
		}
		d.ShowLeaves = len(d.Leaves) > 0 || cl.Status == StatusInSession
	}

	// Files and graduation.
	files, err := h.svc.Files(ctx, p, id)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		d.Files = append(d.Files, adminFileView{FileResponse: f, SizeText: adminSize(f.Size)})
	}
	for _, k := range []string{FilePlan, FileSignIn, FileTimetable, FileOther} {
		d.FileKinds = append(d.FileKinds, adminKindOption{Value: k, Name: FileKindNames[k]})
	}
	d.FilesRequired = h.svc.settings.Bool(ctx, SetRequireFiles)
	d.FilesReady = true
	for _, k := range requiredFiles {
		present := slices.ContainsFunc(files, func(f FileResponse) bool { return f.Kind == k })
		d.Checklist = append(d.Checklist, adminCheckItem{Kind: k, Name: FileKindNames[k], Present: present})
		if !present {
			d.FilesReady = false
		}
	}
	d.Absent = form.Absent
	if d.Absent == nil {
		d.Absent = map[uint64]bool{}
	}
	if cl.Status == StatusGraduated || cl.Status == StatusArchived {
		if d.Result, err = h.adminGraduationResult(c, cl, roster); err != nil {
			return nil, err
		}
	}

	d.Nav = append(d.Nav, adminNavLink{"plan", "班次计划"}, adminNavLink{"quotas", "名额分配"}, adminNavLink{"courses", "网络课程"}, adminNavLink{"sessions", "课表"})
	if d.ShowRegs {
		d.Nav = append(d.Nav, adminNavLink{"registrations", "报名审核"})
	}
	if d.ShowRoster {
		d.Nav = append(d.Nav, adminNavLink{"roster", "学员名册"})
	}
	if d.ShowLeaves {
		d.Nav = append(d.Nav, adminNavLink{"leaves", "请假审批"})
	}
	d.Nav = append(d.Nav, adminNavLink{"files", "班次材料"})
	if d.CanGraduate || d.Result != nil {
		d.Nav = append(d.Nav, adminNavLink{"graduation", "结班"})
	}
	return d, nil
}

// adminShortfalls says why an admitted trainee would not graduate now, by the
// rules Graduate applies.
func adminShortfalls(c *Class, r RosterRow, sessions int) []string {
	var out []string
	if c.MinAttendance > 0 && sessions > 0 && r.Attendance < c.MinAttendance {
		out = append(out, fmt.Sprintf("出勤率 %d%%，低于要求的 %d%%", r.Attendance, c.MinAttendance))
	}
	if c.RequireCourses && r.CoursesDone < r.CoursesReq {
		out = append(out, fmt.Sprintf("必修网络课程完成 %d/%d", r.CoursesDone, r.CoursesReq))
	}
	if c.ExamID != 0 && (r.ExamPassed == nil || !*r.ExamPassed) {
		out = append(out, "结业考试未通过")
	}
	if slices.Contains(r.Flags, "leave") {
		out = append(out, "请假超过规定比例")
	}
	return out
}

func (h *Handlers) adminFillRegistrations(c *fiber.Ctx, d *adminClassData, cl *Class) error {
	ctx, p := c.UserContext(), web.Caller(c)
	d.RegStatus = c.Query("reg")
	if _, ok := RegStatusNames[d.RegStatus]; !ok {
		d.RegStatus = ""
	}
	d.RegQ = strings.TrimSpace(c.Query("rq"))
	page, _ := strconv.Atoi(c.Query("page"))
	page = max(page, 1)
	pg := web.Page{Page: page, PageSize: 50}
	regs, total, err := h.svc.ClassRegistrations(ctx, p, cl.ID, RegistrationFilter{Status: d.RegStatus, Q: d.RegQ}, pg)
	if err != nil {
		return err
	}
	d.RegTotal = total
	base := url.Values{}
	if d.RegStatus != "" {
		base.Set("reg", d.RegStatus)
	}
	if d.RegQ != "" {
		base.Set("rq", d.RegQ)
	}
	d.RegPager = web.NewPager(web.PageData{Path: adminClassURL(cl.ID, ""), Query: base}, page, int((total+49)/50))
	counts, err := h.svc.adminRegistrationCounts(ctx, cl.ID)
	if err != nil {
		return err
	}
	link := func(st string) string {
		v := url.Values{}
		if st != "" {
			v.Set("reg", st)
		}
		if d.RegQ != "" {
			v.Set("rq", d.RegQ)
		}
		u := adminClassURL(cl.ID, "")
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		return u + "#registrations"
	}
	var all int64
	for _, n := range counts {
		all += n
	}
	d.RegTabs = append(d.RegTabs, adminTab{Value: "", Name: "全部", N: all, Link: link("")})
	for _, st := range adminRegStatusOrder {
		if counts[st] > 0 || st == RegPending || st == d.RegStatus {
			d.RegTabs = append(d.RegTabs, adminTab{Value: st, Name: RegStatusNames[st], N: counts[st], Link: link(st)})
		}
	}
	running := cl.Status != StatusGraduated && cl.Status != StatusArchived
	for _, r := range regs {
		v := adminRegView{RegistrationResponse: r, SourceName: "个人报名"}
		if r.Source == SourceNomination {
			v.SourceName = "单位推荐"
		}
		for _, f := range r.Flags {
			v.FlagNames = append(v.FlagNames, FlagNames[f])
		}
		if d.Host && running {
			v.CanApprove = r.Status == RegPending
			v.CanReject = r.Status == RegPending || r.Status == RegWaitlisted
			v.CanWithdraw = slices.Contains(activeStatuses, r.Status) && slices.Contains([]string{StatusOpen, StatusClosed, StatusInSession}, cl.Status)
		}
		v.WithdrawLabel = "退出班次"
		if cl.Status == StatusInSession {
			v.WithdrawLabel = "办理退学"
		}
		d.Regs = append(d.Regs, v)
	}
	return nil
}

func (h *Handlers) adminGraduationResult(c *fiber.Ctx, cl *Class, roster []RosterRow) (*adminGradResult, error) {
	ctx := c.UserContext()
	res := &adminGradResult{Hours: h.svc.classHours(ctx, cl)}
	if cl.GraduatedAt != nil {
		res.GraduatedAt = adminShortTime(*cl.GraduatedAt)
	}
	for _, r := range roster {
		switch r.Status {
		case RegGraduated:
			res.Graduated++
		case RegIncomplete:
			res.Incomplete = append(res.Incomplete, adminShortfall{Name: r.Name, OrgName: r.OrgName, Note: r.Note})
		case RegAbsent:
			res.Absent = append(res.Absent, adminShortfall{Name: r.Name, OrgName: r.OrgName})
		}
	}
	certs, err := h.svc.adminClassCertificates(ctx, cl.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range certs {
		res.Certificates = append(res.Certificates, adminCertView{Serial: x.Serial, Name: x.Name})
	}
	return res, nil
}

// ---------- life-cycle actions ----------

var adminActionDone = map[string]string{
	"submit": "已提交备案，等待组织部门审核", "approve": "备案已通过，主办学院可以开放报名", "reject": "已退回，退回理由已通知主办学院",
	"open": "已开放报名", "close": "已截止报名", "start": "已开班", "archive": "已归档",
}

func (h *Handlers) adminClassActionSubmit(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		toFilings := c.FormValue("back") == "filings"
		cl, err := h.svc.Transition(c.UserContext(), web.Caller(c), id, action, c.FormValue("reason"))
		if err != nil {
			section := "actions"
			if action == "approve" || action == "reject" {
				section = "review"
			}
			pe, status, err := adminRefusal(err, section)
			if err != nil {
				return err
			}
			if toFilings {
				pe.Section = "filing:" + web.Itoa(id)
				return h.adminRenderFilings(c, status, pe, c.FormValue("reason"))
			}
			return h.adminRenderClass(c, status, id, pe, &adminWSForm{RejectReason: c.FormValue("reason")})
		}
		web.Flash(c, adminActionDone[action]+"：“"+cl.Title+"”")
		if toFilings {
			return c.Redirect("/admin/filings", fiber.StatusSeeOther)
		}
		return c.Redirect(adminClassURL(id, ""), fiber.StatusSeeOther)
	}
}

// ---------- quotas, courses, timetable ----------

func (h *Handlers) adminQuotasSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	orgs, ns := adminPostMulti(c, "quota_org"), adminPostMulti(c, "quota_n")
	var rows []adminQuotaRow
	var in QuotasRequest
	bad := false
	for i := range max(len(orgs), len(ns)) {
		o, n := adminAt(orgs, i), adminAt(ns, i)
		if (o == "" || o == "0") && n == "" {
			continue
		}
		row := adminQuotaRow{Quota: n}
		row.OrgID, _ = strconv.ParseUint(o, 10, 64)
		q, err := strconv.Atoi(n)
		switch {
		case row.OrgID == 0:
			row.OrgErr, bad = "请选择单位", true
		case err != nil:
			row.QuotaErr, bad = "名额应为整数", true
		}
		rows = append(rows, row)
		in.Quotas = append(in.Quotas, QuotaItem{OrgID: row.OrgID, Quota: q})
	}
	if rows == nil {
		rows = []adminQuotaRow{}
	}
	if bad {
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, &adminErr{Section: "quotas", Message: "提交的内容有误，请检查标出的项目"}, &adminWSForm{QuotaRows: rows})
	}
	out, err := h.svc.SetQuotas(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		if we := web.AsError(err); we.Fields != nil {
			for i := range rows {
				rows[i].OrgErr = we.Fields[fmt.Sprintf("quotas[%d].org_id", i)]
				rows[i].QuotaErr = we.Fields[fmt.Sprintf("quotas[%d].quota", i)]
			}
		}
		return h.adminFailed(c, id, err, "quotas", &adminWSForm{QuotaRows: rows})
	}
	sum := 0
	for _, q := range out {
		sum += q.Quota
	}
	if len(out) == 0 {
		web.Flash(c, "已清除名额分配：符合条件的干部均可报名")
	} else {
		web.Flash(c, fmt.Sprintf("名额分配已保存：%d 个单位，共 %d 个名额", len(out), sum))
	}
	return c.Redirect(adminClassURL(id, "quotas"), fiber.StatusSeeOther)
}

func (h *Handlers) adminCoursesSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ids, reqs, hrs := adminPostMulti(c, "course_id"), adminPostMulti(c, "course_required"), adminPostMulti(c, "course_hours")
	var rows []adminCourseRow
	var in CoursesRequest
	bad := false
	for i := range max(len(ids), len(hrs)) {
		v, hv := adminAt(ids, i), adminAt(hrs, i)
		if (v == "" || v == "0") && hv == "" {
			continue
		}
		row := adminCourseRow{Required: adminAt(reqs, i) != "0", Hours: hv}
		var err error
		if row.CourseID, err = strconv.ParseUint(v, 10, 64); err != nil || row.CourseID == 0 {
			row.IDErr, bad = "请选择课程", true
		}
		hours, ok := adminParseHours(hv)
		if !ok {
			row.HoursErr, bad = "学时应为数字，最多两位小数", true
		}
		rows = append(rows, row)
		in.Courses = append(in.Courses, CourseItem{CourseID: row.CourseID, Required: row.Required, Hours: hours})
	}
	if rows == nil {
		rows = []adminCourseRow{}
	}
	if bad {
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, &adminErr{Section: "courses", Message: "提交的内容有误，请检查标出的项目"}, &adminWSForm{CourseRows: rows})
	}
	out, err := h.svc.SetCourses(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		if we := web.AsError(err); we.Fields != nil {
			for i := range rows {
				rows[i].IDErr = we.Fields[fmt.Sprintf("courses[%d].course_id", i)]
				rows[i].HoursErr = we.Fields[fmt.Sprintf("courses[%d].hours", i)]
			}
		}
		return h.adminFailed(c, id, err, "courses", &adminWSForm{CourseRows: rows})
	}
	web.Flash(c, fmt.Sprintf("网络课程已保存：共 %d 门", len(out)))
	return c.Redirect(adminClassURL(id, "courses"), fiber.StatusSeeOther)
}

func (h *Handlers) adminSessionAddSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	f := adminSessionForm{Topic: c.FormValue("topic"), Teacher: c.FormValue("teacher"), Place: c.FormValue("place"), Site: c.FormValue("site"),
		Date: strings.TrimSpace(c.FormValue("date")), Start: strings.TrimSpace(c.FormValue("start")), End: strings.TrimSpace(c.FormValue("end")),
		Hours: strings.TrimSpace(c.FormValue("hours"))}
	in := SessionRequest{Topic: f.Topic, Teacher: f.Teacher, Place: f.Place, Site: f.Site}
	errs := map[string]string{}
	var ok bool
	if in.Hours, ok = adminParseHours(f.Hours); !ok {
		errs["hours"] = "学时应为数字，最多两位小数"
	}
	start, err1 := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Start, web.Shanghai)
	end, err2 := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.End, web.Shanghai)
	if err1 != nil {
		errs["starts_at"] = "请填写上课日期和开始时间"
	} else {
		in.StartsAt = start
	}
	if err2 != nil {
		errs["ends_at"] = "请填写结束时间"
	} else {
		in.EndsAt = end
	}
	if strings.TrimSpace(f.Topic) == "" {
		errs["topic"] = "必填"
	}
	if len(errs) > 0 {
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, &adminErr{Section: "session", Message: "提交的内容有误，请检查标出的项目", Fields: errs}, &adminWSForm{Session: &f})
	}
	x, err := h.svc.AddSession(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return h.adminFailed(c, id, err, "session", &adminWSForm{Session: &f})
	}
	web.Flash(c, "已添加课程："+x.Topic)
	return c.Redirect(adminClassURL(id, "sessions"), fiber.StatusSeeOther)
}

func (h *Handlers) adminSessionDeleteSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	x, err := h.svc.DeleteSession(c.UserContext(), web.Caller(c), id)
	if err != nil {
		if x == nil {
			return err
		}
		return h.adminFailed(c, x.ClassID, err, "sessions", nil)
	}
	web.Flash(c, "已删除课程："+x.Topic)
	return c.Redirect(adminClassURL(x.ClassID, "sessions"), fiber.StatusSeeOther)
}

// ---------- the teacher's sign-in screen ----------

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
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), web.Caller(c)
	x, cl, err := h.svc.hostSession(ctx, p, id)
	if err != nil {
		return err
	}
	code, err := h.svc.Code(ctx, p, id)
	if err != nil {
		return err
	}
	x.Code = code.Code
	d := &adminScreenData{Session: adminViewSession(*x, 0), ClassID: cl.ID, ClassTitle: cl.Title, Code: code.Code,
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

func (h *Handlers) adminSessionCodeSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.RenewCode(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	web.Flash(c, "已更换签到码，旧签到码立即失效")
	return c.Redirect(fmt.Sprintf("/admin/sessions/%d/screen", id), fiber.StatusSeeOther)
}

// adminAttendanceSubmit signs trainees in or out of a session by hand: the
// form lists the trainees shown and the ones ticked present.
func (h *Handlers) adminAttendanceSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.svc.SaveAttendance(c.UserContext(), web.Caller(c), id, adminPostIDs(c, "shown"), adminPostIDs(c, "present"))
	if err != nil {
		if out.Session == nil {
			return err
		}
		return h.adminFailed(c, out.ClassID, err, "attendance", nil)
	}
	web.Flash(c, fmt.Sprintf("考勤已保存：%s（补签 %d 人，取消 %d 人）", out.Session.Topic, out.Added, out.Removed))
	return c.Redirect(fmt.Sprintf("/admin/classes/%d?att=%d#attendance", out.ClassID, id), fiber.StatusSeeOther)
}

// ---------- registrations and leave ----------

func (h *Handlers) adminRegistrationSubmit(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		ctx, p := c.UserContext(), web.Caller(c)
		before, err := h.svc.registrationByID(ctx, id)
		if err != nil {
			return err
		}
		var r *Registration
		reason := strings.TrimSpace(c.FormValue("reason"))
		switch action {
		case "approve":
			r, err = h.svc.ApproveRegistration(ctx, p, id)
		case "reject":
			r, err = h.svc.RejectRegistration(ctx, p, id, reason)
		case "withdraw":
			r, err = h.svc.Withdraw(ctx, p, id)
		}
		if err != nil {
			return h.adminFailed(c, before.ClassID, err, "reg:"+web.Itoa(id), nil)
		}
		done := map[string]string{"approve": "已录取", "reject": "已不予录取", "withdraw": "已办理退出"}[action]
		if u, err := h.svc.people.Person(ctx, r.UserID); err == nil && u != nil {
			done += "：" + u.Name
		}
		web.Flash(c, done)
		back := adminClassURL(r.ClassID, "")
		if st := c.FormValue("reg"); RegStatusNames[st] != "" {
			back += "?reg=" + url.QueryEscape(st)
		}
		return c.Redirect(back+"#registrations", fiber.StatusSeeOther)
	}
}

func (h *Handlers) adminLeaveSubmit(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		ctx := c.UserContext()
		out, err := h.svc.DecideLeave(ctx, web.Caller(c), id, approve)
		if err != nil {
			classID := h.svc.adminLeaveClassID(ctx, id)
			if classID == 0 {
				return err
			}
			return h.adminFailed(c, classID, err, "leave:"+web.Itoa(id), nil)
		}
		msg := "已不批准请假"
		if approve {
			msg = "已批准请假 " + out.Hours.String() + " 学时"
		}
		if u, err := h.svc.people.Person(ctx, out.UserID); err == nil && u != nil {
			msg += "：" + u.Name
		}
		if out.OverLimit {
			msg += fmt.Sprintf("。累计请假 %s 学时，已超过班次学时的 1/%d（%s 学时），应予退学", out.TotalHours, h.svc.settings.Int(ctx, SetLeaveDenom), out.Limit)
		}
		web.Flash(c, msg)
		return c.Redirect(adminClassURL(out.ClassID, "leaves"), fiber.StatusSeeOther)
	}
}

// ---------- files ----------

// adminFileUploadSubmit attaches a document to a class from the page's form.
// The page's script sends it with the CSRF header and Accept:
// application/json (large files, progress bar) and gets the next address
// back; a plain form post is redirected.
func (h *Handlers) adminFileUploadSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	script := c.Get(fiber.HeaderAccept) == fiber.MIMEApplicationJSON
	if n := c.Request().Header.ContentLength(); n > MaxFileBytes+1<<20 {
		return web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxFileBytes>>20))
	}
	up, err := web.MultipartUpload(c, "file")
	if err == nil {
		kind := c.Query("kind")
		if kind == "" {
			kind = up.Fields["kind"]
		}
		var f *File
		f, err = h.svc.AttachFile(c.UserContext(), web.Caller(c), id, kind, up.FileName(), up)
		if err == nil {
			web.Flash(c, "已上传"+FileKindNames[f.Kind]+"："+f.Name)
			next := adminClassURL(id, "files")
			if script {
				return c.JSON(fiber.Map{"redirect": next})
			}
			return c.Redirect(next, fiber.StatusSeeOther)
		}
	}
	if script || web.IsStatus(err, fiber.StatusRequestEntityTooLarge) {
		return err // the error handler closes the connection of a body left unread
	}
	return h.adminFailed(c, id, err, "files", nil)
}

// ---------- graduation ----------

func (h *Handlers) adminGraduateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	absent := map[uint64]bool{}
	in := GraduateRequest{AbsentUserIDs: uniq(adminPostIDs(c, "absent"))}
	for _, u := range in.AbsentUserIDs {
		absent[u] = true
	}
	if c.FormValue("confirm") != "1" {
		pe := &adminErr{Section: "graduate", Message: "请勾选确认后再结班", Fields: map[string]string{"confirm": "请核对名单后勾选确认"}}
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, pe, &adminWSForm{Absent: absent})
	}
	out, err := h.svc.Graduate(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return h.adminFailed(c, id, err, "graduate", &adminWSForm{Absent: absent})
	}
	web.Flash(c, fmt.Sprintf("已结班：%d 人结业，每人登记 %s 学时并颁发结业证书；%d 人未达结业要求，%d 人缺训", out.Graduated, out.Hours, len(out.Incomplete), out.Absent))
	return c.Redirect(adminClassURL(id, "graduation"), fiber.StatusSeeOther)
}

// ---------- the filing queue ----------

type adminFilingView struct {
	ClassSummary
	Entrusted   string
	Days        int
	Levels      []string
	SubmittedAt string
	Quotas      int
	Sessions    int
	ByDays      bool
}

type adminOverviewItem struct {
	Status string
	Name   string
	N      int64
	Link   string
}

type adminFilingsData struct {
	Items    []adminFilingView
	Total    int64
	Err      *adminErr
	Reason   string // the refused reason, typed again
	Year     int
	Years    []int
	Overview []adminOverviewItem
	YearSum  int64
}

// ErrFor returns the refusal shown under one filed class.
func (d *adminFilingsData) ErrFor(id uint64) *adminErr {
	if d.Err != nil && d.Err.Section == "filing:"+web.Itoa(id) {
		return d.Err
	}
	return nil
}

func (h *Handlers) adminFilingsPage(c *fiber.Ctx) error {
	return h.adminRenderFilings(c, fiber.StatusOK, nil, "")
}

func (h *Handlers) adminRenderFilings(c *fiber.Ctx, status int, perr *adminErr, reason string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	rows, total, err := h.svc.ListManaged(ctx, p, ListFilter{Status: StatusFiling}, web.Page{Page: 1, PageSize: 100})
	if err != nil {
		return err
	}
	now := time.Now().In(web.Shanghai).Year()
	year, _ := strconv.Atoi(c.Query("year"))
	if year < 2000 || year > now+5 {
		year = now
	}
	d := &adminFilingsData{Total: total, Err: perr, Reason: reason, Year: year, Years: []int{now + 1, now, now - 1, now - 2}}
	for i := range rows {
		cl := &rows[i]
		v := adminFilingView{ClassSummary: h.svc.Summary(ctx, cl), Entrusted: cl.Entrusted, Days: cl.Days(), Levels: splitList(cl.Levels), ByDays: cl.Hours == 0}
		if cl.SubmittedAt != nil {
			v.SubmittedAt = adminShortTime(*cl.SubmittedAt)
		}
		if qs, err := h.svc.Quotas(ctx, cl.ID); err == nil {
			v.Quotas = len(qs)
		}
		if xs, err := h.svc.Sessions(ctx, cl.ID); err == nil {
			v.Sessions = len(xs)
		}
		d.Items = append(d.Items, v)
	}
	counts, err := h.svc.adminClassCounts(ctx, p, year)
	if err != nil {
		return err
	}
	for _, st := range adminStatusOrder {
		d.Overview = append(d.Overview, adminOverviewItem{Status: st, Name: StatusNames[st], N: counts[st], Link: "/admin/classes?status=" + st})
		d.YearSum += counts[st]
	}
	return h.pages.Render(c, status, "training/admin_filings", "备案审核", d)
}
