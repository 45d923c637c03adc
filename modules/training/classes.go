package training

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

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

// TeacherKind is the kind of the classes that train the college's own
// teachers (师资培训), counted by the faculty's 师资提能计划.
const TeacherKind = "师资培训"

// Kinds of classes.
var Kinds = []string{"主体班", "专题班", "网络培训班", "任职培训", "初任培训", "在职培训", TeacherKind, "其他"}

// Levels a class may target (the identity module's cadre levels).
var Levels = []string{"省部级", "厅局级", "县处级", "乡科级", "科员及以下", "其他"}

// OnlineKind is the kind whose hours count as online learning.
const OnlineKind = "网络培训班"

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
	c.CoHostOrgID, c.BaseID = in.CoHostOrgID, in.BaseID
	c.StartsOn, c.EndsOn, c.Place, c.Online = in.StartsOn, in.EndsOn, strings.TrimSpace(in.Place), in.Online
	c.Quota, c.Hours, c.SelfRegister, c.AutoApprove, c.Waitlist = in.Quota, in.Hours, in.SelfRegistration, in.AutoApprove, !in.NoWaitlist
	c.Levels, c.AudienceOrgs = db.JoinList(in.Levels), db.JoinIDs(uniq(in.AudienceOrgIDs))
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
	if in.CoHostOrgID != 0 {
		// 市县统筹办学: a class the host runs with another college, any in
		// the city (a district's college with the city's, or the reverse).
		co, err := s.org(ctx, in.CoHostOrgID)
		if err != nil {
			return err
		}
		switch {
		case in.CoHostOrgID == in.HostOrgID:
			return web.Invalid(map[string]string{"co_host_org_id": "联合举办学院不能与主办学院相同"})
		case co == nil || co.Kind != "college":
			return web.Invalid(map[string]string{"co_host_org_id": "联合举办单位应为学院（总部或分院）"})
		}
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
	return s.checkBase(ctx, in.BaseID)
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
	err := s.audited(ctx, p, func(tx *gorm.DB) error {
		return tx.Create(c).Error
	}, func() (string, string, uint64, any) {
		return "class.create", "class", c.ID, map[string]any{"title": c.Title, "kind": c.Kind, "quota": c.Quota}
	})
	if err != nil {
		return nil, err
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
	if !classActions(p, c, c.Status).Edit {
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
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		return classChanged(tx.Model(&Class{}).Where("id = ? AND status = ?", id, StatusDraft).Select("*").Omit("id", "created_at", "created_by", "status", "enrolled").Updates(c))
	}, func() (string, string, uint64, any) {
		return "class.update", "class", id, map[string]any{"title": c.Title}
	})
	if err != nil {
		return nil, err
	}
	return s.classByID(ctx, id)
}

func (s *Service) classByID(ctx context.Context, id uint64) (*Class, error) {
	c, err := web.Load[Class](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	return c, nil
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
	c, err := web.Load[Class](s.db.WithContext(ctx).Scopes(web.OrgScope(p, "host_org_id")), id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// managedClass loads a class the caller hosts or oversees (the org department).
func (s *Service) managedClass(ctx context.Context, p *web.Principal, id uint64) (*Class, error) {
	if !canHost(p) && !canApprove(p) {
		return nil, web.Forbidden()
	}
	c, err := web.Load[Class](s.db.WithContext(ctx).Scopes(web.OrgScope(p, "host_org_id")), id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// isManager reports whether the caller hosts or oversees the class: a
// college or org department admin whose subtree holds the host college.
func (s *Service) isManager(ctx context.Context, p *web.Principal, c *Class) bool {
	return (canHost(p) || canApprove(p)) && p.InScope(s.orgPath(ctx, c.HostOrgID))
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

// AnyClass reports whether any class exists (the demo seed adds its own
// only to an empty college).
func (s *Service) AnyClass(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Class{}).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("training: count classes: %w", err)
	}
	return n > 0, nil
}
