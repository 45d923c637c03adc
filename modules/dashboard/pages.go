package dashboard

import (
	"net/url"
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// unitView is one row of the per-unit table with its drill-down links.
type unitView struct {
	UnitResponse
	Drill  string // the unit's own dashboard, "" for the org's own cadres
	People string // the unit's people behind
}

// query builds a dashboard query string.
func query(orgID uint64, year int, extra ...string) string {
	q := url.Values{}
	q.Set("org_id", strconv.FormatUint(orgID, 10))
	q.Set("year", strconv.Itoa(year))
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] != "" {
			q.Set(extra[i], extra[i+1])
		}
	}
	return q.Encode()
}

// years offered in the year filter: this year and the four before.
func (h *Handlers) years() []int {
	cur := h.svc.CurrentYear()
	return []int{cur, cur - 1, cur - 2, cur - 3, cur - 4}
}

func (h *Handlers) dashboardPage(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	ctx, p := c.UserContext(), web.Caller(c)
	res, err := h.svc.Compliance(ctx, p, f.OrgID, f.Year)
	if err != nil {
		return err
	}
	board, err := h.svc.Exams(ctx, p, res.Org.ID, f.Year)
	if err != nil {
		return err
	}
	sum := complianceResponse(res)
	units := make([]unitView, 0, len(sum.Units))
	for _, u := range sum.Units {
		v := unitView{UnitResponse: u, People: "/admin/dashboard/people?" + query(u.OrgID, f.Year, "status", StatusBehind)}
		if !u.Own {
			v.Drill = "/admin/dashboard?" + query(u.OrgID, f.Year)
		}
		units = append(units, v)
	}
	var up string
	if parent := h.svc.parentInScope(ctx, p, res.Org); parent != 0 {
		up = "/admin/dashboard?" + query(parent, f.Year)
	}
	q := query(res.Org.ID, f.Year)
	data := map[string]any{
		"Year":       f.Year,
		"Years":      h.years(),
		"Summary":    sum,
		"Units":      units,
		"Up":         up,
		"Chart":      "/admin/dashboard/compliance.svg?" + q,
		"Exams":      examsResponse(board).Items,
		"Behind":     "/admin/dashboard/people?" + query(res.Org.ID, f.Year, "status", StatusBehind),
		"Met":        "/admin/dashboard/people?" + query(res.Org.ID, f.Year, "status", StatusMet),
		"ExportSum":  "/api/v1/dashboard/compliance.xlsx?" + q,
		"ExportExam": "/api/v1/dashboard/exams.xlsx?" + q,
		"RatePct":    pct(sum.Rate),
		"Tabs":       tabs(res.Org.ID, f.Year, tabCompliance),
	}
	return h.pages.Render(c, fiber.StatusOK, "dashboard/index", "综合管理", data)
}

func pct(r float64) string { return strconv.FormatFloat(r*100, 'f', 1, 64) + "%" }

func (h *Handlers) peoplePage(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	if c.Query("page_size") == "" {
		pg.PageSize = 50
	}
	res, err := h.svc.People(c.UserContext(), web.Caller(c), f.OrgID, f.Year, f.Status, pg)
	if err != nil {
		return err
	}
	base := url.Values{}
	base.Set("org_id", strconv.FormatUint(res.Org.ID, 10))
	base.Set("year", strconv.Itoa(f.Year))
	if f.Status != "" {
		base.Set("status", f.Status)
	}
	pages := int((res.Total + int64(pg.PageSize) - 1) / int64(pg.PageSize))
	title := map[string]string{StatusBehind: "未达标干部", StatusMet: "达标干部", "": "全部干部"}[f.Status]
	data := map[string]any{
		"Year":     f.Year,
		"Org":      res.Org,
		"Status":   f.Status,
		"Title":    title,
		"Total":    res.Total,
		"Rows":     peopleResponse(res).Items,
		"Rules":    rulesResponse(res.Rules, f.Year),
		"Pager":    web.NewPager(web.PageData{Path: "/admin/dashboard/people", Query: base}, pg.Page, pages),
		"Back":     "/admin/dashboard?" + query(res.Org.ID, f.Year),
		"Export":   "/api/v1/dashboard/compliance/people.xlsx?" + base.Encode(),
		"Behind":   "/admin/dashboard/people?" + query(res.Org.ID, f.Year, "status", StatusBehind),
		"Met":      "/admin/dashboard/people?" + query(res.Org.ID, f.Year, "status", StatusMet),
		"All":      "/admin/dashboard/people?" + query(res.Org.ID, f.Year),
		"Statuses": StatusNames,
		"Tabs":     tabs(res.Org.ID, f.Year, tabCompliance),
	}
	return h.pages.Render(c, fiber.StatusOK, "dashboard/people", title+" - "+res.Org.Name, data)
}

func (h *Handlers) complianceChart(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Compliance(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	b, err := ComplianceChart(res)
	if err != nil {
		return web.Internal(err)
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}
