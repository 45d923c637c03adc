package settings

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the settings API and page.
type Handlers struct {
	svc   *Service
	pages *web.Engine
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, pages: pages}
}

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	api = api.Tag("settings")
	api.Get("/settings", web.Doc{Summary: "列出系统设置", Resp: []View{}, Roles: []string{web.RoleSysAdmin}}, h.list)
	api.Put("/settings", web.Doc{Summary: "修改系统设置", Body: map[string]string{}, Resp: []View{}, Roles: []string{web.RoleSysAdmin}}, h.update)
	pages.Get("/admin/settings", web.RequireRole(web.RoleSysAdmin), h.page)
	pages.Post("/admin/settings", web.RequireRole(web.RoleSysAdmin), h.save)
}

func (h *Handlers) list(c *fiber.Ctx) error {
	return c.JSON(h.svc.All(c.UserContext()))
}

func (h *Handlers) update(c *fiber.Ctx) error {
	var in map[string]any
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	values := map[string]string{}
	for k, v := range in {
		switch x := v.(type) {
		case string:
			values[k] = x
		case bool:
			if x {
				values[k] = "true"
			} else {
				values[k] = "false"
			}
		default:
			values[k] = web.JSONScalar(v)
		}
	}
	if err := h.svc.Update(c.UserContext(), web.Caller(c), values); err != nil {
		return err
	}
	return c.JSON(h.svc.All(c.UserContext()))
}

func (h *Handlers) page(c *fiber.Ctx) error {
	return h.pages.Render(c, fiber.StatusOK, "settings/index", "系统设置", map[string]any{"Settings": h.svc.All(c.UserContext())})
}

func (h *Handlers) save(c *fiber.Ctx) error {
	values := map[string]string{}
	for _, v := range h.svc.All(c.UserContext()) {
		if v.Kind == KindBool {
			values[v.Key] = c.FormValue(v.Key, "false")
			continue
		}
		if s := c.FormValue(v.Key); s != "" {
			values[v.Key] = s
		}
	}
	if err := h.svc.Update(c.UserContext(), web.Caller(c), values); err != nil {
		we := web.AsError(err)
		if we.Status != fiber.StatusBadRequest {
			return err
		}
		all := h.svc.All(c.UserContext())
		for i := range all {
			if v, ok := values[all[i].Key]; ok {
				all[i].Value = v // show what was typed, next to its error
			}
		}
		return h.pages.Render(c, fiber.StatusBadRequest, "settings/index", "系统设置", map[string]any{"Settings": all, "Errors": we.Fields})
	}
	web.Flash(c, "设置已保存")
	return c.Redirect("/admin/settings", fiber.StatusSeeOther)
}
