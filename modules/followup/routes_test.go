package followup_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"

	"github.com/chromedp/chromedp"
)

// The follow-up team through the API: a college admin adds a teacher of
// the college and takes them off again; each change is one audit entry by
// the admin. The team page refuses an empty name with 400 on the page.
func TestFollowupTeamMembersAddAndRemove(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	teacher := a.CreateUser(e.Tokens["admin"], "fu_member2", e.College, "teacher")
	col := a.UserID("col")

	r := a.Do("POST", "/api/v1/followup-team/members", e.Tokens["col"], map[string]any{"user_id": teacher})
	collegetest.MustBody(t, r, 201, `"username":"fu_member2"`)
	if ok, err := a.Followup.IsTeamMember(t.Context(), teacher); err != nil || !ok {
		t.Fatalf("not on the team: %v %v", ok, err)
	}
	if l := a.AuditOne("followup.team.add", teacher); l.ActorID != col || l.Target != "user" || !l.Success {
		t.Fatalf("add entry: %+v", l)
	}

	r = a.Do("DELETE", fmt.Sprintf("/api/v1/followup-team/members/%d", teacher), e.Tokens["col"], nil)
	collegetest.MustStatus(t, r, 204)
	if ok, err := a.Followup.IsTeamMember(t.Context(), teacher); err != nil || ok {
		t.Fatalf("still on the team: %v %v", ok, err)
	}
	if l := a.AuditOne("followup.team.remove", teacher); l.ActorID != col || l.Target != "user" {
		t.Fatalf("remove entry: %+v", l)
	}
	// Gone already: 404, and no entry.
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/followup-team/members/%d", teacher), e.Tokens["col"], nil), 404)
	a.AuditOne("followup.team.remove", teacher)

	admin := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	page := collegetest.PageGet(admin, "/admin/followup/team", 200)
	r = collegetest.PagePost(admin, page, "/admin/followup/team", url.Values{"username": {"  "}})
	collegetest.MustBody(t, r, 400, "请输入用户名", `id="page-error"`)
	if n := collegetest.CountAudits(a, "followup.team.add"); n != 1 {
		t.Fatalf("refused adds wrote entries: %d", n)
	}
}

// The graduate's self-report from the page, then the org department marks
// the finished round an excellent case and turns it into a course from
// the admin page; asking again leads to the same course. Each step leaves
// its audit entry.
func TestFollowupSelfReportExcellentAndCaseCourseFromPages(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	cadre, _, plan := a.FollowupGraduatePlan(e, "fu_case", "", "", 40)
	round := collegetest.FollowupFirstRound(plan)

	me := collegetest.LoginPages(a, "fu_case", collegetest.UserPassword)
	page := collegetest.PageGet(me, "/me/followup", 200)
	r := collegetest.PagePost(me, page, fmt.Sprintf("/me/followup/rounds/%d/self-report", round), url.Values{"content": {"全年牵头推进审批改革，办件时限压缩一半"}})
	collegetest.MustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/me/followup#self-report-%d", round) {
		t.Fatalf("after the self-report: %s", loc)
	}
	var self string
	a.DB.Table("followup_rounds").Where("id = ?", round).Pluck("self_report", &self)
	if self != "全年牵头推进审批改革，办件时限压缩一半" {
		t.Fatalf("self-report stored: %q", self)
	}
	if l := a.AuditOne("followup.self_report", round); l.ActorID != cadre || l.Target != "followup_round" {
		t.Fatalf("self-report entry: %+v", l)
	}

	a.FollowupAssign(e, round)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d", round), e.MemberTok, collegetest.FollowupComplete("优秀")), 200)

	org := a.UserID("org")
	admin := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	page = collegetest.PageGet(admin, fmt.Sprintf("/admin/followup?year=%d", e.Year+1), 200)
	// A refusal shows the page again with its status and the reason.
	r = collegetest.PagePost(admin, page, fmt.Sprintf("/admin/followup/rounds/%d/excellent", round), url.Values{"case_note": {" "}, "next": {"/admin/followup#cases"}})
	collegetest.MustBody(t, r, 400, `id="page-error"`, "未能完成：案例说明")
	if n := collegetest.CountAudits(a, "followup.excellent"); n != 0 {
		t.Fatalf("a refused marking wrote %d entries", n)
	}
	r = collegetest.PagePost(admin, page, fmt.Sprintf("/admin/followup/rounds/%d/excellent", round), url.Values{"case_note": {"审批改革经验可复制"}, "next": {"/admin/followup#cases"}})
	collegetest.MustStatus(t, r, 303)
	if collegetest.FollowupFlash(admin) != "已列为优秀实践案例" {
		t.Fatalf("excellent flash %q", collegetest.FollowupFlash(admin))
	}
	var marked struct {
		Excellent bool
		CaseNote  string
	}
	a.DB.Table("followup_rounds").Where("id = ?", round).Select("excellent, case_note").Scan(&marked)
	if !marked.Excellent || marked.CaseNote != "审批改革经验可复制" {
		t.Fatalf("round after marking: %+v", marked)
	}
	if l := a.AuditOne("followup.excellent", round); l.ActorID != org || !strings.Contains(l.Detail, "审批改革经验可复制") {
		t.Fatalf("excellent entry: %+v", l)
	}

	page = collegetest.PageGet(admin, "/admin/followup", 200)
	r = collegetest.PagePost(admin, page, fmt.Sprintf("/admin/followup/rounds/%d/case-course", round), nil)
	collegetest.MustStatus(t, r, 303)
	var course uint64
	a.DB.Table("followup_rounds").Where("id = ?", round).Pluck("case_course_id", &course)
	if course == 0 || r.Header.Get("Location") != fmt.Sprintf("/admin/courses/%d", course) {
		t.Fatalf("case course %d, sent to %q", course, r.Header.Get("Location"))
	}
	var status string
	a.DB.Table("courses").Where("id = ?", course).Pluck("status", &status)
	if status != "draft" {
		t.Fatalf("case course status %q", status)
	}
	if l := a.AuditOne("followup.case_course", round); l.ActorID != org || l.Detail != fmt.Sprintf(`{"course_id":%d}`, course) {
		t.Fatalf("case course entry: %+v", l)
	}
	// One action, one entry: the catalog writes the case course's entry
	// with the course instead of its own.
	if n := len(a.AuditRows("course.create")); n != 0 {
		t.Fatalf("%d course.create entries beside the case course's", n)
	}

	// Asked again (the API), the same course; the request is recorded as
	// such, not as a second course.
	r = a.Do("POST", fmt.Sprintf("/api/v1/followup-rounds/%d/case-course", round), e.Tokens["col"], nil)
	collegetest.MustStatus(t, r, 200)
	if got := uint64(r.JSON(t)["course_id"].(float64)); got != course {
		t.Fatalf("second request: course %d, want %d", got, course)
	}
	a.AuditOne("followup.case_course", round)
	if l := a.AuditOne("followup.case_course.open", round); l.ActorID != a.UserID("col") || l.Detail != fmt.Sprintf(`{"course_id":%d}`, course) {
		t.Fatalf("open entry: %+v", l)
	}
	if courses := a.Count("courses", "title LIKE ?", "优秀实践案例：%"); courses != 1 {
		t.Fatalf("%d case courses", courses)
	}
}

// The graduate's filings through the API write one entry each, by the
// graduate.
func TestFollowupFilingsAreAudited(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	cadre, class, plan := a.FollowupGraduatePlan(e, "fu_file", "", "", 40)
	round := collegetest.FollowupFirstRound(plan)
	tok := a.TokenFor(cadre)

	collegetest.MustStatus(t, a.Do("POST", "/api/v1/me/study-plan", tok, map[string]any{"class_id": class, "content": "每月精读一章"}), 201)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/me/study-plan", tok, map[string]any{"class_id": class, "content": "每月精读两章"}), 201)
	planID := uint64(plan["id"].(float64))
	rows := a.AuditRows("followup.study_plan")
	if len(rows) != 2 || rows[0].TargetID != planID || rows[0].ActorID != cadre ||
		rows[0].Detail != fmt.Sprintf(`{"class_id":%d,"created":true}`, class) || rows[1].Detail != fmt.Sprintf(`{"class_id":%d,"created":false}`, class) {
		t.Fatalf("study plan entries: %+v", rows)
	}

	today := time.Now().In(web.Shanghai).Format(time.DateOnly)
	r := a.Do("POST", "/api/v1/me/report-backs", tok, map[string]any{"class_id": class, "held_on": today, "audience": "本单位干部", "summary": "传达学习体会"})
	collegetest.MustStatus(t, r, 201)
	rb := r.ID(t)
	if l := a.AuditOne("followup.report_back", rb); l.ActorID != cadre || l.Target != "report_back" {
		t.Fatalf("report-back entry: %+v", l)
	}

	r = a.Upload(fmt.Sprintf("/api/v1/me/report-backs/%d/attachment", rb), tok, "讲稿.pdf", []byte("%PDF-1.4\n% slides\n"), nil)
	collegetest.MustStatus(t, r, 200)
	if l := a.AuditOne("followup.report_back.attach", rb); l.ActorID != cadre || !strings.Contains(l.Detail, "讲稿.pdf") {
		t.Fatalf("attachment entry: %+v", l)
	}

	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d/self-report", round), tok, map[string]any{"content": "年度自述"}), 200)
	a.AuditOne("followup.self_report", round)
	// Someone else's round: 404 and no entry.
	other := a.FollowupCadre("fu_file2", e.UnitA, "", "")
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d/self-report", round), a.TokenFor(other), map[string]any{"content": "x"}), 404)
	a.AuditOne("followup.self_report", round)
}

// The host deletes an unused form and, on a class's evaluations page,
// reminds the trainees of an evaluation and deletes it; each form post
// redirects and leaves one entry.
func TestAssessFormAndEvaluationPageActions(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 2, nil)
	host := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	col := a.UserID("col")

	r := a.Do("POST", "/api/v1/forms", c.Tokens["col"], map[string]any{"title": "临时评估表", "items": []any{map[string]any{"kind": "rating", "text": "总体", "weight": 100}}})
	collegetest.MustStatus(t, r, 201)
	form := r.ID(t)
	a.AuditOne("form.create", form)
	page := collegetest.PageGet(host, "/admin/forms", 200)
	collegetest.MustContain(t, page, fmt.Sprintf(`action="/admin/forms/%d/delete"`, form))
	collegetest.MustRedirect(t, collegetest.PagePost(host, page, fmt.Sprintf("/admin/forms/%d/delete", form), url.Values{}), "/admin/forms")
	if left := a.Count("eval_forms", "id = ?", form); left != 0 {
		t.Fatal("the form is still there")
	}
	if l := a.AuditOne("form.delete", form); l.ActorID != col || l.Detail != `{"title":"临时评估表"}` {
		t.Fatalf("form delete entry: %+v", l)
	}

	eval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": collegetest.AssessDefaultForm(a, c), "target": map[string]any{"type": "class"}})
	evPath := fmt.Sprintf("/admin/classes/%d/evaluations", ac.ID)
	page = collegetest.PageGet(host, evPath, 200)
	collegetest.MustRedirect(t, collegetest.PagePost(host, page, fmt.Sprintf("/admin/evaluations/%d/remind", eval), url.Values{}), evPath)
	for _, u := range ac.Trainees {
		if n := a.FollowupNotices(u, "请填写评估"); n != 1 {
			t.Fatalf("trainee %d has %d reminders", u, n)
		}
	}
	remind := a.AuditRows("evaluation.remind")
	if len(remind) != 1 || remind[0].TargetID != ac.ID || remind[0].ActorID != col || remind[0].Detail != fmt.Sprintf(`{"evaluation":%d,"reminded":2}`, eval) {
		t.Fatalf("remind entries: %+v", remind)
	}

	page = collegetest.PageGet(host, evPath, 200)
	collegetest.MustRedirect(t, collegetest.PagePost(host, page, fmt.Sprintf("/admin/evaluations/%d/delete", eval), url.Values{}), evPath)
	if left := a.Count("evaluations", "id = ?", eval); left != 0 {
		t.Fatal("the evaluation is still there")
	}
	del := a.AuditRows("evaluation.delete")
	if len(del) != 1 || del[0].TargetID != ac.ID || del[0].ActorID != col || !strings.Contains(del[0].Detail, fmt.Sprintf(`"evaluation":%d`, eval)) {
		t.Fatalf("delete entries: %+v", del)
	}
}

// The form builder adds rows in the page: 再加 3 项 numbers them like the
// rows the server wrote, and what is typed into an added row is saved.
func TestBrowserFormBuilderAddsRows(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, _, _ := collegetest.AssessSetup(t, 1, nil)
	base := a.Start()
	collegetest.ChromeLogin(t, ctx, base, "col", collegetest.UserPassword)
	collegetest.Visit(t, ctx, base+"/admin/forms", "再加 3 项")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#builder-add`))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[document.querySelectorAll("#form-builder .as-row-edit").length,
		document.querySelector('#form-builder input[name="rows"]').value, document.getElementById("text-5").name,
		document.querySelector('label[for="weight-4"]') !== null, document.querySelectorAll(".as-row-no")[5].textContent].join("|")`))
	if err != nil {
		t.Fatal(err)
	}
	if rows != "6|6|text_5|true|第 6 项" {
		t.Fatalf("rows after adding: %s", rows)
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS(`#form-title`), "四项评估表")}
	for i, text := range []string{"内容", "表达", "组织", "新增一项"} {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#text-%d", i)), text), chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#weight-%d", i)), "25"))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(`#builder-save`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "评估表“四项评估表”已保存")
	var items string
	a.DB.Table("eval_forms").Where("title = ?", "四项评估表").Pluck("items", &items)
	if strings.Count(items, `"kind":"rating"`) != 4 || !strings.Contains(items, `"text":"新增一项","weight":25`) {
		t.Fatalf("saved items: %s", items)
	}
	a.AuditOne("form.create", formID(a, "四项评估表"))
}

// formID is the id of an evaluation form by title.
func formID(a *collegetest.App, title string) uint64 {
	a.T.Helper()
	var id uint64
	a.DB.Table("eval_forms").Where("title = ?", title).Pluck("id", &id)
	return id
}
