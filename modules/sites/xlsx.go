package sites

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// exportLimit bounds one export (a city has hundreds of sites, not more).
const exportLimit = 10000

// Export checks the caller and records the export, then returns a writer of
// the sites they see as a workbook, streamed row by row.
func (s *Service) Export(ctx context.Context, p *web.Principal, f Filter) (func(w io.Writer) error, error) {
	if f.Status != "" && StatusNames[f.Status] == "" {
		return nil, web.Invalid(map[string]string{"status": "状态不正确"})
	}
	if err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(*gorm.DB) (web.AuditEntry, error) {
		return web.AuditBy(p, "export.sites", "site", 0, map[string]any{"category": f.Category, "status": f.Status}), nil
	}); err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		var rows []Site
		if err := s.listQuery(context.Background(), p, f).Order("category, name").Limit(exportLimit).Find(&rows).Error; err != nil {
			return fmt.Errorf("sites: export: %w", err)
		}
		items, err := s.responses(context.Background(), rows)
		if err != nil {
			return err
		}
		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		head := []any{"名称", "类别", "所属区县/单位", "地址", "可接待人数", "开放时间", "联系人", "联系电话", "状态", "说明"}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for i, it := range items {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			row := []any{text(it.Name), text(it.Category), text(it.OrgName), text(it.Address), it.Capacity,
				text(weekdayNames(it.OpenDays) + " " + it.OpensAt + "–" + it.ClosesAt), text(it.HostName), text(it.HostPhone), text(it.StatusName), text(it.StatusReason)}
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.Write(w)
	}, nil
}

// text keeps a value a string cell, never a formula.
func text(s string) excelize.Cell { return excelize.Cell{Value: s} }

func (h *Handlers) export(c *fiber.Ctx) error {
	write, err := h.svc.Export(c.UserContext(), web.Caller(c), filterFrom(c))
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "现场教学点.xlsx", h.log, write)
}
