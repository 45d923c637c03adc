package learning

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the learning API and pages.
type Handlers struct {
	svc   *Service
	pages *web.Engine
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers { return &Handlers{svc: svc, pages: pages} }

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("learning")
	a.Post("/courses/:id/enroll", web.Doc{Summary: "选课（已选返回 200）", Resp: EnrollResponse{}, Status: 201}, h.enroll)
	a.Post("/lessons/:id/play", web.Doc{Summary: "开始学习课时；本人较早的播放不再计时", Resp: PlayResponse{}, Status: 201}, h.play)
	a.Post("/plays/:play_id/heartbeat", web.Doc{Summary: "学习心跳（服务器校验进度）", Body: HeartbeatRequest{}, Resp: HeartbeatResponse{}}, h.heartbeat)
	a.Post("/plays/:play_id/presence", web.Doc{Summary: "回答防挂机提问", Resp: PresenceResponse{}}, h.presence)
	a.Get("/courses/:id/stats", web.Doc{Summary: "课程学习统计（选课、开始、完成、平均覆盖率）", Resp: CourseStats{}, Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}}, web.ByID(h.svc.Stats))
	a.Get("/me/courses", web.Doc{Summary: "我的课程（学习中、已完成）", Resp: []MyCourse{}, Query: []string{"status"}}, h.myCourses)
	h.registerPages(pages)
}

func (h *Handlers) enroll(c *fiber.Ctx) error {
	id, created, err := web.WithID(c, h.svc.Enroll)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(EnrollResponse{CourseID: id, Enrolled: true})
}

func (h *Handlers) play(c *fiber.Ctx) error {
	_, r, err := web.WithID(c, h.svc.StartPlay)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (h *Handlers) heartbeat(c *fiber.Ctx) error {
	var in HeartbeatRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.svc.Heartbeat(c.UserContext(), web.Caller(c), c.Params("play_id"), in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (h *Handlers) presence(c *fiber.Ctx) error {
	next, err := h.svc.ConfirmPresence(c.UserContext(), web.Caller(c), c.Params("play_id"))
	if err != nil {
		return err
	}
	return c.JSON(PresenceResponse{NextCheckSeconds: next})
}

func (h *Handlers) myCourses(c *fiber.Ctx) error {
	status := c.Query("status")
	if status != "" && status != "in_progress" && status != "completed" {
		return web.Invalid(map[string]string{"status": "应为 in_progress 或 completed"})
	}
	list, err := h.svc.MyCourses(c.UserContext(), web.Caller(c), status)
	if err != nil {
		return err
	}
	return c.JSON(list)
}
