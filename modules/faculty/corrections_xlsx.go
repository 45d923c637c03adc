package faculty

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// correctionsHeader are the columns of the corrections export.
var correctionsHeader = []any{"教师", "评估", "满意率", "达标线", "整改期限", "状态", "整改说明", "完成时间"}

// exportCorrections streams the caller's correction tasks (status=open|
// closed, all by default) as an Excel sheet, a page at a time.
func (h *Handlers) exportCorrections(c *fiber.Ctx) error {
	p := web.Caller(c)
	if !canManage(p) {
		return web.Forbidden()
	}
	status := c.Query("status")
	ctx := context.WithoutCancel(c.UserContext()) // the rows are read after the handler returns
	return web.AttachmentStream(c, web.XLSX, "teacher-corrections.xlsx", h.log, func(w io.Writer) error {
		x := excelize.NewFile()
		defer func() { _ = x.Close() }()
		sheet := "教师整改任务"
		if err := x.SetSheetName("Sheet1", sheet); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", correctionsHeader); err != nil {
			return err
		}
		row := 2
		for page := 1; ; page++ {
			items, _, err := h.svc.Corrections(ctx, p, status, web.Page{Page: page, PageSize: web.MaxPageSize})
			if err != nil {
				return fmt.Errorf("faculty: export corrections: %w", err)
			}
			for _, it := range items {
				closed := ""
				if it.ClosedAt != nil {
					closed = it.ClosedAt.In(web.Shanghai).Format("2006-01-02 15:04")
				}
				cell, _ := excelize.CoordinatesToCellName(1, row)
				if err := sw.SetRow(cell, []any{it.TeacherName, it.Label, it.Rate, it.Bar, it.DueOn, it.StatusName, it.Note, closed}); err != nil {
					return err
				}
				row++
			}
			if len(items) < web.MaxPageSize {
				break
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.Write(w)
	})
}
