package faculty_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"
)

// A one-off speaker typed on a timetable joins the faculty later: the
// API and the timetable's button create the teacher and link every
// session of the caller's classes that names them, and no other
// college's; refusals change nothing.
func TestOneOffSpeakerJoinsTheFaculty(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	start, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(20)+" 09:00", web.Shanghai)
	session := func(token string, class uint64, topic, speaker string, at time.Time) uint64 {
		t.Helper()
		r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), token,
			map[string]any{"topic": topic, "teacher": speaker, "starts_at": at, "ends_at": at.Add(2 * time.Hour), "hours": 2})
		collegetest.MustStatus(t, r, 201)
		return r.ID(t)
	}
	first := a.CreateClass(c, nil)
	second := a.CreateClass(c, map[string]any{"title": "第二期专题培训班"})
	s1 := session(col, first, "开班辅导", "特邀嘉宾", start)
	s2 := session(col, second, "专题讲座", "特邀嘉宾", start.Add(24*time.Hour))
	s3 := session(col, first, "案例教学", "临时专家", start.Add(4*time.Hour))
	// Another college's class with a speaker of the same name.
	other := a.CreateOrg(c.Tokens["admin"], "第二分院", "C02", "college", c.Root)
	a.CreateUser(c.Tokens["admin"], "col2", other, "college_admin")
	col2 := a.Login("col2", collegetest.UserPassword)
	r := a.Do("POST", "/api/v1/classes", col2, map[string]any{"title": "分院班次", "kind": "专题班", "host_org_id": other, "starts_on": collegetest.Day(20),
		"ends_on": collegetest.Day(22), "quota": 10, "hours": 16})
	collegetest.MustStatus(t, r, 201)
	theirs := session(col2, r.ID(t), "分院讲座", "特邀嘉宾", start)

	path := "/api/v1/teachers/from-session"
	collegetest.MustStatus(t, a.Do("POST", path, c.Tokens["ua_cadre"], map[string]any{"session_id": s1}), 403)
	collegetest.MustStatus(t, a.Do("POST", path, col, map[string]any{}), 400)
	collegetest.MustRefuse(t, a.Do("POST", path, col, map[string]any{"session_id": theirs}), 404, "not_found")
	collegetest.MustRefuse(t, a.Do("POST", path, col, map[string]any{"session_id": 999999}), 404, "not_found")
	if n := a.Count("teachers", "1 = 1"); n != 0 {
		t.Fatalf("teachers after refusals: %d", n)
	}

	r = a.Do("POST", path, col, map[string]any{"session_id": s1})
	collegetest.MustStatus(t, r, 201)
	got := r.JSON(t)
	if got["name"] != "特邀嘉宾" || got["kind"] != "expert" || got["status"] != "active" {
		t.Fatalf("new teacher: %s", r.Body)
	}
	id := r.ID(t)
	linked := func(session uint64) uint64 {
		var tid uint64
		a.DB.Table("class_sessions").Where("id = ?", session).Pluck("teacher_id", &tid)
		return tid
	}
	if linked(s1) != id || linked(s2) != id || linked(s3) != 0 || linked(theirs) != 0 {
		t.Fatalf("links: s1 %d s2 %d s3 %d theirs %d, want %d %d 0 0", linked(s1), linked(s2), linked(s3), linked(theirs), id, id)
	}
	collegetest.MustRefuse(t, a.Do("POST", path, col, map[string]any{"session_id": s2}), 409, "already_linked")
	if collegetest.CountAudits(a, "teacher.create") != 1 {
		t.Fatal("want one teacher.create entry")
	}

	// The timetable offers the button for the speaker not yet in the faculty.
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	classPage := fmt.Sprintf("/admin/classes/%d", first)
	page := collegetest.PageGet(b, classPage, 200)
	button := fmt.Sprintf(`action="/admin/sessions/%d/to-faculty"`, s3)
	collegetest.MustContain(t, page, button, "加入师资库")
	if collegetest.Grep(page, fmt.Sprintf("/admin/sessions/%d/to-faculty", s1)) != "" {
		t.Fatal("a linked session still offers the button")
	}
	r = collegetest.PagePostFrom(b, classPage, fmt.Sprintf("/admin/sessions/%d/to-faculty", s3), url.Values{})
	loc := collegetest.MustRedirect(t, r, "/admin/teachers/")
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), "已将“临时专家”加入师资库，并关联 1 次课程", "修改教师信息")
	if linked(s3) == 0 {
		t.Fatal("the page button did not link the session")
	}

	// A name the faculty already has is picked, not created twice.
	s4 := session(col, first, "座谈", "临时专家", start.Add(28*time.Hour))
	collegetest.MustRefuse(t, a.Do("POST", path, col, map[string]any{"session_id": s4}), 409, "teacher_exists")
	if n := a.Count("teachers", "1 = 1"); n != 2 {
		t.Fatalf("teachers: %d, want 2", n)
	}
}
