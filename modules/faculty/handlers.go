package faculty

import (
	"context"
	"fmt"
	"log/slog"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the faculty's API and pages.
type Handlers struct {
	svc   *Service
	pages *web.Engine
	log   *slog.Logger
}

// NewHandlers wires the faculty's routes.
func NewHandlers(svc *Service, pages *web.Engine, log *slog.Logger) *Handlers {
	return &Handlers{svc: svc, pages: pages, log: log}
}

// Register lists every route of the faculty.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("faculty")
	a.Get("/teachers", web.Doc{Summary: "师资库：本人可管理的教师（kind=internal|expert|leader，status=active|inactive，q=姓名）", Resp: web.List[TeacherItem]{}, Roles: Managers, Query: []string{"kind", "status", "q", "page", "page_size"}}, h.list)
	a.Post("/teachers", web.Doc{Summary: "新增教师（校内教师、外聘专家、领导干部）", Body: TeacherRequest{}, Resp: TeacherResponse{}, Status: 201, Roles: Managers}, h.create)
	a.Get("/teachers.xlsx", web.Doc{Summary: "导出师资库（Excel）", Roles: Managers, Query: []string{"kind", "status", "q"}}, h.export)
	a.Post("/teachers/from-session", web.Doc{Summary: "将课表中的临时授课人加入师资库，并关联其授课记录", Body: FromSessionRequest{}, Resp: TeacherResponse{}, Status: 201, Roles: Managers}, h.fromSession)
	a.Put("/teachers/:id/photo", web.Doc{Summary: "上传教师照片（JPG、PNG、GIF、WebP，5 MB 以内）", Multipart: []string{"file"}, Resp: PhotoResponse{}, Roles: Managers}, h.uploadPhoto)
	a.Get("/teachers/:id/photo", web.Doc{Summary: "教师照片", Roles: Managers}, h.photo)
	a.Get("/teachers/:id", web.Doc{Summary: "教师及授课记录：授课次数、学时（分年度）、课次、评估满意率与整改任务", Resp: TeacherResponse{}, Roles: Managers}, h.get)
	a.Put("/teachers/:id", web.Doc{Summary: "修改教师信息或停用", Body: TeacherRequest{}, Resp: TeacherResponse{}, Roles: Managers}, h.update)
	a.Delete("/teachers/:id", web.Doc{Summary: "删除尚无授课记录的教师", Status: 204, Roles: Managers}, h.delete)
	a.Get("/leader-lectures", web.Doc{Summary: "领导干部上讲台：本年度（year=）各领导干部授课次数与要求次数，未达要求的在前", Resp: LeaderLectures{}, Roles: Managers, Query: []string{"year"}}, h.leaderLectures)
	a.Get("/leader-lectures.xlsx", web.Doc{Summary: "导出领导干部上讲台情况（Excel）", Roles: Managers, Query: []string{"year"}}, h.exportLeaderLectures)
	a.Get("/teacher-corrections", web.Doc{Summary: "满意率未达标的整改任务（status=open|closed）", Resp: web.List[CorrectionItem]{}, Roles: Managers, Query: []string{"status", "page", "page_size"}}, h.corrections)
	a.Get("/teacher-corrections.xlsx", web.Doc{Summary: "导出教师整改任务（Excel，status=open|closed）", Roles: Managers, Query: []string{"status"}}, h.exportCorrections)
	a.Post("/teacher-corrections/:id/close", web.Doc{Summary: "完成整改：填写整改说明后关闭任务", Body: CloseRequest{}, Resp: CorrectionItem{}, Roles: Managers}, h.closeCorrection)
	a.Get("/master-teachers/candidates", web.Doc{Summary: "名师评选：该年度（year=）授课学时与评估满意率达到评选条件的教师及其数据", Resp: MasterCandidates{}, Roles: Managers, Query: []string{"year"}}, h.masterCandidates)
	a.Get("/master-teachers", web.Doc{Summary: "现有名师（称号有效的教师）", Resp: web.List[MasterDecision]{}, Roles: Managers, Query: []string{"page", "page_size"}}, h.masters)
	a.Get("/master-teachers.xlsx", web.Doc{Summary: "导出现有名师名单（Excel）", Roles: Managers}, h.exportMasters)
	a.Post("/master-teachers/review", web.Doc{Summary: "名师年度复核：按评选条件核对现有名师，未达标的撤销称号（理由：年度复核未达标）", Body: ReviewRequest{}, Resp: MasterReview{}, Roles: Managers}, h.reviewMasters)
	a.Get("/teacher-training", web.Doc{Summary: "师资提能计划：近几年（years=，默认 3）校内教师参加师资培训班次结业的情况与覆盖率，未参训的在前", Resp: TrainingPlan{}, Roles: Managers, Query: []string{"years"}}, h.trainingPlan)
	a.Get("/teacher-training.xlsx", web.Doc{Summary: "导出师资提能计划（Excel）", Roles: Managers, Query: []string{"years"}}, h.exportTrainingPlan)
	a.Post("/teachers/:id/master", web.Doc{Summary: "名师评审结论：授予（须达到评选条件）或不予授予（须填写理由）", Body: MasterRequest{}, Resp: MasterDecision{}, Status: 201, Roles: Managers}, h.decideMaster)
	h.registerLectures(api, pages)
	h.registerPages(pages)
}

// filter reads a list filter from the query.
func filter(c *fiber.Ctx) Filter {
	f := Filter{Kind: c.Query("kind"), Status: c.Query("status"), Q: c.Query("q")}
	if KindNames[f.Kind] == "" {
		f.Kind = ""
	}
	if StatusNames[f.Status] == "" {
		f.Status = ""
	}
	return f
}

func (h *Handlers) list(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.List(c.UserContext(), web.Caller(c), filter(c), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) create(c *fiber.Ctx) error {
	var in TeacherRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.svc.Create(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	out, err := h.svc.Record(c.UserContext(), web.Caller(c), t.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Record)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) update(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in TeacherRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := h.svc.Update(c.UserContext(), web.Caller(c), id, in); err != nil {
		return err
	}
	out, err := h.svc.Record(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) delete(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) corrections(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	items, total, err := h.svc.Corrections(c.UserContext(), web.Caller(c), c.Query("status"), pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(items, total, pg))
}

func (h *Handlers) closeCorrection(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in CloseRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := h.svc.CloseCorrection(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// exportHeader are the columns of the faculty export.
var exportHeader = []any{"姓名", "类型", "职务", "单位", "职称", "专业领域", "状态"}

// export streams the caller's teachers as an Excel sheet: the rows are
// written as they are read, a batch at a time.
func (h *Handlers) export(c *fiber.Ctx) error {
	p := web.Caller(c)
	if !canManage(p) {
		return web.Forbidden()
	}
	f := filter(c)
	return h.streamSheet(c, "teachers.xlsx", "师资库", exportHeader, func(ctx context.Context, add func([]any) error) error {
		err := h.svc.store.each(ctx, p, f, func(ts []Teacher) error {
			for _, t := range ts {
				if err := add([]any{t.Name, KindNames[t.Kind], t.Post, t.Unit, t.Title, t.Fields, StatusNames[t.Status]}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("faculty: export: %w", err)
		}
		return nil
	})
}

func (h *Handlers) leaderLectures(c *fiber.Ctx) error {
	out, err := h.svc.LeaderLectures(c.UserContext(), web.Caller(c), c.QueryInt("year"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}
