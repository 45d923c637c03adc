package sites

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// registerExtra lists the routes that must come before /sites/:id.
func (h *Handlers) registerExtra(a *web.API) {
	a.Get("/site-inspections", web.Doc{Summary: "督促检查（status=open 整改中、overdue 整改逾期、closed 已办结；区县看本辖区，组织部门看全市）", Resp: web.List[InspectionResponse]{}, Roles: Managers, Query: []string{"status", "page", "page_size"}}, h.inspections)
	a.Get("/site-inspections/export", web.Doc{Summary: "导出督促检查（.xlsx）", Roles: Managers, Query: []string{"status"}}, h.exportInspections)
	a.Post("/site-inspections/:id/rectify", web.Doc{Summary: "记录整改完成（教学点所在区县）", Body: RectifyRequest{}, Resp: InspectionResponse{}, Roles: Managers}, h.rectify)
	a.Get("/sites/:id/inspections", web.Doc{Summary: "教学点的督促检查记录", Resp: []InspectionResponse{}, Roles: Managers}, h.siteInspections)
	a.Post("/sites/:id/inspections", web.Doc{Summary: "记录督促检查（组织部门）：检查日期、情况、结果（pass 合格 / rework 需整改 / fail 不合格）、整改事项及期限", Body: InspectionRequest{}, Resp: InspectionResponse{}, Status: 201, Roles: Deciders}, h.inspect)
}

// registerExtraPages lists the pages that must come before /admin/sites/:id.
func (h *Handlers) registerExtraPages(pages fiber.Router) {
	pages.Get(AdminPath+"/inspections", web.RequireRole(Managers...), h.inspectionsPage)
	pages.Post(AdminPath+"/inspections/:id/rectify", web.RequireRole(web.RoleUnitAdmin), h.rectifyForm)
	pages.Post(AdminPath+"/:id/inspections", web.RequireRole(Deciders...), h.inspectForm)
}
