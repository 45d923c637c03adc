package sites

import (
	"log/slog"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the sites API and pages.
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
	a := api.Tag("sites")
	a.Get("/site-categories", web.Doc{Summary: "现场教学点类别", Resp: []CategoryResponse{}, Roles: Viewers}, h.categories)
	a.Put("/site-categories/:id", web.Doc{Summary: "类别改名（组织部门；该类别的教学点随之改名）", Body: CategoryRequest{}, Resp: CategoryResponse{}, Roles: Deciders}, h.renameCategory)
	a.Post("/site-categories", web.Doc{Summary: "新增现场教学点类别（组织部门）", Body: CategoryRequest{}, Resp: CategoryResponse{}, Status: 201, Roles: Deciders}, h.addCategory)
	a.Get("/sites", web.Doc{Summary: "现场教学点（区县看本辖区，组织部门看全市，学员看使用中的）", Resp: web.List[SiteResponse]{}, Roles: Viewers, Query: []string{"category", "status", "page", "page_size"}}, h.list)
	a.Get("/sites/export", web.Doc{Summary: "导出现场教学点（.xlsx）", Roles: Managers, Query: []string{"category", "status"}}, h.export)
	a.Post("/sites", web.Doc{Summary: "申报现场教学点（区县单位管理员申报本辖区，组织部门可为任一区县申报）", Body: SiteRequest{}, Resp: SiteResponse{}, Status: 201, Roles: Managers}, h.propose)
	h.registerExtra(a)
	a.Get("/sites/:id", web.Doc{Summary: "现场教学点详情", Resp: SiteResponse{}, Roles: Viewers}, h.get)
	a.Put("/sites/:id", web.Doc{Summary: "修改申报内容（申报中：申报区县或组织部门；已论证：组织部门；之后 409 wrong_state）", Body: SiteRequest{}, Resp: SiteResponse{}, Roles: Managers}, h.update)
	a.Post("/sites/:id/review", web.Doc{Summary: "论证（reason 为论证意见，组织部门）", Body: StepRequest{}, Resp: SiteResponse{}, Roles: Deciders}, h.step("review"))
	a.Post("/sites/:id/approve", web.Doc{Summary: "审批（组织部门）", Body: StepRequest{}, Resp: SiteResponse{}, Roles: Deciders, OptionalBody: true}, h.step("approve"))
	a.Post("/sites/:id/activate", web.Doc{Summary: "启用（已审批或暂停的教学点投入使用）", Body: StepRequest{}, Resp: SiteResponse{}, Roles: Managers, OptionalBody: true}, h.step("activate"))
	a.Post("/sites/:id/suspend", web.Doc{Summary: "暂停使用（需填写原因）", Body: StepRequest{}, Resp: SiteResponse{}, Roles: Managers}, h.step("suspend"))
	a.Post("/sites/:id/withdraw", web.Doc{Summary: "撤销（需填写原因）", Body: StepRequest{}, Resp: SiteResponse{}, Roles: Managers}, h.step("withdraw"))
	a.Get("/sites/:id/bookings", web.Doc{Summary: "教学点预约日历（from=YYYY-MM-DD 起）", Resp: []BookingResponse{}, Roles: Viewers, Query: []string{"from"}}, h.bookings)
	a.Get("/sites/:id/bookings.xlsx", web.Doc{Summary: "导出教学点预约日历（Excel，from=YYYY-MM-DD 起）", Roles: Viewers, Query: []string{"from"}}, h.exportCalendar)
	a.Post("/sites/:id/bookings", web.Doc{Summary: "预约教学点：{session_id} 或 {date, starts_at, ends_at, group_size}；满员 409 site_full", Body: BookingRequest{}, Resp: BookingResponse{}, Status: 201, Roles: Bookers}, h.book)
	a.Post("/site-bookings/:id/confirm", web.Doc{Summary: "确认预约（教学点所在单位或组织部门）", Body: StepRequest{}, Resp: BookingResponse{}, Roles: Managers, OptionalBody: true}, h.decide(true))
	a.Post("/site-bookings/:id/decline", web.Doc{Summary: "婉拒预约（需填写原因）", Body: StepRequest{}, Resp: BookingResponse{}, Roles: Managers}, h.decide(false))
	a.Get("/site-routes", web.Doc{Summary: "现场教学线路（按顺序的教学点、路程与总时长）", Resp: []RouteResponse{}, Roles: Viewers}, h.routes)
	a.Post("/site-routes", web.Doc{Summary: "新建现场教学线路（使用中的教学点，按参观顺序）", Body: RouteRequest{}, Resp: RouteResponse{}, Status: 201, Roles: Managers}, h.createRoute)
	a.Get("/sites/:id/photos", web.Doc{Summary: "教学点照片", Resp: []PhotoResponse{}, Roles: Viewers}, h.listPhotos)
	a.Post("/sites/:id/photos", web.Doc{Summary: "上传教学点照片（JPG、PNG，5 MB 以内；caption 为说明）", Multipart: []string{"file", "caption"}, Resp: PhotoResponse{}, Status: 201, Roles: Managers}, h.addPhoto)
	a.Get("/site-photos/:id", web.Doc{Summary: "教学点照片文件", Roles: Viewers}, h.servePhoto)
	a.Delete("/site-photos/:id", web.Doc{Summary: "删除教学点照片", Status: 204, Roles: Managers}, h.deletePhoto)
	a.Get("/site-routes/:id", web.Doc{Summary: "现场教学线路详情", Resp: RouteResponse{}, Roles: Viewers}, h.route)
	h.registerPages(pages)
}

func (h *Handlers) categories(c *fiber.Ctx) error {
	out, err := h.svc.Categories(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) addCategory(c *fiber.Ctx) error {
	out, err := web.WithBody(c, h.svc.AddCategory)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func filterFrom(c *fiber.Ctx) Filter {
	return Filter{Category: c.Query("category"), Status: c.Query("status")}
}

func (h *Handlers) list(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), filterFrom(c), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) propose(c *fiber.Ctx) error {
	out, err := web.WithBody(c, h.svc.Propose)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Site)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) step(name string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		// A step without a reason may come without a body.
		var in StepRequest
		if len(c.Body()) > 0 || name != "approve" && name != "activate" {
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		out, err := h.svc.Step(c.UserContext(), web.Caller(c), id, name, in)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func (h *Handlers) bookings(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.svc.Bookings(c.UserContext(), web.Caller(c), id, c.Query("from"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) book(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in BookingRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := h.svc.Book(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) decide(confirm bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		// A confirmation may come without a body; a refusal gives its reason.
		var in StepRequest
		if len(c.Body()) > 0 || !confirm {
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		out, err := h.svc.Decide(c.UserContext(), web.Caller(c), id, confirm, in)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}
