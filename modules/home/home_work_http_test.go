package home_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"
)

// section is the part of a page from the heading with id to the end of
// its section.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s in the page", id)
	}
	j := strings.Index(page[i:], "</section>")
	return page[i : i+j]
}

// A teacher's home lists the sessions the timetable gives them, with a
// button to the session's sign-in code screen, and not another teacher's;
// the screen shows the code to that teacher only, and follows a new code.
// A teacher of the same name outside the host college sees none of it.
// Their results sum up the evaluations linked to their account.
func TestTeacherHome(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	c := collegetest.NewCity(a)
	a.Provision(
		identity.UserRequest{Username: "t_wang", Name: "王教授", OrgID: c.College, Roles: []string{"teacher"}},
		identity.UserRequest{Username: "t_li", Name: "李老师", OrgID: c.College, Roles: []string{"teacher"}},
		identity.UserRequest{Username: "t_wang_b", Name: "王教授", OrgID: c.UnitB, Roles: []string{"teacher"}},
	)
	ac := collegetest.AssessNewClass(a, c, "tr", 3, nil)
	wangSession, liSession := ac.Sessions[0], ac.Sessions[1]
	code := func(id uint64) string {
		var s string
		a.DB.Table("class_sessions").Where("id = ?", id).Pluck("code", &s)
		return s
	}

	// A draft class's timetable is not yet the teacher's to work to.
	draft := a.CreateClass(c, map[string]any{"title": "尚未备案的班次", "starts_on": collegetest.Day(30), "ends_on": collegetest.Day(31)})
	at := time.Now().AddDate(0, 0, 30).Truncate(time.Hour)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", draft), c.Tokens["col"],
		map[string]any{"topic": "草稿中的专题课", "teacher": "王教授", "starts_at": at, "ends_at": at.Add(2 * time.Hour)}), 201)

	wang := collegetest.LoginPages(a, "t_wang", collegetest.UserPassword)
	home := collegetest.PageGet(wang, "/", 200)
	teach := section(t, home, "teach-title")
	collegetest.MustContain(t, teach, "新发展理念专题辅导", fmt.Sprintf(`href="/teach/sessions/%d/screen"`, wangSession), "签到码")
	if strings.Contains(teach, "基层治理现代化") || strings.Contains(teach, fmt.Sprintf("/teach/sessions/%d/", liSession)) {
		t.Fatal("王教授's home lists 李老师's session")
	}
	if strings.Contains(teach, "草稿中的专题课") {
		t.Fatal("王教授's home lists a session of a draft class")
	}
	li := collegetest.PageGet(collegetest.LoginPages(a, "t_li", collegetest.UserPassword), "/", 200)
	collegetest.MustContain(t, section(t, li, "teach-title"), "基层治理现代化")
	if strings.Contains(li, "新发展理念专题辅导") {
		t.Fatal("李老师's home lists 王教授's session")
	}
	other := collegetest.LoginPages(a, "t_wang_b", collegetest.UserPassword)
	collegetest.MustContain(t, section(t, collegetest.PageGet(other, "/", 200), "teach-title"), "近期没有您的授课安排")

	// The screen: the session's teacher sees its code; another teacher,
	// the namesake elsewhere and a trainee do not.
	screen := fmt.Sprintf("/teach/sessions/%d/screen", wangSession)
	first := code(wangSession)
	if len(first) != 6 {
		t.Fatalf("session code %q", first)
	}
	page := collegetest.PageGet(wang, screen, 200)
	collegetest.MustContain(t, page, "<span>"+first[:3]+"</span><span>"+first[3:]+"</span>", `id="signin-screen"`, "js/signin-screen.js")
	collegetest.PageGet(collegetest.LoginPages(a, "t_li", collegetest.UserPassword), screen, 404)
	collegetest.PageGet(other, screen, 404)
	collegetest.PageGet(other, fmt.Sprintf("/teach/sessions/%d/code", wangSession), 404)
	collegetest.PageGet(collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword), screen, 403)
	// When the host changes the code, what the screen polls changes too.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/code", wangSession), c.Tokens["col"], nil), 200)
	var polled struct{ Code, QR string }
	if err := json.Unmarshal([]byte(collegetest.PageGet(wang, fmt.Sprintf("/teach/sessions/%d/code", wangSession), 200)), &polled); err != nil {
		t.Fatal(err)
	}
	if now := code(wangSession); polled.Code != now || now == first || !strings.Contains(polled.QR, now) {
		t.Fatalf("polled %+v, code now %s, before %s", polled, now, first)
	}
	if r := wang.Req("GET", polled.QR, nil); r.Status != 200 || !strings.HasPrefix(string(r.Body), "\x89PNG") {
		t.Fatalf("QR code: %d", r.Status)
	}

	// Results: three trainees rate 王教授's teaching, linked to his account.
	eval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": collegetest.AssessDefaultForm(a, c),
		"target": map[string]any{"type": "teacher", "id": wangSession}, "teacher_user_id": a.UserID("t_wang")})
	for i, u := range ac.Trainees {
		g := "非常满意"
		if i == 2 {
			g = "合格"
		}
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, u, eval, g, g, g, g, g, nil), 201)
	}
	results := section(t, collegetest.PageGet(wang, "/", 200), "result-title")
	// Two of three answers in the top grades: 66.7%, under the 85% bar;
	// the score is the mean of 100, 100 and 60.
	collegetest.MustContain(t, results, "<dd>86.7</dd>", "<dd>66.7%</dd>", "figure-bad", "学习贯彻专题培训班",
		fmt.Sprintf(`href="/me/teaching/evaluations/%d"`, eval), "达标线 85%")
	collegetest.MustContain(t, section(t, collegetest.PageGet(collegetest.LoginPages(a, "t_li", collegetest.UserPassword), "/", 200), "result-title"),
		"还没有学员对您授课的评价")
	// The host sees the evaluation among those below the bar.
	col := collegetest.PageGet(collegetest.LoginPages(a, "col", collegetest.UserPassword), "/", 200)
	collegetest.MustContain(t, section(t, col, "bar-title"), "学习贯彻专题培训班", "王教授", "满意率 66.7%", fmt.Sprintf(`href="/admin/evaluations/%d/results"`, eval))
}

// A college admin's home counts their college's courses and classes by
// state and the answers waiting for a grader in each of its exams, and
// none of another college's.
func TestCollegeAdminReviews(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	other := a.CreateOrg(c.Tokens["admin"], "市委党校二分院", "C02", "college", c.Root)
	a.Provision(identity.UserRequest{Username: "col2", Name: "二分院管理员", OrgID: other, Roles: []string{"college_admin"}})
	exam := func(token, title string, who ...string) uint64 {
		q := a.Question(token, a.Bank(token, title+"题库", false), map[string]any{"type": "short", "stem": "谈谈学习体会", "answer": "", "score": 10})
		id := a.FixedExam(token, map[string]any{"title": title, "pass_score": 6, "audience_org_ids": []uint64{c.UnitA, c.UnitB}}, q)
		a.PublishExam(token, id)
		for _, u := range who {
			a.SitExam(c.Tokens[u], id, map[uint64]any{q: "学以致用"})
		}
		return id
	}
	mine := exam(c.Tokens["col"], "本院理论考试", "ua_cadre", "ub_cadre")
	theirs := exam(a.Login("col2", collegetest.UserPassword), "二分院理论考试", "ua_cadre")
	if n := a.Count("attempts", "status = ?", "pending_review"); n != 3 {
		t.Fatalf("fixture: %d attempts to review", n)
	}
	// This college has a published course and a draft class; the other none.
	collegetest.ArticleCourse(t, a, c.Tokens["col"], "本院专题课", true)
	a.CreateClass(c, nil)
	home := collegetest.PageGet(collegetest.LoginPages(a, "col", collegetest.UserPassword), "/", 200)
	collegetest.MustContain(t, section(t, home, "col-title"),
		`<a class="state" href="/admin/courses?status=published"><strong>1</strong><span>已发布</span></a>`,
		`<a class="state" href="/admin/classes?status=draft"><strong>1</strong><span>草稿</span></a>`)
	home2 := collegetest.PageGet(collegetest.LoginPages(a, "col2", collegetest.UserPassword), "/", 200)
	collegetest.MustContain(t, section(t, home2, "col-title"),
		`<a class="state state-zero" href="/admin/courses?status=published"><strong>0</strong><span>已发布</span></a>`,
		`<a class="state state-zero" href="/admin/classes?status=draft"><strong>0</strong><span>草稿</span></a>`)
	rev := section(t, home, "rev-title")
	collegetest.MustContain(t, rev, "本院理论考试", "2 份待阅", fmt.Sprintf(`href="/admin/exams/%d/review"`, mine))
	if strings.Contains(rev, "二分院理论考试") || strings.Contains(rev, fmt.Sprintf("/admin/exams/%d/", theirs)) {
		t.Fatal("the college admin sees another college's exam to grade")
	}
	rev2 := section(t, home2, "rev-title")
	collegetest.MustContain(t, rev2, "二分院理论考试", "1 份待阅")
	if strings.Contains(rev2, "本院理论考试") {
		t.Fatal("the other college's admin sees this college's exam to grade")
	}
}

// A unit admin's home lists, per class, the unit's nominations waiting
// for the host's decision, linked to the class's nomination page, and not
// another unit's.
func TestUnitAdminNominations(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	ours := a.CreateClass(c, map[string]any{"title": "本单位推荐的班次", "self_registration": false})
	theirs := a.CreateClass(c, map[string]any{"title": "只有教育局推荐的班次", "self_registration": false, "starts_on": collegetest.Day(40), "ends_on": collegetest.Day(44)})
	a.OpenClass(c, ours)
	a.OpenClass(c, theirs)
	collegetest.MustStatus(t, a.Register(c.Tokens["ua_admin"], ours, c.IDs["ua_cadre"]), 201)
	collegetest.MustStatus(t, a.Register(c.Tokens["ub_admin"], theirs, c.IDs["ub_cadre"]), 201)
	collegetest.MustStatus(t, a.Register(c.Tokens["ub_admin"], ours, c.IDs["ub_cadre"]), 201)
	if n := a.Count("registrations", "status = ?", "pending"); n != 3 {
		t.Fatalf("fixture: %d pending registrations", n)
	}
	unit := collegetest.PageGet(collegetest.LoginPages(a, "ua_admin", collegetest.UserPassword), "/", 200)
	nom := section(t, unit, "nom-title")
	collegetest.MustContain(t, nom, "本单位推荐的班次", "待审核 1", fmt.Sprintf(`href="/unit/classes/%d"`, ours))
	if strings.Contains(nom, "只有教育局推荐的班次") || strings.Contains(nom, "待审核 2") {
		t.Fatal("unit A's admin sees unit B's nominations")
	}
	// Both classes are open to the unit, listed with their nomination pages.
	collegetest.MustContain(t, section(t, unit, "uc-title"), "（2）", fmt.Sprintf(`href="/unit/classes/%d"`, theirs))
	nomB := section(t, collegetest.PageGet(collegetest.LoginPages(a, "ub_admin", collegetest.UserPassword), "/", 200), "nom-title")
	collegetest.MustContain(t, nomB, "只有教育局推荐的班次", "本单位推荐的班次")
}
