package training

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

	"github.com/gofiber/fiber/v2"
)

// adminClassForm is the class plan form as typed, for showing it again.
type adminClassForm struct {
	Title            string
	Kind             string
	HostOrgID        uint64
	CoHostOrgID      uint64
	BaseID           uint64 // the hosting base; 0: the college's own premises
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
	f := adminClassForm{Title: c.Title, Kind: c.Kind, HostOrgID: c.HostOrgID, CoHostOrgID: c.CoHostOrgID, BaseID: c.BaseID, Entrusted: c.Entrusted, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		Place: c.Place, Online: c.Online, Quota: strconv.Itoa(c.Quota), Hours: adminHoursText(c.Hours), SelfRegistration: c.SelfRegister,
		AutoApprove: c.AutoApprove, NoWaitlist: !c.Waitlist, Levels: db.SplitList(c.Levels), Audience: map[uint64]bool{},
		RegOpensAt: adminLocalTime(c.RegOpensAt), RegClosesAt: adminLocalTime(c.RegClosesAt), FollowUp: c.FollowUp, Contact: c.Contact,
		ContactPhone: c.ContactPhone, Description: c.Description, RequireCourses: c.RequireCourses, ExamID: c.ExamID}
	if c.MinAttendance > 0 {
		f.MinAttendance = strconv.Itoa(c.MinAttendance)
	}
	for _, id := range db.SplitIDs(c.AudienceOrgs) {
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
	f.BaseID, _ = strconv.ParseUint(strings.TrimSpace(c.FormValue("base_id")), 10, 64)
	in.BaseID = f.BaseID
	if v := strings.TrimSpace(c.FormValue("co_host_org_id")); v != "" && v != "0" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			errs["co_host_org_id"] = "请选择联合举办学院"
		}
		f.CoHostOrgID, in.CoHostOrgID = id, id
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
	AllColleges  []adminOrgOption // the colleges of the city, for 市县统筹办学
	Orgs         []adminOrgOption
	Exams        []adminPickItem
	Bases        []BaseOption // the filed training bases a class may be hosted at
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
	if d.AllColleges, err = h.svc.adminOrgOptions(ctx, "college"); err != nil {
		return err
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
	if d.Bases, err = h.svc.baseOptions(ctx, d.Form.BaseID); err != nil {
		return err
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
	_, cl, err := web.WithID(c, h.svc.hostClass)
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
	ctx, p := c.UserContext(), web.Caller(c)
	id, cur, err := web.WithID(c, h.svc.hostClass)
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
