package faculty

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Page paths of the faculty.
const (
	AdminPath       = "/admin/teachers"
	CorrectionsPath = "/admin/teacher-corrections"
)

func (h *Handlers) registerPages(pages fiber.Router) {
	only := web.RequireRole(Managers...)
	// The fixed paths under AdminPath come before its :id.
	pages.Get(MastersPath, only, h.mastersPage)
	pages.Get(TrainingPath, only, h.trainingPage)
	pages.Get(LeadersPath, only, h.leadersPage)
	pages.Post(MastersPath+"/review", only, h.reviewSubmit)
	pages.Post(AdminPath+"/:id/master", only, h.decideSubmit)
	pages.Get(AdminPath, only, h.listPage)
	pages.Get(AdminPath+"/new", only, h.newPage)
	pages.Post(AdminPath, only, h.createSubmit)
	pages.Get(AdminPath+"/:id", only, h.detailPage)
	pages.Get(AdminPath+"/:id/edit", only, h.editPage)
	pages.Post(AdminPath+"/:id", only, h.updateSubmit)
	pages.Get(CorrectionsPath, only, h.correctionsPage)
	pages.Post(CorrectionsPath+"/:id/close", only, h.closeSubmit)
	pages.Post("/admin/sessions/:id/to-faculty", only, h.fromSessionSubmit)
	pages.Post(AdminPath+"/:id/photo", only, h.photoSubmit)
}

// kinds are the kinds of teachers in the order the pages list them.
var kinds = []string{KindInternal, KindExpert, KindLeader}

func (h *Handlers) listPage(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f := filter(c)
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), f, pg)
	if err != nil {
		return err
	}
	export := "/api/v1/teachers.xlsx?" + url.Values{"kind": {f.Kind}, "status": {f.Status}, "q": {f.Q}}.Encode()
	return h.pages.Render(c, fiber.StatusOK, "faculty/list", "师资库", map[string]any{
		"List": web.NewList(items, total, pg), "F": f, "KindNames": KindNames, "Kinds": kinds, "StatusNames": StatusNames, "Export": export,
	})
}

// formView is what the teacher form shows.
type formView struct {
	ID     uint64
	In     TeacherRequest
	Errors map[string]string
	Title  string
}

func (h *Handlers) form(c *fiber.Ctx, status int, v formView) error {
	return h.pages.Render(c, status, "faculty/form", v.Title, map[string]any{"V": v, "KindNames": KindNames, "Kinds": kinds, "StatusNames": StatusNames})
}

func (h *Handlers) newPage(c *fiber.Ctx) error {
	return h.form(c, fiber.StatusOK, formView{In: TeacherRequest{Kind: KindInternal, Status: StatusActive}, Title: "新增教师"})
}

func (h *Handlers) editPage(c *fiber.Ctx) error {
	_, t, err := web.WithID(c, h.svc.Teacher)
	if err != nil {
		return err
	}
	in := TeacherRequest{Name: t.Name, Kind: t.Kind, UserID: t.UserID, Post: t.Post, OrgID: t.OrgID, Unit: t.Unit, Title: t.Title, Fields: t.Fields, Intro: t.Intro, Status: t.Status}
	return h.form(c, fiber.StatusOK, formView{ID: t.ID, In: in, Title: "修改教师信息"})
}

// formRequest reads the teacher form.
func formRequest(c *fiber.Ctx) TeacherRequest {
	num := func(k string) uint64 {
		n, _ := strconv.ParseUint(strings.TrimSpace(c.FormValue(k)), 10, 64)
		return n
	}
	return TeacherRequest{Name: c.FormValue("name"), Kind: c.FormValue("kind"), UserID: num("user_id"), Post: c.FormValue("post"), OrgID: num("org_id"),
		Unit: c.FormValue("unit"), Title: c.FormValue("title"), Fields: c.FormValue("fields"), Intro: c.FormValue("intro"), Status: c.FormValue("status")}
}

// failed shows the form again with the fields a refused request names.
func (h *Handlers) failed(c *fiber.Ctx, v formView, err error) error {
	var we *web.Error
	if errors.As(err, &we) && len(we.Fields) > 0 {
		v.Errors = we.Fields
		return h.form(c, fiber.StatusUnprocessableEntity, v)
	}
	return err
}

func (h *Handlers) createSubmit(c *fiber.Ctx) error {
	in := formRequest(c)
	t, err := h.svc.Create(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return h.failed(c, formView{In: in, Title: "新增教师"}, err)
	}
	web.Flash(c, "已加入师资库："+t.Name)
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, t.ID), fiber.StatusSeeOther)
}

func (h *Handlers) updateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := formRequest(c)
	t, err := h.svc.Update(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return h.failed(c, formView{ID: id, In: in, Title: "修改教师信息"}, err)
	}
	web.Flash(c, "已保存："+t.Name)
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, t.ID), fiber.StatusSeeOther)
}

func (h *Handlers) detailPage(c *fiber.Ctx) error {
	_, r, err := web.WithID(c, h.svc.Record)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "faculty/detail", r.Name, map[string]any{"T": r})
}

func (h *Handlers) correctionsPage(c *fiber.Ctx) error {
	return h.renderCorrections(c, fiber.StatusOK, "")
}

// renderCorrections shows the task list, with problem as the reason a
// close was refused when there is one.
func (h *Handlers) renderCorrections(c *fiber.Ctx, code int, problem string) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	status := c.Query("status", CorrectionOpen)
	if status == "all" {
		status = ""
	}
	items, total, err := h.svc.Corrections(c.UserContext(), web.Caller(c), status, pg)
	if err != nil {
		return err
	}
	return h.pages.Render(c, code, "faculty/corrections", "教师整改任务", map[string]any{"List": web.NewList(items, total, pg), "Status": status, "Problem": problem})
}

// closeSubmit closes a task from the form on the teacher's page; a
// refusal shows the open tasks with the reason and keeps the task open.
func (h *Handlers) closeSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.svc.CloseCorrection(c.UserContext(), web.Caller(c), id, CloseRequest{Note: c.FormValue("note")})
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 || we.Status == fiber.StatusNotFound || we.Status == fiber.StatusForbidden {
			return err
		}
		return h.renderCorrections(c, we.Status, we.Message+fieldText(we.Fields))
	}
	web.Flash(c, "整改任务已关闭")
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, out.TeacherID), fiber.StatusSeeOther)
}

// fieldText joins the messages of refused fields.
func fieldText(f map[string]string) string {
	var out []string
	for _, m := range f {
		out = append(out, m)
	}
	if len(out) == 0 {
		return ""
	}
	return "（" + strings.Join(out, "；") + "）"
}
