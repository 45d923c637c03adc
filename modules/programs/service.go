package programs

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
)

// Rule selects cadres for a group; what identity is asked.
type Rule struct {
	Levels         []string
	OrgPath        string // "" : everywhere
	PostContains   string
	AppointedSince string // YYYY-MM-DD
	Tags           []string
	WithinPath     string // the part of the city looked at
}

// Person is a cadre as the programmes see one.
type Person struct {
	ID      uint64
	Name    string
	OrgName string
	Level   string
}

// Tally is a group's counts in one org.
type Tally struct {
	OrgID     uint64
	Target    int64
	Completed int64
	Reached   int64 // registered, not graduated
}

// People is what the module needs of identity; app/college wires it.
type People interface {
	Levels() []string
	OrgPath(ctx context.Context, id uint64) (path string, ok bool, err error)
	OrgNames(ctx context.Context, ids []uint64) (map[uint64]string, error)
	// Count and List select people by r, then keep those in every in
	// subquery and in none of notIn.
	Count(ctx context.Context, r Rule, in, notIn []*gorm.DB) (int64, error)
	List(ctx context.Context, r Rule, in, notIn []*gorm.DB, pg web.Page) ([]Person, int64, error)
	// Tally counts per org the people r selects, those in completed, and
	// those in reached but not in completed.
	Tally(ctx context.Context, r Rule, completed, reached *gorm.DB) ([]Tally, error)
}

// Classes is what the module needs of training; app/college wires it.
type Classes interface {
	ClassLinkProblems(ctx context.Context, p *web.Principal, ids []uint64) (map[uint64]string, error)
	ClassTitles(ctx context.Context, ids []uint64) (map[uint64]string, error)
	GraduatesOf(classIDs []uint64) *gorm.DB
	EnrolledIn(classIDs []uint64) *gorm.DB
}

// Deps are what the service needs.
type Deps struct {
	DB      *gorm.DB
	People  People
	Classes Classes
	Audit   web.Auditor
	Log     *slog.Logger
}

// Service holds the rules of training programmes.
type Service struct {
	db      *gorm.DB
	people  People
	classes Classes
	audit   web.Auditor
	log     *slog.Logger
	now     func() time.Time
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, people: d.People, classes: d.Classes, audit: d.Audit, log: d.Log, now: time.Now}
}

// Managers may keep programmes: the org department city-wide, a college
// those it owns.
var Managers = []string{web.RoleOrgAdmin, web.RoleCollegeAdmin}

func canManage(p *web.Principal) bool { return p.HasAny(Managers...) }

func (s *Service) scoped(ctx context.Context, p *web.Principal) *gorm.DB {
	return s.db.WithContext(ctx).Model(&Program{}).Scopes(web.OrgScope(p, "owner_org_id"))
}

// Get loads a programme the caller may see (404 outside the scope).
func (s *Service) Get(ctx context.Context, p *web.Principal, id uint64) (*Program, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	return web.Load[Program](s.scoped(ctx, p), id)
}

// Create stores a programme of the caller's org with its groups.
func (s *Service) Create(ctx context.Context, p *web.Principal, in ProgramRequest) (*Program, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	f := in.validate(s.people.Levels(), s.now())
	for i, g := range in.Groups {
		if g.Rules.OrgID == 0 {
			continue
		}
		if _, ok, err := s.people.OrgPath(ctx, g.Rules.OrgID); err != nil {
			return nil, web.Internal(err)
		} else if !ok {
			f.Add(fmt.Sprintf("groups[%d].rules.org_id", i), "组织不存在")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	pr := &Program{OwnerOrgID: p.OrgID, Title: in.Title, Kind: in.Kind, Year: in.Year, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	err := web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(pr).Error; err != nil {
			return web.AuditEntry{}, err
		}
		for i, g := range in.Groups {
			r := g.Rules
			row := Group{ProgramID: pr.ID, Name: g.Name, Levels: joinList(r.Levels), OrgID: r.OrgID, PostContains: r.PostContains,
				AppointedWithin: r.AppointedWithinMonths, Tags: joinList(r.Tags), Sort: i}
			if err := tx.Create(&row).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, "program.create", "program", pr.ID, map[string]any{"title": pr.Title, "kind": pr.Kind, "year": pr.Year, "groups": len(in.Groups)}), nil
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

func joinList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return "," + strings.Join(l, ",") + ","
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

// SetClasses replaces the classes that deliver a programme: each must exist
// and be one the caller hosts or oversees.
func (s *Service) SetClasses(ctx context.Context, p *web.Principal, id uint64, in ClassesRequest) (*Program, error) {
	pr, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	ids := []uint64{}
	for _, c := range in.ClassIDs {
		if !slices.Contains(ids, c) {
			ids = append(ids, c)
		}
	}
	if len(ids) > MaxClasses {
		return nil, web.Invalid(map[string]string{"class_ids": fmt.Sprintf("班次不能超过 %d 个", MaxClasses)})
	}
	problems, err := s.classes.ClassLinkProblems(ctx, p, ids)
	if err != nil {
		return nil, web.Internal(err)
	}
	for _, c := range ids {
		if problems[c] != "" {
			return nil, web.Unprocessable("class_not_linkable", fmt.Sprintf("班次 %d：%s", c, problems[c]))
		}
	}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Where("program_id = ?", id).Delete(&ProgramClass{}).Error; err != nil {
			return web.AuditEntry{}, err
		}
		for _, c := range ids {
			if err := tx.Create(&ProgramClass{ProgramID: id, ClassID: c}).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		if err := tx.Model(&Program{}).Where("id = ?", id).Update("updated_at", s.now().UTC()).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "program.classes", "program", id, map[string]any{"class_ids": ids}), nil
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

func (s *Service) classIDs(ctx context.Context, id uint64) ([]uint64, error) {
	ids := []uint64{}
	err := s.db.WithContext(ctx).Model(&ProgramClass{}).Where("program_id = ?", id).Order("class_id").Pluck("class_id", &ids).Error
	return ids, err
}

func (s *Service) groups(ctx context.Context, id uint64) ([]Group, error) {
	var out []Group
	err := s.db.WithContext(ctx).Where("program_id = ?", id).Order("sort, id").Find(&out).Error
	return out, err
}

func (s *Service) items(ctx context.Context, rows []Program) ([]ProgramItem, error) {
	orgs := make([]uint64, len(rows))
	for i, r := range rows {
		orgs[i] = r.OwnerOrgID
	}
	names, err := s.people.OrgNames(ctx, orgs)
	if err != nil {
		return nil, web.Internal(err)
	}
	out := make([]ProgramItem, len(rows))
	for i, r := range rows {
		out[i] = ProgramItem{ID: r.ID, Title: r.Title, Kind: r.Kind, KindName: KindNames[r.Kind], Year: r.Year, OwnerOrgID: r.OwnerOrgID,
			OwnerOrgName: names[r.OwnerOrgID], CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// List lists the programmes in the caller's scope, newest year first.
func (s *Service) List(ctx context.Context, p *web.Principal, year int, pg web.Page) ([]ProgramItem, int64, error) {
	if !canManage(p) {
		return nil, 0, web.Forbidden()
	}
	q := func() *gorm.DB {
		q := s.scoped(ctx, p)
		if year > 0 {
			q = q.Where("year = ?", year)
		}
		return q
	}
	var total int64
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var rows []Program
	if err := q().Order("year DESC, id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	items, err := s.items(ctx, rows)
	return items, total, err
}

// Detail is a programme with its groups and classes.
func (s *Service) Detail(ctx context.Context, p *web.Principal, id uint64) (ProgramResponse, error) {
	pr, err := s.Get(ctx, p, id)
	if err != nil {
		return ProgramResponse{}, err
	}
	items, err := s.items(ctx, []Program{*pr})
	if err != nil {
		return ProgramResponse{}, err
	}
	out := ProgramResponse{ProgramItem: items[0], Groups: []GroupResponse{}, Classes: []ClassItem{}}
	groups, err := s.groups(ctx, id)
	if err != nil {
		return out, web.Internal(err)
	}
	var orgs []uint64
	for _, g := range groups {
		orgs = append(orgs, g.OrgID)
	}
	names, err := s.people.OrgNames(ctx, orgs)
	if err != nil {
		return out, web.Internal(err)
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, GroupResponse{ID: g.ID, Name: g.Name, Rules: RulesResponse{Levels: splitList(g.Levels), OrgID: g.OrgID,
			OrgName: names[g.OrgID], PostContains: g.PostContains, AppointedWithinMonths: g.AppointedWithin, Tags: splitList(g.Tags)}})
	}
	ids, err := s.classIDs(ctx, id)
	if err != nil {
		return out, web.Internal(err)
	}
	titles, err := s.classes.ClassTitles(ctx, ids)
	if err != nil {
		return out, web.Internal(err)
	}
	for _, c := range ids {
		out.Classes = append(out.Classes, ClassItem{ID: c, Title: titles[c]})
	}
	return out, nil
}

// rule turns a group into what identity is asked.
func (s *Service) rule(ctx context.Context, g *Group) (Rule, error) {
	r := Rule{Levels: splitList(g.Levels), PostContains: g.PostContains, Tags: splitList(g.Tags)}
	if g.OrgID != 0 {
		path, ok, err := s.people.OrgPath(ctx, g.OrgID)
		if err != nil {
			return r, web.Internal(err)
		}
		if !ok {
			path = "/0/none/" // the org is gone: nobody
		}
		r.OrgPath = path
	}
	if g.AppointedWithin > 0 {
		r.AppointedSince = s.now().In(web.Shanghai).AddDate(0, -g.AppointedWithin, 0).Format(time.DateOnly)
	}
	return r, nil
}

func (s *Service) group(ctx context.Context, p *web.Principal, id, gid uint64) (*Group, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	return web.Load[Group](s.db.WithContext(ctx).Where("program_id = ?", id), gid)
}

// SampleSize is how many people a preview shows.
const SampleSize = 20

func personItems(in []Person) []PersonItem {
	out := make([]PersonItem, len(in))
	for i, x := range in {
		out[i] = PersonItem(x)
	}
	return out
}

// Preview counts the people a group selects and shows some of them.
func (s *Service) Preview(ctx context.Context, p *web.Principal, id, gid uint64) (PreviewResponse, error) {
	g, err := s.group(ctx, p, id, gid)
	if err != nil {
		return PreviewResponse{}, err
	}
	r, err := s.rule(ctx, g)
	if err != nil {
		return PreviewResponse{}, err
	}
	people, total, err := s.people.List(ctx, r, nil, nil, web.Page{Page: 1, PageSize: SampleSize})
	if err != nil {
		return PreviewResponse{}, web.Internal(err)
	}
	return PreviewResponse{Count: total, Sample: personItems(people)}, nil
}

// within is the org subtree a coverage query looks at (every org for 0).
func (s *Service) within(ctx context.Context, orgID uint64) (string, error) {
	if orgID == 0 {
		return "", nil
	}
	path, ok, err := s.people.OrgPath(ctx, orgID)
	if err != nil {
		return "", web.Internal(err)
	}
	if !ok {
		return "", web.Invalid(map[string]string{"org_id": "组织不存在"})
	}
	return path, nil
}

func counts(target, completed, reached int64) Counts {
	c := Counts{Target: target, Completed: completed, Registered: reached, NotReached: target - completed - reached}
	if target > 0 {
		c.Rate = math.Round(float64(completed)/float64(target)*10000) / 10000
	}
	return c
}

// Coverage counts, per group and per unit, the target people who graduated
// from a class of the programme, those registered and not yet graduated,
// and the rest.
func (s *Service) Coverage(ctx context.Context, p *web.Principal, id, orgID uint64) (CoverageResponse, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return CoverageResponse{}, err
	}
	within, err := s.within(ctx, orgID)
	if err != nil {
		return CoverageResponse{}, err
	}
	groups, err := s.groups(ctx, id)
	if err != nil {
		return CoverageResponse{}, web.Internal(err)
	}
	classes, err := s.classIDs(ctx, id)
	if err != nil {
		return CoverageResponse{}, web.Internal(err)
	}
	out := CoverageResponse{Groups: []GroupCoverage{}}
	for i := range groups {
		g := &groups[i]
		r, err := s.rule(ctx, g)
		if err != nil {
			return out, err
		}
		r.WithinPath = within
		tallies, err := s.people.Tally(ctx, r, s.classes.GraduatesOf(classes), s.classes.EnrolledIn(classes))
		if err != nil {
			return out, web.Internal(err)
		}
		orgs := make([]uint64, len(tallies))
		for j, t := range tallies {
			orgs[j] = t.OrgID
		}
		names, err := s.people.OrgNames(ctx, orgs)
		if err != nil {
			return out, web.Internal(err)
		}
		gc := GroupCoverage{ID: g.ID, Name: g.Name, Units: []UnitCoverage{}}
		var target, completed, reached int64
		for _, t := range tallies {
			target, completed, reached = target+t.Target, completed+t.Completed, reached+t.Reached
			gc.Units = append(gc.Units, UnitCoverage{OrgID: t.OrgID, OrgName: names[t.OrgID], Counts: counts(t.Target, t.Completed, t.Reached)})
		}
		gc.Counts = counts(target, completed, reached)
		out.Groups = append(out.Groups, gc)
	}
	return out, nil
}

// Statuses of a target person in a programme.
const (
	StatusCompleted  = "completed"
	StatusRegistered = "registered"
	StatusNotReached = "not_reached"
)

// StatusNames are the Chinese names of the statuses.
var StatusNames = map[string]string{StatusCompleted: "已完成", StatusRegistered: "已报名未结业", StatusNotReached: "未覆盖"}

// PeopleFilter picks the people of a coverage list.
type PeopleFilter struct {
	GroupID uint64
	Status  string
	OrgID   uint64
}

// CoveragePeople lists a page of one group's people in one status.
func (s *Service) CoveragePeople(ctx context.Context, p *web.Principal, id uint64, f PeopleFilter, pg web.Page) ([]PersonItem, int64, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, 0, err
	}
	fields := map[string]string{}
	if f.GroupID == 0 {
		fields["group_id"] = "请选择分组"
	}
	if StatusNames[f.Status] == "" {
		fields["status"] = "状态应为 not_reached、registered 或 completed"
	}
	if len(fields) > 0 {
		return nil, 0, web.Invalid(fields)
	}
	g, err := s.group(ctx, p, id, f.GroupID)
	if err != nil {
		return nil, 0, err
	}
	r, err := s.rule(ctx, g)
	if err != nil {
		return nil, 0, err
	}
	if r.WithinPath, err = s.within(ctx, f.OrgID); err != nil {
		return nil, 0, err
	}
	classes, err := s.classIDs(ctx, id)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	done, enrolled := s.classes.GraduatesOf(classes), s.classes.EnrolledIn(classes)
	var in, notIn []*gorm.DB
	switch f.Status {
	case StatusCompleted:
		in = []*gorm.DB{done}
	case StatusRegistered:
		in, notIn = []*gorm.DB{enrolled}, []*gorm.DB{done}
	default:
		notIn = []*gorm.DB{done, enrolled}
	}
	people, total, err := s.people.List(ctx, r, in, notIn, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	return personItems(people), total, nil
}
