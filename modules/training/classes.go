package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/cache"

	"gorm.io/gorm"
)

// Class statuses, in life-cycle order.
const (
	StatusDraft     = "draft"
	StatusFiling    = "filing"
	StatusApproved  = "approved"
	StatusOpen      = "registration_open"
	StatusClosed    = "registration_closed"
	StatusInSession = "in_session"
	StatusGraduated = "graduated"
	StatusArchived  = "archived"
)

// StatusNames are the Chinese names of class statuses.
var StatusNames = map[string]string{
	StatusDraft: "草稿", StatusFiling: "备案审核中", StatusApproved: "已备案", StatusOpen: "报名中",
	StatusClosed: "报名已截止", StatusInSession: "培训中", StatusGraduated: "已结班", StatusArchived: "已归档",
}

// Kinds of classes.
var Kinds = []string{"主体班", "专题班", "网络培训班", "任职培训", "初任培训", "在职培训", "其他"}

// Levels a class may target (the identity module's cadre levels).
var Levels = []string{"省部级", "厅局级", "县处级", "乡科级", "科员及以下", "其他"}

// OnlineKind is the kind whose hours count as online learning.
const OnlineKind = "网络培训班"

// ClassRequest creates or edits a class.
type ClassRequest struct {
	Title                string     `json:"title"`
	Kind                 string     `json:"kind"`
	HostOrgID            uint64     `json:"host_org_id"`
	Entrusted            string     `json:"entrusted"`
	StartsOn             string     `json:"starts_on"`
	EndsOn               string     `json:"ends_on"`
	Place                string     `json:"place"`
	Online               bool       `json:"online"`
	Quota                int        `json:"quota"`
	Hours                web.Hours  `json:"hours"`
	SelfRegistration     bool       `json:"self_registration"`
	AutoApprove          bool       `json:"auto_approve"`
	NoWaitlist           bool       `json:"no_waitlist"`
	Levels               []string   `json:"levels"`
	AudienceOrgIDs       []uint64   `json:"audience_org_ids"`
	RegistrationOpensAt  *time.Time `json:"registration_opens_at"`
	RegistrationClosesAt *time.Time `json:"registration_closes_at"`
	FollowUp             bool       `json:"follow_up"`
	Contact              string     `json:"contact"`
	ContactPhone         string     `json:"contact_phone"`
	Description          string     `json:"description"`
	MinAttendance        int        `json:"min_attendance"`
	RequireCourses       bool       `json:"require_courses"`
	ExamID               uint64     `json:"exam_id"`
	RequireEvaluation    bool       `json:"require_evaluation"` // trainees must submit the class's required evaluations to graduate
}

// QuotaItem is one unit's quota.
type QuotaItem struct {
	OrgID   uint64 `json:"org_id"`
	OrgName string `json:"org_name,omitempty"`
	Quota   int    `json:"quota"`
	Used    int    `json:"used"`
}

// QuotasRequest replaces a class's unit quotas.
type QuotasRequest struct {
	Quotas []QuotaItem `json:"quotas"`
}

// CourseItem is a catalog course in a class.
type CourseItem struct {
	CourseID uint64    `json:"course_id"`
	Title    string    `json:"title,omitempty"`
	Required bool      `json:"required"`
	Hours    web.Hours `json:"hours"`
}

// CoursesRequest replaces a class's courses.
type CoursesRequest struct {
	Courses []CourseItem `json:"courses"`
}

// SessionRequest adds or edits a timetable item.
type SessionRequest struct {
	Topic    string    `json:"topic"`
	Teacher  string    `json:"teacher"`
	Place    string    `json:"place"`
	Site     string    `json:"site"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Hours    web.Hours `json:"hours"`
}

// SessionResponse is a timetable item; the code is only shown to the host.
type SessionResponse struct {
	ID       uint64    `json:"id"`
	Topic    string    `json:"topic"`
	Teacher  string    `json:"teacher"`
	Place    string    `json:"place"`
	Site     string    `json:"site"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Hours    web.Hours `json:"hours"`
	Code     string    `json:"code,omitempty"`
}

// ClassResponse is a class as shown to its readers.
type ClassResponse struct {
	ID                   uint64            `json:"id"`
	Title                string            `json:"title"`
	Kind                 string            `json:"kind"`
	HostOrgID            uint64            `json:"host_org_id"`
	HostName             string            `json:"host_name"`
	Entrusted            string            `json:"entrusted"`
	StartsOn             string            `json:"starts_on"`
	EndsOn               string            `json:"ends_on"`
	Days                 int               `json:"days"`
	Place                string            `json:"place"`
	Online               bool              `json:"online"`
	Quota                int               `json:"quota"`
	Enrolled             int               `json:"enrolled"`
	Hours                web.Hours         `json:"hours"`
	SelfRegistration     bool              `json:"self_registration"`
	AutoApprove          bool              `json:"auto_approve"`
	Waitlist             bool              `json:"waitlist"`
	Levels               []string          `json:"levels"`
	AudienceOrgIDs       []uint64          `json:"audience_org_ids"`
	RegistrationOpensAt  *time.Time        `json:"registration_opens_at"`
	RegistrationClosesAt *time.Time        `json:"registration_closes_at"`
	FollowUp             bool              `json:"follow_up"`
	Contact              string            `json:"contact"`
	ContactPhone         string            `json:"contact_phone"`
	Description          string            `json:"description"`
	MinAttendance        int               `json:"min_attendance"`
	RequireCourses       bool              `json:"require_courses"`
	ExamID               uint64            `json:"exam_id"`
	RequireEvaluation    bool              `json:"require_evaluation"`
	Status               string            `json:"status"`
	StatusName           string            `json:"status_name"`
	RejectReason         string            `json:"reject_reason,omitempty"`
	Quotas               []QuotaItem       `json:"quotas"`
	Courses              []CourseItem      `json:"courses"`
	Sessions             []SessionResponse `json:"sessions"`
}

// StatusResponse answers a transition.
type StatusResponse struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"`
}

// RejectRequest gives the reason of a refusal.
type RejectRequest struct {
	Reason string `json:"reason"`
}

// ParseDate reads a YYYY-MM-DD date in the college's time zone.
func ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, s, web.Shanghai)
}

// Days is the length of the class in calendar days.
func (c *Class) Days() int {
	a, err1 := ParseDate(c.StartsOn)
	b, err2 := ParseDate(c.EndsOn)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(b.Sub(a).Hours()/24+0.5) + 1
}

// StartTime is the first moment of the class.
func (c *Class) StartTime() time.Time {
	t, _ := ParseDate(c.StartsOn)
	return t
}

// Started reports whether the class's first day has come.
func (c *Class) Started(now time.Time) bool {
	return !now.Before(c.StartTime())
}

func listColumn(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return "," + strings.Join(xs, ",") + ","
}

func idsColumn(ids []uint64) string {
	if len(ids) == 0 {
		return ""
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatUint(id, 10)
	}
	return "," + strings.Join(parts, ",") + ","
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(strings.Trim(s, ","), ",") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func splitIDs(s string) []uint64 {
	out := []uint64{}
	for _, x := range splitList(s) {
		if id, err := strconv.ParseUint(x, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func hasFlag(flags, f string) bool { return strings.Contains(flags, ","+f+",") }

func addFlag(flags, f string) string {
	if hasFlag(flags, f) {
		return flags
	}
	if flags == "" {
		flags = ","
	}
	return flags + f + ","
}

// canHost reports whether the caller may run classes (a college's administrator).
func canHost(p *web.Principal) bool { return p.Has(web.RoleCollegeAdmin) }

// canApprove reports whether the caller is the org department.
func canApprove(p *web.Principal) bool { return p.Has(web.RoleOrgAdmin) }

func (s *Service) validateClass(ctx context.Context, in *ClassRequest) web.Fields {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	f.Check(slices.Contains(Kinds, in.Kind), "kind", "班次类型应为："+strings.Join(Kinds, "、"))
	f.Check(in.HostOrgID != 0, "host_org_id", "必须指定主办学院")
	start, err1 := ParseDate(in.StartsOn)
	end, err2 := ParseDate(in.EndsOn)
	f.Check(err1 == nil, "starts_on", "日期格式应为 YYYY-MM-DD")
	f.Check(err2 == nil, "ends_on", "日期格式应为 YYYY-MM-DD")
	if err1 == nil && err2 == nil {
		f.Check(!end.Before(start), "ends_on", "结束日期不能早于开始日期")
		f.Check(end.Sub(start) <= 366*24*time.Hour, "ends_on", "班次不能超过一年")
	}
	f.Check(in.Quota >= 1 && in.Quota <= 100000, "quota", "名额应在 1 到 100000 之间")
	f.Check(in.Hours >= 0 && in.Hours <= 200000, "hours", "学时应在 0 到 2000 之间")
	for _, l := range in.Levels {
		if !slices.Contains(Levels, l) {
			f.Add("levels", "职级应为："+strings.Join(Levels, "、"))
			break
		}
	}
	if len(in.AudienceOrgIDs) > 100 {
		f.Add("audience_org_ids", "最多 100 个单位")
	}
	if in.RegistrationOpensAt != nil && in.RegistrationClosesAt != nil {
		f.Check(in.RegistrationClosesAt.After(*in.RegistrationOpensAt), "registration_closes_at", "报名截止时间应晚于报名开始时间")
	}
	f.Check(in.MinAttendance >= 0 && in.MinAttendance <= 100, "min_attendance", "出勤率要求应在 0 到 100 之间")
	f.MaxLen("place", in.Place, 200)
	f.MaxLen("entrusted", in.Entrusted, 200)
	f.MaxLen("contact", in.Contact, 100)
	f.MaxLen("contact_phone", in.ContactPhone, 50)
	f.MaxLen("description", in.Description, 20000)
	return f
}

// orgInfo is an org's kind and path.
type orgInfo struct {
	ID   uint64
	Kind string
	Path string
	Name string
}

// OrgTree reads orgs from the identity module for the class rules.
type OrgTree interface {
	// OrgsByID returns orgs by id; ids that do not exist are absent.
	OrgsByID(ctx context.Context, ids []uint64) (map[uint64]PickOrg, error)
}

// SetOrgTree sets where the class rules read orgs from.
func (s *Service) SetOrgTree(t OrgTree) { s.orgTree = t }

func (s *Service) org(ctx context.Context, id uint64) (*orgInfo, error) {
	found, err := s.orgTree.OrgsByID(ctx, []uint64{id})
	if err != nil {
		return nil, web.Internal(err)
	}
	o, ok := found[id]
	if !ok {
		return nil, nil
	}
	return &orgInfo{ID: o.ID, Kind: o.Kind, Path: o.Path, Name: o.Name}, nil
}

func (s *Service) orgsExist(ctx context.Context, ids []uint64) (bool, error) {
	if len(ids) == 0 {
		return true, nil
	}
	found, err := s.orgTree.OrgsByID(ctx, ids)
	if err != nil {
		return false, web.Internal(err)
	}
	return len(found) == len(uniq(ids)), nil
}

func uniq(ids []uint64) []uint64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func (s *Service) applyRequest(c *Class, in ClassRequest) {
	c.Title, c.Kind, c.HostOrgID, c.Entrusted = in.Title, in.Kind, in.HostOrgID, strings.TrimSpace(in.Entrusted)
	c.StartsOn, c.EndsOn, c.Place, c.Online = in.StartsOn, in.EndsOn, strings.TrimSpace(in.Place), in.Online
	c.Quota, c.Hours, c.SelfRegister, c.AutoApprove, c.Waitlist = in.Quota, in.Hours, in.SelfRegistration, in.AutoApprove, !in.NoWaitlist
	c.Levels, c.AudienceOrgs = listColumn(in.Levels), idsColumn(uniq(in.AudienceOrgIDs))
	c.RegOpensAt, c.RegClosesAt = time.Time{}, time.Time{}
	if in.RegistrationOpensAt != nil {
		c.RegOpensAt = in.RegistrationOpensAt.UTC()
	}
	if in.RegistrationClosesAt != nil {
		c.RegClosesAt = in.RegistrationClosesAt.UTC()
	}
	c.FollowUp, c.Contact, c.ContactPhone, c.Description = in.FollowUp, strings.TrimSpace(in.Contact), strings.TrimSpace(in.ContactPhone), in.Description
	c.MinAttendance, c.RequireCourses, c.ExamID, c.RequireEval = in.MinAttendance, in.RequireCourses, in.ExamID, in.RequireEvaluation
}

// checkHostAndAudience verifies the host college is the caller's and the audience orgs exist.
func (s *Service) checkHostAndAudience(ctx context.Context, p *web.Principal, in ClassRequest) error {
	host, err := s.org(ctx, in.HostOrgID)
	if err != nil {
		return err
	}
	if host == nil || !p.InScope(host.Path) {
		return web.Invalid(map[string]string{"host_org_id": "主办学院不存在或不在您的管理范围内"})
	}
	if host.Kind != "college" {
		return web.Invalid(map[string]string{"host_org_id": "主办单位应为学院（总部或分院）"})
	}
	if in.ExamID != 0 && s.progress != nil {
		title, err := s.progress.ExamTitle(ctx, in.ExamID, host.Path)
		if err != nil {
			return web.Internal(err)
		}
		if title == "" {
			return web.Invalid(map[string]string{"exam_id": "结业考试不存在或不属于主办学院"})
		}
	}
	ok, err := s.orgsExist(ctx, in.AudienceOrgIDs)
	if err != nil {
		return err
	}
	if !ok {
		return web.Invalid(map[string]string{"audience_org_ids": "有单位不存在"})
	}
	return nil
}

// CreateClass stores a draft class of the caller's college.
func (s *Service) CreateClass(ctx context.Context, p *web.Principal, in ClassRequest) (*Class, error) {
	if !canHost(p) {
		return nil, web.Forbidden()
	}
	if in.HostOrgID == 0 {
		in.HostOrgID = p.OrgID
	}
	if err := s.validateClass(ctx, &in).Err(); err != nil {
		return nil, err
	}
	if err := s.checkHostAndAudience(ctx, p, in); err != nil {
		return nil, err
	}
	c := &Class{Status: StatusDraft, CreatedBy: p.UserID}
	s.applyRequest(c, in)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		return s.recordTx(tx, p, "class.create", "class", c.ID, map[string]any{"title": c.Title, "kind": c.Kind, "quota": c.Quota})
	})
	if err != nil {
		return nil, txError(err)
	}
	return c, nil
}

// UpdateClass edits a class plan; only a draft can change (a filed plan
// is what the org department approves).
func (s *Service) UpdateClass(ctx context.Context, p *web.Principal, id uint64, in ClassRequest) (*Class, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status != StatusDraft {
		return nil, web.Conflict("wrong_state", "只有草稿状态的班次可以修改计划（当前："+StatusNames[c.Status]+"）")
	}
	if in.HostOrgID == 0 {
		in.HostOrgID = c.HostOrgID
	}
	if err := s.validateClass(ctx, &in).Err(); err != nil {
		return nil, err
	}
	if err := s.checkHostAndAudience(ctx, p, in); err != nil {
		return nil, err
	}
	var sum int
	if err := s.db.WithContext(ctx).Model(&Quota{}).Where("class_id = ?", id).Select("COALESCE(SUM(quota),0)").Scan(&sum).Error; err != nil {
		return nil, web.Internal(err)
	}
	if sum > in.Quota {
		return nil, web.Invalid(map[string]string{"quota": fmt.Sprintf("总名额不能少于已分配给各单位的名额之和（%d）", sum)})
	}
	s.applyRequest(c, in)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Class{}).Where("id = ? AND status = ?", id, StatusDraft).Select("*").Omit("id", "created_at", "created_by", "status", "enrolled").Updates(c)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "班次状态已改变，请刷新后重试")
		}
		return s.recordTx(tx, p, "class.update", "class", id, map[string]any{"title": c.Title})
	})
	if err != nil {
		return nil, txError(err)
	}
	return s.classByID(ctx, id)
}

func (s *Service) classByID(ctx context.Context, id uint64) (*Class, error) {
	var c Class
	err := s.db.WithContext(ctx).First(&c, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &c, nil
}

// hostClass loads a class the caller hosts (a college admin of the host
// college or above it).
func (s *Service) hostClass(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	if !canHost(p) {
		if canApprove(p) {
			if _, err := s.managedClass(ctx, p, id); err != nil {
				return nil, err
			}
		}
		return nil, web.Forbidden()
	}
	var c Class
	err := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "host_org_id")).First(&c, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &c, nil
}

// managedClass loads a class the caller hosts or oversees (the org department).
func (s *Service) managedClass(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	if !canHost(p) && !canApprove(p) {
		return nil, web.Forbidden()
	}
	var c Class
	err := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "host_org_id")).First(&c, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &c, nil
}

// isManager reports whether the caller hosts or oversees the class: a
// college or org department admin whose subtree holds the host college.
func (s *Service) isManager(ctx context.Context, p *web.Principal, c *Class) bool {
	return (canHost(p) || canApprove(p)) && p.InScope(s.orgPath(ctx, c.HostOrgID))
}

// published reports whether a class is visible to cadres and units.
func published(status string) bool {
	switch status {
	case StatusOpen, StatusClosed, StatusInSession, StatusGraduated, StatusArchived:
		return true
	}
	return false
}

// forAudience reports whether a caller's level and org fit a class.
func (c *Class) forAudience(level string, orgChain []uint64) bool {
	if c.Levels != "" && !hasFlag(c.Levels, level) {
		return false
	}
	if c.AudienceOrgs == "" {
		return true
	}
	for _, id := range orgChain {
		if hasFlag(c.AudienceOrgs, strconv.FormatUint(id, 10)) {
			return true
		}
	}
	return false
}

// openToUnit reports whether a unit admin's units are among the audience
// (an admin higher up also reaches audience orgs below).
func (s *Service) openToUnit(ctx context.Context, p *web.Principal, c *Class) (bool, error) {
	if c.AudienceOrgs == "" {
		return true, nil
	}
	for _, id := range p.OrgChain() {
		if hasFlag(c.AudienceOrgs, strconv.FormatUint(id, 10)) {
			return true, nil
		}
	}
	found, err := s.orgTree.OrgsByID(ctx, splitIDs(c.AudienceOrgs))
	if err != nil {
		return false, web.Internal(err)
	}
	for _, o := range found {
		if strings.HasPrefix(o.Path, p.OrgPath) {
			return true, nil
		}
	}
	return false, nil
}

// GetClass returns a class to whoever may see it: its host and the org
// department always; units and cadres once it is published and meant for
// them, or when they are registered.
func (s *Service) GetClass(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	if canHost(p) || canApprove(p) {
		c, err := s.managedClass(ctx, p, id)
		if err == nil {
			return c, nil
		}
		if !web.IsStatus(err, 404) {
			return nil, err
		}
	}
	c, err := s.classByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !published(c.Status) {
		return nil, web.NotFound()
	}
	if c.forAudience(p.Level, p.OrgChain()) {
		return c, nil
	}
	if p.Has(web.RoleUnitAdmin) {
		if ok, err := s.openToUnit(ctx, p, c); err != nil || ok {
			return c, err
		}
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Registration{}).Where("class_id = ? AND user_id = ?", id, p.UserID).Count(&n).Error; err != nil {
		return nil, web.Internal(err)
	}
	if n > 0 {
		return c, nil
	}
	return nil, web.NotFound()
}

// Detail assembles the response of a class; codes only for its host.
func (s *Service) Detail(ctx context.Context, p *web.Principal, c *Class) (ClassResponse, error) {
	r := ClassResponse{ID: c.ID, Title: c.Title, Kind: c.Kind, HostOrgID: c.HostOrgID, HostName: s.people.OrgName(ctx, c.HostOrgID),
		Entrusted: c.Entrusted, StartsOn: c.StartsOn, EndsOn: c.EndsOn, Days: c.Days(), Place: c.Place, Online: c.Online,
		Quota: c.Quota, Enrolled: c.Enrolled, Hours: s.classHours(ctx, c), SelfRegistration: c.SelfRegister, AutoApprove: c.AutoApprove,
		Waitlist: c.Waitlist, Levels: splitList(c.Levels), AudienceOrgIDs: splitIDs(c.AudienceOrgs), FollowUp: c.FollowUp,
		Contact: c.Contact, ContactPhone: c.ContactPhone, Description: c.Description, MinAttendance: c.MinAttendance,
		RequireCourses: c.RequireCourses, ExamID: c.ExamID, RequireEvaluation: c.RequireEval,
		Status: s.effectiveStatus(c), RejectReason: c.RejectReason}
	r.StatusName = StatusNames[r.Status]
	if !c.RegOpensAt.IsZero() {
		t := c.RegOpensAt
		r.RegistrationOpensAt = &t
	}
	if !c.RegClosesAt.IsZero() {
		t := c.RegClosesAt
		r.RegistrationClosesAt = &t
	}
	quotas, err := s.Quotas(ctx, c.ID)
	if err != nil {
		return r, err
	}
	r.Quotas = quotas
	courses, err := s.Courses(ctx, c.ID)
	if err != nil {
		return r, err
	}
	r.Courses = courses
	sessions, err := s.Sessions(ctx, c.ID)
	if err != nil {
		return r, err
	}
	host := canHost(p) && p.InScope(s.orgPath(ctx, c.HostOrgID))
	r.Sessions = make([]SessionResponse, len(sessions))
	for i, x := range sessions {
		r.Sessions[i] = sessionResponse(x, host)
	}
	return r, nil
}

func sessionResponse(x Session, withCode bool) SessionResponse {
	r := SessionResponse{ID: x.ID, Topic: x.Topic, Teacher: x.Teacher, Place: x.Place, Site: x.Site, StartsAt: x.StartsAt, EndsAt: x.EndsAt, Hours: x.Hours}
	if withCode {
		r.Code = x.Code
	}
	return r
}

func (s *Service) orgPath(ctx context.Context, id uint64) string {
	o, err := s.org(ctx, id)
	if err != nil || o == nil {
		return ""
	}
	return o.Path
}

// classHours is what graduating from a class credits: its own hours, or
// its days by the day rule.
func (s *Service) classHours(ctx context.Context, c *Class) web.Hours {
	if c.Hours > 0 {
		return c.Hours
	}
	if s.ledger == nil {
		return 0
	}
	return web.Hours(int64(c.Days()) * int64(s.ledger.DayHours(ctx)))
}

// effectiveStatus is the status with the registration deadline applied:
// an open class past its closing time is closed even before the sweeper runs.
func (s *Service) effectiveStatus(c *Class) string {
	if c.Status == StatusOpen && !c.RegClosesAt.IsZero() && !s.now().Before(c.RegClosesAt) {
		return StatusClosed
	}
	return c.Status
}

// Quotas lists a class's unit quotas with their use.
func (s *Service) Quotas(ctx context.Context, classID uint64) ([]QuotaItem, error) {
	var rows []Quota
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("org_id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]QuotaItem, len(rows))
	for i, q := range rows {
		out[i] = QuotaItem{OrgID: q.OrgID, OrgName: s.people.OrgName(ctx, q.OrgID), Quota: q.Quota, Used: q.Used}
	}
	return out, nil
}

// Courses lists a class's courses with their titles.
func (s *Service) Courses(ctx context.Context, classID uint64) ([]CourseItem, error) {
	var rows []ClassCourse
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("sort, course_id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.CourseID
	}
	titles := map[uint64]string{}
	if s.progress != nil && len(ids) > 0 {
		var err error
		if titles, err = s.progress.CourseTitles(ctx, ids); err != nil {
			return nil, web.Internal(err)
		}
	}
	out := make([]CourseItem, len(rows))
	for i, r := range rows {
		out[i] = CourseItem{CourseID: r.CourseID, Title: titles[r.CourseID], Required: r.Required, Hours: r.Hours}
	}
	return out, nil
}

// Sessions lists a class's timetable in time order.
func (s *Service) Sessions(ctx context.Context, classID uint64) ([]Session, error) {
	var rows []Session
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("starts_at, id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

// ListFilter selects classes.
type ListFilter struct {
	Status string
	Q      string
	Year   int
}

// ListManaged lists the classes the caller hosts or oversees.
func (s *Service) ListManaged(ctx context.Context, p *web.Principal, f ListFilter, pg web.Page) ([]Class, int64, error) {
	if !canHost(p) && !canApprove(p) {
		return nil, 0, web.Forbidden()
	}
	q := s.db.WithContext(ctx).Model(&Class{}).Scopes(web.OrgScope(p, "host_org_id"))
	now := s.now().UTC()
	switch f.Status {
	case "":
	case StatusOpen: // past its deadline it is closed, before the sweeper writes it
		q = q.Where("status = ? AND registration_closes_at > ?", StatusOpen, now)
	case StatusClosed:
		q = q.Where("status = ? OR (status = ? AND registration_closes_at <= ?)", StatusClosed, StatusOpen, now)
	default:
		q = q.Where("status = ?", f.Status)
	}
	if f.Q != "" {
		q = q.Where("title LIKE ? ESCAPE '!'", web.Contains(f.Q))
	}
	if f.Year > 0 {
		q = q.Where("starts_on LIKE ?", fmt.Sprintf("%04d-%%", f.Year))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var rows []Class
	if err := q.Order("starts_on DESC, id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	return rows, total, nil
}

// OpenClasses lists the classes taking registrations that the caller may
// join (a cadre) or nominate to (a unit admin).
func (s *Service) OpenClasses(ctx context.Context, p *web.Principal) ([]Class, error) {
	var rows []Class
	err := s.db.WithContext(ctx).Where("status = ?", StatusOpen).Order("starts_on, id").Limit(500).Find(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	out := rows[:0]
	for i := range rows {
		c := &rows[i]
		if s.effectiveStatus(c) != StatusOpen {
			continue
		}
		ok := c.forAudience(p.Level, p.OrgChain())
		if !ok && p.Has(web.RoleUnitAdmin) {
			var err error
			if ok, err = s.openToUnit(ctx, p, c); err != nil {
				return nil, err
			}
		}
		if ok {
			out = append(out, *c)
		}
	}
	return out, nil
}

// transition moves a class from one of the allowed states to the next,
// atomically: a concurrent change makes it a 409. The entry of the
// caller's action ("class."+action) commits with the change; its detail is
// the new status unless one is given.
func (s *Service) transition(ctx context.Context, p *web.Principal, c *Class, action string, from []string, to string, set map[string]any, detail any) error {
	if !slices.Contains(from, c.Status) {
		return wrongState(c.Status, to)
	}
	if set == nil {
		set = map[string]any{}
	}
	if detail == nil {
		detail = map[string]any{"status": to}
	}
	set["status"] = to
	set["updated_at"] = s.now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Class{}).Where("id = ? AND status = ?", c.ID, c.Status).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return web.Conflict("wrong_state", "班次状态已改变，请刷新后重试")
		}
		return s.recordTx(tx, p, "class."+action, "class", c.ID, detail)
	})
	if err != nil {
		return txError(err)
	}
	c.Status = to
	return nil
}

// txError is the answer to a failed transaction: its own refusal, or a
// database error.
func txError(err error) error {
	if err == nil {
		return nil
	}
	var we *web.Error
	if errors.As(err, &we) {
		return we
	}
	return web.Internal(err)
}

func wrongState(from, to string) error {
	return web.Conflict("wrong_state", fmt.Sprintf("班次当前为“%s”，不能变为“%s”", StatusNames[from], StatusNames[to]))
}

// Submit files the class plan with the org department (备案).
func (s *Service) Submit(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.transition(ctx, p, c, ActionSubmit, []string{StatusDraft}, StatusFiling, map[string]any{"submitted_at": now, "reject_reason": ""}, nil); err != nil {
		return nil, err
	}
	if admins, err := s.orgAdmins(ctx, s.orgPath(ctx, c.HostOrgID)); err == nil {
		s.notify(ctx, admins, Message{Title: "班次备案待审核：" + c.Title, Body: s.people.OrgName(ctx, c.HostOrgID) + " 提交了班次计划，请审核。", Link: "/admin/filings"})
	}
	return c, nil
}

// orgAdmins are the org department administrators over a host college:
// those whose org is the college's or one of its ancestors.
func (s *Service) orgAdmins(ctx context.Context, hostPath string) ([]uint64, error) {
	return s.people.UsersWithRole(ctx, web.RoleOrgAdmin, pathIDs(hostPath))
}

func (s *Service) hostAdmins(ctx context.Context, c *Class) []uint64 {
	// The host college's admins, and the class's creator while still a
	// college admin over the host (a headquarters admin may run a branch's class).
	ids, err := s.people.UsersWithRole(ctx, web.RoleCollegeAdmin, []uint64{c.HostOrgID})
	if err != nil {
		s.log.Warn("training: host admins", "err", err)
	}
	if c.CreatedBy != 0 && !slices.Contains(ids, c.CreatedBy) {
		over, err := s.people.UsersWithRole(ctx, web.RoleCollegeAdmin, pathIDs(s.orgPath(ctx, c.HostOrgID)))
		if err == nil && slices.Contains(over, c.CreatedBy) {
			ids = append(ids, c.CreatedBy)
		}
	}
	return ids
}

// Approve accepts a filed class plan (the org department only).
func (s *Service) Approve(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	if !canApprove(p) {
		return nil, web.Forbidden()
	}
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.transition(ctx, p, c, ActionApprove, []string{StatusFiling}, StatusApproved, map[string]any{"approved_at": now, "approved_by": p.UserID}, nil); err != nil {
		return nil, err
	}
	s.notify(ctx, s.hostAdmins(ctx, c), Message{Title: "班次备案已通过：" + c.Title, Body: "可以开放报名。", Link: fmt.Sprintf("/admin/classes/%d", c.ID)})
	return c, nil
}

// Reject returns a filed class plan to draft with the reason.
func (s *Service) Reject(ctx context.Context, p *web.Principal, id uint64, reason string) (*Class, error) {
	if !canApprove(p) {
		return nil, web.Forbidden()
	}
	reason = strings.TrimSpace(reason)
	f := web.Fields{}
	f.Required("reason", reason)
	f.MaxLen("reason", reason, 500)
	if err := f.Err(); err != nil {
		return nil, err
	}
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.transition(ctx, p, c, ActionReject, []string{StatusFiling}, StatusDraft, map[string]any{"reject_reason": reason}, map[string]any{"reason": reason}); err != nil {
		return nil, err
	}
	c.RejectReason = reason
	s.notify(ctx, s.hostAdmins(ctx, c), Message{Title: "班次备案被退回：" + c.Title, Body: "退回理由：" + reason, Link: fmt.Sprintf("/admin/classes/%d", c.ID)})
	return c, nil
}

// Open starts registration for an approved class. Without a window it
// opens now and closes when the class starts.
func (s *Service) Open(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusDraft || c.Status == StatusFiling {
		return nil, web.Conflict("not_approved", "班次计划尚未备案通过，不能开放报名")
	}
	set := map[string]any{}
	if c.RegOpensAt.IsZero() {
		c.RegOpensAt = s.now().UTC().Truncate(time.Second)
		set["registration_opens_at"] = c.RegOpensAt
	}
	if c.RegClosesAt.IsZero() {
		c.RegClosesAt = c.StartTime().UTC()
		set["registration_closes_at"] = c.RegClosesAt
	}
	if !c.RegClosesAt.After(s.now()) {
		return nil, web.Unprocessable("registration_closed", "报名截止时间已过，请先修改报名时间")
	}
	if err := s.transition(ctx, p, c, ActionOpen, []string{StatusApproved}, StatusOpen, set, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// CloseRegistration ends registration.
func (s *Service) CloseRegistration(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.transition(ctx, p, c, ActionClose, []string{StatusOpen}, StatusClosed, nil, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// Start opens the class (开班); registration closes if it was still open.
func (s *Service) Start(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.transition(ctx, p, c, ActionStart, []string{StatusOpen, StatusClosed}, StatusInSession, nil, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// Archive files away a graduated class.
func (s *Service) Archive(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.transition(ctx, p, c, ActionArchive, []string{StatusGraduated}, StatusArchived, nil, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// The life-cycle actions of a class, as the API and the pages name them.
const (
	ActionSubmit  = "submit"
	ActionApprove = "approve"
	ActionReject  = "reject"
	ActionOpen    = "open"
	ActionClose   = "close"
	ActionStart   = "start"
	ActionArchive = "archive"
)

// Transition performs a life-cycle action on a class; reason is the
// reason of a rejection.
func (s *Service) Transition(ctx context.Context, p *web.Principal, id uint64, action, reason string) (*Class, error) {
	switch action {
	case ActionSubmit:
		return s.Submit(ctx, p, id)
	case ActionApprove:
		return s.Approve(ctx, p, id)
	case ActionReject:
		return s.Reject(ctx, p, id, reason)
	case ActionOpen:
		return s.Open(ctx, p, id)
	case ActionClose:
		return s.CloseRegistration(ctx, p, id)
	case ActionStart:
		return s.Start(ctx, p, id)
	case ActionArchive:
		return s.Archive(ctx, p, id)
	}
	return nil, web.NotFound()
}

// CloseDue closes the registration of classes past their deadline; it
// returns how many it closed.
func (s *Service) CloseDue(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Model(&Class{}).Where("status = ? AND registration_closes_at <= ?", StatusOpen, s.now().UTC()).
		Updates(map[string]any{"status": StatusClosed, "updated_at": s.now().UTC()})
	return res.RowsAffected, res.Error
}

// RunSweeper closes registrations at their deadline until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration) {
	cache.Every(ctx, s.log, "training: closing due registrations", every, func(ctx context.Context) error {
		n, err := s.CloseDue(ctx)
		if err == nil && n > 0 {
			s.log.Info("training: registration closed at deadline", "classes", n)
		}
		return err
	})
}

// SetQuotas replaces the unit quotas of a class. The host may change them
// until registration opens; the org department while the plan is filed.
func (s *Service) SetQuotas(ctx context.Context, p *web.Principal, id uint64, in QuotasRequest) ([]QuotaItem, error) {
	c, err := s.managedClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	switch {
	case canHost(p) && slices.Contains([]string{StatusDraft, StatusFiling, StatusApproved}, c.Status):
	case canApprove(p) && slices.Contains([]string{StatusDraft, StatusFiling}, c.Status):
	case !canHost(p) && !canApprove(p):
		return nil, web.Forbidden()
	default:
		return nil, web.Conflict("wrong_state", "报名开放后不能再调整名额分配（当前："+StatusNames[c.Status]+"）")
	}
	f := web.Fields{}
	sum := 0
	seen := map[uint64]bool{}
	ids := make([]uint64, 0, len(in.Quotas))
	f.Check(len(in.Quotas) <= 500, "quotas", "最多 500 个单位")
	for i, q := range in.Quotas {
		name := fmt.Sprintf("quotas[%d]", i)
		if q.OrgID == 0 {
			f.Add(name+".org_id", "必须指定单位")
		}
		if seen[q.OrgID] {
			f.Add(name+".org_id", "单位重复")
		}
		seen[q.OrgID] = true
		if q.Quota < 1 {
			f.Add(name+".quota", "名额至少为 1")
		}
		sum += q.Quota
		ids = append(ids, q.OrgID)
	}
	if sum > c.Quota {
		f.Add("quotas", fmt.Sprintf("各单位名额之和（%d）超过班次总名额（%d）", sum, c.Quota))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if ok, err := s.orgsExist(ctx, ids); err != nil {
		return nil, err
	} else if !ok {
		return nil, web.Invalid(map[string]string{"quotas": "有单位不存在"})
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("class_id = ?", id).Delete(&Quota{}).Error; err != nil {
			return err
		}
		rows := make([]Quota, len(in.Quotas))
		for i, q := range in.Quotas {
			rows[i] = Quota{ClassID: id, OrgID: q.OrgID, Quota: q.Quota}
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		return s.recordTx(tx, p, "class.quotas", "class", id, in.Quotas)
	})
	if err != nil {
		return nil, txError(err)
	}
	return s.Quotas(ctx, id)
}

// SetCourses replaces the online courses of a class.
func (s *Service) SetCourses(ctx context.Context, p *web.Principal, id uint64, in CoursesRequest) ([]CourseItem, error) {
	c, err := s.hostClass(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusGraduated || c.Status == StatusArchived {
		return nil, wrongState(c.Status, c.Status)
	}
	f := web.Fields{}
	f.Check(len(in.Courses) <= 200, "courses", "最多 200 门课程")
	ids := make([]uint64, 0, len(in.Courses))
	seen := map[uint64]bool{}
	for i, x := range in.Courses {
		if x.CourseID == 0 || seen[x.CourseID] {
			f.Add(fmt.Sprintf("courses[%d].course_id", i), "课程为空或重复")
		}
		seen[x.CourseID] = true
		f.Check(x.Hours >= 0 && x.Hours <= 10000, fmt.Sprintf("courses[%d].hours", i), "学时应在 0 到 100 之间")
		ids = append(ids, x.CourseID)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if len(ids) > 0 && s.progress != nil {
		problems, err := s.progress.CourseProblems(ctx, p, ids)
		if err != nil {
			return nil, web.Internal(err)
		}
		for i, id := range ids {
			if msg := problems[id]; msg != "" {
				f.Add(fmt.Sprintf("courses[%d].course_id", i), msg)
			}
		}
		if len(f) > 0 {
			e := web.Unprocessable("course_unavailable", "所选课程不能用于本班次")
			e.Fields = f
			return nil, e
		}
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("class_id = ?", id).Delete(&ClassCourse{}).Error; err != nil {
			return err
		}
		if len(in.Courses) > 0 {
			rows := make([]ClassCourse, len(in.Courses))
			for i, x := range in.Courses {
				rows[i] = ClassCourse{ClassID: id, CourseID: x.CourseID, Required: x.Required, Hours: x.Hours, Sort: i}
			}
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		return s.recordTx(tx, p, "class.courses", "class", id, in.Courses)
	})
	if err != nil {
		return nil, txError(err)
	}
	return s.Courses(ctx, id)
}

func (s *Service) validateSession(ctx context.Context, c *Class, in *SessionRequest) error {
	f := web.Fields{}
	in.Topic = strings.TrimSpace(in.Topic)
	f.Required("topic", in.Topic)
	f.MaxLen("topic", in.Topic, 200)
	f.MaxLen("teacher", in.Teacher, 100)
	f.MaxLen("place", in.Place, 200)
	f.MaxLen("site", in.Site, 200)
	f.Check(!in.StartsAt.IsZero(), "starts_at", "必填")
	f.Check(in.EndsAt.After(in.StartsAt), "ends_at", "结束时间应晚于开始时间")
	f.Check(in.EndsAt.Sub(in.StartsAt) <= 24*time.Hour, "ends_at", "单次课程不能超过 24 小时")
	f.Check(in.Hours >= 0 && in.Hours <= 2400, "hours", "学时应在 0 到 24 之间")
	if !in.StartsAt.IsZero() {
		first := c.StartTime()
		last := first.AddDate(0, 0, c.Days())
		f.Check(!in.StartsAt.Before(first) && !in.StartsAt.After(last), "starts_at", "课程时间应在班次日期内（"+c.StartsOn+" 至 "+c.EndsOn+"）")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if in.Hours == 0 && s.ledger != nil {
		// Half a day or a day by the day rule.
		day := s.ledger.DayHours(ctx)
		if in.EndsAt.Sub(in.StartsAt) <= 4*time.Hour {
			in.Hours = day / 2
		} else {
			in.Hours = day
		}
	}
	return nil
}

// AddSession adds an item to the timetable.
func (s *Service) AddSession(ctx context.Context, p *web.Principal, classID uint64, in SessionRequest) (*Session, error) {
	c, err := s.hostClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusGraduated || c.Status == StatusArchived {
		return nil, wrongState(c.Status, c.Status)
	}
	if err := s.validateSession(ctx, c, &in); err != nil {
		return nil, err
	}
	x := &Session{ClassID: classID, Topic: in.Topic, Teacher: strings.TrimSpace(in.Teacher), Place: strings.TrimSpace(in.Place),
		Site: strings.TrimSpace(in.Site), StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(), Hours: in.Hours, Code: newCode()}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(x).Error; err != nil {
			return err
		}
		return s.recordTx(tx, p, "class.session.add", "class", classID, map[string]any{"session": x.ID, "topic": x.Topic})
	})
	if err != nil {
		return nil, txError(err)
	}
	return x, nil
}

// hostSession loads a session of a class the caller hosts.
func (s *Service) hostSession(ctx context.Context, p *web.Principal, id uint64) (*Session, *Class, error) {
	var x Session
	err := s.db.WithContext(ctx).First(&x, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, web.NotFound()
	}
	if err != nil {
		return nil, nil, web.Internal(err)
	}
	c, err := s.hostClass(ctx, p, x.ClassID)
	if err != nil {
		return nil, nil, err
	}
	return &x, c, nil
}

// UpdateSession edits a timetable item.
func (s *Service) UpdateSession(ctx context.Context, p *web.Principal, id uint64, in SessionRequest) (*Session, error) {
	x, c, err := s.hostSession(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusGraduated || c.Status == StatusArchived {
		return nil, wrongState(c.Status, c.Status)
	}
	if err := s.validateSession(ctx, c, &in); err != nil {
		return nil, err
	}
	x.Topic, x.Teacher, x.Place, x.Site = in.Topic, strings.TrimSpace(in.Teacher), strings.TrimSpace(in.Place), strings.TrimSpace(in.Site)
	x.StartsAt, x.EndsAt, x.Hours = in.StartsAt.UTC(), in.EndsAt.UTC(), in.Hours
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Save(x).Error; err != nil {
			return err
		}
		return s.recordTx(tx, p, "class.session.update", "session", id, map[string]any{"topic": x.Topic})
	})
	if err != nil {
		return nil, txError(err)
	}
	return x, nil
}

// DeleteSession removes a timetable item nobody has signed in to, and
// returns it.
func (s *Service) DeleteSession(ctx context.Context, p *web.Principal, id uint64) (*Session, error) {
	x, c, err := s.hostSession(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusGraduated || c.Status == StatusArchived {
		return x, wrongState(c.Status, c.Status)
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Attendance{}).Where("session_id = ?", id).Count(&n).Error; err != nil {
		return x, web.Internal(err)
	}
	if n > 0 {
		return x, web.Conflict("has_attendance", "已有学员签到，不能删除该课程")
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Delete(x).Error; err != nil {
			return err
		}
		return s.recordTx(tx, p, "class.session.delete", "session", id, nil)
	})
	if err != nil {
		return x, txError(err)
	}
	return x, nil
}

// AnyClass reports whether any class exists (the demo seed adds its own
// only to an empty college).
func (s *Service) AnyClass(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Class{}).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("training: count classes: %w", err)
	}
	return n > 0, nil
}
