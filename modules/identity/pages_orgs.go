package identity

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

type orgNode struct {
	OrgResponse
	KindName string
}

func (h *Handlers) orgsData(c *fiber.Ctx, form OrgRequest, errs map[string]string) (map[string]any, error) {
	orgs, err := h.svc.ListOrgs(c.UserContext(), web.Caller(c))
	if err != nil {
		return nil, err
	}
	nodes := make([]orgNode, len(orgs))
	for i := range orgs {
		nodes[i] = orgNode{OrgResponse: orgResponse(&orgs[i]), KindName: KindNames[orgs[i].Kind]}
	}
	var parent uint64
	if form.ParentID != nil {
		parent = *form.ParentID
	}
	return map[string]any{"Orgs": nodes, "Form": form, "ParentID": parent, "Errors": errs, "Kinds": KindNames}, nil
}

func (h *Handlers) orgsPage(c *fiber.Ctx) error {
	data, err := h.orgsData(c, OrgRequest{Kind: KindUnit}, nil)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/orgs", "组织机构", data)
}

func (h *Handlers) orgCreateSubmit(c *fiber.Ctx) error {
	in := OrgRequest{Name: c.FormValue("name"), Code: c.FormValue("code"), Kind: c.FormValue("kind")}
	if pid, err := web.ParseUint(c.FormValue("parent_id")); err == nil && pid > 0 {
		in.ParentID = &pid
	}
	o, err := h.svc.CreateOrg(c.UserContext(), web.Caller(c), in)
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 {
			return err
		}
		fields := we.Fields
		if fields == nil {
			fields = map[string]string{"parent_id": "上级组织不存在或不在您的管理范围内"}
		}
		data, derr := h.orgsData(c, in, fields)
		if derr != nil {
			return derr
		}
		return h.pages.Render(c, fiber.StatusBadRequest, "identity/orgs", "组织机构", data)
	}
	web.Flash(c, "已新建组织："+o.Name)
	return c.Redirect("/admin/orgs", fiber.StatusSeeOther)
}
