package faculty

import (
	"context"
	"fmt"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
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
	return h.streamSheet(c, "teacher-corrections.xlsx", "教师整改任务", correctionsHeader, func(ctx context.Context, add func([]any) error) error {
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
				if err := add([]any{it.TeacherName, it.Label, it.Rate, it.Bar, it.DueOn, it.StatusName, it.Note, closed}); err != nil {
					return err
				}
			}
			if len(items) < web.MaxPageSize {
				return nil
			}
		}
	})
}
