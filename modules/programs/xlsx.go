package programs

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// exportLimit bounds the rows of one export; a larger group is exported
// unit by unit (org_id).
const exportLimit = 50000

// ExportPeople loads one group's people in one status for an Excel
// download and records the export; the returned function writes the
// workbook and the name is the file's.
func (s *Service) ExportPeople(ctx context.Context, p *web.Principal, id uint64, f PeopleFilter) (func(w io.Writer) error, string, error) {
	items, total, err := s.CoveragePeople(ctx, p, id, f, web.Page{Page: 1, PageSize: exportLimit})
	if err != nil {
		return nil, "", err
	}
	if total > exportLimit {
		return nil, "", web.Unprocessable("too_many_rows", fmt.Sprintf("名单共 %d 人，超过 %d 人，请按单位分别导出", total, exportLimit))
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.program_people", "program", id,
		map[string]any{"group_id": f.GroupID, "status": f.Status, "org_id": f.OrgID, "rows": len(items)})); err != nil {
		return nil, "", web.AuditUnavailable(err)
	}
	name := "项目人员名单（" + StatusNames[f.Status] + "）.xlsx"
	return func(w io.Writer) error { return writePeople(w, StatusNames[f.Status], items) }, name, nil
}

// writePeople streams the list into a one-sheet workbook.
func writePeople(w io.Writer, status string, items []PersonItem) error {
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = []any{it.ID, it.Name, it.OrgName, it.Level, status}
	}
	return writeSheet(w, "人员名单", []float64{10, 16, 30, 14, 14}, []any{"编号", "姓名", "单位", "职级", "覆盖情况"}, rows)
}

// Export loads the programmes of the list for an Excel download and records
// the export.
func (s *Service) Export(ctx context.Context, p *web.Principal, year int) (func(w io.Writer) error, error) {
	items, _, err := s.List(ctx, p, year, web.Page{Page: 1, PageSize: exportLimit})
	if err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.programs", "program", 0, map[string]any{"year": year, "rows": len(items)})); err != nil {
		return nil, web.AuditUnavailable(err)
	}
	return func(w io.Writer) error {
		rows := make([][]any, len(items))
		for i, it := range items {
			rows[i] = []any{it.ID, it.Title, it.KindName, it.Year, it.OwnerOrgName}
		}
		return writeSheet(w, "重点培训项目", []float64{8, 40, 16, 8, 24}, []any{"编号", "项目名称", "类别", "年度", "主办单位"}, rows)
	}, nil
}

// writeSheet streams rows under a header into a one-sheet workbook.
func writeSheet(w io.Writer, sheet string, widths []float64, header []any, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("programs: write workbook: %w", err)
	}
	return nil
}
