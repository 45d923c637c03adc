package training

import (
	"strconv"

	"college/modules/web"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the training API and pages.
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
	hosts     = []string{web.RoleCollegeAdmin}
	approvers = []string{web.RoleOrgAdmin}
	managers  = []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}
	units     = []string{web.RoleUnitAdmin, web.RoleOrgAdmin}
)

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	a := api.Tag("training")
	a.Post("/classes", web.Doc{Summary: "新建班次（草稿）", Body: ClassRequest{}, Resp: IDResponse{}, Status: 201, Roles: hosts}, h.create)
	a.Get("/classes", web.Doc{Summary: "班次列表：主办学院和组织部门看管理范围内全部班次，其他用户看可报名的班次", Resp: web.List[ClassSummary]{}, Query: []string{"status", "q", "year", "page", "page_size"}}, h.list)
	a.Get("/classes/:id", web.Doc{Summary: "班次详情（含名额分配、课程、课表）", Resp: ClassResponse{}}, h.get)
	a.Put("/classes/:id", web.Doc{Summary: "修改班次计划（仅草稿）", Body: ClassRequest{}, Resp: ClassResponse{}, Roles: hosts}, h.update)
	a.Post("/classes/:id/submit", web.Doc{Summary: "提交备案", Resp: StatusResponse{}, Roles: hosts}, h.transition("submit"))
	a.Post("/classes/:id/approve", web.Doc{Summary: "备案通过（组织部门）", Resp: StatusResponse{}, Roles: approvers}, h.transition("approve"))
	a.Post("/classes/:id/reject", web.Doc{Summary: "备案退回（组织部门，须填写理由）", Body: RejectRequest{}, Resp: StatusResponse{}, Roles: approvers}, h.reject)
	a.Post("/classes/:id/open", web.Doc{Summary: "开放报名", Resp: StatusResponse{}, Roles: hosts}, h.transition("open"))
	a.Post("/classes/:id/close-registration", web.Doc{Summary: "截止报名（到截止时间也会自动截止）", Resp: StatusResponse{}, Roles: hosts}, h.transition("close"))
	a.Post("/classes/:id/start", web.Doc{Summary: "开班", Resp: StatusResponse{}, Roles: hosts}, h.transition("start"))
	a.Post("/classes/:id/archive", web.Doc{Summary: "归档已结班的班次", Resp: StatusResponse{}, Roles: managers}, h.transition("archive"))
	a.Put("/classes/:id/quotas", web.Doc{Summary: "名额分配（报名开放前）", Body: QuotasRequest{}, Resp: QuotasRequest{}, Roles: managers}, h.setQuotas)
	a.Put("/classes/:id/courses", web.Doc{Summary: "班次网络课程（必修、选修及学时）", Body: CoursesRequest{}, Resp: CoursesRequest{}, Roles: hosts}, h.setCourses)
	a.Post("/classes/:id/sessions", web.Doc{Summary: "新增课表（专题、授课人、地点或现场教学点、时间）", Body: SessionRequest{}, Resp: SessionResponse{}, Status: 201, Roles: hosts}, h.addSession)
	a.Put("/sessions/:id", web.Doc{Summary: "修改课表", Body: SessionRequest{}, Resp: SessionResponse{}, Roles: hosts}, h.updateSession)
	a.Delete("/sessions/:id", web.Doc{Summary: "删除课表（无人签到时）", Status: 204, Roles: hosts}, web.Deleted(h.svc.DeleteSession))
	a.Get("/sessions/:id/code", web.Doc{Summary: "课程签到码（主办学院）", Resp: CodeResponse{}, Roles: hosts}, web.ByID(h.svc.Code))
	a.Post("/sessions/:id/code", web.Doc{Summary: "更换签到码", Resp: CodeResponse{}, Roles: hosts}, web.ByID(h.svc.RenewCode))
	a.Get("/sessions/:id/qr.png", web.Doc{Summary: "签到二维码图片", Roles: hosts}, h.qr)
	a.Post("/sessions/:id/signin", web.Doc{Summary: "学员签到（凭签到码，仅在上课时间内有效）", Body: SignInRequest{}, Resp: SignInResponse{}}, h.signIn)
	a.Put("/sessions/:id/attendance", web.Doc{Summary: "登记考勤（主办学院代签或取消）", Body: AttendanceRequest{}, Roles: hosts}, h.attendance)
	a.Post("/classes/:id/registrations", web.Doc{Summary: "报名：单位推荐（user_id）或本人报名（空）", Body: RegisterRequest{}, Resp: IDResponse{}, Status: 201, OptionalBody: true}, h.register)
	a.Get("/classes/:id/registrations", web.Doc{Summary: "班次报名名单（单位管理员只看本单位）", Resp: web.List[RegistrationResponse]{}, Query: []string{"status", "q", "page", "page_size"}}, h.registrations)
	a.Get("/classes/:id/unit-use", web.Doc{Summary: "本单位名额使用情况", Resp: UnitUse{}, Roles: units}, h.unitUse)
	a.Post("/registrations/:id/approve", web.Doc{Summary: "录取（主办学院）", Resp: StatusResponse{}, Roles: hosts}, h.approveReg)
	a.Post("/registrations/:id/reject", web.Doc{Summary: "不予录取（主办学院）", Body: RejectRequest{}, Resp: StatusResponse{}, Roles: hosts, OptionalBody: true}, h.rejectReg)
	a.Post("/registrations/:id/withdraw", web.Doc{Summary: "退出班次（本人或单位在开班前；主办学院可办理退学）；空出的名额自动递补候补学员", Resp: StatusResponse{}}, h.withdraw)
	a.Post("/registrations/:id/replace", web.Doc{Summary: "替换参训人员（单位，开班前）", Body: ReplaceRequest{}, Resp: IDResponse{}, Roles: units}, h.replace)
	a.Get("/me/registrations", web.Doc{Summary: "我的班次", Resp: []MyRegistration{}}, web.ForCaller(h.svc.MyRegistrations))
	a.Post("/classes/:id/leaves", web.Doc{Summary: "请假申请", Body: LeaveRequest{}, Resp: LeaveResponse{}, Status: 201}, h.requestLeave)
	a.Get("/classes/:id/leaves", web.Doc{Summary: "请假记录（主办学院看全部，学员看本人）", Resp: []LeaveResponse{}}, web.ByID(h.svc.Leaves))
	a.Post("/leaves/:id/approve", web.Doc{Summary: "批准请假（超过班次学时 1/7 将标记应予退学）", Resp: LeaveResponse{}, Roles: hosts}, h.decideLeave(true))
	a.Post("/leaves/:id/reject", web.Doc{Summary: "不批准请假", Resp: LeaveResponse{}, Roles: hosts}, h.decideLeave(false))
	a.Get("/classes/:id/roster", web.Doc{Summary: "学员名册：考勤、请假、网络课程进度", Resp: []RosterRow{}, Roles: managers}, h.roster)
	a.Get("/classes/:id/roster.xlsx", web.Doc{Summary: "导出学员名册（Excel）", Roles: managers}, h.rosterXLSX)
	a.Get("/classes/:id/signin-sheet.xlsx", web.Doc{Summary: "导出签到表（Excel）", Roles: managers}, h.signInXLSX)
	a.Post("/classes/:id/files", web.Doc{Summary: "上传班次材料（培训方案、签到表、课程表等；kind 字段）", Multipart: []string{"file", "kind"}, Resp: FileResponse{}, Status: 201, Roles: hosts}, h.upload)
	a.Get("/classes/:id/files", web.Doc{Summary: "班次材料列表", Resp: []FileResponse{}, Roles: managers}, web.ByID(h.svc.Files))
	a.Get("/class-files/:id", web.Doc{Summary: "下载班次材料", Roles: managers}, h.download)
	a.Delete("/class-files/:id", web.Doc{Summary: "删除班次材料（结班前）", Status: 204, Roles: hosts}, web.Deleted(h.svc.DeleteFile))
	a.Post("/classes/:id/graduate", web.Doc{Summary: "结班：移除缺训学员，为结业学员登记学时并颁发结业证书", Body: GraduateRequest{}, Resp: GraduateResponse{}, Roles: hosts, OptionalBody: true}, h.graduate)
	a.Get("/me/certificates", web.Doc{Summary: "我的结业证书", Resp: []CertificateView{}}, h.myCertificates)
	a.Get("/certificates/:serial", web.Doc{Summary: "结业证书查验（无需登录，个人信息脱敏）", Resp: CertificateCheck{}, Public: true}, h.verify)
	h.registerPages(pages)
}

func (h *Handlers) create(c *fiber.Ctx) error {
	cl, err := web.WithBody(c, h.svc.CreateClass)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(IDResponse{ID: cl.ID, Status: cl.Status})
}

func (h *Handlers) list(c *fiber.Ctx) error {
	p := web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	var out []ClassSummary
	var total int64
	if canHost(p) || canApprove(p) {
		year, _ := strconv.Atoi(c.Query("year"))
		rows, n, err := h.svc.ListManaged(c.UserContext(), p, ListFilter{Status: c.Query("status"), Q: c.Query("q"), Year: year}, pg)
		if err != nil {
			return err
		}
		total = n
		for i := range rows {
			out = append(out, h.svc.Summary(c.UserContext(), &rows[i]))
		}
	} else {
		rows, err := h.svc.OpenClasses(c.UserContext(), p)
		if err != nil {
			return err
		}
		total = int64(len(rows))
		for i := range rows {
			if i >= pg.Offset() && i < pg.Offset()+pg.PageSize {
				out = append(out, h.svc.Summary(c.UserContext(), &rows[i]))
			}
		}
	}
	if out == nil {
		out = []ClassSummary{}
	}
	return c.JSON(web.NewList(out, total, pg))
}

func (h *Handlers) get(c *fiber.Ctx) error {
	_, _, d, err := web.WithIDPair(c, h.svc.ClassDetail)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (h *Handlers) update(c *fiber.Ctx) error {
	id, in, err := web.IDBody[ClassRequest](c)
	if err != nil {
		return err
	}
	p := web.Caller(c)
	cl, err := h.svc.UpdateClass(c.UserContext(), p, id, in)
	if err != nil {
		return err
	}
	d, err := h.svc.Detail(c.UserContext(), p, cl)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// transition serves the life-cycle actions without a body.
func (h *Handlers) transition(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		cl, err := h.svc.Transition(c.UserContext(), web.Caller(c), id, action, "")
		if err != nil {
			return err
		}
		return c.JSON(StatusResponse{ID: id, Status: cl.Status})
	}
}

func (h *Handlers) reject(c *fiber.Ctx) error {
	id, in, err := web.IDBody[RejectRequest](c)
	if err != nil {
		return err
	}
	cl, err := h.svc.Reject(c.UserContext(), web.Caller(c), id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(StatusResponse{ID: id, Status: cl.Status})
}

func (h *Handlers) setQuotas(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.SetQuotas)
	if err != nil {
		return err
	}
	return c.JSON(QuotasRequest{Quotas: out})
}

func (h *Handlers) setCourses(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.SetCourses)
	if err != nil {
		return err
	}
	return c.JSON(CoursesRequest{Courses: out})
}
