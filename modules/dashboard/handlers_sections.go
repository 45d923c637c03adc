package dashboard

import (
	"io"
	"slices"
	"strconv"

	"college/modules/hours"
	"college/modules/training"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// registerSections lists the routes of the coverage, registration,
// follow-up and satisfaction sections.
func (h *Handlers) registerSections(api *web.API, pages fiber.Router) {
	q := []string{"org_id", "year"}
	cq := []string{"org_id", "years", "kind"}
	api.Get("/dashboard/coverage", web.Doc{Summary: "培训覆盖情况（近 N 年参加各类班次，含应训领导干部）", Resp: CoverageResponse{}, Query: cq, Roles: Roles}, h.coverage)
	api.Get("/dashboard/coverage.xlsx", web.Doc{Summary: "导出培训覆盖情况（.xlsx）", Query: cq, Roles: Roles}, h.coverageXLSX)
	api.Get("/dashboard/coverage/people", web.Doc{Summary: "未覆盖干部或应训领导干部明细（status=uncovered|due）", Resp: CoveragePeopleResponse{},
		Query: []string{"org_id", "years", "kind", "status", "page", "page_size"}, Roles: Roles}, h.coveragePeople)
	api.Get("/dashboard/coverage/people.xlsx", web.Doc{Summary: "导出未覆盖干部或应训领导干部明细（.xlsx）", Query: []string{"org_id", "years", "kind", "status"}, Roles: Roles}, h.coveragePeopleXLSX)
	api.Get("/dashboard/registrations", web.Doc{Summary: "报名与名额使用情况（按单位和班次）", Resp: RegistrationsResponse{}, Query: q, Roles: Roles}, h.registrations)
	api.Get("/dashboard/registrations.xlsx", web.Doc{Summary: "导出报名与名额使用情况（.xlsx）", Query: q, Roles: Roles}, h.registrationsXLSX)
	api.Get("/dashboard/followup", web.Doc{Summary: "跟踪问效完成情况（按派出单位）", Resp: FollowupResponse{}, Query: q, Roles: Roles}, h.followup)
	api.Get("/dashboard/followup.xlsx", web.Doc{Summary: "导出跟踪问效完成情况（.xlsx）", Query: q, Roles: Roles}, h.followupXLSX)
	api.Get("/dashboard/satisfaction", web.Doc{Summary: "评估满意度（按主办学院）", Resp: SatisfactionResponse{}, Query: q, Roles: Roles}, h.satisfaction)
	api.Get("/dashboard/satisfaction.xlsx", web.Doc{Summary: "导出评估满意度（.xlsx）", Query: q, Roles: Roles}, h.satisfactionXLSX)
	need := web.RequireRole(Roles...)
	pages.Get("/admin/dashboard/coverage", need, h.coveragePage)
	pages.Get("/admin/dashboard/coverage/people", need, h.coveragePeoplePage)
	pages.Get("/admin/dashboard/coverage.svg", need, h.coverageChart)
	pages.Get("/admin/dashboard/registrations", need, h.registrationsPage)
	pages.Get("/admin/dashboard/registrations.svg", need, h.registrationsChart)
	pages.Get("/admin/dashboard/followup", need, h.followupPage)
	pages.Get("/admin/dashboard/followup.svg", need, h.followupChart)
	pages.Get("/admin/dashboard/satisfaction", need, h.satisfactionPage)
	pages.Get("/admin/dashboard/satisfaction.svg", need, h.satisfactionChart)
}

// sectionFilter is what a section request asks for.
type sectionFilter struct {
	OrgID  uint64
	Year   int
	Years  int // 0: the setting's default
	Kind   string
	Status string
}

func (h *Handlers) sectionFilterFrom(c *fiber.Ctx) (sectionFilter, error) {
	var f sectionFilter
	var err error
	if f.OrgID, err = web.QueryUint(c, "org_id"); err != nil {
		return f, err
	}
	f.Year = h.svc.CurrentYear()
	if v := c.Query("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < hours.MinYear || n > hours.MaxYear {
			return f, web.Invalid(map[string]string{"year": "年度必须是 2000 到 2100 之间的整数"})
		}
		f.Year = n
	}
	if v := c.Query("years"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxCoverageYears {
			return f, web.Invalid(map[string]string{"years": "统计年数必须是 1 到 20 之间的整数"})
		}
		f.Years = n
	}
	if f.Kind = c.Query("kind"); f.Kind != "" && !slices.Contains(training.Kinds, f.Kind) {
		return f, web.Invalid(map[string]string{"kind": "班次类型不存在"})
	}
	switch f.Status = c.Query("status"); f.Status {
	case "":
		f.Status = CoverUncovered
	case CoverUncovered, CoverDue:
	default:
		return f, web.Invalid(map[string]string{"status": "状态必须是 uncovered 或 due"})
	}
	return f, nil
}

func (h *Handlers) coverage(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Coverage(c.UserContext(), web.Caller(c), f.OrgID, f.Years, f.Kind)
	if err != nil {
		return err
	}
	return c.JSON(coverageResponse(res))
}

func (h *Handlers) coveragePeople(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.CoveragePeople(c.UserContext(), web.Caller(c), f.OrgID, f.Years, f.Kind, f.Status, pg)
	if err != nil {
		return err
	}
	return c.JSON(coveragePeopleResponse(res))
}

func (h *Handlers) registrations(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Registrations(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return c.JSON(registrationsResponse(res))
}

func (h *Handlers) followup(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Followups(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return c.JSON(followupResponse(res))
}

func (h *Handlers) satisfaction(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Satisfaction(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return c.JSON(satisfactionResponse(res))
}

func (h *Handlers) coverageXLSX(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.CoverageExport(c.UserContext(), web.Caller(c), f.OrgID, f.Years, f.Kind)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, fileName("培训覆盖", res.Org, yearOf(res.To)), h.log, func(w io.Writer) error { return WriteCoverage(w, res) })
}

func (h *Handlers) coveragePeopleXLSX(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	org, rows, err := h.svc.CoveragePeopleExport(c.UserContext(), web.Caller(c), f.OrgID, f.Years, f.Kind, f.Status)
	if err != nil {
		return err
	}
	what := "未覆盖干部"
	if f.Status == CoverDue {
		what = "应训领导干部"
	}
	return web.AttachmentStream(c, web.XLSX, fileName(what, org, h.svc.CurrentYear()), h.log, func(w io.Writer) error { return WriteCoveragePeople(w, f.Status, rows) })
}

func (h *Handlers) registrationsXLSX(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.RegistrationsExport(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, fileName("报名与名额", res.Org, f.Year), h.log, func(w io.Writer) error { return WriteRegistrations(w, res) })
}

func (h *Handlers) followupXLSX(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.FollowupExport(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, fileName("跟踪问效", res.Org, f.Year), h.log, func(w io.Writer) error { return WriteFollowup(w, res) })
}

func (h *Handlers) satisfactionXLSX(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.SatisfactionExport(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, fileName("评估满意度", res.Org, f.Year), h.log, func(w io.Writer) error { return WriteSatisfaction(w, res) })
}

// svg answers a chart.
func svg(c *fiber.Ctx, b []byte, err error) error {
	if err != nil {
		return web.Internal(err)
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

func (h *Handlers) coverageChart(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Coverage(c.UserContext(), web.Caller(c), f.OrgID, f.Years, f.Kind)
	if err != nil {
		return err
	}
	b, err := CoverageChart(res)
	return svg(c, b, err)
}

func (h *Handlers) registrationsChart(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Registrations(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	b, err := RegistrationsChart(res)
	return svg(c, b, err)
}

func (h *Handlers) followupChart(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Followups(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	b, err := FollowupChart(res)
	return svg(c, b, err)
}

func (h *Handlers) satisfactionChart(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Satisfaction(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	b, err := SatisfactionChart(res)
	return svg(c, b, err)
}
