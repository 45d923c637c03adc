package followup

import (
	"sort"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// registerPages lists the server-rendered pages: the graduate's follow-up,
// the team member's rounds, form and report, the unit's and the org
// department's overviews, and the public questionnaire.
func (h *Handlers) registerPages(r fiber.Router) {
	r.Get("/me/followup", web.RequireLogin, h.learnerPage)
	r.Post("/me/followup/study-plan", web.RequireLogin, h.learnerStudyPlanSubmit)
	r.Post("/me/followup/report-backs", web.RequireLogin, h.learnerReportBackSubmit)
	r.Post("/me/followup/report-backs/:id/attachment", web.RequireLogin, h.learnerAttachmentSubmit)
	r.Post("/me/followup/rounds/:id/self-report", web.RequireLogin, h.learnerSelfReportSubmit)

	r.Get("/followup/rounds", web.RequireLogin, h.teamRoundsPage)
	r.Get("/followup/rounds/:id", web.RequireLogin, h.roundPage)
	r.Post("/followup/rounds/:id", web.RequireLogin, h.roundSubmit)
	r.Post("/followup/rounds/:id/questionnaires", web.RequireLogin, h.roundQuestionnaireSubmit)
	r.Get("/followup/rounds/:id/report", web.RequireLogin, h.reportPage)

	units := web.RequireRole(web.RoleUnitAdmin)
	r.Get("/unit/followup", units, h.unitPage)

	admins := web.RequireRole(managers...)
	r.Get("/admin/followup", admins, h.adminPage)
	r.Get("/admin/followup/plans", admins, h.adminPlansPage)
	r.Post("/admin/followup/plans/:id/term", web.RequireRole(orgAdmins...), h.adminTermSubmit)
	r.Post("/admin/followup/rounds/:id/assign", admins, h.adminAssignSubmit)
	r.Post("/admin/followup/rounds/:id/excellent", web.RequireRole(orgAdmins...), h.adminExcellentSubmit)
	r.Post("/admin/followup/rounds/:id/case-course", admins, h.adminCaseCourseSubmit)
	r.Get("/admin/followup/team", admins, h.adminTeamPage)
	r.Post("/admin/followup/team", admins, h.adminTeamAddSubmit)
	r.Post("/admin/followup/team/:uid/remove", admins, h.adminTeamRemoveSubmit)
	r.Post("/admin/followup/templates", web.RequireRole(orgAdmins...), h.adminTemplatesSubmit)

	r.Get("/q/:token", h.questionnairePage)
	r.Post("/q/:token", h.questionnaireSubmit)
}

// fieldLabels name the form fields in refusal messages.
var fieldLabels = map[string]string{
	"content": "内容", "class_id": "班次", "held_on": "日期", "audience": "对象", "summary": "内容摘要", "file": "文件",
	"conclusion": "结论", "methods": "问效方式", "kind": "类型", "title": "标题", "respondents": "评议人", "questions": "题目",
	"term_ends_on": "任职期满日期", "user_id": "人员", "case_note": "案例说明", "templates": "指标",
}

// refusal is what a page shows of a refused action: the message or the
// field messages. ok is false for a server error, which goes to the error
// page instead.
func refusal(err error) (we *web.Error, msg string, ok bool) {
	we = web.AsError(err)
	if we.Status >= 500 {
		return we, "", false
	}
	if len(we.Fields) == 0 {
		return we, we.Message, true
	}
	keys := make([]string, 0, len(we.Fields))
	for k := range we.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		label := fieldLabels[k]
		if label == "" || strings.Contains(we.Fields[k], label) {
			parts[i] = we.Fields[k]
		} else {
			parts[i] = label + "：" + we.Fields[k]
		}
	}
	return we, strings.Join(parts, "；"), true
}

// formID reads an id from a form field (0 when absent or bad).
func formID(c *fiber.Ctx, name string) uint64 {
	n, _ := strconv.ParseUint(strings.TrimSpace(c.FormValue(name)), 10, 64)
	return n
}

// formValues reads every value of a repeated form field.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Context().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// conclusionTone is the badge colour of a conclusion.
func conclusionTone(c string) string {
	switch c {
	case "优秀":
		return "badge-ok"
	case "良好":
		return "badge-info"
	case "一般":
		return "badge-warn"
	case "较差":
		return "badge-danger"
	}
	return ""
}

// roundTone is the badge colour of a round's status.
func roundTone(status string, overdue bool) string {
	switch {
	case overdue:
		return "badge-danger"
	case status == RoundDone:
		return "badge-ok"
	case status == RoundPending:
		return "badge-info"
	}
	return ""
}

// planTone is the badge colour of a plan's status.
func planTone(status string) string {
	switch status {
	case PlanActive:
		return "badge-info"
	case PlanCompleted:
		return "badge-ok"
	}
	return ""
}

// ---------- the public questionnaire ----------

type questionnaireData struct {
	Token  string
	Inv    Invitation
	Values []string
	Error  string
	Done   bool
	Gone   string // why the link no longer works
}

func (h *Handlers) questionnairePage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer") // the token is in the address
	token := c.Params("token")
	inv, err := h.svc.Invitation(c.UserContext(), token)
	if err != nil {
		return h.questionnaireRefused(c, err)
	}
	return h.pages.Render(c, fiber.StatusOK, "followup/questionnaire", inv.Title, questionnaireData{Token: token, Inv: inv, Values: make([]string, len(inv.Questions))})
}

// questionnaireRefused shows a friendly page for a link that is unknown
// (404) or used up (410).
func (h *Handlers) questionnaireRefused(c *fiber.Ctx, err error) error {
	we := web.AsError(err)
	if we.Status != fiber.StatusNotFound && we.Status != fiber.StatusGone {
		return err
	}
	msg := we.Message
	if we.Status == fiber.StatusNotFound {
		msg = "问卷链接无效，请核对链接是否完整，或联系发送链接的工作人员。"
	}
	return h.pages.Render(c, we.Status, "followup/questionnaire", "问卷", questionnaireData{Gone: msg})
}

func (h *Handlers) questionnaireSubmit(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	token := c.Params("token")
	inv, err := h.svc.Invitation(c.UserContext(), token)
	if err != nil {
		return h.questionnaireRefused(c, err)
	}
	answers := make([]string, len(inv.Questions))
	for i := range answers {
		answers[i] = c.FormValue("q" + strconv.Itoa(i))
	}
	if err := h.svc.Answer(c.UserContext(), token, answers); err != nil {
		we, msg, ok := refusal(err)
		if !ok || we.Status == fiber.StatusNotFound || we.Status == fiber.StatusGone {
			return h.questionnaireRefused(c, err)
		}
		if len(we.Fields) > 0 {
			msg = "请完成所有评价题后再提交。"
		}
		return h.pages.Render(c, we.Status, "followup/questionnaire", inv.Title, questionnaireData{Token: token, Inv: inv, Values: answers, Error: msg})
	}
	return h.pages.Render(c, fiber.StatusOK, "followup/questionnaire", "提交成功", questionnaireData{Inv: inv, Done: true})
}
