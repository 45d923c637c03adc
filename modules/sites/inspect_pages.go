package sites

import (
	"context"
	"fmt"
	"io"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// inspectionStates are the tabs of the inspection list.
var inspectionStates = []option{{"", "全部"}, {"open", "整改中"}, {"overdue", "整改逾期"}, {"closed", "已办结"}}

// inspectionListData is the inspection list page.
type inspectionListData struct {
	List   web.List[InspectionResponse]
	Tabs   []option
	Status string
	Pages  int
}

func (h *Handlers) inspectionsPage(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	status := c.Query("status")
	items, total, err := h.svc.Inspections(c.UserContext(), web.Caller(c), status, pg)
	if err != nil {
		return err
	}
	l := web.NewList(items, total, pg)
	return h.pages.Render(c, fiber.StatusOK, "sites/inspections", "督促检查", inspectionListData{List: l, Tabs: inspectionStates, Status: status, Pages: l.Pages()})
}

// inspectionForm reads the record form of the detail page: its item rows
// left empty are not items.
func inspectionForm(c *fiber.Ctx) InspectionRequest {
	in := InspectionRequest{Date: c.FormValue("date"), Findings: c.FormValue("findings"), Result: c.FormValue("result")}
	args := c.Request().PostArgs()
	contents, deadlines := args.PeekMulti("item_content"), args.PeekMulti("item_deadline")
	for i := range contents {
		it := RectItemRequest{Content: strings.TrimSpace(string(contents[i]))}
		if i < len(deadlines) {
			it.Deadline = strings.TrimSpace(string(deadlines[i]))
		}
		if it.Content != "" || it.Deadline != "" {
			in.Items = append(in.Items, it)
		}
	}
	return in
}

func (h *Handlers) inspectForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.Inspect(c.UserContext(), web.Caller(c), id, inspectionForm(c)); err != nil {
		return h.formError(c, err)
	}
	web.Flash(c, "已记录督促检查")
	return c.Redirect(fmt.Sprintf("%s/%d#site-inspections", AdminPath, id), fiber.StatusSeeOther)
}

func (h *Handlers) rectifyForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	out, err := h.svc.Rectify(c.UserContext(), p, id, RectifyRequest{Note: c.FormValue("note")})
	if err != nil {
		e := web.AsError(err)
		if e.Status != fiber.StatusBadRequest && e.Status != fiber.StatusConflict {
			return err
		}
		var ins Inspection
		if lerr := h.svc.loadInspection(c.UserContext(), h.svc.d.DB, p, id, &ins); lerr != nil {
			return lerr
		}
		return h.renderDetailOf(c, ins.SiteID, e.Status, e.Fields, e.Message)
	}
	web.Flash(c, "已记录整改情况")
	return c.Redirect(fmt.Sprintf("%s/%d#site-inspections", AdminPath, out.SiteID), fiber.StatusSeeOther)
}

// ExportInspections checks the caller and records the export, then
// returns a writer of their inspections in the state as a workbook.
func (s *Service) ExportInspections(ctx context.Context, p *web.Principal, status string) (func(w io.Writer) error, error) {
	if _, err := s.inspectionQuery(ctx, p, status); err != nil {
		return nil, err
	}
	if err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(*gorm.DB) (web.AuditEntry, error) {
		return web.AuditBy(p, "export.site_inspections", "site_inspection", 0, map[string]any{"status": status}), nil
	}); err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		q, err := s.inspectionQuery(context.Background(), p, status)
		if err != nil {
			return err
		}
		var rows []Inspection
		if err := q.Limit(exportLimit).Find(&rows).Error; err != nil {
			return fmt.Errorf("sites: export inspections: %w", err)
		}
		items, err := s.inspectionResponses(context.Background(), rows)
		if err != nil {
			return err
		}
		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"教学点", "检查日期", "检查结果", "检查情况", "整改事项", "整改期限", "状态", "整改情况"}); err != nil {
			return err
		}
		for i, it := range items {
			var lines []string
			for _, r := range it.Items {
				lines = append(lines, fmt.Sprintf("%d. %s（%s 前）", r.Seq, r.Content, r.Deadline))
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			row := []any{text(it.SiteName), text(it.Date), text(it.ResultName), text(it.Findings), text(strings.Join(lines, "\n")), text(it.Due), text(it.StatusName), text(it.Note)}
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

func (h *Handlers) exportInspections(c *fiber.Ctx) error {
	write, err := h.svc.ExportInspections(c.UserContext(), web.Caller(c), c.Query("status"))
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "督促检查.xlsx", h.log, write)
}
