package sites

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// registerExtra lists the routes that must come before /sites/:id.
func (h *Handlers) registerExtra(a *web.API) {
	a.Get("/sites/stats", web.Doc{Summary: "现场教学点使用统计（year=，按教学点和类别：确认场次、参训人次、评估满意率；区县看本辖区，组织部门看全市）", Resp: StatsResponse{}, Roles: Managers, Query: []string{"year"}}, h.stats)
	a.Get("/sites/stats/export", web.Doc{Summary: "导出现场教学点使用统计（.xlsx）", Roles: Managers, Query: []string{"year"}}, h.exportStats)
	a.Get("/sites/joint", web.Doc{Summary: "联席会议：各区县使用中的教学点、精品课程与讲解员、为外区县班次接待的场次（year=；组织部门和区县只读）", Resp: JointResponse{}, Roles: Managers, Query: []string{"year"}}, h.joint)
	a.Get("/sites/joint/export", web.Doc{Summary: "导出联席会议教学点一览（.xlsx）", Roles: Managers, Query: []string{"year"}}, h.exportJoint)
	a.Get("/sites/:id/courses", web.Doc{Summary: "教学点的精品课程及讲解员", Resp: []SiteCourseResponse{}, Roles: Viewers}, h.siteCourses)
	a.Post("/sites/:id/courses", web.Doc{Summary: "为教学点列入精品课程（课程库中的课程）及讲解员", Body: CourseLinkRequest{}, Resp: SiteCourseResponse{}, Status: 201, Roles: Managers}, h.linkCourse)
	a.Delete("/sites/:id/courses/:course_id", web.Doc{Summary: "移出教学点的精品课程", Status: 204, Roles: Managers}, h.unlinkCourse)
	a.Get("/site-routes/export", web.Doc{Summary: "导出现场教学线路（.xlsx，每站一行）", Roles: Managers}, h.exportRoutes)
	a.Get("/site-inspections", web.Doc{Summary: "督促检查（status=open 整改中、overdue 整改逾期、closed 已办结；区县看本辖区，组织部门看全市）", Resp: web.List[InspectionResponse]{}, Roles: Managers, Query: []string{"status", "page", "page_size"}}, h.inspections)
	a.Get("/site-inspections/export", web.Doc{Summary: "导出督促检查（.xlsx）", Roles: Managers, Query: []string{"status"}}, h.exportInspections)
	a.Post("/site-inspections/:id/rectify", web.Doc{Summary: "记录整改完成（教学点所在区县）", Body: RectifyRequest{}, Resp: InspectionResponse{}, Roles: Managers}, h.rectify)
	a.Get("/sites/:id/inspections", web.Doc{Summary: "教学点的督促检查记录", Resp: []InspectionResponse{}, Roles: Managers}, h.siteInspections)
	a.Post("/sites/:id/inspections", web.Doc{Summary: "记录督促检查（组织部门）：检查日期、情况、结果（pass 合格 / rework 需整改 / fail 不合格）、整改事项及期限", Body: InspectionRequest{}, Resp: InspectionResponse{}, Status: 201, Roles: Deciders}, h.inspect)
}

// registerExtraPages lists the pages that must come before /admin/sites/:id.
func (h *Handlers) registerExtraPages(pages fiber.Router) {
	pages.Get(AdminPath+"/categories", web.RequireRole(Deciders...), h.categoriesPage)
	pages.Post(AdminPath+"/categories", web.RequireRole(Deciders...), h.categoryForm)
	pages.Post(AdminPath+"/categories/:id", web.RequireRole(Deciders...), h.categoryForm)
	pages.Get(AdminPath+"/routes", web.RequireRole(Viewers...), h.routesPage)
	pages.Get(AdminPath+"/routes/new", web.RequireRole(Managers...), h.newRoutePage)
	pages.Post(AdminPath+"/routes", web.RequireRole(Managers...), h.createRouteForm)
	pages.Get(AdminPath+"/routes/:id", web.RequireRole(Viewers...), h.routePage)
	pages.Get(AdminPath+"/joint", web.RequireRole(Managers...), h.jointPage)
	pages.Get(AdminPath+"/stats", web.RequireRole(Managers...), h.statsPage)
	pages.Get(AdminPath+"/inspections", web.RequireRole(Managers...), h.inspectionsPage)
	pages.Post(AdminPath+"/inspections/:id/rectify", web.RequireRole(web.RoleUnitAdmin), h.rectifyForm)
	pages.Post(AdminPath+"/:id/courses", web.RequireRole(Managers...), h.linkCourseForm)
	pages.Post(AdminPath+"/:id/courses/:course_id/remove", web.RequireRole(Managers...), h.unlinkCourseForm)
	pages.Post(AdminPath+"/:id/inspections", web.RequireRole(Deciders...), h.inspectForm)
}
