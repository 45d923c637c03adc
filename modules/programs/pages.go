package programs

import (
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// AdminPath is the pages' path.
const AdminPath = "/admin/programs"

func (h *Handlers) registerPages(pages fiber.Router) {
	pages.Get(AdminPath, web.RequireRole(Managers...), h.adminList)
	pages.Get(AdminPath+"/:id", web.RequireRole(Managers...), h.adminDetail)
}

func (h *Handlers) adminList(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(c.Query("year"))
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), year, pg)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "programs/admin_list", "重点培训项目", map[string]any{
		"List": web.NewList(items, total, pg), "Year": year, "ExportQuery": c.Context().QueryArgs().String(),
	})
}

func (h *Handlers) adminDetail(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	org, _ := strconv.ParseUint(c.Query("org_id"), 10, 64)
	pr, err := h.svc.Detail(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	cov, err := h.svc.Coverage(c.UserContext(), web.Caller(c), id, org)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "programs/admin_detail", pr.Title, map[string]any{
		"P": pr, "Coverage": cov, "OrgID": org,
		"Statuses": []string{StatusNotReached, StatusRegistered, StatusCompleted}, "StatusNames": StatusNames,
	})
}
