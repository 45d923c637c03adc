package programs

import (
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the programmes' API.
type Handlers struct {
	svc   *Service
	pages *web.Engine
}

// NewHandlers wires the module's routes.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers { return &Handlers{svc: svc, pages: pages} }

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("programs")
	a.Get("/programs", web.Doc{Summary: "重点培训项目列表（year 筛选年度）", Resp: web.List[ProgramItem]{}, Roles: Managers, Query: []string{"year", "page", "page_size"}}, h.list)
	a.Get("/programs/export", web.Doc{Summary: "导出重点培训项目列表（Excel）", Roles: Managers, Query: []string{"year"}}, h.export)
	a.Post("/programs", web.Doc{Summary: "新建重点培训项目及培训对象分组（组织部门；学院为本院项目）", Body: ProgramRequest{}, Resp: ProgramResponse{}, Status: 201, Roles: Managers}, h.create)
	a.Get("/programs/:id", web.Doc{Summary: "重点培训项目详情（分组规则、关联班次）", Resp: ProgramResponse{}, Roles: Managers}, h.get)
	a.Get("/programs/:id/groups/:gid/preview", web.Doc{Summary: "预览分组规则选中的人数及部分人员", Resp: PreviewResponse{}, Roles: Managers}, h.preview)
	a.Put("/programs/:id/classes", web.Doc{Summary: "设置承担项目的班次", Body: ClassesRequest{}, Resp: ProgramResponse{}, Roles: Managers}, h.setClasses)
	a.Get("/programs/:id/coverage", web.Doc{Summary: "项目覆盖情况：各分组、各单位的目标人数、已完成、已报名、未覆盖（org_id 限定范围）", Resp: CoverageResponse{}, Roles: Managers, Query: []string{"org_id"}}, h.coverage)
	a.Get("/programs/:id/coverage/people", web.Doc{Summary: "分组人员名单（status 为 not_reached、registered 或 completed）", Resp: web.List[PersonItem]{}, Roles: Managers,
		Query: []string{"group_id", "status", "org_id", "page", "page_size"}}, h.people)
	a.Get("/programs/:id/coverage/people.xlsx", web.Doc{Summary: "导出分组人员名单（Excel，status 同上）", Roles: Managers, Query: []string{"group_id", "status", "org_id"}}, h.exportPeople)
	h.registerPages(pages)
}

func yearFrom(c *fiber.Ctx) (int, error) {
	year := 0
	if v := c.Query("year"); v != "" {
		var err error
		if year, err = strconv.Atoi(v); err != nil {
			return 0, web.Invalid(map[string]string{"year": "年度应为数字"})
		}
	}
	return year, nil
}

func (h *Handlers) export(c *fiber.Ctx) error {
	year, err := yearFrom(c)
	if err != nil {
		return err
	}
	write, err := h.svc.Export(c.UserContext(), web.Caller(c), year)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "重点培训项目.xlsx", h.svc.log, write)
}

func (h *Handlers) list(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	year, err := yearFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), year, pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) create(c *fiber.Ctx) error {
	var in ProgramRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	pr, err := h.svc.Create(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	out, err := h.svc.Detail(c.UserContext(), web.Caller(c), pr.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Detail)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) preview(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	gid, err := web.ParamID(c, "gid")
	if err != nil {
		return err
	}
	out, err := h.svc.Preview(c.UserContext(), web.Caller(c), id, gid)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) setClasses(c *fiber.Ctx) error {
	id, _, err := web.WithIDBody(c, h.svc.SetClasses)
	if err != nil {
		return err
	}
	out, err := h.svc.Detail(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) coverage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	org, err := web.QueryUint(c, "org_id")
	if err != nil {
		return err
	}
	out, err := h.svc.Coverage(c.UserContext(), web.Caller(c), id, org)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func peopleFilter(c *fiber.Ctx) (PeopleFilter, error) {
	var f PeopleFilter
	var err error
	if f.GroupID, err = web.QueryUint(c, "group_id"); err != nil {
		return f, err
	}
	if f.OrgID, err = web.QueryUint(c, "org_id"); err != nil {
		return f, err
	}
	f.Status = c.Query("status")
	return f, nil
}

func (h *Handlers) exportPeople(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	f, err := peopleFilter(c)
	if err != nil {
		return err
	}
	write, name, err := h.svc.ExportPeople(c.UserContext(), web.Caller(c), id, f)
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, h.svc.log, write)
}

func (h *Handlers) people(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f, err := peopleFilter(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.CoveragePeople(c.UserContext(), web.Caller(c), id, f, pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}
