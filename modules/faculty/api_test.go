package faculty_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// addTeacher adds a teacher as token and returns its id.
func addTeacher(t *testing.T, a *collegetest.App, token string, body map[string]any) uint64 {
	t.Helper()
	r := a.Do("POST", "/api/v1/teachers", token, body)
	collegetest.MustStatus(t, r, 201)
	return r.ID(t)
}

func TestTeachersAreScopedAndAudited(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col, org := c.Tokens["col"], c.Tokens["org"]
	other := a.CreateOrg(c.Tokens["admin"], "第二分院", "C02", "college", c.Root)
	a.Provision(identity.UserRequest{Username: "col2", Name: "第二分院管理员", OrgID: other, Roles: []string{"college_admin"}})
	col2 := a.Login("col2", collegetest.UserPassword)

	id := addTeacher(t, a, col, map[string]any{"name": "王教授", "kind": "internal", "user_id": c.IDs["ua_cadre"], "title": "教授", "fields": "党的建设"})
	if n := collegetest.CountAudits(a, "teacher.create"); n != 1 {
		t.Fatalf("teacher.create entries = %d", n)
	}
	leader := addTeacher(t, a, org, map[string]any{"name": "李局长", "kind": "leader", "post": "局长", "org_id": c.UnitA})
	addTeacher(t, a, col2, map[string]any{"name": "外院专家", "kind": "expert"})

	// Bad input is refused field by field.
	for field, body := range map[string]map[string]any{
		"name":    {"name": " ", "kind": "expert"},
		"kind":    {"name": "某某", "kind": "teacher"},
		"post":    {"name": "某领导", "kind": "leader"},
		"user_id": {"name": "某专家", "kind": "expert", "user_id": 5},
	} {
		r := a.Do("POST", "/api/v1/teachers", col, body)
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)[field] == nil {
			t.Fatalf("%v: no error on %s: %s", body, field, r.Body)
		}
	}
	// Roles: learners, unit admins and the system administrator may not.
	for _, who := range []string{"ua_cadre", "ua_admin", "admin"} {
		collegetest.MustStatus(t, a.Do("POST", "/api/v1/teachers", c.Tokens[who], map[string]any{"name": "某某", "kind": "expert"}), 403)
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/teachers", c.Tokens[who], nil), 403)
	}
	// Another college neither reads nor writes this college's teacher.
	edit := map[string]any{"name": "王教授", "kind": "internal", "status": "inactive"}
	for _, r := range []collegetest.Response{
		a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", id), col2, nil),
		a.Do("PUT", fmt.Sprintf("/api/v1/teachers/%d", id), col2, edit),
		a.Do("DELETE", fmt.Sprintf("/api/v1/teachers/%d", id), col2, nil),
	} {
		collegetest.MustStatus(t, r, 404)
	}
	// The college sees its own; the org department sees the city.
	names := func(token, query string) string {
		r := a.Do("GET", "/api/v1/teachers"+query, token, nil)
		collegetest.MustStatus(t, r, 200)
		var out []string
		for _, it := range r.JSON(t)["items"].([]any) {
			out = append(out, it.(map[string]any)["name"].(string))
		}
		return strings.Join(out, ",")
	}
	if got := names(col, ""); got != "王教授" {
		t.Fatalf("the college's teachers: %q", got)
	}
	if got := names(org, "?kind=leader"); got != "李局长" {
		t.Fatalf("the city's leaders: %q", got)
	}
	if got := names(org, ""); len(strings.Split(got, ",")) != 3 || !strings.Contains(got, "外院专家") {
		t.Fatalf("the city's teachers: %q", got)
	}

	// The org department edits city-wide: one entry per change.
	r := a.Do("PUT", fmt.Sprintf("/api/v1/teachers/%d", id), org, edit)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "inactive" || collegetest.CountAudits(a, "teacher.update") != 1 {
		t.Fatalf("update: %s", r.Body)
	}
	if got := names(col, "?status=active"); got != "" {
		t.Fatalf("active teachers after the update: %q", got)
	}

	// The export lists the caller's teachers.
	x := a.Do("GET", "/api/v1/teachers.xlsx", org, nil)
	collegetest.MustStatus(t, x, 200)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("师资库")
	if err != nil || len(rows) != 4 || rows[0][0] != "姓名" {
		t.Fatalf("export rows: %v %v", rows, err)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/teachers.xlsx", c.Tokens["ua_cadre"], nil), 403)

	// Pages: managers only.
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/teachers", 200), "师资库", "王教授")
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/teachers/new", 200), "新增教师", "专业领域")
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/teachers/%d", id), 200), "授课记录", "整改任务")
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/teachers/%d/edit", id), 200), "修改教师信息")
	collegetest.PageGet(b, fmt.Sprintf("/admin/teachers/%d", leader), 404)
	collegetest.PageGet(collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword), "/admin/teachers", 403)

	// A teacher without a record can go.
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/teachers/%d", leader), org, nil), 204)
	if collegetest.CountAudits(a, "teacher.delete") != 1 {
		t.Fatal("no teacher.delete entry")
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", leader), org, nil), 404)
}

func TestTeachingRecordEvaluationAndCorrection(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	zhang := addTeacher(t, a, col, map[string]any{"name": "张教授", "kind": "expert", "title": "研究员"})
	gone := addTeacher(t, a, col, map[string]any{"name": "停用专家", "kind": "expert", "status": "inactive"})

	class := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(1), "ends_on": collegetest.Day(3), "hours": 18, "self_registration": false})
	start, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(1)+" 09:00", web.Shanghai)
	session := func(topic string, teacherID uint64, teacher string, at time.Time) collegetest.Response {
		return a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), col,
			map[string]any{"topic": topic, "teacher": teacher, "teacher_id": teacherID, "starts_at": at, "ends_at": at.Add(3 * time.Hour), "hours": 3})
	}
	r := session("新发展理念专题辅导", zhang, "随便写的名字", start)
	collegetest.MustStatus(t, r, 201)
	linked := r.JSON(t)
	if linked["teacher"] != "张教授" || linked["teacher_id"].(float64) != float64(zhang) {
		t.Fatalf("a linked session: %s", r.Body)
	}
	sessionID := r.ID(t)
	// A one-off speaker stays free text; unknown or inactive teachers are refused.
	r = session("座谈交流", 0, "特邀嘉宾", start.Add(4*time.Hour))
	collegetest.MustStatus(t, r, 201)
	if r.JSON(t)["teacher"] != "特邀嘉宾" {
		t.Fatalf("a free-text session: %s", r.Body)
	}
	for _, id := range []uint64{999999, gone} {
		r = session("分组研讨", id, "", start.Add(24*time.Hour))
		collegetest.MustRefuse(t, r, 422, "unknown_teacher")
		if msg, _ := r.Fields(t)["teacher_id"].(string); !strings.Contains(msg, "教师") {
			t.Fatalf("teacher_id %d: %s", id, r.Body)
		}
	}
	// Editing a session relinks it.
	r = a.Do("PUT", fmt.Sprintf("/api/v1/sessions/%d", sessionID), col,
		map[string]any{"topic": "新发展理念专题辅导", "teacher_id": zhang, "starts_at": start, "ends_at": start.Add(3 * time.Hour), "hours": 3})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["teacher"] != "张教授" {
		t.Fatalf("an edited session: %s", r.Body)
	}

	record := func(token string) map[string]any {
		t.Helper()
		r := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", zhang), token, nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)
	}
	// A draft class's timetable is not yet a teaching record.
	if got := record(col)["sessions_taught"].(float64); got != 0 {
		t.Fatalf("sessions taught in a draft class: %v", got)
	}
	a.OpenClass(c, class)
	trainees := a.Cadres("fa", c.UnitA, "乡科级", 4)
	a.Admit(c, c.Tokens["ua_admin"], class, trainees...)
	a.StartClass(c, class)

	rec := record(col)
	if rec["sessions_taught"].(float64) != 1 || rec["hours_taught"].(float64) != 3 {
		t.Fatalf("record: %v", rec)
	}
	years := rec["years"].([]any)
	if len(years) != 1 || years[0].(map[string]any)["hours"].(float64) != 3 || years[0].(map[string]any)["year"].(float64) != float64(start.Year()) {
		t.Fatalf("years: %v", years)
	}
	ss := rec["sessions"].([]any)
	if len(ss) != 1 || ss[0].(map[string]any)["class_title"] != "学习贯彻专题培训班" {
		t.Fatalf("sessions: %v", ss)
	}
	if ev := rec["evaluation"].(map[string]any); ev["responses"].(float64) != 0 || len(rec["corrections"].([]any)) != 0 {
		t.Fatalf("before any evaluation: %v", rec)
	}

	// Trainees rate the session: 2 of 4 satisfied, under the 85% bar.
	def := collegetest.AssessDefaultForm(a, c)
	eval := collegetest.AssessAttach(a, c, class, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": sessionID}})
	for i, u := range trainees {
		g := "满意"
		if i%2 == 1 {
			g = "不满意"
		}
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, u, eval, g, g, g, g, g, nil), 201)
	}
	rec = record(col)
	ev := rec["evaluation"].(map[string]any)
	if ev["responses"].(float64) != 4 || ev["satisfaction_rate"].(float64) != 0.5 || ev["average"].(float64) <= 0 {
		t.Fatalf("evaluation: %v", ev)
	}
	if tr := ev["trend"].([]any); len(tr) != 1 || tr[0].(map[string]any)["satisfaction_rate"].(float64) != 0.5 || tr[0].(map[string]any)["responses"].(float64) != 4 {
		t.Fatalf("trend: %v", ev["trend"])
	}
	cs := rec["corrections"].([]any)
	if len(cs) != 1 {
		t.Fatalf("corrections: %v", cs)
	}
	corr := cs[0].(map[string]any)
	due := time.Now().In(web.Shanghai).AddDate(0, 0, 30).Format(time.DateOnly)
	if corr["status"] != "open" || corr["due_on"] != due || corr["evaluation_id"].(float64) != float64(eval) {
		t.Fatalf("correction: %v (due %s)", corr, due)
	}
	// Read again: still one task for the one evaluation.
	if n := len(record(c.Tokens["org"])["corrections"].([]any)); n != 1 || collegetest.CountAudits(a, "teacher.correction.open") != 1 {
		t.Fatalf("corrections after a second read: %d", n)
	}
	// A second evaluation that meets the bar asks for nothing.
	good := collegetest.AssessAttach(a, c, class, map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": sessionID}})
	for _, u := range trainees {
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, u, good, "非常满意", "满意", "满意", "满意", "满意", nil), 201)
	}
	rec = record(col)
	if n := len(rec["corrections"].([]any)); n != 1 || rec["evaluation"].(map[string]any)["responses"].(float64) != 8 {
		t.Fatalf("after a good evaluation: %v", rec)
	}

	// The admin list and the closing of the task.
	list := a.Do("GET", "/api/v1/teacher-corrections?status=open", col, nil)
	collegetest.MustStatus(t, list, 200)
	if list.JSON(t)["total"].(float64) != 1 {
		t.Fatalf("open corrections: %s", list.Body)
	}
	cid := uint64(corr["id"].(float64))
	path := fmt.Sprintf("/api/v1/teacher-corrections/%d/close", cid)
	collegetest.MustStatus(t, a.Do("POST", path, c.Tokens["ua_cadre"], map[string]any{"note": "x"}), 403)
	collegetest.MustStatus(t, a.Do("POST", path, col, map[string]any{"note": "  "}), 400)
	r = a.Do("POST", path, col, map[string]any{"note": "已集体备课并试讲"})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "closed" || collegetest.CountAudits(a, "teacher.correction.close") != 1 {
		t.Fatalf("close: %s", r.Body)
	}
	collegetest.MustRefuse(t, a.Do("POST", path, col, map[string]any{"note": "再次"}), 409, "correction_closed")
	rec = record(col)
	if c0 := rec["corrections"].([]any)[0].(map[string]any); c0["status"] != "closed" || c0["note"] != "已集体备课并试讲" || len(rec["corrections"].([]any)) != 1 {
		t.Fatalf("after closing: %v", rec["corrections"])
	}
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/teacher-corrections?status=closed", 200), "张教授", "已整改")
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/teachers/%d", zhang), 200), "新发展理念专题辅导", "已集体备课并试讲", "评估结果", "按月变化", ">50%<")

	// Another evaluation under the bar opens a second task, which the
	// college closes through the page form: an empty note is refused with
	// its message and the task stays open; a note closes it.
	r = session("新发展理念专题辅导（二）", zhang, "", start.Add(48*time.Hour))
	collegetest.MustStatus(t, r, 201)
	poor := collegetest.AssessAttach(a, c, class, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": r.ID(t)}})
	for _, u := range trainees {
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, u, poor, "不满意", "不满意", "不满意", "不满意", "不满意", nil), 201)
	}
	var second map[string]any
	for _, x := range record(col)["corrections"].([]any) {
		if m := x.(map[string]any); m["status"] == "open" {
			second = m
		}
	}
	if second == nil || second["evaluation_id"].(float64) != float64(poor) {
		t.Fatalf("no open task for the second poor evaluation: %v", record(col)["corrections"])
	}
	closePage := fmt.Sprintf("/admin/teacher-corrections/%d/close", uint64(second["id"].(float64)))
	teacherPage := fmt.Sprintf("/admin/teachers/%d", zhang)
	r = collegetest.PagePostFrom(b, teacherPage, closePage, url.Values{"note": {" "}})
	collegetest.MustBody(t, r, 400, "未能关闭整改任务", "张教授")
	if n := a.Count("teacher_corrections", "status = ?", "open"); n != 1 {
		t.Fatalf("open tasks after a refused page close = %d", n)
	}
	r = collegetest.PagePostFrom(b, teacherPage, closePage, url.Values{"note": {"已调整授课内容并重新试讲"}})
	collegetest.MustRedirect(t, r, teacherPage)
	collegetest.MustContain(t, collegetest.PageGet(b, teacherPage, 200), "整改任务已关闭", "已调整授课内容并重新试讲")
	if n := a.Count("teacher_corrections", "status = ?", "open"); n != 0 || collegetest.CountAudits(a, "teacher.correction.close") != 2 {
		t.Fatalf("after the page close: open %d, close entries %d", n, collegetest.CountAudits(a, "teacher.correction.close"))
	}

	// The tasks export to Excel, both of them, for the college only.
	x := a.Do("GET", "/api/v1/teacher-corrections.xlsx", col, nil)
	collegetest.MustStatus(t, x, 200)
	rows := collegetest.XLSXRows(t, x.Body)
	if len(rows) != 3 || rows[1][0] != "张教授" || rows[2][0] != "张教授" || rows[0][0] != "教师" {
		t.Fatalf("corrections export: %v", rows)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/teacher-corrections.xlsx", c.Tokens["ua_cadre"], nil), 403)

	// A teacher with a record cannot be deleted.
	collegetest.MustRefuse(t, a.Do("DELETE", fmt.Sprintf("/api/v1/teachers/%d", zhang), col, nil), 409, "has_record")
}
