package assess

import (
	"fmt"
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the assessment API and pages.
type Handlers struct {
	svc   *Service
	pages *web.Engine
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, pages: pages}
}

var (
	hosts    = []string{web.RoleCollegeAdmin}
	managers = []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}
)

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("assess")
	a.Post("/forms", web.Doc{Summary: "新建评估表（评分项权重合计 100）", Body: FormRequest{}, Resp: IDResponse{}, Status: 201, Roles: managers}, h.createForm)
	a.Get("/forms", web.Doc{Summary: "可用的评估表（内置、本单位及上级单位的）", Resp: web.List[FormSummary]{}, Query: []string{"page", "page_size"}, Roles: managers}, h.listForms)
	a.Get("/forms/:id", web.Doc{Summary: "评估表详情", Resp: FormResponse{}, Roles: managers}, h.getForm)
	a.Delete("/forms/:id", web.Doc{Summary: "删除未使用的评估表", Status: 204, Roles: managers}, web.Deleted(h.svc.DeleteForm))
	a.Post("/evaluations/:id/remind", web.Doc{Summary: "提醒未提交评估的学员（站内消息）", Resp: RemindResponse{}, Roles: hosts}, h.remind)
	a.Post("/classes/:id/evaluations", web.Doc{Summary: "为班次、课程、课次或授课教师发布评估（主办学院）", Body: EvaluationRequest{}, Resp: IDResponse{}, Status: 201, Roles: hosts}, h.createEvaluation)
	a.Get("/classes/:id/evaluations", web.Doc{Summary: "班次的评估及提交情况", Resp: []EvaluationRow{}, Roles: managers}, web.ByID(h.svc.ClassEvaluations))
	a.Delete("/evaluations/:id", web.Doc{Summary: "删除尚无人提交的评估", Status: 204, Roles: hosts}, web.Deleted(h.svc.DeleteEvaluation))
	a.Get("/me/evaluations", web.Doc{Summary: "我要填写的评估", Resp: []MyEvaluation{}}, web.ForCaller(h.svc.MyEvaluations))
	a.Get("/evaluations/:id", web.Doc{Summary: "评估及题目", Resp: EvaluationDetail{}}, web.ByID(h.svc.Evaluation))
	a.Post("/evaluations/:id/responses", web.Doc{Summary: "提交评估（匿名，每人一次）", Body: ResponseRequest{}, Resp: StatusResponse{}, Status: 201}, h.respond)
	a.Get("/evaluations/:id/results", web.Doc{Summary: "评估结果（不含评价人信息）", Resp: Results{}}, web.ByID(h.svc.Results))
	a.Get("/evaluations/:id/results.xlsx", web.Doc{Summary: "导出评估结果（Excel）"}, h.resultsXLSX)
	a.Get("/assess/courses/:id/results", web.Doc{Summary: "课程在各班次的评估结果与趋势", Resp: Aggregate{}, Roles: managers}, web.ByID(h.svc.CourseResults))
	a.Get("/assess/teachers/results", web.Doc{Summary: "授课教师的评估结果与趋势（按课表姓名或教师账号）", Resp: Aggregate{}, Query: []string{"name", "user_id"}, Roles: managers}, h.teacherResults)
	a.Get("/me/teaching-results", web.Doc{Summary: "我的教学评价（教师本人）", Resp: Aggregate{}, Roles: []string{web.RoleTeacher}}, web.ForCaller(h.svc.MyTeaching))
	a.Post("/classes/:id/quality/template", web.Doc{Summary: "套用默认项目质量考核指标", Resp: Quality{}, Status: 201, Roles: managers}, h.applyTemplate)
	a.Get("/classes/:id/quality", web.Doc{Summary: "项目质量考核：指标、评分、总分与等次", Resp: Quality{}, Roles: managers}, web.ByID(h.svc.Quality))
	a.Put("/classes/:id/quality/indicators", web.Doc{Summary: "替换考核指标体系（已有评分随之清除）", Body: IndicatorsRequest{}, Resp: Quality{}, Roles: managers}, web.ByIDWith(h.svc.SetIndicators))
	a.Put("/classes/:id/quality/scores", web.Doc{Summary: "主办方自评（self）或组织部门评价（org）", Body: ScoresRequest{}, Resp: Quality{}, Roles: managers}, web.ByIDWith(h.svc.SetScores))
	a.Get("/quality/ranking", web.Doc{Summary: "年度培训项目质量排名", Resp: Ranking{}, Query: []string{"year"}, Roles: managers}, h.ranking)
	h.registerPages(pages)
}

func (h *Handlers) createForm(c *fiber.Ctx) error {
	f, err := web.WithBody(c, h.svc.CreateForm)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(IDResponse{ID: f.ID})
}

func (h *Handlers) listForms(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	rows, total, err := h.svc.ListForms(c.UserContext(), web.Caller(c), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(rows, total, pg))
}

func (h *Handlers) getForm(c *fiber.Ctx) error {
	_, f, err := web.WithID(c, h.svc.GetForm)
	if err != nil {
		return err
	}
	out, err := h.svc.FormResponse(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) createEvaluation(c *fiber.Ctx) error {
	_, e, err := web.WithIDBody(c, h.svc.CreateEvaluation)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(IDResponse{ID: e.ID})
}

func (h *Handlers) remind(c *fiber.Ctx) error {
	_, _, n, err := web.WithIDPair(c, h.svc.Remind)
	if err != nil {
		return err
	}
	return c.JSON(RemindResponse{Reminded: n})
}

// respond records answers. It is not audited: an audit line would tie the
// trainee to the moment of a response.
func (h *Handlers) respond(c *fiber.Ctx) error {
	id, in, err := web.IDBody[ResponseRequest](c)
	if err != nil {
		return err
	}
	if err := h.svc.Respond(c.UserContext(), web.Caller(c), id, in); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(StatusResponse{Status: "submitted"})
}

func (h *Handlers) resultsXLSX(c *fiber.Ctx) error {
	id, b, err := web.WithID(c, h.svc.ExportResults)
	if err != nil {
		return err
	}
	return web.Attachment(c, web.XLSX, fmt.Sprintf("evaluation-%d-results.xlsx", id), b)
}

func (h *Handlers) teacherResults(c *fiber.Ctx) error {
	uid, err := web.QueryUint(c, "user_id")
	if err != nil {
		return err
	}
	out, err := h.svc.TeacherResults(c.UserContext(), web.Caller(c), c.Query("name"), uid)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) applyTemplate(c *fiber.Ctx) error {
	_, q, err := web.WithID(c, h.svc.ApplyTemplate)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(q)
}

func (h *Handlers) ranking(c *fiber.Ctx) error {
	year := 0
	if v := c.Query("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			return web.Invalid(map[string]string{"year": "年份不正确"})
		}
		year = n
	}
	out, err := h.svc.Ranking(c.UserContext(), web.Caller(c), year)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
