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
	TeacherID                   uint64
	Date, Start, End, Hours     string
}

type adminSessionView struct {
	ID                          uint64
	Topic, Teacher, Place, Site string
	TeacherID                   uint64
	SiteBooked, SiteConfirmed   bool // the site is a booking, not free text
	Ended                       bool
	Day, Date, Start, End       string
	Hours                       web.Hours
	Code                        string
	Signed                      int
}

func adminViewSession(x Session, signed int, now time.Time) adminSessionView {
	s, e := x.StartsAt.In(web.Shanghai), x.EndsAt.In(web.Shanghai)
	return adminSessionView{ID: x.ID, Topic: x.Topic, Teacher: x.Teacher, TeacherID: x.TeacherID, Place: x.Place, Site: x.Site,
		SiteBooked: x.SiteID != 0, SiteConfirmed: x.SiteConfirmed, Ended: !x.EndsAt.After(now),
		Day:  s.Format("01-02") + " " + adminWeekdays[s.Weekday()],
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
func adminSize(n int64) string { return web.SizeText(n) }

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
	Teachers      []TeacherOption
	SiteOptions   []SiteOption
	Faculty       bool
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
	q := WorkspaceQuery{RegStatus: c.Query("reg"), RegQ: strings.TrimSpace(c.Query("rq"))}
	if _, ok := RegStatusNames[q.RegStatus]; !ok {
		q.RegStatus = ""
	}
	page, _ := strconv.Atoi(c.Query("page"))
	q.RegPage = web.Page{Page: max(page, 1), PageSize: 50}
	w, err := h.svc.Workspace(c.UserContext(), web.Caller(c), id, q)
	if err != nil {
		return nil, err
	}
	if form == nil {
		form = &adminWSForm{}
	}
	cl, det, acts := w.Class, w.Detail, w.Actions
	d := &adminClassData{Class: det, Status: det.Status, Host: w.Host, Approver: w.Approver, Err: perr, ByDays: cl.Hours == 0, MaxFileMB: MaxFileBytes >> 20,
		DayHours: w.DayHours, LeaveDenom: w.LeaveDenom, Audience: w.Audience, ExamTitle: w.ExamTitle}
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
	d.CanEdit, d.CanSubmit, d.CanReview, d.CanOpen, d.CanClose, d.CanStart, d.CanArchive = acts.Edit, acts.Submit, acts.Review, acts.Open, acts.Close, acts.Start, acts.Archive
	d.CanQuotas, d.CanCourses, d.CanSessions, d.CanUpload, d.CanGraduate = acts.Quotas, acts.Courses, acts.Sessions, acts.Upload, acts.Graduate
	d.ShowRegs, d.ShowRoster, d.RegActions = w.ShowRegs, w.ShowRoster, acts.Registrations
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
		d.OrgOptions = w.OrgOptions
		for _, r := range d.QuotaRows {
			if r.OrgID != 0 && !slices.ContainsFunc(d.OrgOptions, func(o adminOrgOption) bool { return o.ID == r.OrgID }) {
				d.OrgOptions = append(d.OrgOptions, adminOrgOption{ID: r.OrgID, Name: h.svc.people.OrgName(c.UserContext(), r.OrgID)})
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
		d.CourseOptions = w.CourseOptions
		for _, x := range det.Courses {
			if !slices.ContainsFunc(d.CourseOptions, func(o adminPickItem) bool { return o.ID == x.CourseID }) {
				d.CourseOptions = append(d.CourseOptions, adminPickItem{ID: x.CourseID, Title: x.Title})
			}
		}
	}

	// Timetable.
	sessions := w.Sessions
	for _, x := range sessions {
		v := adminViewSession(x, int(w.SignedPer[x.ID]), h.svc.now())
		if !d.Host {
			v.Code = ""
		}
		d.Sessions = append(d.Sessions, v)
	}
	d.Teachers, d.SiteOptions, d.Faculty = w.TeacherOptions, w.SiteOptions, w.Faculty
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
		adminFillRegistrations(d, w, q)
	}

	// Roster and attendance.
	for _, r := range w.Roster {
		v := adminRosterView{RosterRow: r}
		for _, f := range r.Flags {
			v.FlagNames = append(v.FlagNames, FlagNames[f])
		}
		if r.Status == RegApproved {
			v.Reasons = adminShortfalls(cl, r, len(sessions))
		}
		d.Roster = append(d.Roster, v)
	}
	if attID, _ := strconv.ParseUint(c.Query("att"), 10, 64); attID != 0 && d.Host && cl.Status == StatusInSession {
		for _, v := range d.Sessions {
			if v.ID == attID {
				d.AttSession = &v
			}
		}
		if d.AttSession != nil {
			for _, r := range w.Roster {
				if r.Status != RegApproved {
					continue
				}
				_, ok := w.Signed[r.UserID][attID]
				d.AttRows = append(d.AttRows, adminAttRow{UserID: r.UserID, Name: r.Name, OrgName: r.OrgName, Present: ok})
			}
		}
	}

	// Leave.
	if d.ShowRegs {
		d.LeaveLimit = w.LeaveLimit
		topics := map[uint64]string{}
		for _, x := range sessions {
			topics[x.ID] = x.Topic
		}
		for _, l := range w.Leaves {
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
	for _, f := range w.Files {
		d.Files = append(d.Files, adminFileView{FileResponse: f, SizeText: adminSize(f.Size)})
	}
	for _, k := range []string{FilePlan, FileSignIn, FileTimetable, FileOther} {
		d.FileKinds = append(d.FileKinds, adminKindOption{Value: k, Name: FileKindNames[k]})
	}
	d.FilesRequired = w.FilesRequired
	d.FilesReady = true
	for _, k := range requiredFiles {
		present := slices.ContainsFunc(w.Files, func(f FileResponse) bool { return f.Kind == k })
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
		d.Result = adminGraduationResult(w)
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

// adminFillRegistrations shows the page of registrations the workspace
// loaded, with its tabs and pager.
func adminFillRegistrations(d *adminClassData, w *Workspace, q WorkspaceQuery) {
	cl := w.Class
	d.RegStatus, d.RegQ = q.RegStatus, q.RegQ
	d.RegTotal = w.RegTotal
	base := url.Values{}
	if d.RegStatus != "" {
		base.Set("reg", d.RegStatus)
	}
	if d.RegQ != "" {
		base.Set("rq", d.RegQ)
	}
	d.RegPager = web.NewPager(web.PageData{Path: adminClassURL(cl.ID, ""), Query: base}, q.RegPage.Page, int((w.RegTotal+49)/50))
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
	for _, n := range w.RegCounts {
		all += n
	}
	d.RegTabs = append(d.RegTabs, adminTab{Value: "", Name: "全部", N: all, Link: link("")})
	for _, st := range adminRegStatusOrder {
		if w.RegCounts[st] > 0 || st == RegPending || st == d.RegStatus {
			d.RegTabs = append(d.RegTabs, adminTab{Value: st, Name: RegStatusNames[st], N: w.RegCounts[st], Link: link(st)})
		}
	}
	for _, r := range w.Regs {
		v := adminRegView{RegistrationResponse: r, SourceName: "个人报名"}
		if r.Source == SourceNomination {
			v.SourceName = "单位推荐"
		}
		for _, f := range r.Flags {
			v.FlagNames = append(v.FlagNames, FlagNames[f])
		}
		if w.Actions.Registrations {
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
}

// adminGraduationResult is the outcome of a graduation, read back from the
// records.
func adminGraduationResult(w *Workspace) *adminGradResult {
	res := &adminGradResult{Hours: w.ClassHours}
	if w.Class.GraduatedAt != nil {
		res.GraduatedAt = adminShortTime(*w.Class.GraduatedAt)
	}
	for _, r := range w.Roster {
		switch r.Status {
		case RegGraduated:
			res.Graduated++
		case RegIncomplete:
			res.Incomplete = append(res.Incomplete, adminShortfall{Name: r.Name, OrgName: r.OrgName, Note: r.Note})
		case RegAbsent:
			res.Absent = append(res.Absent, adminShortfall{Name: r.Name, OrgName: r.OrgName})
		}
	}
	for _, x := range w.Certificates {
		res.Certificates = append(res.Certificates, adminCertView{Serial: x.Serial, Name: x.Name})
	}
	return res
}
