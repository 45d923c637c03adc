package bases

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// exportLimit bounds the rows of one export (a city has some hundreds of bases).
const exportLimit = 50000

// Export loads the bases of the admin list for an Excel download and
// records the export; the returned function writes the workbook.
func (s *Service) Export(ctx context.Context, p *web.Principal, f Filter) (func(w io.Writer) error, error) {
	if !canApply(p) {
		return nil, web.Forbidden()
	}
	var rows []Base
	if err := f.apply(s.scoped(ctx, p)).Order("created_at DESC, id DESC").Limit(exportLimit).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.bases", "base", 0, map[string]any{"rows": len(rows)})); err != nil {
		return nil, web.AuditUnavailable(err)
	}
	items := make([]BaseItem, len(rows))
	for i := range rows {
		items[i] = s.item(ctx, &rows[i])
	}
	return func(w io.Writer) error { return writeBases(w, rows, items) }, nil
}

// writeBases streams the list into a one-sheet workbook.
func writeBases(w io.Writer, rows []Base, items []BaseItem) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "培训基地"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range []float64{8, 30, 20, 24, 30, 10, 12, 12, 16, 12} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	header := []any{"编号", "基地名称", "类别", "管理单位", "地址", "容纳人数", "联系人", "办公电话", "状态", "备案日期"}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, it := range items {
		filed := ""
		if it.FiledAt != nil {
			filed = it.FiledAt.In(web.Shanghai).Format("2006-01-02")
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{it.ID, it.Name, it.KindName, it.OrgName, it.Address, it.Capacity, rows[i].Contact, rows[i].OfficePhone, it.StatusName, filed}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("bases: write workbook: %w", err)
	}
	return nil
}
