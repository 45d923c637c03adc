package reports

import (
	"io"
	"log/slog"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the reports API and page.
type Handlers struct {
	svc   *Service
	pages *web.Engine
	log   *slog.Logger
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, pages: pages, log: svc.d.Log}
}

// PagePath is the reports page.
const PagePath = "/admin/reports"

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	api = api.Tag("reports")
	api.Post("/reports", web.Doc{Summary: "申请生成报表（后台生成；kind 为 hours_compliance、class_stats、exam_report、followup_summary）", Body: ReportRequest{}, Resp: JobResponse{}, Status: 202, Roles: Roles}, h.request)
	api.Get("/reports", web.Doc{Summary: "本人申请的报表，最新在前", Resp: web.List[JobResponse]{}, Query: []string{"page", "page_size"}, Roles: Roles}, h.list)
	api.Get("/reports/:id", web.Doc{Summary: "报表生成状态与进度", Resp: JobResponse{}, Roles: Roles}, h.get)
	api.Get("/reports/:id/file", web.Doc{Summary: "下载生成的报表（.xlsx）", Roles: Roles}, h.file)
	pages.Get(PagePath, web.RequireRole(Roles...), h.page)
	pages.Post(PagePath, web.RequireRole(Roles...), h.submit)
}

func (h *Handlers) request(c *fiber.Ctx) error {
	var in ReportRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	j, err := h.svc.Request(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(jobResponse(j))
}

func (h *Handlers) list(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	jobs, total, err := h.svc.List(c.UserContext(), web.Caller(c), pg)
	if err != nil {
		return err
	}
	items := make([]JobResponse, len(jobs))
	for i := range jobs {
		items[i] = jobResponse(&jobs[i])
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, j, err := web.WithID(c, h.svc.Get)
	if err != nil {
		return err
	}
	return c.JSON(jobResponse(j))
}

func (h *Handlers) file(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	j, rc, err := h.svc.File(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, FileName(j), h.log, func(w io.Writer) error {
		defer rc.Close()
		_, err := io.Copy(w, rc)
		return err
	})
}
