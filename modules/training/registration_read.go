package training

import (
	"context"
	"errors"
	"strings"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// RegistrationFilter selects the registrations of a class.
type RegistrationFilter struct {
	Status string
	Q      string
}

// ClassRegistrations lists a class's registrations: all of them for its
// host and the org department, the cadres of their own units for a unit admin.
func (s *Service) ClassRegistrations(ctx context.Context, p *web.Principal, classID uint64, f RegistrationFilter, pg web.Page) ([]RegistrationResponse, int64, error) {
	c, err := s.GetClass(ctx, p, classID)
	if err != nil {
		return nil, 0, err
	}
	return s.classRegistrations(ctx, p, c, s.isManager(ctx, p, c), f, pg)
}

// classRegistrations lists the registrations of a class the caller may
// see: all of them for a manager.
func (s *Service) classRegistrations(ctx context.Context, p *web.Principal, c *Class, manager bool, f RegistrationFilter, pg web.Page) ([]RegistrationResponse, int64, error) {
	q := s.db.WithContext(ctx).Model(&Registration{}).Where("class_id = ?", c.ID)
	if !manager {
		// Units (and an org department not over the host) see their own cadres only.
		if !p.HasAny(web.RoleUnitAdmin, web.RoleOrgAdmin) {
			return nil, 0, web.Forbidden()
		}
		q = q.Scopes(web.OrgScope(p, "org_id"))
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Q != "" {
		q = q.Where("user_id IN (?)", s.people.IDsLike(f.Q))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var rows []Registration
	if err := q.Order("created_at, id").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	out, err := s.responses(ctx, rows, nil)
	return out, total, err
}

// responses names the cadres of registrations.
func (s *Service) responses(ctx context.Context, rows []Registration, titles map[uint64]string) ([]RegistrationResponse, error) {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	people, err := s.people.People(ctx, ids)
	if err != nil {
		return nil, web.Internal(err)
	}
	out := make([]RegistrationResponse, len(rows))
	for i, r := range rows {
		u := people[r.UserID]
		out[i] = RegistrationResponse{ID: r.ID, ClassID: r.ClassID, ClassTitle: titles[r.ClassID], UserID: r.UserID, Name: u.Name, Username: u.Username,
			OrgID: r.OrgID, OrgName: u.OrgName, Level: u.Level, Post: u.Post, Status: r.Status, StatusName: RegStatusNames[r.Status],
			Source: r.Source, Flags: db.SplitList(r.Flags), Note: r.Note, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// Summary is a class in a list.
func (s *Service) Summary(ctx context.Context, c *Class) ClassSummary {
	st := s.effectiveStatus(c)
	return ClassSummary{ID: c.ID, Title: c.Title, Kind: c.Kind, HostName: s.people.OrgName(ctx, c.HostOrgID), StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		Place: c.Place, Online: c.Online, Quota: c.Quota, Enrolled: c.Enrolled, Hours: s.classHours(ctx, c), SelfRegistration: c.SelfRegister,
		Status: st, StatusName: StatusNames[st], ClosesAt: c.RegClosesAt}
}

// MyRegistrations lists the caller's classes, newest first.
func (s *Service) MyRegistrations(ctx context.Context, p *web.Principal) ([]MyRegistration, error) {
	var rows []Registration
	if err := s.db.WithContext(ctx).Where("user_id = ? AND status <> ?", p.UserID, RegReplaced).Order("created_at DESC, id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ClassID
	}
	var classes []Class
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&classes).Error; err != nil {
			return nil, web.Internal(err)
		}
	}
	byID := map[uint64]*Class{}
	for i := range classes {
		byID[classes[i].ID] = &classes[i]
	}
	resp, err := s.responses(ctx, rows, nil)
	if err != nil {
		return nil, err
	}
	out := make([]MyRegistration, 0, len(rows))
	for i := range rows {
		c := byID[rows[i].ClassID]
		if c == nil {
			continue
		}
		resp[i].ClassTitle = c.Title
		out = append(out, MyRegistration{RegistrationResponse: resp[i], Class: s.Summary(ctx, c)})
	}
	return out, nil
}

// MyRegistrationIn returns the caller's registration in a class, nil when none.
func (s *Service) MyRegistrationIn(ctx context.Context, p *web.Principal, classID uint64) (*Registration, error) {
	var r Registration
	err := s.db.WithContext(ctx).Where("class_id = ? AND user_id = ?", classID, p.UserID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &r, nil
}

// UnitUseOf tells a unit admin how much of the class their unit has used.
func (s *Service) UnitUseOf(ctx context.Context, p *web.Principal, classID uint64) (UnitUse, error) {
	var u UnitUse
	var quotas []Quota
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Find(&quotas).Error; err != nil {
		return u, web.Internal(err)
	}
	for _, q := range quotas {
		path := s.orgPath(ctx, q.OrgID)
		if path != "" && (p.InScope(path) || strings.HasPrefix(p.OrgPath, path)) {
			u.Quota += q.Quota
			u.Used += q.Used
		}
	}
	type row struct {
		Status string
		N      int
	}
	var rows []row
	err := s.db.WithContext(ctx).Model(&Registration{}).Select("status, COUNT(*) AS n").Where("class_id = ?", classID).
		Scopes(web.OrgScope(p, "org_id")).Group("status").Scan(&rows).Error
	if err != nil {
		return u, web.Internal(err)
	}
	for _, r := range rows {
		switch r.Status {
		case RegWaitlisted:
			u.Waitlisted += r.N
			u.Nominated += r.N
		case RegPending, RegApproved, RegGraduated, RegIncomplete, RegAbsent:
			u.Nominated += r.N
		}
	}
	return u, nil
}
