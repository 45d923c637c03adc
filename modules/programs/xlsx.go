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
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "人员名单"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range []float64{10, 16, 30, 14, 14} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", []any{"编号", "姓名", "单位", "职级", "覆盖情况"}); err != nil {
		return err
	}
	for i, it := range items {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{it.ID, it.Name, it.OrgName, it.Level, status}); err != nil {
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
