package sites

import (
	"context"
	"io"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// ExportJoint records the export and returns a writer of the joint view
// as a workbook, a row per site.
func (s *Service) ExportJoint(ctx context.Context, p *web.Principal, year string) (func(w io.Writer) error, error) {
	j, err := s.Joint(ctx, p, year)
	if err != nil {
		return nil, err
	}
	if err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(*gorm.DB) (web.AuditEntry, error) {
		return web.AuditBy(p, "export.site_joint", "site", 0, map[string]any{"year": j.Year}), nil
	}); err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"区县/单位", "教学点", "类别", "联系人", "精品课程（讲解员）", "为外区县班次接待场次"}); err != nil {
			return err
		}
		row := 2
		for _, d := range j.Districts {
			for _, st := range d.Sites {
				var courses []string
				for _, c := range st.Courses {
					courses = append(courses, c.Title+"（"+c.GuideName+"）")
				}
				cell, _ := excelize.CoordinatesToCellName(1, row)
				if err := sw.SetRow(cell, []any{text(d.Name), text(st.Name), text(st.Category), text(st.HostName), text(strings.Join(courses, "\n")), st.Shared}); err != nil {
					return err
				}
				row++
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.Write(w)
	}, nil
}

func (h *Handlers) exportJoint(c *fiber.Ctx) error {
	write, err := h.svc.ExportJoint(c.UserContext(), web.Caller(c), c.Query("year"))
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "联席会议教学点.xlsx", h.log, write)
}
