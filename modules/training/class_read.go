package training

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"
)

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
	found, err := s.orgTree.OrgsByID(ctx, db.SplitIDs(c.AudienceOrgs))
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

// ClassDetail is a class the caller may see (GetClass) with its response.
func (s *Service) ClassDetail(ctx context.Context, p *web.Principal, id uint64) (*Class, ClassResponse, error) {
	c, err := s.GetClass(ctx, p, id)
	if err != nil {
		return nil, ClassResponse{}, err
	}
	d, err := s.Detail(ctx, p, c)
	return c, d, err
}

// Detail assembles the response of a class; codes only for its host.
func (s *Service) Detail(ctx context.Context, p *web.Principal, c *Class) (ClassResponse, error) {
	r := ClassResponse{ID: c.ID, Title: c.Title, Kind: c.Kind, HostOrgID: c.HostOrgID, HostName: s.people.OrgName(ctx, c.HostOrgID),
		Entrusted: c.Entrusted, CoHostOrgID: c.CoHostOrgID, StartsOn: c.StartsOn, EndsOn: c.EndsOn, Days: c.Days(), Place: c.Place, Online: c.Online,
		Quota: c.Quota, Enrolled: c.Enrolled, Hours: s.classHours(ctx, c), SelfRegistration: c.SelfRegister, AutoApprove: c.AutoApprove,
		Waitlist: c.Waitlist, Levels: db.SplitList(c.Levels), AudienceOrgIDs: db.SplitIDs(c.AudienceOrgs), FollowUp: c.FollowUp,
		Contact: c.Contact, ContactPhone: c.ContactPhone, Description: c.Description, MinAttendance: c.MinAttendance,
		RequireCourses: c.RequireCourses, ExamID: c.ExamID, RequireEvaluation: c.RequireEval,
		Status: s.effectiveStatus(c), RejectReason: c.RejectReason}
	r.StatusName = StatusNames[r.Status]
	r.BaseID, r.BaseName = c.BaseID, s.baseName(ctx, c.BaseID)
	if c.CoHostOrgID != 0 {
		r.CoHostName = s.people.OrgName(ctx, c.CoHostOrgID)
	}
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
	r := SessionResponse{ID: x.ID, Topic: x.Topic, Teacher: x.Teacher, TeacherID: x.TeacherID, Place: x.Place, Site: x.Site, StartsAt: x.StartsAt, EndsAt: x.EndsAt, Hours: x.Hours}
	if withCode {
		r.Code = x.Code
	}
	return r
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

// OpenClassSummary is what the public portal shows of a class taking
// registrations.
type OpenClassSummary struct {
	ID          uint64
	HostOrgID   uint64
	Title       string
	StartsOn    string
	EndsOn      string
	Place       string
	Online      bool
	Quota       int
	Enrolled    int
	RegClosesAt time.Time
}

// PublicOpenClasses lists up to limit classes whose registration is open now,
// soonest first; hostOrgID, when not 0, keeps those of one host.
func (s *Service) PublicOpenClasses(ctx context.Context, hostOrgID uint64, limit int) ([]OpenClassSummary, error) {
	q := s.db.WithContext(ctx).Where("status = ?", StatusOpen)
	if hostOrgID != 0 {
		q = q.Where("host_org_id = ?", hostOrgID)
	}
	var rows []Class
	if err := q.Order("starts_on, id").Limit(200).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("training: open classes: %w", err)
	}
	out := []OpenClassSummary{}
	for i := range rows {
		c := &rows[i]
		if s.effectiveStatus(c) != StatusOpen || len(out) >= limit {
			continue
		}
		out = append(out, OpenClassSummary{ID: c.ID, HostOrgID: c.HostOrgID, Title: c.Title, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
			Place: c.Place, Online: c.Online, Quota: c.Quota, Enrolled: c.Enrolled, RegClosesAt: c.RegClosesAt})
	}
	return out, nil
}
