package portal

import (
	"html/template"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Page paths of the portal.
const (
	PortalPath = "/portal"
	AdminPath  = "/admin/notices"
)

func (h *API) registerPages(pages fiber.Router) {
	pages.Get(PortalPath, h.PortalPage)
	pages.Get("/notices/:id", h.noticePage)
	pages.Get("/colleges/:id", h.collegePage)
	pages.Get(AdminPath, web.RequireRole(Writers...), h.adminList)
	pages.Get(AdminPath+"/new", web.RequireRole(Writers...), h.adminNew)
	pages.Get(AdminPath+"/:id", web.RequireRole(Writers...), h.adminEdit)
}

// PortalPage is the public portal; the home page shows it to visitors.
func (h *API) PortalPage(c *fiber.Ctx) error {
	p := web.Caller(c)
	out, err := h.svc.Portal(c.UserContext(), p)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "portal/portal", "", map[string]any{"P": out, "CanWrite": canWrite(p)})
}

// safe marks a sanitised body as HTML for a template, cleaning it again so
// that a stricter policy applies to old rows too.
func (h *API) safe(body string) template.HTML {
	return template.HTML(h.svc.clean.Clean(body)) // #nosec G203 -- sanitised by the allow-list policy
}

func (h *API) noticePage(c *fiber.Ctx) error {
	_, n, editor, err := web.WithIDPair(c, h.svc.Notice)
	if err != nil {
		return err
	}
	canEdit := editor
	if p := web.Caller(c); !editor && canWrite(p) {
		_, err := h.svc.Managed(c.UserContext(), p, n.ID)
		canEdit = err == nil
	}
	return h.pages.Render(c, fiber.StatusOK, "portal/notice", n.Title, map[string]any{
		"N": noticeResponse(n), "Body": h.safe(n.Body), "Editor": editor, "CanEdit": canEdit, "KindName": KindNames[n.Kind], "Footer": h.svc.Footer(c.UserContext()),
	})
}

func (h *API) collegePage(c *fiber.Ctx) error {
	_, col, err := web.WithID(c, h.svc.College)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "portal/college", col.Name, map[string]any{
		"C": col, "Intro": h.safe(col.Intro), "Footer": h.svc.Footer(c.UserContext()),
	})
}

func (h *API) adminList(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	kind := c.Query("kind")
	if kind != KindNotice && kind != KindNews {
		kind = ""
	}
	ns, total, err := h.svc.List(c.UserContext(), web.Caller(c), kind, pg)
	if err != nil {
		return err
	}
	items := make([]NoticeItem, len(ns))
	for i := range ns {
		items[i] = noticeItem(&ns[i])
	}
	return h.pages.Render(c, fiber.StatusOK, "portal/admin_list", "通知公告管理", map[string]any{
		"List": web.NewList(items, total, pg), "Kind": kind, "KindNames": KindNames, "StatusNames": StatusNames,
	})
}

func (h *API) adminNew(c *fiber.Ctx) error {
	kind := c.Query("kind")
	if kind != KindNews {
		kind = KindNotice
	}
	return h.pages.Render(c, fiber.StatusOK, "portal/admin_form", "撰写"+KindNames[kind], map[string]any{
		"N": NoticeResponse{NoticeItem: NoticeItem{Kind: kind}, AudienceLevels: []string{}}, "KindNames": KindNames,
	})
}

func (h *API) adminEdit(c *fiber.Ctx) error {
	_, n, err := web.WithID(c, h.svc.Managed)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "portal/admin_form", "编辑"+KindNames[n.Kind], map[string]any{
		"N": noticeResponse(n), "Body": h.safe(n.Body), "KindNames": KindNames, "StatusNames": StatusNames,
	})
}
