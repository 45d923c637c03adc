package throughtrain

import (
	"fmt"
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Page paths of the module.
const (
	MyPath    = "/me/through-train"
	AdminPath = "/admin/through-train"
)

// Staff are the roles that see the college's and the units' side of the
// through-train on the admin pages.
var Staff = []string{web.RoleCollegeAdmin, web.RoleTeacher, web.RoleUnitAdmin}

func (h *Handlers) registerPages(pages fiber.Router) {
	pages.Get(MyPath, web.RequireLogin, h.myList)
	pages.Post(MyPath, web.RequireLogin, h.myRaise)
	pages.Get(MyPath+"/:id", web.RequireLogin, h.myThread)
	pages.Post(MyPath+"/:id/messages", web.RequireLogin, h.pagePost(MyPath))
	pages.Post(MyPath+"/:id/attachments", web.RequireLogin, h.pageUpload(MyPath))
	pages.Post(MyPath+"/:id/close", web.RequireLogin, h.myClose)
	pages.Get(AdminPath, web.RequireRole(Staff...), h.adminList)
	pages.Get(AdminPath+"/:id", web.RequireRole(Staff...), h.adminThread)
	pages.Post(AdminPath+"/:id/messages", web.RequireRole(Staff...), h.pagePost(AdminPath))
	pages.Post(AdminPath+"/:id/attachments", web.RequireRole(Staff...), h.pageUpload(AdminPath))
	pages.Post(AdminPath+"/:id/assign", web.RequireRole(Admins...), h.adminAssign)
	pages.Post(AdminPath+"/:id/mark-case", web.RequireRole(Admins...), h.adminMarkCase)
	pages.Post(AdminPath+"/:id/case-course", web.RequireRole(Admins...), h.adminCaseCourse)
}

var statusOrder = []string{StatusOpen, StatusAnswered, StatusClosed}

func (h *Handlers) renderList(c *fiber.Ctx, status int, tpl, title, base string, extra map[string]any) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f := filterFrom(c)
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), f, pg)
	if err != nil {
		return err
	}
	data := map[string]any{"List": web.NewList(items, total, pg), "Filter": f, "Statuses": statusOrder, "StatusNames": StatusNames,
		"Base": base, "ExportQuery": c.Context().QueryArgs().String()}
	for k, v := range extra {
		data[k] = v
	}
	return h.pages.Render(c, status, tpl, title, data)
}

func (h *Handlers) myList(c *fiber.Ctx) error {
	return h.renderMyList(c, fiber.StatusOK, RaiseRequest{}, nil)
}

func (h *Handlers) renderMyList(c *fiber.Ctx, status int, form RaiseRequest, errs map[string]string) error {
	classes, err := h.svc.GraduatedClasses(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return h.renderList(c, status, "throughtrain/my_list", "学员直通车", MyPath, map[string]any{"Classes": classes, "Form": form, "Errs": errs})
}

func (h *Handlers) myRaise(c *fiber.Ctx) error {
	classID, _ := strconv.ParseUint(c.FormValue("class_id"), 10, 64)
	in := RaiseRequest{ClassID: classID, Subject: c.FormValue("subject"), Body: c.FormValue("body")}
	t, err := h.svc.Raise(c.UserContext(), web.Caller(c), in)
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 {
			return err
		}
		errs := we.Fields
		if len(errs) == 0 {
			errs = map[string]string{"class_id": we.Message}
		}
		return h.renderMyList(c, we.Status, in, errs)
	}
	web.Flash(c, "已提交，主办学院答复后会通知您")
	return c.Redirect(fmt.Sprintf("%s/%d", MyPath, t.ID), fiber.StatusSeeOther)
}

func (h *Handlers) adminList(c *fiber.Ctx) error {
	return h.renderList(c, fiber.StatusOK, "throughtrain/admin_list", "学员直通车", AdminPath, nil)
}

func (h *Handlers) myThread(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderThread(c, fiber.StatusOK, MyPath, id, "")
}

func (h *Handlers) adminThread(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderThread(c, fiber.StatusOK, AdminPath, id, "")
}

func (h *Handlers) renderThread(c *fiber.Ctx, status int, base string, id uint64, refusal string) error {
	p := web.Caller(c)
	t, err := h.svc.Visible(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	out, err := h.svc.Detail(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	teachers, err := h.svc.Assignable(c.UserContext(), p, t)
	if err != nil {
		return err
	}
	can := map[string]bool{}
	for _, a := range out.Actions {
		can[a] = true
	}
	return h.pages.Render(c, status, "throughtrain/thread", out.Subject, map[string]any{
		"T": out, "Base": base, "Can": can, "Err": refusal, "Teachers": teachers, "TeacherID": t.TeacherID, "MaxMB": MaxAttachmentBytes >> 20,
	})
}

// back answers a thread page's action: the thread with a message once done,
// or the page again with the refusal when the caller can act on it.
func (h *Handlers) back(c *fiber.Ctx, base string, id uint64, done string, err error) error {
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 || we.Status == fiber.StatusForbidden || we.Status == fiber.StatusNotFound {
			return err
		}
		msg := we.Message
		for _, m := range we.Fields {
			msg += "（" + m + "）"
		}
		return h.renderThread(c, we.Status, base, id, msg)
	}
	web.Flash(c, done)
	return c.Redirect(fmt.Sprintf("%s/%d", base, id), fiber.StatusSeeOther)
}

func (h *Handlers) pagePost(base string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		_, err = h.svc.Post(c.UserContext(), web.Caller(c), id, MessageRequest{Body: c.FormValue("body")})
		return h.back(c, base, id, "留言已发送", err)
	}
}

func (h *Handlers) pageUpload(base string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		_, err = h.saveUpload(c, id)
		return h.back(c, base, id, "附件已上传", err)
	}
}

func (h *Handlers) myClose(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	sat, _ := strconv.Atoi(c.FormValue("satisfaction"))
	_, err = h.svc.Close(c.UserContext(), web.Caller(c), id, CloseRequest{Satisfaction: sat, Note: c.FormValue("note")})
	return h.back(c, MyPath, id, "已办结，感谢您的评价", err)
}

func (h *Handlers) adminAssign(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	teacher, _ := strconv.ParseUint(c.FormValue("teacher_id"), 10, 64)
	_, err = h.svc.Assign(c.UserContext(), web.Caller(c), id, AssignRequest{TeacherID: teacher})
	return h.back(c, AdminPath, id, "已指派教师答复", err)
}

func (h *Handlers) adminMarkCase(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	good := c.FormValue("good") != ""
	_, err = h.svc.MarkCase(c.UserContext(), web.Caller(c), id, CaseRequest{Good: good, Note: c.FormValue("note")})
	done := "已标记为优秀案例"
	if !good {
		done = "已取消优秀案例标记"
	}
	return h.back(c, AdminPath, id, done, err)
}

func (h *Handlers) adminCaseCourse(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	_, out, created, err := web.WithIDPair(c, h.svc.CaseCourse)
	if err != nil {
		return h.back(c, AdminPath, id, "", err)
	}
	if created {
		web.Flash(c, "已在主办学院新建草稿课程，请补充课程内容后发布")
	}
	return c.Redirect(fmt.Sprintf("/admin/courses/%d", out.CourseID), fiber.StatusSeeOther)
}
