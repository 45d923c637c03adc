// Package sites keeps the city's field teaching sites (现场教学点): their
// life cycle from a district's proposal to use, and the classes' bookings of
// their time slots.
package sites

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"college/modules/web"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Org is what the module needs to know of an organization.
type Org struct {
	ID   uint64
	Name string
	Path string
}

// Orgs names organizations and gives their paths (the identity module).
type Orgs interface {
	Orgs(ctx context.Context, ids []uint64) (map[uint64]Org, error)
}

// SessionSlot is the day, times (Beijing, HH:MM) and class size of a
// timetable session.
type SessionSlot struct {
	Date      string
	StartsAt  string
	EndsAt    string
	GroupSize int
	Topic     string
}

// Sessions reads timetable sessions the caller manages (the training
// module); found is false for a session that does not exist or is not the
// caller's.
type Sessions interface {
	SiteSession(ctx context.Context, p *web.Principal, sessionID uint64) (slot SessionSlot, found bool, err error)
}

// Deps are the module's dependencies.
type Deps struct {
	DB    *gorm.DB
	Orgs  Orgs
	Audit web.Auditor
	Log   *slog.Logger
}

// Service holds the rules of sites and bookings.
type Service struct {
	d           Deps
	sessions    Sessions
	objects     objects.Store
	evaluations Evaluations
	courses     Courses
}

// NewService makes the service.
func NewService(d Deps) *Service { return &Service{d: d} }

// SetSessions lets bookings name a timetable session.
func (s *Service) SetSessions(r Sessions) { s.sessions = r }

// Roles that see the site list at all.
var (
	Viewers  = []string{web.RoleOrgAdmin, web.RoleUnitAdmin, web.RoleCollegeAdmin, web.RoleTeacher, web.RoleLearner}
	Managers = []string{web.RoleOrgAdmin, web.RoleUnitAdmin}
	Bookers  = []string{web.RoleOrgAdmin, web.RoleUnitAdmin, web.RoleCollegeAdmin}
	Deciders = []string{web.RoleOrgAdmin}
)

// visible limits a query of sites to those the caller may see: the org
// department sees all, a unit administrator its subtree's, every cadre the
// sites in use.
func visible(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if p.Has(web.RoleOrgAdmin) {
			return q
		}
		var conds []string
		var args []any
		if p.Has(web.RoleUnitAdmin) && p.OrgPath != "" {
			conds, args = append(conds, "org_path LIKE ?"), append(args, web.Prefix(p.OrgPath))
		}
		if p.HasAny(web.RoleCollegeAdmin, web.RoleTeacher, web.RoleLearner) {
			conds, args = append(conds, "status = ?"), append(args, StatusInUse)
		}
		if len(conds) == 0 {
			return q.Where("1 = 0")
		}
		return q.Where(strings.Join(conds, " OR "), args...)
	}
}

// canSee is visible for one loaded site.
func canSee(p *web.Principal, s *Site) bool {
	return p.Has(web.RoleOrgAdmin) || (p.Has(web.RoleUnitAdmin) && p.InScope(s.OrgPath)) ||
		(s.Status == StatusInUse && p.HasAny(web.RoleCollegeAdmin, web.RoleTeacher, web.RoleLearner))
}

// canManage reports whether p may run the district's steps of the site.
func canManage(p *web.Principal, s *Site) bool {
	return p.Has(web.RoleOrgAdmin) || (p.Has(web.RoleUnitAdmin) && p.InScope(s.OrgPath))
}

// Filter narrows the site list.
type Filter struct {
	Category string
	Status   string
}

// List returns a page of the sites the caller may see, newest first.
func (s *Service) List(ctx context.Context, p *web.Principal, f Filter, pg web.Page) ([]SiteResponse, int64, error) {
	if f.Status != "" && StatusNames[f.Status] == "" {
		return nil, 0, web.Invalid(map[string]string{"status": "状态不正确"})
	}
	q := s.listQuery(ctx, p, f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("sites: count: %w", err)
	}
	var rows []Site
	if err := q.Order("created_at DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("sites: list: %w", err)
	}
	out, err := s.responses(ctx, rows)
	return out, total, err
}

func (s *Service) listQuery(ctx context.Context, p *web.Principal, f Filter) *gorm.DB {
	q := s.d.DB.WithContext(ctx).Model(&Site{}).Scopes(visible(p))
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	return q
}

func (s *Service) responses(ctx context.Context, rows []Site) ([]SiteResponse, error) {
	ids := make([]uint64, len(rows))
	for i := range rows {
		ids[i] = rows[i].OrgID
	}
	orgs, err := s.d.Orgs.Orgs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("sites: org names: %w", err)
	}
	out := make([]SiteResponse, len(rows))
	for i := range rows {
		out[i] = siteResponse(&rows[i], orgs[rows[i].OrgID].Name)
	}
	return out, nil
}

// load finds a site the caller may see (404 otherwise).
func (s *Service) load(ctx context.Context, tx *gorm.DB, p *web.Principal, id uint64) (*Site, error) {
	var site Site
	err := tx.WithContext(ctx).First(&site, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("sites: load: %w", err)
	}
	if !canSee(p, &site) {
		return nil, web.NotFound()
	}
	return &site, nil
}

// Site returns one site the caller may see.
func (s *Service) Site(ctx context.Context, p *web.Principal, id uint64) (SiteResponse, error) {
	site, err := s.load(ctx, s.d.DB, p, id)
	if err != nil {
		return SiteResponse{}, err
	}
	out, err := s.responses(ctx, []Site{*site})
	if err != nil {
		return SiteResponse{}, err
	}
	return out[0], nil
}

// Categories lists the site categories in order.
func (s *Service) Categories(ctx context.Context) ([]CategoryResponse, error) {
	var rows []Category
	if err := s.d.DB.WithContext(ctx).Order("sort, name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sites: categories: %w", err)
	}
	out := make([]CategoryResponse, len(rows))
	for i, c := range rows {
		out[i] = CategoryResponse{ID: c.ID, Name: c.Name}
	}
	return out, nil
}

// AddCategory adds a category at the end of the list (org department).
func (s *Service) AddCategory(ctx context.Context, p *web.Principal, in CategoryRequest) (CategoryResponse, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || tooLong(name, 50) {
		return CategoryResponse{}, web.Invalid(map[string]string{"name": "类别名称应为 1 至 50 字"})
	}
	c := Category{Name: name}
	err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		var n int64
		if err := tx.Model(&Category{}).Where("name = ?", name).Count(&n).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if n > 0 {
			return web.AuditEntry{}, web.Conflict("duplicate", "该类别已存在")
		}
		var last int
		if err := tx.Model(&Category{}).Select("COALESCE(MAX(sort), 0)").Scan(&last).Error; err != nil {
			return web.AuditEntry{}, err
		}
		c.Sort = last + 1
		if err := tx.Create(&c).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "site_category.create", "site_category", c.ID, name), nil
	})
	return CategoryResponse{ID: c.ID, Name: c.Name}, err
}

// Propose records a district's proposal of a site: a unit administrator
// for an org of their subtree, the org department for any.
func (s *Service) Propose(ctx context.Context, p *web.Principal, in SiteRequest) (SiteResponse, error) {
	in.normalize()
	if err := in.Validate(); err != nil {
		return SiteResponse{}, err
	}
	orgs, err := s.d.Orgs.Orgs(ctx, []uint64{in.OrgID})
	if err != nil {
		return SiteResponse{}, fmt.Errorf("sites: propose: %w", err)
	}
	org, ok := orgs[in.OrgID]
	if !ok {
		return SiteResponse{}, web.Invalid(map[string]string{"org_id": "所属区县或单位不存在"})
	}
	site := Site{Name: in.Name, Category: in.Category, OrgID: org.ID, OrgPath: org.Path, Address: in.Address, Lat: in.Lat, Lng: in.Lng,
		Capacity: in.Capacity, HostName: in.HostName, HostPhone: in.HostPhone, Intro: in.Intro, Facilities: in.Facilities,
		OpenDays: in.OpenDays, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt, Status: StatusProposed, ProposedBy: p.UserID}
	if !canManage(p, &site) {
		return SiteResponse{}, web.Forbidden()
	}
	err = web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		var n int64
		if err := tx.Model(&Category{}).Where("name = ?", in.Category).Count(&n).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if n == 0 {
			return web.AuditEntry{}, web.Invalid(map[string]string{"category": "类别不在类别表中"})
		}
		site.ID = 0
		if err := tx.Create(&site).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "site.propose", "site", site.ID, map[string]any{"name": site.Name, "org_id": site.OrgID}), nil
	})
	if err != nil {
		return SiteResponse{}, err
	}
	return siteResponse(&site, org.Name), nil
}

// step is one transition of a site's life cycle.
type step struct {
	action       string
	from         []string
	to           string
	needReason   bool
	deciderOnly  bool // the org department alone
	reasonLabel  string
	writeOpinion bool
}

var steps = map[string]step{
	"review":   {action: "site.review", from: []string{StatusProposed}, to: StatusReviewed, needReason: true, deciderOnly: true, reasonLabel: "请填写论证意见", writeOpinion: true},
	"approve":  {action: "site.approve", from: []string{StatusReviewed}, to: StatusApproved, deciderOnly: true},
	"activate": {action: "site.activate", from: []string{StatusApproved, StatusSuspended}, to: StatusInUse},
	"suspend":  {action: "site.suspend", from: []string{StatusInUse}, to: StatusSuspended, needReason: true, reasonLabel: "请填写暂停原因"},
	"withdraw": {action: "site.withdraw", from: []string{StatusProposed, StatusReviewed, StatusApproved, StatusInUse, StatusSuspended}, to: StatusWithdrawn, needReason: true, reasonLabel: "请填写撤销原因"},
}

// Step moves a site one step of its life cycle (review, approve, activate,
// suspend, withdraw) with its reason: 409 wrong_state from any other state.
func (s *Service) Step(ctx context.Context, p *web.Principal, id uint64, name string, in StepRequest) (SiteResponse, error) {
	st, ok := steps[name]
	if !ok {
		return SiteResponse{}, web.NotFound()
	}
	reason := strings.TrimSpace(in.Reason)
	if st.needReason && reason == "" {
		return SiteResponse{}, web.Invalid(map[string]string{"reason": st.reasonLabel})
	}
	if tooLong(reason, 500) && !st.writeOpinion {
		return SiteResponse{}, web.Invalid(map[string]string{"reason": "原因不超过 500 字"})
	}
	var site *Site
	err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		var err error
		if site, err = s.load(ctx, tx, p, id); err != nil {
			return web.AuditEntry{}, err
		}
		if !canManage(p, site) || (st.deciderOnly && !p.Has(web.RoleOrgAdmin)) {
			return web.AuditEntry{}, web.Forbidden()
		}
		from := site.Status
		upd := map[string]any{"status": st.to}
		if st.writeOpinion {
			upd["review_opinion"] = reason
			upd["status_reason"] = ""
		} else {
			upd["status_reason"] = reason
		}
		res := tx.Model(&Site{}).Where("id = ? AND status IN ?", id, st.from).Updates(upd)
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", fmt.Sprintf("教学点当前为“%s”，不能变为“%s”", StatusNames[from], StatusNames[st.to]))
		}
		if err := tx.First(site, id).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, st.action, "site", id, map[string]any{"from": from, "to": st.to, "reason": reason}), nil
	})
	if err != nil {
		return SiteResponse{}, err
	}
	out, err := s.responses(ctx, []Site{*site})
	if err != nil {
		return SiteResponse{}, err
	}
	return out[0], nil
}

// manages reports whether the caller may run the district's steps of a site.
func (s *Service) manages(c interface{ UserContext() context.Context }, p *web.Principal, id uint64) bool {
	site, err := s.load(c.UserContext(), s.d.DB, p, id)
	return err == nil && canManage(p, site)
}

// SiteID finds a site by name, 0 when there is none (the demo seed asks).
func (s *Service) SiteID(ctx context.Context, name string) (uint64, error) {
	var ids []uint64
	err := s.d.DB.WithContext(ctx).Model(&Site{}).Where("name = ?", name).Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// HasRoute reports whether a route of that name exists (the demo seed asks).
func (s *Service) HasRoute(ctx context.Context, name string) (bool, error) {
	var n int64
	err := s.d.DB.WithContext(ctx).Model(&Route{}).Where("name = ?", name).Count(&n).Error
	return n > 0, err
}
