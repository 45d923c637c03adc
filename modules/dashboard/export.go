package dashboard

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the exports.
const (
	SheetCompliance = "学时达标"
	SheetPeople     = "干部明细"
	SheetExams      = "考试情况"
)

// sheetWriter streams rows into one sheet of a new workbook.
type sheetWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newSheet(name string, widths []float64) (*sheetWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	return &sheetWriter{f: f, sw: sw}, nil
}

// add writes one row; strings are written as text, never as formulas.
func (s *sheetWriter) add(vals ...any) error {
	s.row++
	cells := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case web.Hours:
			cells[i] = x.Float()
		case string:
			cells[i] = excelize.Cell{Value: x}
		default:
			cells[i] = v
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, s.row)
	return s.sw.SetRow(cell, cells)
}

func (s *sheetWriter) finish(w io.Writer) error {
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	return s.f.Write(w)
}

// WriteCompliance writes the summary and its units.
func WriteCompliance(w io.Writer, c Compliance) error {
	s, err := newSheet(SheetCompliance, []float64{30, 10, 10, 10, 10})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	rows := [][]any{
		{fmt.Sprintf("%s %d 年度学时达标情况", c.Org.Name, c.Year)},
		{"单位", "干部人数", "达标", "未达标", "达标率"},
		{c.Org.Name + "（合计）", c.Cadres, c.Met, c.Behind, c.Rate()},
	}
	for _, u := range c.Units {
		rows = append(rows, []any{unitName(u.Org, u.Own), u.Cadres, u.Met, u.Behind, u.Rate()})
	}
	for _, r := range rows {
		if err := s.add(r...); err != nil {
			return fmt.Errorf("dashboard export: %w", err)
		}
	}
	return s.finish(w)
}

// PeopleHeader is the header row of the people export.
var PeopleHeader = []any{"姓名", "单位", "职级", "网络学习", "网络要求", "网络差额", "集中培训（本年）", "周期累计集中培训", "集中要求", "集中差额", "状态"}

// WritePeople writes every listed cadre.
func WritePeople(w io.Writer, rows []PersonRow) error {
	s, err := newSheet(SheetPeople, []float64{12, 28, 10, 10, 10, 10, 14, 16, 10, 10, 8})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	if err := s.add(PeopleHeader...); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	for _, r := range rows {
		cycle := any("")
		if r.Senior {
			cycle = r.Cycle
		}
		if err := s.add(r.Name, r.OrgName, r.Level, r.Online, r.OnlineTarget, r.OnlineGap, r.Centralized, cycle,
			r.CentralizedTarget, r.CentralizedGap, StatusNames[StatusOf(r.Met)]); err != nil {
			return fmt.Errorf("dashboard export: %w", err)
		}
	}
	return s.finish(w)
}

// WriteExams writes the exams by unit.
func WriteExams(w io.Writer, b ExamBoard) error {
	s, err := newSheet(SheetExams, []float64{36, 28, 10, 10, 10, 10})
	if err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	if err := s.add("考试", "单位", "参考人数", "交卷人数", "通过人数", "通过率"); err != nil {
		return fmt.Errorf("dashboard export: %w", err)
	}
	for _, r := range b.Rows {
		if err := s.add(r.ExamTitle, unitName(r.Unit, r.Own), r.Candidates, r.Sat, r.Passed, r.PassRate()); err != nil {
			return fmt.Errorf("dashboard export: %w", err)
		}
	}
	return s.finish(w)
}

// StatusNames are the Chinese names of the statuses.
var StatusNames = map[string]string{StatusMet: "达标", StatusBehind: "未达标"}

// exported records an export of the dashboards (they name cadres and
// their standing) before it is written.
func (s *Service) exported(ctx context.Context, p *web.Principal, what string, org Org, detail map[string]any) error {
	return s.d.Audit.Record(ctx, web.AuditBy(p, "export.dashboard_"+what, "org", org.ID, detail))
}

// ComplianceExport is the summary for its export, recorded in the audit log.
func (s *Service) ComplianceExport(ctx context.Context, p *web.Principal, orgID uint64, year int) (Compliance, error) {
	c, err := s.Compliance(ctx, p, orgID, year)
	if err != nil {
		return c, err
	}
	return c, s.exported(ctx, p, "compliance", c.Org, map[string]any{"year": year})
}

// PeopleExport is every cadre of the people list, named, for its export,
// recorded in the audit log.
func (s *Service) PeopleExport(ctx context.Context, p *web.Principal, orgID uint64, year int, status string) (Org, []PersonRow, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return org, nil, err
	}
	rows, err := s.matching(ctx, org, year, s.Rules(ctx), status)
	if err != nil {
		return org, nil, web.Internal(err)
	}
	out := make([]PersonRow, 0, len(rows))
	for i := 0; i < len(rows); i += 1000 {
		part, err := s.named(ctx, rows[i:min(i+1000, len(rows))])
		if err != nil {
			return org, nil, web.Internal(err)
		}
		out = append(out, part...)
	}
	return org, out, s.exported(ctx, p, "people", org, map[string]any{"year": year, "status": status, "rows": len(out)})
}

// ExamsExport is the exam board for its export, recorded in the audit log.
func (s *Service) ExamsExport(ctx context.Context, p *web.Principal, orgID uint64, year int) (ExamBoard, error) {
	b, err := s.Exams(ctx, p, orgID, year)
	if err != nil {
		return b, err
	}
	return b, s.exported(ctx, p, "exams", b.Org, map[string]any{"year": year})
}
