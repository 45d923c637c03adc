package throughtrain

import (
	"fmt"
	"log/slog"
	"strconv"

	"college/modules/web"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the through-train's API and pages.
type Handlers struct {
	svc     *Service
	pages   *web.Engine
	objects objects.Store
	log     *slog.Logger
}

// NewHandlers wires the module's routes.
func NewHandlers(svc *Service, pages *web.Engine, store objects.Store, log *slog.Logger) *Handlers {
	return &Handlers{svc: svc, pages: pages, objects: store, log: log}
}

// Admins are the roles that assign teachers and mark good cases.
var Admins = []string{web.RoleCollegeAdmin}

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("through-train")
	a.Get("/through-train", web.Doc{Summary: "学员直通车：本人可见的问题与求助（status、class_id 筛选）", Resp: web.List[ThreadItem]{},
		Query: []string{"status", "class_id", "page", "page_size"}}, h.list)
	a.Get("/through-train/export", web.Doc{Summary: "导出学员直通车清单（Excel）", Query: []string{"status", "class_id"}}, h.export)
	a.Post("/through-train", web.Doc{Summary: "结业学员提出问题或求助（单位管理员可用 user_id 代为提出）", Body: RaiseRequest{}, Resp: ThreadResponse{}, Status: 201}, h.raise)
	a.Get("/through-train/:id", web.Doc{Summary: "直通车事项及往来留言", Resp: ThreadResponse{}}, h.get)
	a.Post("/through-train/:id/messages", web.Doc{Summary: "在直通车事项中留言", Body: MessageRequest{}, Resp: MessageResponse{}, Status: 201}, h.post)
	a.Post("/through-train/:id/attachments", web.Doc{Summary: "上传直通车附件（PDF、Word、JPG、PNG，10 MB 以内）", Multipart: []string{"file"},
		Resp: AttachmentResponse{}, Status: 201}, h.upload)
	a.Get("/through-train-attachments/:id", web.Doc{Summary: "下载直通车附件"}, h.download)
	a.Post("/through-train/:id/assign", web.Doc{Summary: "指派本院师资库教师答复（主办学院）", Body: AssignRequest{}, Resp: ThreadResponse{}, Roles: Admins}, h.assign)
	a.Post("/through-train/:id/close", web.Doc{Summary: "学员办结并评价满意度（1–5）", Body: CloseRequest{}, Resp: ThreadResponse{}}, h.close)
	a.Post("/through-train/:id/mark-case", web.Doc{Summary: "标记或取消优秀案例（主办学院）", Body: CaseRequest{}, Resp: ThreadResponse{}, Roles: Admins}, h.markCase)
	a.Post("/through-train/:id/case-course", web.Doc{Summary: "将优秀案例转为课程（在主办学院新建草稿课程）", Resp: CaseCourseResponse{}, Status: 201, Roles: Admins, OptionalBody: true}, h.caseCourse)
	h.registerPages(pages)
}

func filterFrom(c *fiber.Ctx) Filter {
	id, _ := strconv.ParseUint(c.Query("class_id"), 10, 64)
	return Filter{Status: c.Query("status"), ClassID: id}
}

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
	return web.AttachmentStream(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "学员直通车.xlsx", h.log, write)
}

func (h *Handlers) detail(c *fiber.Ctx, status int, id uint64) error {
	out, err := h.svc.Detail(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

func (h *Handlers) raise(c *fiber.Ctx) error {
	var in RaiseRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.svc.Raise(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusCreated, t.ID)
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Detail)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) post(c *fiber.Ctx) error {
	_, m, err := web.WithIDBody(c, h.svc.Post)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(MessageResponse{ID: m.ID, AuthorName: m.AuthorName, Side: m.Side, Body: m.Body, CreatedAt: m.CreatedAt})
}

func (h *Handlers) assign(c *fiber.Ctx) error {
	id, _, err := web.WithIDBody(c, h.svc.Assign)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusOK, id)
}

func (h *Handlers) close(c *fiber.Ctx) error {
	id, _, err := web.WithIDBody(c, h.svc.Close)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusOK, id)
}

func (h *Handlers) markCase(c *fiber.Ctx) error {
	id, _, err := web.WithIDBody(c, h.svc.MarkCase)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusOK, id)
}

func (h *Handlers) upload(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	a, err := h.saveUpload(c, id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(AttachmentResponse{ID: a.ID, Name: a.Name, Size: a.Size, Side: a.Side, CreatedAt: a.CreatedAt})
}

// saveUpload reads the form's file and stores it, after checking that the
// caller may see the thread (an outsider learns nothing from the file checks).
func (h *Handlers) saveUpload(c *fiber.Ctx, id uint64) (*Attachment, error) {
	if _, err := h.svc.Visible(c.UserContext(), web.Caller(c), id); err != nil {
		return nil, err
	}
	if cl := c.Request().Header.ContentLength(); cl > MaxAttachmentBytes+1<<20 {
		return nil, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxAttachmentBytes>>20))
	}
	up, err := web.MultipartUpload(c, "file")
	if err != nil {
		return nil, err
	}
	return h.svc.Attach(c.UserContext(), web.Caller(c), id, up.FileName(), up)
}

func (h *Handlers) download(c *fiber.Ctx) error {
	_, a, err := web.WithID(c, h.svc.AttachmentFor)
	if err != nil {
		return err
	}
	return web.ServeObject(c, h.objects, a.ObjectKey, web.ServeOptions{ContentType: a.ContentType, Filename: a.Name})
}

func (h *Handlers) caseCourse(c *fiber.Ctx) error {
	_, out, created, err := web.WithIDPair(c, h.svc.CaseCourse)
	if err != nil {
		return err
	}
	if !created {
		return c.JSON(out)
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
