package dashboard

import (
	"io"
	"log/slog"
	"strconv"
	"time"

	"college/modules/hours"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the dashboard API and pages.
type Handlers struct {
	svc   *Service
	pages *web.Engine
	log   *slog.Logger
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, pages: pages, log: svc.d.Log}
}

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	api = api.Tag("dashboard")
	q := []string{"org_id", "year"}
	api.Get("/dashboard/compliance", web.Doc{Summary: "学时达标情况（本级及直属单位）", Resp: ComplianceResponse{}, Query: q, Roles: Roles}, h.compliance)
	api.Get("/dashboard/compliance.xlsx", web.Doc{Summary: "导出学时达标情况（.xlsx）", Query: q, Roles: Roles}, h.complianceXLSX)
	api.Get("/dashboard/compliance/people", web.Doc{Summary: "学时达标干部明细（达标/未达标，含差额）", Resp: PeopleResponse{}, Query: []string{"org_id", "year", "status", "page", "page_size"}, Roles: Roles}, h.people)
	api.Get("/dashboard/compliance/people.xlsx", web.Doc{Summary: "导出学时达标干部明细（.xlsx）", Query: []string{"org_id", "year", "status"}, Roles: Roles}, h.peopleXLSX)
	api.Get("/dashboard/exams", web.Doc{Summary: "考试情况（按考试和单位）", Resp: ExamsResponse{}, Query: q, Roles: Roles}, h.exams)
	api.Get("/dashboard/exams.xlsx", web.Doc{Summary: "导出考试情况（.xlsx）", Query: q, Roles: Roles}, h.examsXLSX)
	pages.Get("/admin/dashboard", web.RequireRole(Roles...), h.dashboardPage)
	pages.Get("/admin/dashboard/people", web.RequireRole(Roles...), h.peoplePage)
	pages.Get("/admin/dashboard/compliance.svg", web.RequireRole(Roles...), h.complianceChart)
	h.registerSections(api, pages)
}

// filter is the org, year and status a dashboard request asks for.
type filter struct {
	OrgID  uint64
	Year   int
	Status string
}

func (h *Handlers) filterFrom(c *fiber.Ctx) (filter, error) {
	var f filter
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
	switch v := c.Query("status"); v {
	case "", StatusBehind, StatusMet:
		f.Status = v
	default:
		return f, web.Invalid(map[string]string{"status": "状态必须是 behind 或 met"})
	}
	return f, nil
}

func (h *Handlers) compliance(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Compliance(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return c.JSON(complianceResponse(res))
}

func (h *Handlers) people(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.People(c.UserContext(), web.Caller(c), f.OrgID, f.Year, f.Status, pg)
	if err != nil {
		return err
	}
	return c.JSON(peopleResponse(res))
}

func (h *Handlers) exams(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Exams(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return c.JSON(examsResponse(res))
}

// fileName is "<what>-<org>-<year>-<date>.xlsx".
func fileName(what string, o Org, year int) string {
	return what + "-" + o.Name + "-" + strconv.Itoa(year) + "-" + time.Now().In(web.Shanghai).Format("20060102") + ".xlsx"
}

func (h *Handlers) complianceXLSX(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.ComplianceExport(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, fileName("学时达标", res.Org, f.Year), h.log, func(w io.Writer) error { return WriteCompliance(w, res) })
}

func (h *Handlers) peopleXLSX(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	org, rows, err := h.svc.PeopleExport(c.UserContext(), web.Caller(c), f.OrgID, f.Year, f.Status)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, fileName("干部学时明细", org, f.Year), h.log, func(w io.Writer) error { return WritePeople(w, rows) })
}

func (h *Handlers) examsXLSX(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.ExamsExport(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, fileName("考试情况", res.Org, f.Year), h.log, func(w io.Writer) error { return WriteExams(w, res) })
}
