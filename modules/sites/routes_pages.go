package sites

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// formStops is how many stop rows the route form offers.
const formStops = 6

// routeFormData is the new-route form.
type routeFormData struct {
	Sites  []SiteResponse
	In     RouteRequest
	Rows   []StopRequest
	Errors map[string]string
	Lines  []string // the stops' errors, named by row
}

func (h *Handlers) routesPage(c *fiber.Ctx) error {
	out, err := h.svc.Routes(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "sites/routes", "现场教学线路", struct {
		Routes    []RouteResponse
		CanCreate bool
	}{out, web.Caller(c).HasAny(Managers...)})
}

func (h *Handlers) routePage(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Route)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "sites/route", out.Name, out)
}

func (h *Handlers) newRoutePage(c *fiber.Ctx) error {
	return h.renderRouteForm(c, fiber.StatusOK, RouteRequest{}, nil)
}

func (h *Handlers) renderRouteForm(c *fiber.Ctx, status int, in RouteRequest, errs map[string]string) error {
	items, _, err := h.svc.List(c.UserContext(), web.Caller(c), Filter{Status: StatusInUse}, web.Page{Page: 1, PageSize: 500})
	if err != nil {
		return err
	}
	d := routeFormData{Sites: items, In: in, Errors: errs, Rows: make([]StopRequest, formStops)}
	copy(d.Rows, in.Stops)
	for i := 0; i < maxStops; i++ {
		for _, f := range []string{"site_id", "stay_minutes", "travel_minutes"} {
			if msg := errs["stops."+strconv.Itoa(i)+"."+f]; msg != "" {
				d.Lines = append(d.Lines, fmt.Sprintf("第 %d 站：%s", i+1, msg))
			}
		}
	}
	return h.pages.Render(c, status, "sites/route_form", "新建教学线路", d)
}

// routeForm reads the route form: rows without a site are not stops.
func routeForm(c *fiber.Ctx) RouteRequest {
	in := RouteRequest{Name: c.FormValue("name"), Theme: c.FormValue("theme")}
	args := c.Request().PostArgs()
	sites, stays, travels := args.PeekMulti("site_id"), args.PeekMulti("stay_minutes"), args.PeekMulti("travel_minutes")
	at := func(list [][]byte, i int) int {
		if i >= len(list) {
			return 0
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(list[i])))
		return n
	}
	for i := range sites {
		id, _ := strconv.ParseUint(strings.TrimSpace(string(sites[i])), 10, 64)
		if id == 0 {
			continue
		}
		in.Stops = append(in.Stops, StopRequest{SiteID: id, StayMinutes: at(stays, i), TravelMinutes: at(travels, i)})
	}
	return in
}

func (h *Handlers) createRouteForm(c *fiber.Ctx) error {
	in := routeForm(c)
	out, err := h.svc.CreateRoute(c.UserContext(), web.Caller(c), in)
	if err != nil {
		e := web.AsError(err)
		if e.Status == fiber.StatusBadRequest || e.Status == fiber.StatusUnprocessableEntity {
			return h.renderRouteForm(c, e.Status, in, e.Fields)
		}
		return err
	}
	web.Flash(c, "已新建教学线路")
	return c.Redirect(fmt.Sprintf("%s/routes/%d", AdminPath, out.ID), fiber.StatusSeeOther)
}

// ExportRoutes records the export and returns a writer of the routes the
// caller sees, a row per stop.
func (s *Service) ExportRoutes(ctx context.Context, p *web.Principal) (func(w io.Writer) error, error) {
	routes, err := s.Routes(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(*gorm.DB) (web.AuditEntry, error) {
		return web.AuditBy(p, "export.site_routes", "site_route", 0, map[string]any{"routes": len(routes)}), nil
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
		if err := sw.SetRow("A1", []any{"线路", "主题", "总时长（分钟）", "站序", "教学点", "停留（分钟）", "自上一站路程（分钟）"}); err != nil {
			return err
		}
		row := 2
		for _, r := range routes {
			for _, st := range r.Stops {
				cell, _ := excelize.CoordinatesToCellName(1, row)
				if err := sw.SetRow(cell, []any{text(r.Name), text(r.Theme), r.Minutes, st.Seq, text(st.SiteName), st.StayMinutes, st.TravelMinutes}); err != nil {
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

func (h *Handlers) exportRoutes(c *fiber.Ctx) error {
	write, err := h.svc.ExportRoutes(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "现场教学线路.xlsx", h.log, write)
}
