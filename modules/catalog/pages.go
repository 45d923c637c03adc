package catalog

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) registerPages(r fiber.Router) {
	oversee := web.RequireRole(web.RoleCollegeAdmin, web.RoleOrgAdmin)
	manage := web.RequireRole(web.RoleCollegeAdmin)
	r.Get("/courses", web.RequireLogin, h.catalogPage)
	r.Get("/admin/courses", oversee, h.adminListPage)
	r.Get("/admin/courses/new", manage, h.adminNewPage)
	r.Post("/admin/courses/new", manage, h.adminCreateSubmit)
	r.Get("/admin/courses/:id", oversee, h.adminEditPage)
	r.Post("/admin/courses/:id", manage, h.adminUpdateSubmit)
}

// catalogPage: GET /courses?q=&category=&kind=&page=
func (h *Handlers) catalogPage(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	p := web.Caller(c)
	f := CourseFilter{Q: c.Query("q"), Category: c.Query("category"), Kind: c.Query("kind")}
	items, total, err := h.svc.List(c.UserContext(), p, f, pg)
	if err != nil {
		return err
	}
	cats, err := h.svc.store.Categories(c.UserContext(), p)
	if err != nil {
		return web.Internal(err)
	}
	return h.pages.Render(c, fiber.StatusOK, "catalog/list", "课程学习", map[string]any{
		"List": web.NewList(courseItems(items), total, pg), "Q": f.Q, "Category": f.Category, "Kind": f.Kind,
		"Categories": cats, "Kinds": KindNames,
	})
}

func (h *Handlers) adminListPage(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f := CourseFilter{Q: c.Query("q"), Status: c.Query("status"), Manage: true}
	if _, ok := StatusNames[f.Status]; f.Status != "" && !ok {
		f.Status = ""
	}
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), f, pg)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "catalog/admin_list", "课程管理", map[string]any{
		"List": web.NewList(courseItems(items), total, pg), "Q": f.Q, "Status": f.Status, "Statuses": StatusNames, "Kinds": KindNames,
	})
}

func courseFromForm(c *fiber.Ctx) (CourseRequest, map[string]string) {
	in := CourseRequest{Title: c.FormValue("title"), Summary: c.FormValue("summary"), Category: c.FormValue("category"),
		Kind: c.FormValue("kind"), Teacher: c.FormValue("teacher")}
	for _, v := range c.Request().PostArgs().PeekMulti("audience_levels") {
		in.AudienceLevels = append(in.AudienceLevels, string(v))
	}
	if v := c.FormValue("hours"); v != "" {
		f, err := parseHours(v)
		if err != nil {
			return in, map[string]string{"hours": "学时应为不大于 100 的数字，最多两位小数"}
		}
		in.Hours = &f
	}
	return in, nil
}

func parseHours(s string) (web.Hours, error) {
	var h web.Hours
	err := h.UnmarshalJSON([]byte(s))
	return h, err
}

func (h *Handlers) formPage(c *fiber.Ctx, status int, title string, form CourseRequest, course *CourseResponse, errs map[string]string) error {
	return h.pages.Render(c, status, "catalog/admin_form", title, map[string]any{
		"Form": form, "Course": course, "Errors": errs, "Levels": Levels, "Kinds": KindNames, "LessonTypes": LessonTypeNames,
		"Statuses": StatusNames, "CanManage": web.Caller(c).Has(web.RoleCollegeAdmin), "MaxUploadMB": h.svc.MaxUpload(c.UserContext()) >> 20, "MaxUpload": h.svc.MaxUpload(c.UserContext()),
	})
}

func (h *Handlers) adminNewPage(c *fiber.Ctx) error {
	return h.formPage(c, fiber.StatusOK, "新建课程", CourseRequest{Kind: KindRequired}, nil, nil)
}

func (h *Handlers) adminCreateSubmit(c *fiber.Ctx) error {
	in, bad := courseFromForm(c)
	if bad != nil {
		return h.formPage(c, fiber.StatusBadRequest, "新建课程", in, nil, bad)
	}
	course, err := h.svc.CreateCourse(c.UserContext(), web.Caller(c), in)
	if err != nil {
		if we := web.AsError(err); we.Fields != nil {
			return h.formPage(c, fiber.StatusBadRequest, "新建课程", in, nil, we.Fields)
		}
		return err
	}
	web.Flash(c, "课程已创建，请添加课时")
	return c.Redirect("/admin/courses/"+itoa(course.ID), fiber.StatusSeeOther)
}

func (h *Handlers) adminEditPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	course, err := h.svc.store.CourseForManager(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return web.Internal(err)
	}
	if course == nil {
		return web.NotFound()
	}
	detail, err := h.svc.Detail(c.UserContext(), course, true)
	if err != nil {
		return err
	}
	form := CourseRequest{Title: course.Title, Summary: course.Summary, Category: course.Category, Kind: course.Kind, Teacher: course.Teacher, AudienceLevels: detail.AudienceLevels}
	if course.HoursManual {
		hv := course.Hours
		form.Hours = &hv
	}
	return h.formPage(c, fiber.StatusOK, course.Title, form, &detail, nil)
}

func (h *Handlers) adminUpdateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in, bad := courseFromForm(c)
	p := web.Caller(c)
	// The form does not edit the org audience: keep what the API set.
	orgs, err := h.svc.store.CourseOrgs(c.UserContext(), id)
	if err != nil {
		return web.Internal(err)
	}
	in.AudienceOrgIDs = orgs
	var course *Course
	if bad != nil {
		err = web.Invalid(bad)
	} else {
		course, err = h.svc.UpdateCourse(c.UserContext(), p, id, in)
	}
	if err != nil {
		we := web.AsError(err)
		if we.Fields == nil {
			return err
		}
		cur, cerr := h.svc.store.CourseForManager(c.UserContext(), p, id)
		if cerr != nil || cur == nil {
			return err
		}
		detail, derr := h.svc.Detail(c.UserContext(), cur, true)
		if derr != nil {
			return derr
		}
		return h.formPage(c, fiber.StatusBadRequest, cur.Title, in, &detail, we.Fields)
	}
	web.Flash(c, "已保存")
	return c.Redirect("/admin/courses/"+itoa(course.ID), fiber.StatusSeeOther)
}

func itoa(n uint64) string { return web.Itoa(n) }
