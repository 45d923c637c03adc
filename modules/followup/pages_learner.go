package followup

import (
	"fmt"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// learnerRound is a round on the graduate's page.
type learnerRound struct {
	RoundBrief
	Tone      string
	CTone     string
	HasReport bool
}

// learnerPlan is one plan with what the graduate files for it.
type learnerPlan struct {
	PlanResponse
	Tone        string
	Rounds      []learnerRound
	StudyPlan   *StudyPlanResponse
	ReportBacks []ReportBackResponse
	Tasks       []Task
	SelfReports []Task // open or written self-reports
	Open        bool   // the plan takes filings
}

// learnerForm keeps what was typed into a refused form.
type learnerForm struct {
	Which    string // study_plan, report_back, self_report
	ClassID  uint64
	RoundID  uint64
	Content  string
	HeldOn   string
	Audience string
	Summary  string
}

type learnerData struct {
	Plans    []learnerPlan
	Pending  []Task // not done, earliest first
	Team     bool
	Today    string
	Error    string
	ErrorFor string // "study_plan-<class>", "report_back-<class>", "self_report-<round>", "attach-<id>"
	Form     learnerForm
	MaxMB    int
}

func (h *Handlers) learnerPage(c *fiber.Ctx) error {
	return h.learnerRender(c, fiber.StatusOK, "", "", learnerForm{})
}

func (h *Handlers) learnerRender(c *fiber.Ctx, status int, errFor, msg string, form learnerForm) error {
	my, err := h.svc.MyFollowUp(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	d := learnerData{Team: my.TeamMember, Today: h.svc.today(), Error: msg, ErrorFor: errFor, Form: form, MaxMB: MaxAttachmentBytes >> 20}
	byPlan := map[uint64][]Task{}
	for _, t := range my.Tasks {
		byPlan[t.PlanID] = append(byPlan[t.PlanID], t)
		if !t.Done {
			d.Pending = append(d.Pending, t)
		}
	}
	for _, p := range my.Plans {
		lp := learnerPlan{PlanResponse: p, Tone: planTone(p.Status), Tasks: byPlan[p.ID], Open: p.Status == PlanActive}
		for _, r := range p.Rounds {
			lp.Rounds = append(lp.Rounds, learnerRound{RoundBrief: r, Tone: roundTone(r.Status, r.Overdue), CTone: conclusionTone(r.Conclusion), HasReport: r.Status == RoundDone})
		}
		if sp, ok := my.StudyPlans[p.ClassID]; ok {
			lp.StudyPlan = &sp
		}
		for _, rb := range my.ReportBacks {
			if rb.ClassID == p.ClassID {
				lp.ReportBacks = append(lp.ReportBacks, rb)
			}
		}
		for _, t := range lp.Tasks {
			if t.Kind == TaskSelfReport {
				lp.SelfReports = append(lp.SelfReports, t)
			}
		}
		d.Plans = append(d.Plans, lp)
	}
	return h.pages.Render(c, status, "followup/me", "跟踪问效", d)
}

// learnerRefused shows the page again with the reason and what was typed.
func (h *Handlers) learnerRefused(c *fiber.Ctx, err error, errFor string, form learnerForm) error {
	we, msg, ok := refusal(err)
	if !ok {
		return err
	}
	return h.learnerRender(c, we.Status, errFor, msg, form)
}

func (h *Handlers) learnerStudyPlanSubmit(c *fiber.Ctx) error {
	form := learnerForm{Which: TaskStudyPlan, ClassID: formID(c, "class_id"), Content: c.FormValue("content")}
	out, created, err := h.svc.FileStudyPlan(c.UserContext(), web.Caller(c), StudyPlanRequest{ClassID: form.ClassID, Content: form.Content})
	if err != nil {
		return h.learnerRefused(c, err, fmt.Sprintf("study_plan-%d", form.ClassID), form)
	}
	if created {
		web.Flash(c, "自学计划已提交")
	} else {
		web.Flash(c, "自学计划已更新")
	}
	return c.Redirect(fmt.Sprintf("/me/followup#plan-class-%d", out.ClassID), fiber.StatusSeeOther)
}

func (h *Handlers) learnerReportBackSubmit(c *fiber.Ctx) error {
	form := learnerForm{Which: TaskReportBack, ClassID: formID(c, "class_id"), HeldOn: c.FormValue("held_on"), Audience: c.FormValue("audience"), Summary: c.FormValue("summary")}
	out, err := h.svc.RecordReportBack(c.UserContext(), web.Caller(c), ReportBackRequest{ClassID: form.ClassID, HeldOn: form.HeldOn, Audience: form.Audience, Summary: form.Summary})
	if err != nil {
		return h.learnerRefused(c, err, fmt.Sprintf("report_back-%d", form.ClassID), form)
	}
	msg := "述学讲学已登记"
	if !out.OnTime {
		msg += "（晚于结业后 1 个月，记为逾期完成）"
	}
	web.Flash(c, msg+"，可继续上传讲稿或照片")
	return c.Redirect(fmt.Sprintf("/me/followup#report-back-%d", out.ID), fiber.StatusSeeOther)
}

// learnerAttachmentSubmit stores a 述学讲学 attachment. The page's script
// sends it with the CSRF header and Accept: application/json and gets the
// next address back; a plain form post is redirected.
func (h *Handlers) learnerAttachmentSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	script := c.Get(fiber.HeaderAccept) == fiber.MIMEApplicationJSON
	if n := c.Request().Header.ContentLength(); n > MaxAttachmentBytes+1<<20 {
		err = web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxAttachmentBytes>>20))
	}
	var out ReportBackResponse
	if err == nil {
		up, perr := web.MultipartUpload(c, "file")
		err = perr
		if err == nil {
			out, err = h.svc.AttachToReportBack(c.UserContext(), web.Caller(c), id, up.FileName(), up)
		}
	}
	if err != nil {
		if script {
			return err
		}
		if we := web.AsError(err); we.Status == fiber.StatusRequestEntityTooLarge {
			c.Context().SetConnectionClose()
		}
		return h.learnerRefused(c, err, fmt.Sprintf("attach-%d", id), learnerForm{})
	}
	web.Flash(c, "已上传述学讲学材料："+out.AttachmentName)
	next := fmt.Sprintf("/me/followup#report-back-%d", out.ID)
	if script {
		return c.JSON(fiber.Map{"redirect": next})
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (h *Handlers) learnerSelfReportSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := learnerForm{Which: TaskSelfReport, RoundID: id, Content: c.FormValue("content")}
	if err := h.svc.WriteSelfReport(c.UserContext(), web.Caller(c), id, form.Content); err != nil {
		return h.learnerRefused(c, err, fmt.Sprintf("self_report-%d", id), form)
	}
	web.Flash(c, "年度自述已保存，问效人员将在问效时参阅")
	return c.Redirect(fmt.Sprintf("/me/followup#self-report-%d", id), fiber.StatusSeeOther)
}
