package dashboard

import (
	"context"
	"fmt"
	"io"
	"strings"

	"college/modules/training"
	"college/modules/web"
)

// Sheet names of the section exports.
const (
	SheetCoverage       = "培训覆盖"
	SheetCoveragePeople = "未覆盖人员"
	SheetLeadersDue     = "应训领导干部"
	SheetRegistrations  = "报名与名额"
	SheetClasses        = "班次明细"
	SheetFollowup       = "跟踪问效"
	SheetSatisfaction   = "评估满意度"
	SheetEvaluations    = "评估明细"
)

// nextSheet ends the sheet being written and starts another in the same
// workbook.
func (s *sheetWriter) nextSheet(name string, widths []float64) error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	if _, err := s.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := s.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	s.sw, s.row = sw, 0
	return nil
}

// rows writes rows, stopping at the first error.
func (s *sheetWriter) rows(rows [][]any) error {
	for _, r := range rows {
		if err := s.add(r...); err != nil {
			return err
		}
	}
	return nil
}

// CoverageHeader is the header row of the coverage export; the kinds of
// class follow it.
var CoverageHeader = []any{"单位", "干部人数", "已覆盖", "未覆盖", "覆盖率", "县处级及以上", "应训领导干部"}

// WriteCoverage writes the coverage of the org and its units.
func WriteCoverage(w io.Writer, c Coverage) error {
	s, err := newSheet(SheetCoverage, []float64{30, 10, 10, 10, 10, 12, 12, 10, 10, 10, 10, 10, 10, 10})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	kind := "各类班次"
	if c.Kind != "" {
		kind = c.Kind
	}
	head := append(append([]any{}, CoverageHeader...), kindsAny()...)
	row := func(name string, t CoverageTally) []any {
		r := []any{name, t.Cadres, t.Covered, t.Uncovered(), t.Rate(), t.Seniors, t.Due}
		for _, k := range training.Kinds {
			r = append(r, t.ByKind[k])
		}
		return r
	}
	rows := [][]any{{fmt.Sprintf("%s %s—%s 培训覆盖情况（%s）", c.Org.Name, c.From, c.To, kind)}, head, row(c.Org.Name+"（合计）", c.CoverageTally)}
	for _, u := range c.Units {
		rows = append(rows, row(unitName(u.Org, u.Own), u.V))
	}
	if err := s.rows(rows); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	return s.finish(w)
}

func kindsAny() []any {
	out := make([]any, len(training.Kinds))
	for i, k := range training.Kinds {
		out[i] = k
	}
	return out
}

// CoveragePeopleHeader is the header row of the coverage people export.
var CoveragePeopleHeader = []any{"姓名", "单位", "职级", "已参加班次类型", "周期累计集中培训", "应训"}

// WriteCoveragePeople writes the listed cadres.
func WriteCoveragePeople(w io.Writer, status string, rows []CoveragePerson) error {
	name := SheetCoveragePeople
	if status == CoverDue {
		name = SheetLeadersDue
	}
	s, err := newSheet(name, []float64{12, 28, 10, 24, 16, 8})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	if err := s.add(CoveragePeopleHeader...); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	for _, r := range rows {
		cycle, due := any(""), ""
		if r.Senior {
			cycle = r.Cycle
		}
		if r.Due {
			due = "是"
		}
		if err := s.add(r.Name, r.OrgName, r.Level, strings.Join(r.Kinds, "、"), cycle, due); err != nil {
			return fmt.Errorf("dashboard export: %w", err)
		}
	}
	return s.finish(w)
}

// QuotaHeader is the figures' part of the registration export's rows.
var QuotaHeader = []any{"分配名额", "已用名额", "名额使用率", "报名人数", "待审核", "已录取", "候补"}

func quotaCells(t QuotaTally) []any {
	return []any{t.Quota, t.Used, t.UsedRate(), t.Registered, t.Pending, t.Approved, t.Waitlisted}
}

// WriteRegistrations writes the units, then the classes on a second sheet.
func WriteRegistrations(w io.Writer, r Registrations) error {
	s, err := newSheet(SheetRegistrations, []float64{30, 10, 10, 12, 10, 10, 10, 10})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	rows := [][]any{{fmt.Sprintf("%s %d 年度报名与名额使用情况", r.Org.Name, r.Year)}, append([]any{"单位"}, QuotaHeader...),
		append([]any{r.Org.Name + "（合计）"}, quotaCells(r.QuotaTally)...)}
	for _, u := range r.Units {
		rows = append(rows, append([]any{unitName(u.Org, u.Own)}, quotaCells(u.V)...))
	}
	if err := s.rows(rows); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	if err := s.nextSheet(SheetClasses, []float64{36, 10, 12, 10, 10, 12, 10, 10, 10, 10}); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	rows = [][]any{append([]any{"班次", "类型", "开班日期"}, QuotaHeader...)}
	for _, c := range r.Classes {
		rows = append(rows, append([]any{c.Title, c.Kind, c.StartsOn}, quotaCells(c.QuotaTally)...))
	}
	if err := s.rows(rows); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	return s.finish(w)
}

// WriteFollowup writes the follow-up rounds of the org and its units.
func WriteFollowup(w io.Writer, f Followups) error {
	s, err := newSheet(SheetFollowup, []float64{30, 10, 10, 10, 10, 10, 10})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	row := func(name string, t FollowupTally) []any {
		return []any{name, t.Due, t.Done, t.Pending, t.Overdue, t.Cancelled, t.CompletionRate()}
	}
	rows := [][]any{{fmt.Sprintf("%s %d 年度跟踪问效情况", f.Org.Name, f.Year)}, {"单位", "应问效", "已完成", "待问效", "已逾期", "已取消", "完成率"},
		row(f.Org.Name+"（合计）", f.FollowupTally)}
	for _, u := range f.Units {
		rows = append(rows, row(unitName(u.Org, u.Own), u.V))
	}
	if err := s.rows(rows); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	return s.finish(w)
}

// WriteSatisfaction writes the colleges, then the evaluations on a second
// sheet.
func WriteSatisfaction(w io.Writer, x Satisfaction) error {
	s, err := newSheet(SheetSatisfaction, []float64{30, 10, 10, 10, 12, 10, 14})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	yes := func(b bool) string {
		if b {
			return "达标"
		}
		return "未达标"
	}
	row := func(name string, t SatisfactionTally) []any {
		return []any{name, t.Evaluations, t.Responses, t.Score(), t.Rate(), yes(x.Meets(t.Top2, t.Ratings)), t.Meeting}
	}
	rows := [][]any{{fmt.Sprintf("%s %d 年度评估满意度（达标线 %.0f%%）", x.Org.Name, x.Year, x.Bar*100)},
		{"主办学院", "评估次数", "评价人次", "平均得分", "满意率", "是否达标", "达标评估次数"}, row(x.Org.Name+"（合计）", x.SatisfactionTally)}
	for _, c := range x.Colleges {
		rows = append(rows, row(c.College.Name, c.SatisfactionTally))
	}
	if err := s.rows(rows); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	if err := s.nextSheet(SheetEvaluations, []float64{24, 36, 10, 10, 10, 10}); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	rows = [][]any{{"主办学院", "评估对象", "评价人次", "平均得分", "满意率", "是否达标"}}
	for _, e := range x.Items {
		rows = append(rows, []any{e.College.Name, e.TargetLabel, e.Responses, e.Score(), e.Rate(), yes(x.Meets(e.Top2, e.Ratings))})
	}
	if err := s.rows(rows); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	return s.finish(w)
}

// CoverageExport is the coverage for its export, recorded in the audit log.
func (s *Service) CoverageExport(ctx context.Context, p *web.Principal, orgID uint64, years int, kind string) (Coverage, error) {
	c, err := s.Coverage(ctx, p, orgID, years, kind)
	if err != nil {
		return c, err
	}
	return c, s.exported(ctx, p, "coverage", c.Org, map[string]any{"years": c.Years, "kind": kind})
}

// CoveragePeopleExport is every listed cadre, named, for the export,
// recorded in the audit log.
func (s *Service) CoveragePeopleExport(ctx context.Context, p *web.Principal, orgID uint64, years int, kind, status string) (Org, []CoveragePerson, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return org, nil, err
	}
	rows, err := s.coverageMatching(ctx, org, s.CoverageYears(ctx, years), kind, status, s.Rules(ctx))
	if err != nil {
		return org, nil, web.Internal(err)
	}
	out, err := s.namedCoverage(ctx, rows)
	if err != nil {
		return org, nil, web.Internal(err)
	}
	return org, out, s.exported(ctx, p, "coverage_people", org, map[string]any{"years": years, "kind": kind, "status": status, "rows": len(out)})
}

// RegistrationsExport is the registrations section for its export.
func (s *Service) RegistrationsExport(ctx context.Context, p *web.Principal, orgID uint64, year int) (Registrations, error) {
	r, err := s.Registrations(ctx, p, orgID, year)
	if err != nil {
		return r, err
	}
	return r, s.exported(ctx, p, "registrations", r.Org, map[string]any{"year": year})
}

// FollowupExport is the follow-up section for its export.
func (s *Service) FollowupExport(ctx context.Context, p *web.Principal, orgID uint64, year int) (Followups, error) {
	f, err := s.Followups(ctx, p, orgID, year)
	if err != nil {
		return f, err
	}
	return f, s.exported(ctx, p, "followup", f.Org, map[string]any{"year": year})
}

// SatisfactionExport is the satisfaction section for its export.
func (s *Service) SatisfactionExport(ctx context.Context, p *web.Principal, orgID uint64, year int) (Satisfaction, error) {
	x, err := s.Satisfaction(ctx, p, orgID, year)
	if err != nil {
		return x, err
	}
	return x, s.exported(ctx, p, "satisfaction", x.Org, map[string]any{"year": year})
}
