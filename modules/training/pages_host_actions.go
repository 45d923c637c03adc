package training

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

var adminActionDone = map[string]string{
	"submit": "已提交备案，等待组织部门审核", "approve": "备案已通过，主办学院可以开放报名", "reject": "已退回，退回理由已通知主办学院",
	"open": "已开放报名", "close": "已截止报名", "start": "已开班", "archive": "已归档",
}

func (h *Handlers) adminClassActionSubmit(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		toFilings := c.FormValue("back") == "filings"
		cl, err := h.svc.Transition(c.UserContext(), web.Caller(c), id, action, c.FormValue("reason"))
		if err != nil {
			section := "actions"
			if action == "approve" || action == "reject" {
				section = "review"
			}
			pe, status, err := adminRefusal(err, section)
			if err != nil {
				return err
			}
			if toFilings {
				pe.Section = "filing:" + web.Itoa(id)
				return h.adminRenderFilings(c, status, pe, c.FormValue("reason"))
			}
			return h.adminRenderClass(c, status, id, pe, &adminWSForm{RejectReason: c.FormValue("reason")})
		}
		web.Flash(c, adminActionDone[action]+"：“"+cl.Title+"”")
		if toFilings {
			return c.Redirect("/admin/filings", fiber.StatusSeeOther)
		}
		return c.Redirect(adminClassURL(id, ""), fiber.StatusSeeOther)
	}
}

func (h *Handlers) adminQuotasSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	orgs, ns := adminPostMulti(c, "quota_org"), adminPostMulti(c, "quota_n")
	var rows []adminQuotaRow
	var in QuotasRequest
	bad := false
	for i := range max(len(orgs), len(ns)) {
		o, n := adminAt(orgs, i), adminAt(ns, i)
		if (o == "" || o == "0") && n == "" {
			continue
		}
		row := adminQuotaRow{Quota: n}
		row.OrgID, _ = strconv.ParseUint(o, 10, 64)
		q, err := strconv.Atoi(n)
		switch {
		case row.OrgID == 0:
			row.OrgErr, bad = "请选择单位", true
		case err != nil:
			row.QuotaErr, bad = "名额应为整数", true
		}
		rows = append(rows, row)
		in.Quotas = append(in.Quotas, QuotaItem{OrgID: row.OrgID, Quota: q})
	}
	if rows == nil {
		rows = []adminQuotaRow{}
	}
	if bad {
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, &adminErr{Section: "quotas", Message: "提交的内容有误，请检查标出的项目"}, &adminWSForm{QuotaRows: rows})
	}
	out, err := h.svc.SetQuotas(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		if we := web.AsError(err); we.Fields != nil {
			for i := range rows {
				rows[i].OrgErr = we.Fields[fmt.Sprintf("quotas[%d].org_id", i)]
				rows[i].QuotaErr = we.Fields[fmt.Sprintf("quotas[%d].quota", i)]
			}
		}
		return h.adminFailed(c, id, err, "quotas", &adminWSForm{QuotaRows: rows})
	}
	sum := 0
	for _, q := range out {
		sum += q.Quota
	}
	if len(out) == 0 {
		web.Flash(c, "已清除名额分配：符合条件的干部均可报名")
	} else {
		web.Flash(c, fmt.Sprintf("名额分配已保存：%d 个单位，共 %d 个名额", len(out), sum))
	}
	return c.Redirect(adminClassURL(id, "quotas"), fiber.StatusSeeOther)
}

func (h *Handlers) adminCoursesSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ids, reqs, hrs := adminPostMulti(c, "course_id"), adminPostMulti(c, "course_required"), adminPostMulti(c, "course_hours")
	var rows []adminCourseRow
	var in CoursesRequest
	bad := false
	for i := range max(len(ids), len(hrs)) {
		v, hv := adminAt(ids, i), adminAt(hrs, i)
		if (v == "" || v == "0") && hv == "" {
			continue
		}
		row := adminCourseRow{Required: adminAt(reqs, i) != "0", Hours: hv}
		var err error
		if row.CourseID, err = strconv.ParseUint(v, 10, 64); err != nil || row.CourseID == 0 {
			row.IDErr, bad = "请选择课程", true
		}
		hours, ok := adminParseHours(hv)
		if !ok {
			row.HoursErr, bad = "学时应为数字，最多两位小数", true
		}
		rows = append(rows, row)
		in.Courses = append(in.Courses, CourseItem{CourseID: row.CourseID, Required: row.Required, Hours: hours})
	}
	if rows == nil {
		rows = []adminCourseRow{}
	}
	if bad {
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, &adminErr{Section: "courses", Message: "提交的内容有误，请检查标出的项目"}, &adminWSForm{CourseRows: rows})
	}
	out, err := h.svc.SetCourses(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		if we := web.AsError(err); we.Fields != nil {
			for i := range rows {
				rows[i].IDErr = we.Fields[fmt.Sprintf("courses[%d].course_id", i)]
				rows[i].HoursErr = we.Fields[fmt.Sprintf("courses[%d].hours", i)]
			}
		}
		return h.adminFailed(c, id, err, "courses", &adminWSForm{CourseRows: rows})
	}
	web.Flash(c, fmt.Sprintf("网络课程已保存：共 %d 门", len(out)))
	return c.Redirect(adminClassURL(id, "courses"), fiber.StatusSeeOther)
}

func (h *Handlers) adminSessionAddSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	f := adminSessionForm{Topic: c.FormValue("topic"), Teacher: c.FormValue("teacher"), Place: c.FormValue("place"), Site: c.FormValue("site"),
		Date: strings.TrimSpace(c.FormValue("date")), Start: strings.TrimSpace(c.FormValue("start")), End: strings.TrimSpace(c.FormValue("end")),
		Hours: strings.TrimSpace(c.FormValue("hours"))}
	f.TeacherID, _ = strconv.ParseUint(c.FormValue("teacher_id"), 10, 64)
	in := SessionRequest{Topic: f.Topic, Teacher: f.Teacher, TeacherID: f.TeacherID, Place: f.Place, Site: f.Site}
	errs := map[string]string{}
	var ok bool
	if in.Hours, ok = adminParseHours(f.Hours); !ok {
		errs["hours"] = "学时应为数字，最多两位小数"
	}
	start, err1 := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Start, web.Shanghai)
	end, err2 := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.End, web.Shanghai)
	if err1 != nil {
		errs["starts_at"] = "请填写上课日期和开始时间"
	} else {
		in.StartsAt = start
	}
	if err2 != nil {
		errs["ends_at"] = "请填写结束时间"
	} else {
		in.EndsAt = end
	}
	if strings.TrimSpace(f.Topic) == "" {
		errs["topic"] = "必填"
	}
	if len(errs) > 0 {
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, &adminErr{Section: "session", Message: "提交的内容有误，请检查标出的项目", Fields: errs}, &adminWSForm{Session: &f})
	}
	x, err := h.svc.AddSession(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return h.adminFailed(c, id, err, "session", &adminWSForm{Session: &f})
	}
	web.Flash(c, "已添加课程："+x.Topic)
	return c.Redirect(adminClassURL(id, "sessions"), fiber.StatusSeeOther)
}

func (h *Handlers) adminSessionDeleteSubmit(c *fiber.Ctx) error {
	_, x, err := web.WithID(c, h.svc.DeleteSession)
	if err != nil {
		if x == nil {
			return err
		}
		return h.adminFailed(c, x.ClassID, err, "sessions", nil)
	}
	web.Flash(c, "已删除课程："+x.Topic)
	return c.Redirect(adminClassURL(x.ClassID, "sessions"), fiber.StatusSeeOther)
}

func (h *Handlers) adminSessionCodeSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.RenewCode(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	web.Flash(c, "已更换签到码，旧签到码立即失效")
	return c.Redirect(fmt.Sprintf("/admin/sessions/%d/screen", id), fiber.StatusSeeOther)
}

// adminAttendanceSubmit signs trainees in or out of a session by hand: the
// form lists the trainees shown and the ones ticked present.
func (h *Handlers) adminAttendanceSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	out, err := h.svc.SaveAttendance(c.UserContext(), web.Caller(c), id, adminPostIDs(c, "shown"), adminPostIDs(c, "present"))
	if err != nil {
		if out.Session == nil {
			return err
		}
		return h.adminFailed(c, out.ClassID, err, "attendance", nil)
	}
	web.Flash(c, fmt.Sprintf("考勤已保存：%s（补签 %d 人，取消 %d 人）", out.Session.Topic, out.Added, out.Removed))
	return c.Redirect(fmt.Sprintf("/admin/classes/%d?att=%d#attendance", out.ClassID, id), fiber.StatusSeeOther)
}

func (h *Handlers) adminRegistrationSubmit(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		ctx, p := c.UserContext(), web.Caller(c)
		before, err := h.svc.registrationByID(ctx, id)
		if err != nil {
			return err
		}
		var r *Registration
		reason := strings.TrimSpace(c.FormValue("reason"))
		switch action {
		case "approve":
			r, err = h.svc.ApproveRegistration(ctx, p, id)
		case "reject":
			r, err = h.svc.RejectRegistration(ctx, p, id, reason)
		case "withdraw":
			r, err = h.svc.Withdraw(ctx, p, id)
		}
		if err != nil {
			return h.adminFailed(c, before.ClassID, err, "reg:"+web.Itoa(id), nil)
		}
		done := map[string]string{"approve": "已录取", "reject": "已不予录取", "withdraw": "已办理退出"}[action]
		if u, err := h.svc.people.Person(ctx, r.UserID); err == nil && u != nil {
			done += "：" + u.Name
		}
		web.Flash(c, done)
		back := adminClassURL(r.ClassID, "")
		if st := c.FormValue("reg"); RegStatusNames[st] != "" {
			back += "?reg=" + url.QueryEscape(st)
		}
		return c.Redirect(back+"#registrations", fiber.StatusSeeOther)
	}
}

func (h *Handlers) adminLeaveSubmit(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		ctx := c.UserContext()
		out, err := h.svc.DecideLeave(ctx, web.Caller(c), id, approve)
		if err != nil {
			classID := h.svc.adminLeaveClassID(ctx, id)
			if classID == 0 {
				return err
			}
			return h.adminFailed(c, classID, err, "leave:"+web.Itoa(id), nil)
		}
		msg := "已不批准请假"
		if approve {
			msg = "已批准请假 " + out.Hours.String() + " 学时"
		}
		if u, err := h.svc.people.Person(ctx, out.UserID); err == nil && u != nil {
			msg += "：" + u.Name
		}
		if out.OverLimit {
			msg += fmt.Sprintf("。累计请假 %s 学时，已超过班次学时的 1/%d（%s 学时），应予退学", out.TotalHours, h.svc.settings.Int(ctx, SetLeaveDenom), out.Limit)
		}
		web.Flash(c, msg)
		return c.Redirect(adminClassURL(out.ClassID, "leaves"), fiber.StatusSeeOther)
	}
}

// adminFileUploadSubmit attaches a document to a class from the page's form.
// The page's script sends it with the CSRF header and Accept:
// application/json (large files, progress bar) and gets the next address
// back; a plain form post is redirected.
func (h *Handlers) adminFileUploadSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	script := c.Get(fiber.HeaderAccept) == fiber.MIMEApplicationJSON
	if n := c.Request().Header.ContentLength(); n > MaxFileBytes+1<<20 {
		return web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxFileBytes>>20))
	}
	up, err := web.MultipartUpload(c, "file")
	if err == nil {
		kind := c.Query("kind")
		if kind == "" {
			kind = up.Fields["kind"]
		}
		var f *File
		f, err = h.svc.AttachFile(c.UserContext(), web.Caller(c), id, kind, up.FileName(), up)
		if err == nil {
			web.Flash(c, "已上传"+FileKindNames[f.Kind]+"："+f.Name)
			next := adminClassURL(id, "files")
			if script {
				return c.JSON(fiber.Map{"redirect": next})
			}
			return c.Redirect(next, fiber.StatusSeeOther)
		}
	}
	if script || web.IsStatus(err, fiber.StatusRequestEntityTooLarge) {
		return err // the error handler closes the connection of a body left unread
	}
	return h.adminFailed(c, id, err, "files", nil)
}

func (h *Handlers) adminGraduateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	absent := map[uint64]bool{}
	in := GraduateRequest{AbsentUserIDs: uniq(adminPostIDs(c, "absent"))}
	for _, u := range in.AbsentUserIDs {
		absent[u] = true
	}
	if c.FormValue("confirm") != "1" {
		pe := &adminErr{Section: "graduate", Message: "请勾选确认后再结班", Fields: map[string]string{"confirm": "请核对名单后勾选确认"}}
		return h.adminRenderClass(c, fiber.StatusBadRequest, id, pe, &adminWSForm{Absent: absent})
	}
	out, err := h.svc.Graduate(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return h.adminFailed(c, id, err, "graduate", &adminWSForm{Absent: absent})
	}
	web.Flash(c, fmt.Sprintf("已结班：%d 人结业，每人登记 %s 学时并颁发结业证书；%d 人未达结业要求，%d 人缺训", out.Graduated, out.Hours, len(out.Incomplete), out.Absent))
	return c.Redirect(adminClassURL(id, "graduation"), fiber.StatusSeeOther)
}
