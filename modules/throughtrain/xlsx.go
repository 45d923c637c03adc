package throughtrain

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// exportLimit bounds the rows of one export.
const exportLimit = 50000

// Export loads the threads p may see for an Excel download and records the
// export; the returned function writes the workbook.
func (s *Service) Export(ctx context.Context, p *web.Principal, f Filter) (func(w io.Writer) error, error) {
	var rows []Thread
	q := f.apply(visibleTo(s.db.WithContext(ctx).Model(&Thread{}), p))
	if err := q.Order("updated_at DESC, id DESC").Limit(exportLimit).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.throughtrain", "through_train", 0, map[string]any{"rows": len(rows)})); err != nil {
		return nil, web.AuditUnavailable(err)
	}
	return func(w io.Writer) error { return writeThreads(w, rows) }, nil
}

// writeThreads streams the list into a one-sheet workbook.
func writeThreads(w io.Writer, rows []Thread) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "学员直通车"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range []float64{8, 30, 14, 36, 10, 14, 10, 10, 18} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", []any{"编号", "班次", "学员", "标题", "状态", "答复教师", "满意度", "优秀案例", "最近更新"}); err != nil {
		return err
	}
	for i, t := range rows {
		sat, good := "", ""
		if t.Satisfaction > 0 {
			sat = fmt.Sprint(t.Satisfaction)
		}
		if t.GoodCase {
			good = "是"
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{t.ID, t.ClassTitle, t.GraduateName, t.Subject, StatusNames[t.Status], t.TeacherName, sat, good,
			t.UpdatedAt.In(web.Shanghai).Format("2006-01-02 15:04")}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("throughtrain: write workbook: %w", err)
	}
	return nil
}
