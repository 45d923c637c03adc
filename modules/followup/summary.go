package followup

import (
	"context"
	"sort"

	"college/modules/hours"
	"college/modules/web"

	"gorm.io/gorm"
)

// SummaryFilter narrows the annual summary.
type SummaryFilter struct {
	Year    int
	ClassID uint64
	OrgID   uint64
}

// Summary counts the rounds of a year by status and conclusion, per class
// and per unit, over the plans the caller oversees: the org department and
// the host college their plans, a unit admin the cadres of the unit.
func (s *Service) Summary(ctx context.Context, p *web.Principal, f SummaryFilter) (SummaryResponse, error) {
	if f.Year == 0 {
		f.Year = s.now().In(web.Shanghai).Year()
	}
	orgCond, orgArgs, err := s.orgFilter(ctx, p, f.OrgID)
	if err != nil {
		return SummaryResponse{}, err
	}
	q := s.db.WithContext(ctx).Table("followup_rounds AS r").Joins("JOIN followup_plans AS pl ON pl.id = r.plan_id").
		Where("r.year = ?", f.Year).Where(orgCond, orgArgs...)
	q = q.Scopes(func(q *gorm.DB) *gorm.DB {
		if p.HasAny(web.RoleOrgAdmin, web.RoleCollegeAdmin) {
			return manageScope(p)(q)
		}
		return unitScope(p)(q)
	})
	if f.ClassID != 0 {
		q = q.Where("pl.class_id = ?", f.ClassID)
	}
	type row struct {
		ClassID    uint64
		ClassTitle string
		OrgID      uint64
		Status     string
		Conclusion string
		DueOn      string
		N          int
	}
	var rows []row
	err = q.Select("pl.class_id, pl.class_title, pl.org_id, r.status, r.conclusion, r.due_on, COUNT(*) AS n").
		Group("pl.class_id, pl.class_title, pl.org_id, r.status, r.conclusion, r.due_on").Scan(&rows).Error
	if err != nil {
		return SummaryResponse{}, web.Internal(err)
	}
	today := s.today()
	out := SummaryResponse{Year: f.Year, Total: newSummaryRow(0, "合计"), ByClass: []SummaryRow{}, ByUnit: []SummaryRow{}}
	classes, units := map[uint64]*SummaryRow{}, map[uint64]*SummaryRow{}
	for _, x := range rows {
		c := classes[x.ClassID]
		if c == nil {
			r := newSummaryRow(x.ClassID, x.ClassTitle)
			c = &r
			classes[x.ClassID] = c
		}
		u := units[x.OrgID]
		if u == nil {
			r := newSummaryRow(x.OrgID, s.people.OrgName(ctx, x.OrgID))
			u = &r
			units[x.OrgID] = u
		}
		for _, t := range []*SummaryRow{c, u, &out.Total} {
			t.add(x.Status, x.Conclusion, x.Status == RoundPending && x.DueOn < today, x.N)
		}
	}
	for _, c := range classes {
		out.ByClass = append(out.ByClass, *c)
	}
	for _, u := range units {
		out.ByUnit = append(out.ByUnit, *u)
	}
	sort.Slice(out.ByClass, func(i, j int) bool { return out.ByClass[i].ID < out.ByClass[j].ID })
	sort.Slice(out.ByUnit, func(i, j int) bool { return out.ByUnit[i].ID < out.ByUnit[j].ID })
	return out, nil
}

func newSummaryRow(id uint64, name string) SummaryRow {
	r := SummaryRow{ID: id, Name: name, Conclusions: map[string]int{}}
	for _, c := range Conclusions {
		r.Conclusions[c] = 0
	}
	return r
}

func (r *SummaryRow) add(status, conclusion string, overdue bool, n int) {
	r.Rounds += n
	switch status {
	case RoundPending:
		r.Pending += n
	case RoundDone:
		r.Done += n
		if conclusion != "" {
			r.Conclusions[conclusion] += n
		}
	case RoundCancelled:
		r.Cancelled += n
	}
	if overdue {
		r.Overdue += n
	}
}

// ArchiveNotes lists the conclusions of a cadre's finished rounds for the
// learning archive (学习档案), newest year first.
func (s *Service) ArchiveNotes(ctx context.Context, userID uint64) ([]hours.ArchiveNote, error) {
	var rounds []Round
	if err := s.db.WithContext(ctx).Where("user_id = ? AND status = ?", userID, RoundDone).Order("year DESC, id DESC").Limit(200).Find(&rounds).Error; err != nil {
		return nil, err
	}
	if len(rounds) == 0 {
		return nil, nil
	}
	planIDs := make([]uint64, len(rounds))
	for i, r := range rounds {
		planIDs[i] = r.PlanID
	}
	var plans []Plan
	if err := s.db.WithContext(ctx).Where("id IN ?", planIDs).Find(&plans).Error; err != nil {
		return nil, err
	}
	titles := map[uint64]string{}
	for _, p := range plans {
		titles[p.ID] = p.ClassTitle
	}
	out := make([]hours.ArchiveNote, 0, len(rounds))
	for _, r := range rounds {
		out = append(out, hours.ArchiveNote{Year: r.Year, Title: titles[r.PlanID], Result: r.Conclusion, Date: dateOf(r.CompletedAt)})
	}
	return out, nil
}
