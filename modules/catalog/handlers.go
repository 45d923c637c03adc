package catalog

import (
	"college/modules/web"
	"college/storage/objects"
	"context"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the catalog API and pages.
type Handlers struct {
	svc     *Service
	pages   *web.Engine
	objects objects.Store
	// Redirect sends streams to a short-lived presigned URL of the object
	// store instead of proxying them, when the store can presign.
	Redirect bool
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, pages: pages, objects: svc.objects}
}

var managers = []string{web.RoleCollegeAdmin}

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("catalog")
	a.Get("/courses", web.Doc{Summary: "课程目录（已发布、对本人开放的课程）", Resp: web.List[CourseItem]{}, Query: []string{"q", "category", "kind", "page", "page_size"}}, h.list)
	a.Get("/course-categories", web.Doc{Summary: "课程分类", Resp: []string{}}, h.categories)
	a.Get("/manage/courses", web.Doc{Summary: "课程管理列表（本学院及下级）", Resp: web.List[CourseItem]{}, Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}, Query: []string{"q", "status", "page", "page_size"}}, h.manageList)
	a.Post("/courses", web.Doc{Summary: "新建课程", Body: CourseRequest{}, Resp: CourseResponse{}, Status: 201, Roles: managers}, h.create)
	a.Get("/courses/:id", web.Doc{Summary: "课程详情与课时", Resp: CourseResponse{}}, h.get)
	a.Put("/courses/:id", web.Doc{Summary: "修改课程", Body: CourseRequest{}, Resp: CourseResponse{}, Roles: managers}, h.update)
	a.Post("/courses/:id/publish", web.Doc{Summary: "发布课程", Resp: PublishResponse{}, Roles: managers}, statusChange(h.svc.Publish))
	a.Post("/courses/:id/archive", web.Doc{Summary: "归档课程", Resp: PublishResponse{}, Roles: managers}, statusChange(h.svc.Archive))
	a.Post("/courses/:id/lessons", web.Doc{Summary: "新增课时", Body: LessonRequest{}, Resp: LessonResponse{}, Status: 201, Roles: managers}, h.addLesson)
	a.Put("/courses/:id/lessons/order", web.Doc{Summary: "调整课时顺序", Body: ReorderRequest{}, Resp: CourseResponse{}, Roles: managers}, h.reorder)
	a.Put("/lessons/:id", web.Doc{Summary: "修改课时", Body: LessonRequest{}, Resp: LessonResponse{}, Roles: managers}, h.updateLesson)
	a.Delete("/lessons/:id", web.Doc{Summary: "删除课时（仅草稿课程）", Status: 204, Roles: managers}, h.deleteLesson)
	a.Put("/lessons/:id/media", web.Doc{Summary: "上传课时视频或文档（流式）", Multipart: []string{"file"}, Resp: MediaResponse{}, Roles: managers}, h.uploadTo(h.svc.SetMedia))
	a.Put("/courses/:id/cover", web.Doc{Summary: "上传课程封面图片", Multipart: []string{"file"}, Resp: MediaResponse{}, Roles: managers}, h.uploadTo(h.svc.SetCover))
	a.Put("/courses/:id/featured", web.Doc{Summary: "设为或取消门户推荐课程", Body: FeaturedRequest{}, Resp: FeaturedResponse{}, Roles: managers}, h.setFeatured)
	a.Get("/courses/:id/cover", web.Doc{Summary: "课程封面图片（未登录只可看门户推荐课程）", Public: true}, h.cover)
	a.Get("/lessons/:id/stream-url", web.Doc{Summary: "课时媒体的限时播放地址", Resp: StreamURLResponse{}}, h.streamURL)
	a.Get("/lessons/:id/stream", web.Doc{Summary: "播放课时媒体（支持 Range；登录或限时签名地址）", Public: true, Query: []string{"u", "e", "s"}}, h.stream)
	h.registerTopics(a, pages)
	h.registerPages(pages)
}

func (h *Handlers) list(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f := CourseFilter{Q: c.Query("q"), Category: c.Query("category"), Kind: c.Query("kind")}
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), f, pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(courseItems(items), total, pg))
}

func courseItems(cs []Course) []CourseItem {
	out := make([]CourseItem, len(cs))
	for i := range cs {
		out[i] = courseItem(&cs[i])
	}
	return out
}

func (h *Handlers) categories(c *fiber.Ctx) error {
	cats, err := h.svc.store.Categories(c.UserContext(), web.Caller(c))
	if err != nil {
		return web.Internal(err)
	}
	if cats == nil {
		cats = []string{}
	}
	return c.JSON(cats)
}

func (h *Handlers) manageList(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	status := c.Query("status")
	if _, ok := StatusNames[status]; status != "" && !ok {
		return web.Invalid(map[string]string{"status": "应为 draft、published 或 archived"})
	}
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), CourseFilter{Q: c.Query("q"), Status: status, Manage: true}, pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(courseItems(items), total, pg))
}

func (h *Handlers) detail(c *fiber.Ctx, status int, course *Course, manage bool) error {
	r, err := h.svc.Detail(c.UserContext(), course, manage)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(r)
}

func (h *Handlers) create(c *fiber.Ctx) error {
	course, err := web.WithBody(c, h.svc.CreateCourse)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusCreated, course, true)
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, course, manage, err := web.WithIDPair(c, h.svc.VisibleCourse)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusOK, course, manage)
}

func (h *Handlers) update(c *fiber.Ctx) error {
	_, course, err := web.WithIDBody(c, h.svc.UpdateCourse)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusOK, course, true)
}

// statusChange answers the course's new status after fn (publish, archive).
func statusChange(fn func(ctx context.Context, p *web.Principal, id uint64) (*Course, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, course, err := web.WithID(c, fn)
		if err != nil {
			return err
		}
		return c.JSON(PublishResponse{ID: course.ID, Status: course.Status, Hours: course.Hours})
	}
}

func (h *Handlers) addLesson(c *fiber.Ctx) error {
	_, l, err := web.WithIDBody(c, h.svc.AddLesson)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(lessonResponse(l, true))
}

func (h *Handlers) reorder(c *fiber.Ctx) error {
	id, in, err := web.IDBody[ReorderRequest](c)
	if err != nil {
		return err
	}
	p := web.Caller(c)
	if err := h.svc.Reorder(c.UserContext(), p, id, in.LessonIDs); err != nil {
		return err
	}
	course, _, err := h.svc.VisibleCourse(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	return h.detail(c, fiber.StatusOK, course, true)
}

func (h *Handlers) updateLesson(c *fiber.Ctx) error {
	_, l, err := web.WithIDBody(c, h.svc.UpdateLesson)
	if err != nil {
		return err
	}
	return c.JSON(lessonResponse(l, true))
}

func (h *Handlers) deleteLesson(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteLesson(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) streamURL(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	l, _, err := h.svc.VisibleLesson(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	if l.MediaKey == "" {
		return web.NotFound()
	}
	u, exp := h.svc.SignStream(c.UserContext(), l.ID, p.UserID)
	return c.JSON(StreamURLResponse{URL: u, ExpiresAt: exp})
}

// stream serves a lesson's media to a logged-in learner who may see it, or
// to anyone holding an unexpired link signed for that lesson.
func (h *Handlers) stream(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var l *Lesson
	if sig := c.Query("s"); sig != "" {
		if _, ok, err := h.svc.CheckStreamSignature(c.UserContext(), id, c.Query("u"), c.Query("e"), sig); err != nil {
			return web.Internal(err)
		} else if !ok {
			return web.NewError(fiber.StatusForbidden, "link_expired", "播放地址已失效，请刷新页面")
		}
		l, err = h.svc.store.LessonByID(c.UserContext(), id)
		if err != nil {
			return web.Internal(err)
		}
		if l == nil {
			return web.NotFound()
		}
	} else {
		p := web.Caller(c)
		if p == nil {
			return web.Unauthorized()
		}
		l, _, err = h.svc.VisibleLesson(c.UserContext(), p, id)
		if err != nil {
			return err
		}
	}
	if l.MediaKey == "" {
		return web.NotFound()
	}
	if h.Redirect {
		if u, err := h.objects.Presign(c.UserContext(), l.MediaKey, presignTTL); err == nil {
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.Redirect(u, fiber.StatusFound)
		}
	}
	return web.ServeObject(c, h.objects, l.MediaKey, web.ServeOptions{ContentType: l.ContentType, MaxAge: mediaMaxAge})
}

func (h *Handlers) cover(c *fiber.Ctx) error {
	var course *Course
	var err error
	if web.Caller(c) == nil {
		var id uint64
		if id, err = web.ParamID(c, "id"); err == nil {
			course, err = h.svc.featuredCourse(c.UserContext(), id)
		}
	} else {
		_, course, _, err = web.WithIDPair(c, h.svc.VisibleCourse)
	}
	if err != nil {
		return err
	}
	if course.CoverKey == "" {
		return web.NotFound()
	}
	return web.ServeObject(c, h.objects, course.CoverKey, web.ServeOptions{MaxAge: mediaMaxAge})
}

// uploadLimit refuses a declared body over the upload limit before reading it.
func (h *Handlers) uploadLimit(c *fiber.Ctx) error {
	if cl := c.Request().Header.ContentLength(); cl > 0 && int64(cl) > h.svc.MaxUpload(c.UserContext())+1<<20 {
		return web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", h.svc.MaxUpload(c.UserContext())>>20))
	}
	return nil
}

// uploadTo is the handler of a file upload to the lesson or course the
// route's :id names: the file streams from the request into set.
func (h *Handlers) uploadTo(set func(ctx context.Context, p *web.Principal, id uint64, r io.Reader) (MediaResponse, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		if err := h.uploadLimit(c); err != nil {
			return err
		}
		file, err := web.MultipartFile(c, "file")
		if err != nil {
			return err
		}
		res, err := set(c.UserContext(), web.Caller(c), id, file)
		if err != nil {
			return err
		}
		return c.JSON(res)
	}
}
