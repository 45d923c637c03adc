package exam

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"college/modules/exam/importer"
	"college/modules/exam/item"
	"college/modules/web"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the exam API.
type Handlers struct {
	svc     *Service
	pages   *web.Engine
	objects objects.Store
}

// NewHandlers wires the handlers; store holds the questions' media.
func NewHandlers(svc *Service, pages *web.Engine, store objects.Store) *Handlers {
	return &Handlers{svc: svc, pages: pages, objects: store}
}

var managers = []string{web.RoleCollegeAdmin}

// MaxImportBytes bounds a question import file.
const MaxImportBytes = 20 << 20

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("exam")
	a.Post("/banks", web.Doc{Summary: "新建题库", Body: BankRequest{}, Resp: IDResponse{}, Status: 201, Roles: managers}, h.createBank)
	a.Get("/banks/import-template", web.Doc{Summary: "下载试题导入模板（.xlsx）", Roles: managers}, h.template)
	a.Get("/banks/:id/questions", web.Doc{Summary: "题库试题（可按题型、标签、难度筛选）", Resp: web.List[QuestionResponse]{}, Roles: managers, Query: []string{"type", "tag", "difficulty", "page", "page_size"}}, h.listQuestions)
	a.Post("/banks/:id/questions", web.Doc{Summary: "新增试题", Body: QuestionRequest{}, Resp: IDResponse{}, Status: 201, Roles: managers}, h.addQuestion)
	a.Get("/banks/:id/export", web.Doc{Summary: "导出题库为 Excel（可再导入）", Roles: managers}, h.exportBank)
	a.Put("/questions/:id", web.Doc{Summary: "修改试题（已开始的考试不受影响）", Body: QuestionRequest{}, Resp: QuestionResponse{}, Roles: managers}, h.updateQuestion)
	a.Delete("/questions/:id", web.Doc{Summary: "删除试题（已用于考试试卷的不能删除）", Roles: managers}, h.deleteQuestion)
	a.Post("/banks/:id/import", web.Doc{Summary: "导入试题（Excel、Moodle XML、GIFT；全部成功或全部不导入；?dry_run=1 只预览，不保存：识别的格式和列、每道题及答案、每个问题；?columns=题干=2,答案=5 指定各列）", Multipart: []string{"file"}, Resp: ImportResponse{}, Roles: managers}, h.importQuestions)
	a.Post("/banks/:id/media", web.Doc{Summary: "上传试题图片、音频或视频（返回放入题干或选项的标记）", Multipart: []string{"file"}, Resp: MediaResponse{}, Status: 201, Roles: managers}, h.uploadMedia)
	a.Get("/question-media/:name", web.Doc{Summary: "试题中的图片、音频或视频（支持 Range）"}, h.media)
	a.Post("/exams", web.Doc{Summary: "新建考试（固定试卷或按规则随机组卷）", Body: ExamRequest{}, Resp: ExamResponse{}, Status: 201, Roles: managers}, h.createExam)
	a.Post("/exams/:id/publish", web.Doc{Summary: "发布考试", Resp: ExamResponse{}, Roles: managers}, h.publish)
	a.Post("/exams/:id/attempts", web.Doc{Summary: "开始考试（进行中的考试返回同一份试卷）", Resp: AttemptResponse{}, Status: 201}, h.start)
	a.Get("/attempts/:id/questions", web.Doc{Summary: "进行中答卷的试题与已保存答案（继续作答；不会开始考试）", Resp: AttemptResponse{}}, web.ByID(h.svc.AttemptSheet))
	a.Put("/attempts/:id/answers", web.Doc{Summary: "保存答案（合并）", Body: AnswersRequest{}}, h.saveAnswers)
	a.Post("/attempts/:id/submit", web.Doc{Summary: "交卷（重复交卷返回同一结果）", Resp: ResultResponse{}}, web.ByID(h.svc.Submit))
	a.Get("/attempts/:id", web.Doc{Summary: "考试状态与成绩", Resp: ResultResponse{}}, web.ByID(h.svc.Result))
	a.Post("/attempts/:id/events", web.Doc{Summary: "记录切屏（离开考试页面）", Body: EventRequest{}}, h.event)
	a.Get("/me/exams", web.Doc{Summary: "我的考试（进行中、未开始、已完成）", Resp: []MyExam{}}, web.ForCaller(h.svc.MyExams))
	a.Get("/practice/banks", web.Doc{Summary: "可练习的题库", Resp: []BankResponse{}}, web.ForCaller(h.svc.PracticeBanks))
	a.Get("/practice/banks/:id/questions", web.Doc{Summary: "抽取练习题（不含答案）", Resp: []CandidateQuestion{}, Query: []string{"count"}}, h.practiceSet)
	a.Get("/me/wrong-book", web.Doc{Summary: "错题本练习题", Resp: []CandidateQuestion{}, Query: []string{"count"}}, h.wrongBook)
	a.Post("/practice/answers", web.Doc{Summary: "提交练习答案，立即判分；答错记入错题本", Body: PracticeAnswer{}, Resp: PracticeFeedback{}}, h.answerPractice)
	graders := []string{web.RoleCollegeAdmin, web.RoleTeacher}
	a.Get("/exams/:id/review", web.Doc{Summary: "阅卷队列（待评分的简答题）", Resp: []ReviewItem{}, Roles: graders}, web.ByID(h.svc.ReviewQueue))
	a.Put("/attempts/:id/review", web.Doc{Summary: "简答题评分（全部评完后成绩生效）", Body: ReviewRequest{}, Resp: ResultResponse{}, Roles: graders}, h.review)
	a.Get("/attempts/:id/paper", web.Doc{Summary: "查看本人答卷（公布后含正确答案与解析）", Resp: PaperReview{}}, web.ByID(h.svc.ReviewPaper))
	a.Post("/exams/:id/release", web.Doc{Summary: "公布成绩与答案", Resp: ExamResponse{}, Roles: managers}, h.release)
	a.Put("/exams/:id/graders", web.Doc{Summary: "分配阅卷：按题或按考生", Body: AssignmentsRequest{}, Roles: managers}, h.assign)
	a.Get("/exams/:id/results", web.Doc{Summary: "考试成绩列表与各单位合格率", Roles: graders}, h.results)
	a.Get("/exams/:id/results.xlsx", web.Doc{Summary: "导出考试成绩（Excel）", Roles: graders}, h.resultsXLSX)
	a.Post("/exams/:id/regrade", web.Doc{Summary: "按当前答案重新评分（保留简答题评分）", Roles: managers}, h.regrade)
	a.Get("/exams/:id/stats", web.Doc{Summary: "考试统计：分数分布、合格率、试题分析", Resp: ExamStats{}, Roles: graders}, web.ByID(h.svc.Stats))
	h.registerPages(pages)
	h.registerAdminPages(pages)
	h.registerPracticePages(pages)
}

func (h *Handlers) createBank(c *fiber.Ctx) error {
	b, err := web.WithBody(c, h.svc.CreateBank)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(IDResponse{ID: b.ID})
}

func (h *Handlers) template(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := importer.Template(&buf); err != nil {
		return web.Internal(err)
	}
	return web.Attachment(c, web.XLSX, "试题导入模板.xlsx", buf.Bytes())
}

func (h *Handlers) listQuestions(c *fiber.Ctx) error {
	id, pg, err := web.IDPage(c)
	if err != nil {
		return err
	}
	diff, _ := strconv.Atoi(c.Query("difficulty"))
	rows, total, err := h.svc.BankQuestions(c.UserContext(), web.Caller(c), id, c.Query("type"), c.Query("tag"), diff, pg)
	if err != nil {
		return err
	}
	out := make([]QuestionResponse, len(rows))
	for i := range rows {
		out[i] = questionResponse(&rows[i])
	}
	return c.JSON(web.NewList(out, total, pg))
}

func (h *Handlers) addQuestion(c *fiber.Ctx) error {
	_, q, err := web.WithIDBody(c, h.svc.AddQuestion)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(IDResponse{ID: q.ID})
}

// columnsQuery reads ?columns=题干=2,答案=5 (columns from 1, 0 for none).
func columnsQuery(q string) (importer.Columns, error) {
	if strings.TrimSpace(q) == "" {
		return nil, nil
	}
	cols := importer.Columns{}
	for _, part := range strings.Split(q, ",") {
		role, n, ok := strings.Cut(part, "=")
		v, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || err != nil {
			return nil, web.Invalid(map[string]string{"columns": "列设置「" + part + "」应写作 角色=列号，如 答案=5"})
		}
		cols[strings.TrimSpace(role)] = v
	}
	return cols, nil
}

func (h *Handlers) importQuestions(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if cl := c.Request().Header.ContentLength(); cl > MaxImportBytes+1<<20 {
		return web.TooLarge("文件过大，不能超过 20 MB")
	}
	if _, err := h.svc.bankFor(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	file, err := web.MultipartFile(c, "file")
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(file, MaxImportBytes+1))
	if err != nil {
		return web.BadRequest("upload_failed", "文件上传中断，请重试").WithCause(err)
	}
	if len(data) > MaxImportBytes {
		return web.TooLarge("文件过大，不能超过 20 MB")
	}
	name := ""
	if fp, ok := file.(interface{ FileName() string }); ok {
		name = fp.FileName()
	}
	cols, err := columnsQuery(c.Query("columns"))
	if err != nil {
		return err
	}
	if c.QueryBool("dry_run") {
		preview, err := h.svc.PreviewFile(c.UserContext(), web.Caller(c), id, name, data, cols)
		if err != nil {
			return err
		}
		return c.JSON(preview)
	}
	res, err := h.svc.ImportFile(c.UserContext(), web.Caller(c), id, name, data, cols)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (h *Handlers) uploadMedia(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if cl := c.Request().Header.ContentLength(); cl > item.MaxMediaBytes+1<<20 {
		return web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", item.MaxMediaBytes>>20))
	}
	file, err := web.MultipartFile(c, "file")
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(file, item.MaxMediaBytes+1))
	if err != nil {
		return web.BadRequest("upload_failed", "文件上传中断，请重试").WithCause(err)
	}
	m, err := h.svc.UploadMedia(c.UserContext(), web.Caller(c), id, data)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

// media serves a question file to any signed-in user: its name is the
// hash of its content, known only to those shown the question.
func (h *Handlers) media(c *fiber.Ctx) error {
	name := c.Params("name")
	if !item.IsMediaName(name) {
		return web.NotFound()
	}
	c.Set("X-Content-Type-Options", "nosniff")
	return web.ServeObject(c, h.objects, mediaKey(name), web.ServeOptions{ContentType: item.MediaType(name), MaxAge: mediaMaxAge})
}

func (h *Handlers) createExam(c *fiber.Ctx) error {
	r, err := web.WithBody(c, h.svc.CreateExam)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (h *Handlers) publish(c *fiber.Ctx) error {
	_, e, err := web.WithID(c, h.svc.Publish)
	if err != nil {
		return err
	}
	return c.JSON(ExamResponse{ID: e.ID, Title: e.Title, Status: e.Status, TotalScore: float64(e.TotalScore) / 100})
}

func (h *Handlers) start(c *fiber.Ctx) error {
	_, r, created, err := web.WithIDPair(c, h.svc.StartAttempt)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(r)
}

func (h *Handlers) saveAnswers(c *fiber.Ctx) error {
	id, in, err := web.IDBody[AnswersRequest](c)
	if err != nil {
		return err
	}
	if in.Answers == nil {
		return web.Invalid(map[string]string{"answers": "必填"})
	}
	if err := h.svc.SaveAnswers(c.UserContext(), web.Caller(c), id, in.Answers); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"saved": len(in.Answers)})
}

func (h *Handlers) exportBank(c *fiber.Ctx) error {
	id, b, err := web.WithID(c, h.svc.ExportBank)
	if err != nil {
		return err
	}
	return web.Attachment(c, web.XLSX, "bank-"+strconv.FormatUint(id, 10)+".xlsx", b)
}

func (h *Handlers) deleteQuestion(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteQuestion(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) updateQuestion(c *fiber.Ctx) error {
	_, q, err := web.WithIDBody(c, h.svc.UpdateQuestion)
	if err != nil {
		return err
	}
	return c.JSON(questionResponse(q))
}
