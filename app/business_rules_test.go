package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/assess"
	"college/modules/exam"
	"college/modules/followup"
	"college/modules/identity"
	"college/modules/training"
	"college/modules/web"
)

// The system administrator accounts are refused study actions by the
// services themselves, whatever the routes let through.
func TestStudyServicesRefuseSystemAdmins(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	ctx := context.Background()
	examID, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(col, examID)
	bank := a.Bank(col, "练习题库", true)
	q := a.Question(col, bank, map[string]any{"type": "judge", "stem": "实事求是是党的思想路线的核心", "answer": true, "score": 1})
	course := collegetest.ArticleCourse(t, a, col, "全市公开课", true)
	var lesson uint64
	a.DB.Table("lessons").Select("id").Where("course_id = ?", course).Scan(&lesson)
	class := a.CreateClass(c, map[string]any{"self_registration": true})
	a.OpenClass(c, class)
	forbidden := func(who, what string, err error) {
		t.Helper()
		if !web.IsStatus(err, 403) {
			t.Errorf("%s %s: %v, want 403", who, what, err)
		}
	}
	for _, who := range []string{"aud", "sec", "admin"} {
		p, err := a.Identity.Authenticate(ctx, c.Tokens[who])
		if err != nil || p == nil {
			t.Fatalf("principal of %s: %v", who, err)
		}
		_, _, err = a.Exams.StartAttempt(ctx, p, examID)
		forbidden(who, "starts an exam", err)
		_, err = a.Exams.PracticeSet(ctx, p, bank, 5, false)
		forbidden(who, "draws practice questions", err)
		_, err = a.Exams.AnswerPractice(ctx, p, exam.PracticeAnswer{QuestionID: q, Answer: []byte("false")})
		forbidden(who, "reads a practice key", err)
		_, err = a.Learning.Enroll(ctx, p, course)
		forbidden(who, "enrols in a course", err)
		_, err = a.Learning.StartPlay(ctx, p, lesson)
		forbidden(who, "plays a lesson", err)
		_, err = a.Training.Register(ctx, p, class, 0)
		forbidden(who, "registers for a class", err)
		err = a.Assess.Respond(ctx, p, 999999, assess.ResponseRequest{})
		forbidden(who, "answers an evaluation", err)
	}
	for _, table := range []string{"attempts", "enrollments", "wrong_answers", "registrations"} {
		var n int64
		if err := a.DB.Table(table).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%s: %d rows made by system administrators (%v)", table, n, err)
		}
	}
	// A cadre still studies.
	p, _ := a.Identity.Authenticate(ctx, c.Tokens["ua_cadre"])
	if _, err := a.Learning.Enroll(ctx, p, course); err != nil {
		t.Fatalf("cadre enrols: %v", err)
	}
}

// Only the org department at the top of the tree replaces the city-wide
// follow-up indicator templates; a district org admin is refused.
func TestFollowupTemplatesOnlyAtCityLevel(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	dist := a.CreateOrg(c.Tokens["admin"], "西城区委组织部", "D09", "department", 0)
	a.Provision(identity.UserRequest{Username: "dist_org", Name: "区组织部", OrgID: dist, Roles: []string{"org_admin"}})
	district := a.Login("dist_org", collegetest.UserPassword)
	before := a.Do("GET", "/api/v1/followup-templates", district, nil)
	collegetest.MustStatus(t, before, 200)
	body := map[string]any{"templates": []map[string]any{{"dimension": followup.Dimensions[0], "indicators": []string{"区里改过的指标"}}}}
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/followup-templates", district, body), 403)
	if after := a.Do("GET", "/api/v1/followup-templates", district, nil); string(after.Body) != string(before.Body) {
		t.Fatalf("a district changed the city's templates: %s", after.Body)
	}
	// The page offers the district no form, and its POST is refused too.
	b := a.Browser()
	collegetest.MustStatus(t, b.LoginAs("dist_org", collegetest.UserPassword), 303)
	page := collegetest.PageGet(b, "/admin/followup/team", 200)
	if strings.Contains(page, `action="/admin/followup/templates"`) {
		t.Fatal("the team page offers a district the template form")
	}
	// The city level changes them.
	r := a.Do("PUT", "/api/v1/followup-templates", c.Tokens["org"], body)
	collegetest.MustBody(t, r, 200, "区里改过的指标")
}

// A class links only published courses of its host college or published
// courses open city-wide; a course test names an existing published course
// in reach too. Refusals are 422 with the field.
func TestLinkedCoursesExistAreInReachAndPublished(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	other := a.CreateOrg(c.Tokens["admin"], "市委党校第二分院", "C02", "college", c.Root)
	a.Provision(identity.UserRequest{Username: "col2", Name: "二分院管理员", OrgID: other, Roles: []string{"college_admin"}})
	col2 := a.Login("col2", collegetest.UserPassword)

	ownPublished := collegetest.ArticleCourse(t, a, col, "本院已发布课程", true)
	ownDraft := collegetest.ArticleCourse(t, a, col, "本院草稿课程", false)
	otherDraft := collegetest.ArticleCourse(t, a, col2, "外院草稿课程", false)
	otherCityWide := collegetest.ArticleCourse(t, a, col2, "外院全市公开课", true)
	otherRestricted := collegetest.ArticleCourse(t, a, col2, "外院定向课程", true, c.UnitB)

	class := a.CreateClass(c, nil)
	link := func(course uint64) collegetest.Response {
		return a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/courses", class), col, map[string]any{"courses": []map[string]any{{"course_id": course, "hours": 2}}})
	}
	for name, id := range map[string]uint64{"another college's draft": otherDraft, "a course restricted to some units": otherRestricted, "a missing course": 999999, "a draft of the host": ownDraft} {
		r := link(id)
		if r.Status != 422 || r.Fields(t)["courses[0].course_id"] == nil {
			t.Errorf("linking %s: %d %s", name, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "外院") {
			t.Errorf("the refusal of %s names another college's course: %s", name, r.Body)
		}
	}
	if linked := a.Count("class_courses", "class_id = ?", class); linked != 0 {
		t.Fatalf("%d refused courses linked", linked)
	}
	r := a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/courses", class), col, map[string]any{"courses": []map[string]any{{"course_id": ownPublished, "hours": 2}, {"course_id": otherCityWide, "hours": 1}}})
	collegetest.MustStatus(t, r, 200)

	// A course test: the course must exist, be published and in reach.
	r = a.Do("POST", "/api/v1/banks", col, map[string]any{"name": "课程测试题库"})
	collegetest.MustStatus(t, r, 201)
	bank := r.ID(t)
	r = a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{"type": "judge", "stem": "题", "answer": true, "score": 10})
	collegetest.MustStatus(t, r, 201)
	q := r.ID(t)
	now := time.Now().UTC()
	courseTest := func(course uint64) collegetest.Response {
		return a.Do("POST", "/api/v1/exams", col, map[string]any{"title": "课程测试", "duration_minutes": 10, "pass_score": 6, "course_id": course,
			"opens_at": now, "closes_at": now.Add(time.Hour), "paper": map[string]any{"mode": "fixed", "question_ids": []uint64{q}}})
	}
	for name, id := range map[string]uint64{"a missing course": 999999, "another college's draft": otherDraft, "a restricted course": otherRestricted, "a draft": ownDraft} {
		r := courseTest(id)
		if r.Status != 422 || r.Fields(t)["course_id"] == nil {
			t.Errorf("course test of %s: %d %s", name, r.Status, r.Body)
		}
	}
	collegetest.MustStatus(t, courseTest(ownPublished), 201)
	collegetest.MustStatus(t, courseTest(otherCityWide), 201)
}

// A signed stream link stops working once its account is disabled, within
// the account check's few seconds of caching.
func TestSignedStreamLinkDiesWithTheAccount(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	_, video, _ := collegetest.PublishedCourse(a, c)
	clock := time.Now()
	a.Catalog.SetClock(func() time.Time { return clock })
	link := func(who string) string {
		r := a.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/stream-url", video), c.Tokens[who], nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)["url"].(string)
	}
	fetch := func(u string) int {
		req := httptest.NewRequest("GET", u, nil)
		req.Header.Set("Range", "bytes=0-99")
		return a.Send(req).Status
	}
	used, unused := link("ua_cadre"), link("ub_cadre")
	if s := fetch(used); s != 206 {
		t.Fatalf("signed link: %d", s)
	}
	a.DB.Table("users").Where("id IN ?", []uint64{c.IDs["ua_cadre"], c.IDs["ub_cadre"]}).Update("disabled", true)
	if s := fetch(unused); s != 403 {
		t.Fatalf("a disabled account's link: %d, want 403", s)
	}
	clock = clock.Add(10 * time.Second) // past the cached check of the used link
	if s := fetch(used); s != 403 {
		t.Fatalf("a disabled account's link after the cache: %d, want 403", s)
	}
	// An enabled account's link still plays.
	if s := fetch(link("ua_admin")); s != 206 {
		t.Fatalf("an enabled account's link: %d", s)
	}
}

// The public certificate check shows a masked name, the class, the dates,
// the hours and validity, never the ID number or the employer; old 4-letter
// serials still verify; one address gets a few checks a minute, counted in
// Redis so every instance refuses alike (429 with Retry-After).
func TestCertificateCheckIsMaskedAndRateLimited(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	const serial = "2025-0001-0001-ABCD" // issued before the longer serials
	cert := training.Certificate{Serial: serial, ClassID: 1, UserID: c.IDs["ua_cadre"], Name: "张建国", ClassTitle: "乡村振兴专题研修班",
		HostName: "市委党校分院", Hours: web.HoursFromFloat(24), IssuedOn: "2025-06-30"}
	if err := a.DB.Create(&cert).Error; err != nil {
		t.Fatal(err)
	}
	frozen := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	a.Training.SetClock(func() time.Time { return frozen })

	r := a.Do("GET", "/api/v1/certificates/"+strings.ToLower(serial), "", nil)
	collegetest.MustStatus(t, r, 200)
	v := r.JSON(t)
	if v["serial"] != serial || v["name"] != "张*国" || v["class_title"] != "乡村振兴专题研修班" || v["hours"].(float64) != 24 || v["issued_on"] != "2025-06-30" || v["valid"] != true {
		t.Fatalf("check = %s", r.Body)
	}
	for _, leak := range []string{"张建国", "id_number", "org_name", "东城区发改委"} {
		if strings.Contains(string(r.Body), leak) {
			t.Fatalf("the public check shows %q: %s", leak, r.Body)
		}
	}
	anon := a.Browser()
	page := collegetest.PageGet(anon, "/verify/"+serial, 200)
	if !strings.Contains(page, "证书有效") || !strings.Contains(page, "张*国") || strings.Contains(page, "张建国") || strings.Contains(page, "东城区发改委") || strings.Contains(page, "身份证号") {
		t.Fatalf("verify page:\n%s", page)
	}
	// The holder still sees their own name on their certificate.
	own := a.Browser()
	collegetest.MustStatus(t, own.LoginAs("ua_cadre", collegetest.UserPassword), 303)
	if p := collegetest.PageGet(own, "/certificates/"+serial, 200); !strings.Contains(p, "张建国") {
		t.Fatal("the holder's certificate page lacks their name")
	}

	// Two checks so far; the limit (20 a minute) is reached by guessing.
	used := 2
	for ; used < 20; used++ {
		collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/certificates/2025-0001-0001-G%03d", used), "", nil), 404)
	}
	r = a.Do("GET", "/api/v1/certificates/"+serial, "", nil)
	collegetest.MustStatus(t, r, 429)
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("429 without Retry-After: %v", r.Header)
	}
	collegetest.MustStatus(t, anon.Req("GET", "/verify/"+serial, nil), 429)
	// Another instance counts in the same Redis.
	b := collegetest.NewOn(t, a, nil)
	b.Training.SetClock(func() time.Time { return frozen })
	collegetest.MustStatus(t, b.Do("GET", "/api/v1/certificates/"+serial, "", nil), 429)
	// The next minute opens a new window.
	frozen = frozen.Add(time.Minute)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/certificates/"+serial, "", nil), 200)
}
