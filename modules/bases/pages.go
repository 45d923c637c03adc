package bases

import (
	"errors"
	"fmt"
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Page paths of the module.
const (
	PublicPath = "/bases"
	AdminPath  = "/admin/bases"
)

func (h *Handlers) registerPages(pages fiber.Router) {
	pages.Get(PublicPath, h.publicPage)
	pages.Get(AdminPath, web.RequireRole(Appliers...), h.adminList)
	pages.Post(AdminPath, web.RequireRole(Appliers...), h.adminApply)
	pages.Get(AdminPath+"/:id", web.RequireRole(Appliers...), h.adminDetail)
	pages.Post(AdminPath+"/:id/act/:action", web.RequireRole(Reviewers...), h.adminTransition)
	pages.Post(AdminPath+"/:id/checks", web.RequireRole(Reviewers...), h.adminCheck)
	pages.Post(AdminPath+"/:id/documents", web.RequireRole(Appliers...), h.adminUpload)
}

func (h *Handlers) publicPage(c *fiber.Ctx) error {
	kind := c.Query("kind")
	if KindNames[kind] == "" {
		kind = ""
	}
	list, err := h.svc.Public(c.UserContext(), kind)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "bases/public", "培训基地", map[string]any{
		"Bases": list, "Kind": kind, "Kinds": kindOrder, "KindNames": KindNames,
	})
}

func (h *Handlers) adminList(c *fiber.Ctx) error {
	return h.renderList(c, fiber.StatusOK, BaseRequest{}, nil)
}

func (h *Handlers) renderList(c *fiber.Ctx, status int, form BaseRequest, errs map[string]string) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f := filterFrom(c)
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), f, pg)
	if err != nil {
		return err
	}
	return h.pages.Render(c, status, "bases/admin_list", "培训基地管理", map[string]any{
		"List": web.NewList(items, total, pg), "Filter": f, "Kinds": kindOrder, "KindNames": KindNames, "StatusNames": StatusNames,
		"Statuses": []string{StatusApplied, StatusApproved, StatusFiled, StatusSuspended, StatusRejected, StatusWithdrawn},
		"Form":     form, "Errs": errs, "ExportQuery": c.Context().QueryArgs().String(),
	})
}

func (h *Handlers) adminApply(c *fiber.Ctx) error {
	capacity, _ := strconv.Atoi(c.FormValue("capacity"))
	in := BaseRequest{Name: c.FormValue("name"), Kind: c.FormValue("kind"), Address: c.FormValue("address"), Capacity: capacity,
		Contact: c.FormValue("contact"), OfficePhone: c.FormValue("office_phone"), Intro: c.FormValue("intro")}
	b, err := h.svc.Apply(c.UserContext(), web.Caller(c), in)
	if err != nil {
		var we *web.Error
		if errors.As(err, &we) && len(we.Fields) > 0 {
			return h.renderList(c, we.Status, in, we.Fields)
		}
		return err
	}
	web.Flash(c, "已提交准入申请：“"+b.Name+"”，请上传申请材料")
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, b.ID), fiber.StatusSeeOther)
}

func (h *Handlers) adminDetail(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderDetail(c, fiber.StatusOK, id, "")
}

func (h *Handlers) renderDetail(c *fiber.Ctx, status int, id uint64, refusal string) error {
	b, err := h.svc.Detail(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return h.pages.Render(c, status, "bases/admin_detail", b.Name, map[string]any{
		"B": b, "Err": refusal, "Reasons": map[string]bool{ActReject: true, ActSuspend: true, ActWithdraw: true},
		"ActionNames": map[string]string{ActApprove: "准入通过", ActReject: "不予准入", ActFile: "备案", ActSuspend: "暂停", ActReinstate: "恢复备案", ActWithdraw: "撤销"},
		"Results":     []string{ResultPass, ResultRectify, ResultFail}, "ResultNames": ResultNames, "MaxMB": MaxDocumentBytes >> 20,
	})
}

// back answers a page's action: the detail page with a message once done,
// or the page again with the refusal when it is one the caller can act on.
func (h *Handlers) back(c *fiber.Ctx, id uint64, done string, err error) error {
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 || we.Status == fiber.StatusForbidden || we.Status == fiber.StatusNotFound {
			return err
		}
		msg := we.Message
		for _, m := range we.Fields {
			msg += "（" + m + "）"
		}
		return h.renderDetail(c, we.Status, id, msg)
	}
	web.Flash(c, done)
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, id), fiber.StatusSeeOther)
}

func (h *Handlers) adminTransition(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	action := c.Params("action")
	_, err = h.svc.Transition(c.UserContext(), web.Caller(c), id, action, c.FormValue("reason"))
	return h.back(c, id, Done(action), err)
}

func (h *Handlers) adminCheck(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(c.FormValue("year"))
	_, err = h.svc.AddCheck(c.UserContext(), web.Caller(c), id, CheckRequest{Year: year, Result: c.FormValue("result"), Note: c.FormValue("note")})
	return h.back(c, id, "已登记年度复核", err)
}

func (h *Handlers) adminUpload(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	_, err = h.saveUpload(c, id)
	return h.back(c, id, "已上传准入材料", err)
}
