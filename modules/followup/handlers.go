package followup

import (
	"fmt"
	"strconv"
	"strings"

	"college/modules/web"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the follow-up API and pages.
type Handlers struct {
	svc     *Service
	pages   *web.Engine
	objects objects.Store
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine, store objects.Store) *Handlers {
	return &Handlers{svc: svc, pages: pages, objects: store}
}

var (
	orgAdmins = []string{web.RoleOrgAdmin}
	managers  = []string{web.RoleOrgAdmin, web.RoleCollegeAdmin}
	overseers = []string{web.RoleOrgAdmin, web.RoleCollegeAdmin, web.RoleUnitAdmin}
)

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("followup")
	a.Get("/followups", web.Doc{Summary: "跟踪问效计划：组织部门看管理范围内全部，主办学院看本院班次，单位管理员看本单位干部，工作专班成员看分配给自己的，学员看本人", Resp: web.List[PlanResponse]{}, Query: []string{"class_id", "user_id", "org_id", "status", "page", "page_size"}}, h.listPlans)
	a.Get("/followups/:id", web.Doc{Summary: "一个跟踪问效计划及其各年度问效", Resp: PlanResponse{}}, web.ByID(h.svc.GetPlan))
	a.Put("/followups/:id", web.Doc{Summary: "修改任现职期满日期（组织部门），重新计算各年度问效", Body: TermRequest{}, Resp: PlanResponse{}, Roles: orgAdmins}, h.updateTerm)
	a.Get("/me/followup", web.Doc{Summary: "本人的跟踪问效：计划、任务（自学计划、述学讲学、年度自述）及提交情况", Resp: MyFollowUpResponse{}}, web.ForCaller(h.svc.MyFollowUp))
	a.Get("/me/followup-rounds", web.Doc{Summary: "分配给本人（工作专班）的问效任务，逾期的在前", Resp: []RoundSummary{}}, web.ForCaller(h.svc.MyRounds))
	a.Get("/followup-rounds", web.Doc{Summary: "年度问效列表（overdue=1 逾期未完成，unassigned=1 未分配，excellent=1 优秀案例）", Resp: web.List[RoundSummary]{}, Query: []string{"overdue", "unassigned", "excellent", "status", "year", "class_id", "org_id", "page", "page_size"}, Roles: managers}, h.listRounds)
	a.Get("/followup-rounds/:id", web.Doc{Summary: "一轮问效的内容：四个维度、问效方式、问卷、自述、结论", Resp: RoundResponse{}}, web.ByID(h.svc.GetRound))
	a.Put("/followup-rounds/:id", web.Doc{Summary: "填写问效（问效人、主办学院或组织部门）；四个维度均有评分且有结论时完成并报送报告，否则保存为草稿", Body: RoundRequest{}, Resp: StatusResponse{}}, h.saveRound)
	a.Post("/followup-rounds/:id/assign", web.Doc{Summary: "分配问效人（须为工作专班成员；0 取消分配）", Body: AssignRequest{}, Resp: RoundSummary{}, Roles: managers}, h.assign)
	a.Get("/followup-rounds/:id/report", web.Doc{Summary: "问效书面报告：HTML（可打印）；Accept: application/json 时为 JSON；format=doc 导出 Word", Resp: Report{}, Query: []string{"format"}}, h.report)
	a.Put("/followup-rounds/:id/self-report", web.Doc{Summary: "学员填写本年度自述", Body: SelfReportRequest{}, Resp: StatusResponse{}}, h.selfReport)
	a.Post("/followup-rounds/:id/questionnaires", web.Doc{Summary: "发起民主评议或问卷调查，返回每位评议人的一次性链接（只显示这一次）", Body: QuestionnaireRequest{}, Resp: QuestionnaireCreated{}, Status: 201}, h.createQuestionnaire)
	a.Get("/questionnaires/:id", web.Doc{Summary: "问卷结果：回收情况、各题等次分布和平均分（不显示评议人身份）", Resp: QuestionnaireResults{}}, web.ByID(h.svc.Results))
	a.Get("/q/:token", web.Doc{Summary: "凭链接查看问卷（无需登录）", Resp: Invitation{}, Public: true}, h.invitation)
	a.Post("/q/:token", web.Doc{Summary: "凭链接提交问卷（无需登录，每个链接只能提交一次；已提交 410）", Body: AnswerRequest{}, Resp: ReceivedResponse{}, Status: 201, Public: true}, h.answer)
	a.Post("/followup-rounds/:id/excellent", web.Doc{Summary: "标记为优秀实践案例（组织部门）", Body: ExcellentRequest{}, Resp: ExcellentResponse{}, Roles: orgAdmins}, h.excellent)
	a.Post("/followup-rounds/:id/case-course", web.Doc{Summary: "将优秀案例转为课程（在主办学院新建草稿课程）", Resp: CaseCourseResponse{}, Status: 201, Roles: managers}, h.caseCourse)
	a.Get("/followup-team", web.Doc{Summary: "工作专班成员", Resp: []TeamMemberResponse{}, Roles: managers}, h.team)
	a.Put("/followup-team", web.Doc{Summary: "设置工作专班成员（组织部门）；移出成员的待问效任务取消分配", Body: TeamRequest{}, Resp: []TeamMemberResponse{}, Roles: orgAdmins}, h.setTeam)
	a.Post("/followup-team/members", web.Doc{Summary: "加入工作专班（学院管理员只能加入本学院人员）", Body: TeamMemberRequest{}, Resp: []TeamMemberResponse{}, Status: 201, Roles: managers}, h.addMember)
	a.Delete("/followup-team/members/:user_id", web.Doc{Summary: "移出工作专班", Status: 204, Roles: managers}, h.removeMember)
	a.Get("/followup-templates", web.Doc{Summary: "四个维度的问效指标模板", Resp: []TemplateItem{}}, h.templates)
	a.Put("/followup-templates", web.Doc{Summary: "修改问效指标模板（组织部门）", Body: TemplatesRequest{}, Resp: []TemplateItem{}, Roles: orgAdmins}, h.setTemplates)
	a.Post("/me/study-plan", web.Doc{Summary: "提交或修改结业后的自学计划", Body: StudyPlanRequest{}, Resp: StudyPlanResponse{}, Status: 201}, h.studyPlan)
	a.Post("/me/report-backs", web.Doc{Summary: "登记述学讲学（结业后 1 个月内为按时）", Body: ReportBackRequest{}, Resp: ReportBackResponse{}, Status: 201}, h.reportBack)
	a.Post("/me/report-backs/:id/attachment", web.Doc{Summary: "上传述学讲学材料（PDF、Word、PPT 或图片，不超过 20 MB）", Multipart: []string{"file"}, Resp: ReportBackResponse{}}, h.attach)
	a.Get("/report-backs/:id/attachment", web.Doc{Summary: "下载述学讲学材料"}, h.attachment)
	a.Get("/followup-summary", web.Doc{Summary: "年度跟踪问效汇总：按班次、按单位统计各状态和结论的轮次", Resp: SummaryResponse{}, Query: []string{"year", "class_id", "org_id"}, Roles: overseers}, h.summary)
	h.registerPages(pages)
}

func (h *Handlers) listPlans(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	var f PlanFilter
	if f.ClassID, err = web.QueryUint(c, "class_id"); err != nil {
		return err
	}
	if f.UserID, err = web.QueryUint(c, "user_id"); err != nil {
		return err
	}
	if f.OrgID, err = web.QueryUint(c, "org_id"); err != nil {
		return err
	}
	f.Status = c.Query("status")
	if f.Status != "" && PlanStatusNames[f.Status] == "" {
		return web.Invalid(map[string]string{"status": "应为 active、ended 或 completed"})
	}
	items, total, err := h.svc.ListPlans(c.UserContext(), web.Caller(c), f, pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) updateTerm(c *fiber.Ctx) error {
	id, in, err := web.IDBody[TermRequest](c)
	if err != nil {
		return err
	}
	out, err := h.svc.UpdateTerm(c.UserContext(), web.Caller(c), id, in.TermEndsOn)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func queryFlag(c *fiber.Ctx, name string) bool {
	v := c.Query(name)
	return v == "1" || v == "true"
}

func (h *Handlers) listRounds(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f := RoundFilter{Overdue: queryFlag(c, "overdue"), Unassigned: queryFlag(c, "unassigned"), Excellent: queryFlag(c, "excellent"), Status: c.Query("status")}
	if f.Status != "" && RoundStatusNames[f.Status] == "" {
		return web.Invalid(map[string]string{"status": "应为 pending、done 或 cancelled"})
	}
	if v := c.Query("year"); v != "" {
		if f.Year, err = strconv.Atoi(v); err != nil || f.Year < 2000 || f.Year > 2100 {
			return web.Invalid(map[string]string{"year": "年度必须是 2000 到 2100 之间的整数"})
		}
	}
	if f.ClassID, err = web.QueryUint(c, "class_id"); err != nil {
		return err
	}
	if f.OrgID, err = web.QueryUint(c, "org_id"); err != nil {
		return err
	}
	items, total, err := h.svc.ListRounds(c.UserContext(), web.Caller(c), f, pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) saveRound(c *fiber.Ctx) error {
	id, in, err := web.IDBody[RoundRequest](c)
	if err != nil {
		return err
	}
	status, err := h.svc.SaveRound(c.UserContext(), web.Caller(c), id, in, SaveAuto)
	if err != nil {
		return err
	}
	return c.JSON(StatusResponse{Status: status})
}

func (h *Handlers) assign(c *fiber.Ctx) error {
	id, in, err := web.IDBody[AssignRequest](c)
	if err != nil {
		return err
	}
	out, err := h.svc.AssignRound(c.UserContext(), web.Caller(c), id, in.UserID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// wantsJSON: the client asked for JSON rather than the printable page.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}

func (h *Handlers) report(c *fiber.Ctx) error {
	_, r, err := web.WithID(c, h.svc.ReportFor)
	if err != nil {
		return err
	}
	if h.pages != nil {
		r.College = h.pages.College
	}
	if c.Query("format") != "doc" && wantsJSON(c) {
		return c.JSON(r)
	}
	doc, err := ReportDocument(r)
	if err != nil {
		return web.Internal(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	if c.Query("format") == "doc" {
		name := ReportTitle(r) + ".doc"
		// A BOM tells Word the page is UTF-8 even before it reads the meta tag.
		return web.Attachment(c, "application/msword; charset=utf-8", name, append([]byte("\xEF\xBB\xBF"), doc...))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(doc)
}

func (h *Handlers) selfReport(c *fiber.Ctx) error {
	id, in, err := web.IDBody[SelfReportRequest](c)
	if err != nil {
		return err
	}
	if err := h.svc.WriteSelfReport(c.UserContext(), web.Caller(c), id, in.Content); err != nil {
		return err
	}
	return c.JSON(StatusResponse{Status: RoundPending})
}

func (h *Handlers) createQuestionnaire(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.CreateQuestionnaire)
	if err != nil {
		return err
	}
	base := web.PublicURL(c)
	for i := range out.Links {
		out.Links[i].URL = base + out.Links[i].Path
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) invitation(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	out, err := h.svc.Invitation(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) answer(c *fiber.Ctx) error {
	var in AnswerRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := h.svc.Answer(c.UserContext(), c.Params("token"), in.Answers); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ReceivedResponse{Status: "received"})
}

func (h *Handlers) excellent(c *fiber.Ctx) error {
	id, in, err := web.IDBody[ExcellentRequest](c)
	if err != nil {
		return err
	}
	out, err := h.svc.MarkExcellent(c.UserContext(), web.Caller(c), id, in.CaseNote)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) caseCourse(c *fiber.Ctx) error {
	_, out, created, err := web.WithIDPair(c, h.svc.CreateCaseCourse)
	if err != nil {
		return err
	}
	if !created {
		return c.JSON(out)
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) team(c *fiber.Ctx) error {
	out, err := h.svc.Team(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) setTeam(c *fiber.Ctx) error {
	var in TeamRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := h.svc.SetTeam(c.UserContext(), web.Caller(c), in.UserIDs)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) addMember(c *fiber.Ctx) error {
	var in TeamMemberRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := h.svc.AddTeamMember(c.UserContext(), web.Caller(c), in.UserID); err != nil {
		return err
	}
	out, err := h.svc.Team(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) removeMember(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "user_id")
	if err != nil {
		return err
	}
	if err := h.svc.RemoveTeamMember(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) templates(c *fiber.Ctx) error {
	out, err := h.svc.Templates(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) setTemplates(c *fiber.Ctx) error {
	out, err := web.WithBody(c, h.svc.SetTemplates)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) studyPlan(c *fiber.Ctx) error {
	var in StudyPlanRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, _, err := h.svc.FileStudyPlan(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) reportBack(c *fiber.Ctx) error {
	out, err := web.WithBody(c, h.svc.RecordReportBack)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) attach(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if n := c.Request().Header.ContentLength(); n > MaxAttachmentBytes+1<<20 {
		return web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxAttachmentBytes>>20))
	}
	up, err := web.MultipartUpload(c, "file")
	if err != nil {
		return err
	}
	out, err := h.svc.AttachToReportBack(c.UserContext(), web.Caller(c), id, up.FileName(), up)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) attachment(c *fiber.Ctx) error {
	_, rb, err := web.WithID(c, h.svc.ReportBackFile)
	if err != nil {
		return err
	}
	return web.ServeObject(c, h.objects, rb.AttachmentKey, web.ServeOptions{Filename: rb.AttachmentName})
}

func (h *Handlers) summary(c *fiber.Ctx) error {
	f, err := summaryFilter(c)
	if err != nil {
		return err
	}
	out, err := h.svc.Summary(c.UserContext(), web.Caller(c), f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func summaryFilter(c *fiber.Ctx) (SummaryFilter, error) {
	var f SummaryFilter
	var err error
	if v := c.Query("year"); v != "" {
		if f.Year, err = strconv.Atoi(v); err != nil || f.Year < 2000 || f.Year > 2100 {
			return f, web.Invalid(map[string]string{"year": "年度必须是 2000 到 2100 之间的整数"})
		}
	}
	if f.ClassID, err = web.QueryUint(c, "class_id"); err != nil {
		return f, err
	}
	f.OrgID, err = web.QueryUint(c, "org_id")
	return f, err
}
