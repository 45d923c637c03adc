package bases

import (
	"fmt"

	"college/modules/web"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the bases' API and pages.
type Handlers struct {
	svc     *Service
	pages   *web.Engine
	objects objects.Store
}

// NewHandlers wires the module's routes.
func NewHandlers(svc *Service, pages *web.Engine, store objects.Store) *Handlers {
	return &Handlers{svc: svc, pages: pages, objects: store}
}

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("bases")
	a.Get("/bases/public", web.Doc{Summary: "已备案的培训基地（公开，kind 筛选类别）", Resp: []PublicBase{}, Public: true, Query: []string{"kind"}}, h.public)
	a.Get("/bases", web.Doc{Summary: "本单位及下级的培训基地（status、kind 筛选）", Resp: web.List[BaseItem]{}, Roles: Appliers, Query: []string{"status", "kind", "page", "page_size"}}, h.list)
	a.Get("/bases/export", web.Doc{Summary: "导出培训基地名单（Excel）", Roles: Appliers, Query: []string{"status", "kind"}}, h.export)
	a.Post("/bases", web.Doc{Summary: "申请培训基地准入", Body: BaseRequest{}, Resp: BaseResponse{}, Status: 201, Roles: Appliers}, h.apply)
	a.Get("/bases/:id", web.Doc{Summary: "培训基地详情（含准入材料、复核记录、可做的操作）", Resp: BaseResponse{}, Roles: Appliers}, h.get)
	for _, act := range moveOrder {
		doc := web.Doc{Summary: moveSummaries[act], Resp: BaseResponse{}, Roles: Reviewers, OptionalBody: true}
		if moves[act].reason {
			doc.Body, doc.OptionalBody = ReasonRequest{}, false
		}
		a.Post("/bases/:id/"+act, doc, h.transition(act))
	}
	a.Post("/bases/:id/checks", web.Doc{Summary: "登记年度复核（结果 pass、rectify、fail）", Body: CheckRequest{}, Resp: CheckResponse{}, Status: 201, Roles: Reviewers}, h.check)
	a.Post("/bases/:id/documents", web.Doc{Summary: "上传准入材料（PDF、Word、JPG、PNG，10 MB 以内）", Multipart: []string{"file"}, Resp: DocumentResponse{}, Status: 201, Roles: Appliers}, h.upload)
	a.Get("/base-documents/:id", web.Doc{Summary: "下载准入材料", Roles: Appliers}, h.document)
	h.registerPages(pages)
}

var moveSummaries = map[string]string{
	ActApprove: "准入通过（组织部门）", ActReject: "准入不通过，须填写原因（组织部门）", ActFile: "备案（组织部门）",
	ActSuspend: "暂停基地，须填写原因（组织部门）", ActReinstate: "恢复备案（组织部门）", ActWithdraw: "撤销基地，须填写原因（组织部门）",
}

func (h *Handlers) public(c *fiber.Ctx) error {
	out, err := h.svc.Public(c.UserContext(), c.Query("kind"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func filterFrom(c *fiber.Ctx) Filter { return Filter{Status: c.Query("status"), Kind: c.Query("kind")} }

func (h *Handlers) list(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), filterFrom(c), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) export(c *fiber.Ctx) error {
	write, err := h.svc.Export(c.UserContext(), web.Caller(c), filterFrom(c))
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "培训基地名单.xlsx", h.svc.log, write)
}

func (h *Handlers) apply(c *fiber.Ctx) error {
	var in BaseRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := h.svc.Apply(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	out, err := h.svc.Detail(c.UserContext(), web.Caller(c), b.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Detail)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) transition(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		// A step that needs a reason needs its body; the others may come
		// without one.
		var in ReasonRequest
		if len(c.Body()) > 0 || moves[action].reason {
			if err := web.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		if _, err := h.svc.Transition(c.UserContext(), web.Caller(c), id, action, in.Reason); err != nil {
			return err
		}
		out, err := h.svc.Detail(c.UserContext(), web.Caller(c), id)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func (h *Handlers) check(c *fiber.Ctx) error {
	_, ch, err := web.WithIDBody(c, h.svc.AddCheck)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(CheckResponse{ID: ch.ID, Year: ch.Year, Result: ch.Result, ResultName: ResultNames[ch.Result], Note: ch.Note, CreatedAt: ch.CreatedAt})
}

func (h *Handlers) upload(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.saveUpload(c, id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(DocumentResponse{ID: d.ID, Name: d.Name, Size: d.Size, CreatedAt: d.CreatedAt})
}

// saveUpload reads the form's file and stores it, after checking that the
// caller may see the base (an outsider learns nothing from the file checks).
func (h *Handlers) saveUpload(c *fiber.Ctx, id uint64) (*Document, error) {
	if _, err := h.svc.Managed(c.UserContext(), web.Caller(c), id); err != nil {
		return nil, err
	}
	if cl := c.Request().Header.ContentLength(); cl > MaxDocumentBytes+1<<20 {
		return nil, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxDocumentBytes>>20))
	}
	up, err := web.MultipartUpload(c, "file")
	if err != nil {
		return nil, err
	}
	return h.svc.AddDocument(c.UserContext(), web.Caller(c), id, up.FileName(), up)
}

func (h *Handlers) document(c *fiber.Ctx) error {
	_, d, err := web.WithID(c, h.svc.DocumentFor)
	if err != nil {
		return err
	}
	return web.ServeObject(c, h.objects, d.ObjectKey, web.ServeOptions{ContentType: d.ContentType, Filename: d.Name})
}
