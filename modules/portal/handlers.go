package portal

import (
	"context"

	"college/modules/web"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
)

// API serves the public portal, notices and news, and college pages.
type API struct {
	svc     *Service
	pages   *web.Engine
	objects objects.Store
}

// NewAPI wires the portal's routes.
func NewAPI(svc *Service, pages *web.Engine, store objects.Store) *API {
	return &API{svc: svc, pages: pages, objects: store}
}

// imageLimit bounds an image in a post.
const imageLimit = 5 << 20

// Register lists every route of the portal besides the home page.
func (h *API) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("portal")
	a.Get("/portal", web.Doc{Summary: "门户首页：通知公告、新闻动态、推荐课程、报名中的班次、学习排行", Resp: PortalResponse{}, Public: true}, h.portal)
	a.Get("/notices", web.Doc{Summary: "本人可管理的通知公告与新闻（kind=notice|news）", Resp: web.List[NoticeItem]{}, Roles: Writers, Query: []string{"kind", "page", "page_size"}}, h.list)
	a.Post("/notices", web.Doc{Summary: "撰写通知公告或新闻（publish=true 立即发布）", Body: NoticeRequest{}, Resp: NoticeResponse{}, Status: 201, Roles: Writers}, h.create)
	a.Get("/notices/:id", web.Doc{Summary: "通知公告或新闻（已发布、未过期、在发布范围内；编辑者可看草稿）", Resp: NoticeResponse{}, Public: true}, h.get)
	a.Put("/notices/:id", web.Doc{Summary: "修改通知公告或新闻", Body: NoticeRequest{}, Resp: NoticeResponse{}, Roles: Writers}, h.update)
	a.Post("/notices/:id/publish", web.Doc{Summary: "发布通知公告或新闻", Resp: NoticeResponse{}, Roles: Writers}, h.status(h.svc.Publish))
	a.Post("/notices/:id/unpublish", web.Doc{Summary: "撤回为草稿", Resp: NoticeResponse{}, Roles: Writers}, h.status(h.svc.Unpublish))
	a.Delete("/notices/:id", web.Doc{Summary: "删除通知公告或新闻", Status: 204, Roles: Writers}, h.delete)
	a.Post("/notice-images", web.Doc{Summary: "上传正文图片（PNG、JPEG、GIF、WebP，5 MB 以内）", Multipart: []string{"file"}, Resp: ImageResponse{}, Status: 201, Roles: Writers}, h.uploadImage)
	a.Get("/notice-images/:name", web.Doc{Summary: "正文图片", Public: true}, h.image)
	a.Get("/colleges/:id", web.Doc{Summary: "学院（总部、分院）介绍与报名中的班次", Resp: CollegeResponse{}, Public: true}, h.college)
	a.Put("/colleges/:id/intro", web.Doc{Summary: "修改学院介绍（本学院管理员、组织部门管理员）", Body: IntroRequest{}, Resp: CollegeResponse{}, Roles: Writers}, h.setIntro)
	h.registerPages(pages)
}

func (h *API) portal(c *fiber.Ctx) error {
	out, err := h.svc.Portal(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

func (h *API) list(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	ns, total, err := h.svc.List(c.UserContext(), web.Caller(c), c.Query("kind"), pg)
	if err != nil {
		return err
	}
	items := make([]NoticeItem, len(ns))
	for i := range ns {
		items[i] = noticeItem(&ns[i])
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *API) create(c *fiber.Ctx) error {
	var in NoticeRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	n, err := h.svc.Create(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(noticeResponse(n))
}

func (h *API) get(c *fiber.Ctx) error {
	_, n, _, err := web.WithIDPair(c, h.svc.Notice)
	if err != nil {
		return err
	}
	return c.JSON(noticeResponse(n))
}

func (h *API) update(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in NoticeRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	n, err := h.svc.Update(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(noticeResponse(n))
}

func (h *API) status(fn func(ctx context.Context, p *web.Principal, id uint64) (*Notice, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, n, err := web.WithID(c, fn)
		if err != nil {
			return err
		}
		return c.JSON(noticeResponse(n))
	}
}

func (h *API) delete(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *API) uploadImage(c *fiber.Ctx) error {
	data, err := web.FormFileBytes(c, "file", imageLimit)
	if err != nil {
		return err
	}
	out, err := h.svc.SaveImage(c.UserContext(), h.objects, web.Caller(c), data)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *API) image(c *fiber.Ctx) error {
	key, ok := ImageName(c.Params("name"))
	if !ok {
		return web.NotFound()
	}
	return web.ServeObject(c, h.objects, key, web.ServeOptions{MaxAge: imageMaxAge})
}

func (h *API) college(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.College)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *API) setIntro(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in IntroRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := h.svc.SetIntro(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
