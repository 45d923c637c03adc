package sites_test

import (
	"fmt"
	"net/url"
	"testing"

	"college/app/collegetest"
	"college/modules/identity"
)

// usageWorld is a class in session whose first two timetable sessions
// book an in-use site of the first district, with d1_admin and d2_admin
// as in newWorld.
type usageWorld struct {
	a      *collegetest.App
	c      *collegetest.City
	ac     collegetest.AssessClass
	tok    map[string]string
	d1, d2 uint64
	site   uint64 // 党的建设, booked
	quiet  uint64 // 绿色发展, never booked
}

func newUsageWorld(t *testing.T) *usageWorld {
	t.Helper()
	a, c, ac := collegetest.AssessSetup(t, 4, nil)
	w := &usageWorld{a: a, c: c, ac: ac, tok: c.Tokens, d1: a.OrgID("D01")}
	w.d2 = a.CreateOrg(c.Tokens["admin"], "西城区委组织部", "D02", "department", 0)
	a.Provision(
		identity.UserRequest{Username: "d1_admin", Name: "东城组织部", OrgID: w.d1, Roles: []string{"unit_admin"}},
		identity.UserRequest{Username: "d2_admin", Name: "西城组织部", OrgID: w.d2, Roles: []string{"unit_admin"}},
	)
	w.tok["d1_admin"] = a.Login("d1_admin", collegetest.UserPassword)
	w.tok["d2_admin"] = a.Login("d2_admin", collegetest.UserPassword)
	site := func(name, category string) uint64 {
		r := a.Do("POST", "/api/v1/sites", w.tok["org"], map[string]any{"name": name, "category": category, "org_id": w.d1, "capacity": 100,
			"address": "解放路 18 号", "open_days": "1234567", "opens_at": "00:00", "closes_at": "23:59", "host_name": "张联络"})
		collegetest.MustStatus(t, r, 201)
		id := r.ID(t)
		for _, step := range []string{"review", "approve", "activate"} {
			collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/%s", id, step), w.tok["org"], map[string]any{"reason": "可"}), 200)
		}
		return id
	}
	w.site, w.quiet = site("红色教育基地", "党的建设"), site("湿地保护区", "绿色发展")
	return w
}

func (w *usageWorld) bookSession(t *testing.T, session uint64) (uint64, int) {
	t.Helper()
	r := w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/bookings", w.site), w.tok["col"], map[string]any{"session_id": session})
	collegetest.MustStatus(t, r, 201)
	return r.ID(t), int(r.JSON(t)["group_size"].(float64))
}

func TestUsageStats(t *testing.T) {
	t.Parallel()
	w := newUsageWorld(t)
	first, size := w.bookSession(t, w.ac.Sessions[0])
	second, _ := w.bookSession(t, w.ac.Sessions[1])
	collegetest.MustStatus(t, w.a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/confirm", first), w.tok["d1_admin"], nil), 200)
	collegetest.MustStatus(t, w.a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/decline", second), w.tok["d1_admin"], map[string]any{"reason": "讲解员不在"}), 200)

	// The trainees rate the booked session: 3 of 4 satisfied. The declined
	// session's evaluation does not count.
	def := collegetest.AssessDefaultForm(w.a, w.c)
	eval := collegetest.AssessAttach(w.a, w.c, w.ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": w.ac.Sessions[0]}})
	other := collegetest.AssessAttach(w.a, w.c, w.ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": w.ac.Sessions[1]}})
	for i, u := range w.ac.Trainees {
		g := "满意"
		if i == 0 {
			g = "不满意"
		}
		collegetest.MustStatus(t, collegetest.AssessAnswer(w.a, u, eval, g, g, g, g, g, nil), 201)
		collegetest.MustStatus(t, collegetest.AssessAnswer(w.a, u, other, "不满意", "不满意", "不满意", "不满意", "不满意", nil), 201)
	}

	year := collegetest.Day(1)[:4]
	stats := func(who, query string) map[string]any {
		r := w.a.Do("GET", "/api/v1/sites/stats"+query, w.tok[who], nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)
	}
	got := stats("org", "?year="+year)
	sites := got["sites"].([]any)
	if len(sites) != 2 {
		t.Fatalf("sites %v, want the booked and the quiet site", sites)
	}
	byName := map[string]map[string]any{}
	for _, s := range sites {
		byName[s.(map[string]any)["name"].(string)] = s.(map[string]any)
	}
	s := byName["红色教育基地"]
	if s["sessions"] != float64(1) || s["trainees"] != float64(size) || s["responses"] != float64(4) || s["satisfaction_rate"] != 0.75 || s["category"] != "党的建设" {
		t.Fatalf("booked site %v, want 1 session of %d people, 4 responses at 75%%", s, size)
	}
	if q := byName["湿地保护区"]; q["sessions"] != float64(0) || q["responses"] != float64(0) {
		t.Fatalf("quiet site %v", q)
	}
	cats := got["categories"].([]any)
	if len(cats) != 2 || cats[0].(map[string]any)["category"] != "党的建设" || cats[0].(map[string]any)["satisfaction_rate"] != 0.75 || cats[0].(map[string]any)["trainees"] != float64(size) {
		t.Fatalf("categories %v", cats)
	}
	// Scope: the district sees its own sites, another district none; a
	// year without bookings lists the sites in use with nothing counted.
	if n := len(stats("d1_admin", "?year="+year)["sites"].([]any)); n != 2 {
		t.Fatalf("district sees %d sites", n)
	}
	if n := len(stats("d2_admin", "?year="+year)["sites"].([]any)); n != 0 {
		t.Fatalf("another district sees %d sites", n)
	}
	if s := stats("org", "?year=2001")["sites"].([]any)[0].(map[string]any); s["sessions"] != float64(0) {
		t.Fatalf("2001: %v", s)
	}
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/sites/stats?year=abc", w.tok["org"], nil), 400)
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/sites/stats", w.tok["col"], nil), 403)

	x := w.a.Do("GET", "/api/v1/sites/stats/export?year="+year, w.tok["org"], nil)
	collegetest.MustStatus(t, x, 200)
	if string(x.Body[:2]) != "PK" {
		t.Fatalf("not a workbook")
	}
	if n := len(w.a.AuditRows("export.site_stats")); n != 1 {
		t.Fatalf("%d export entries", n)
	}
	b := w.a.Browser()
	b.LoginAs("d1_admin", collegetest.UserPassword)
	collegetest.MustBody(t, b.Req("GET", "/admin/sites/stats?year="+year, nil), 200, "使用统计", "红色教育基地", "75%", "导出 Excel")
	collegetest.MustStatus(t, b.Req("GET", "/admin/sites/stats?year=1", nil), 400)

	// Joint view: the college's class is from outside the district, so the
	// confirmed booking is shared; the declined one is not.
	joint := w.a.Do("GET", "/api/v1/sites/joint?year="+year, w.tok["d2_admin"], nil)
	collegetest.MustStatus(t, joint, 200)
	ds := joint.JSON(t)["districts"].([]any)
	if len(ds) != 1 || ds[0].(map[string]any)["name"] != "东城区委组织部" || ds[0].(map[string]any)["shared_bookings"] != float64(1) || len(ds[0].(map[string]any)["sites"].([]any)) != 2 {
		t.Fatalf("joint %s", joint.Body)
	}
}

func TestSiteCoursesAndJoint(t *testing.T) {
	t.Parallel()
	w := newUsageWorld(t)
	path := fmt.Sprintf("/api/v1/sites/%d/courses", w.site)
	r := w.a.Do("POST", path, w.tok["d1_admin"], map[string]any{"course_id": w.ac.Course, "guide_name": "李讲解"})
	collegetest.MustStatus(t, r, 201)
	if got := r.JSON(t); got["title"] != "习近平新时代中国特色社会主义思想概论" || got["guide_name"] != "李讲解" {
		t.Fatalf("link %v", got)
	}
	if e := w.a.AuditOne("site.course.link", w.site); !e.Success {
		t.Fatalf("audit %+v", e)
	}
	for _, c := range []struct {
		name, who string
		body      any
		status    int
	}{
		{"no body", "d1_admin", nil, 400},
		{"no guide", "d1_admin", map[string]any{"course_id": w.ac.Course}, 400},
		{"no such course", "d1_admin", map[string]any{"course_id": 999999, "guide_name": "李讲解"}, 400},
		{"again", "d1_admin", map[string]any{"course_id": w.ac.Course, "guide_name": "李讲解"}, 409},
		{"another district", "d2_admin", map[string]any{"course_id": w.ac.Course, "guide_name": "李讲解"}, 404},
		{"college admin", "col", map[string]any{"course_id": w.ac.Course, "guide_name": "李讲解"}, 403},
	} {
		if r := w.a.Do("POST", path, w.tok[c.who], c.body); r.Status != c.status {
			t.Fatalf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
		}
	}
	if n := w.a.Count("site_courses", "site_id = ?", w.site); n != 1 {
		t.Fatalf("%d links", n)
	}
	// Cadres see the courses of a site in use.
	r = w.a.Do("GET", path, w.tok["ua_cadre"], nil)
	collegetest.MustStatus(t, r, 200)
	if l := jsonList(t, r); len(l) != 1 {
		t.Fatalf("courses %s", r.Body)
	}

	joint := w.a.Do("GET", "/api/v1/sites/joint", w.tok["org"], nil)
	collegetest.MustStatus(t, joint, 200)
	site := joint.JSON(t)["districts"].([]any)[0].(map[string]any)["sites"].([]any)
	found := false
	for _, s := range site {
		for _, c := range s.(map[string]any)["courses"].([]any) {
			found = found || c.(map[string]any)["guide_name"] == "李讲解"
		}
	}
	if !found {
		t.Fatalf("joint view lacks the course: %s", joint.Body)
	}
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/sites/joint", w.tok["col"], nil), 403)
	x := w.a.Do("GET", "/api/v1/sites/joint/export", w.tok["d2_admin"], nil)
	collegetest.MustStatus(t, x, 200)
	if string(x.Body[:2]) != "PK" || len(w.a.AuditRows("export.site_joint")) != 1 {
		t.Fatalf("joint export")
	}
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/sites/joint/export", w.tok["col"], nil), 403)
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/sites/joint?year=x", w.tok["org"], nil), 400)
	b := w.a.Browser()
	b.LoginAs("d2_admin", collegetest.UserPassword)
	collegetest.MustBody(t, b.Req("GET", "/admin/sites/joint", nil), 200, "联席会议", "导出 Excel", "东城区委组织部", "李讲解", "习近平新时代中国特色社会主义思想概论")

	del := fmt.Sprintf("%s/%d", path, w.ac.Course)
	collegetest.MustStatus(t, w.a.Do("DELETE", del, w.tok["d2_admin"], nil), 404)
	collegetest.MustStatus(t, w.a.Do("DELETE", del, w.tok["col"], nil), 403)
	collegetest.MustStatus(t, w.a.Do("DELETE", del, w.tok["d1_admin"], nil), 204)
	collegetest.MustStatus(t, w.a.Do("DELETE", del, w.tok["d1_admin"], nil), 404)
	if n := len(w.a.AuditRows("site.course.unlink")); n != 1 {
		t.Fatalf("%d unlink entries", n)
	}
}

func TestSiteCoursePages(t *testing.T) {
	t.Parallel()
	w := newUsageWorld(t)
	detail := fmt.Sprintf("/admin/sites/%d", w.site)
	host := w.a.Browser()
	host.LoginAs("d1_admin", collegetest.UserPassword)
	collegetest.MustBody(t, host.Req("GET", detail, nil), 200, "精品课程", "尚未列入精品课程", "习近平新时代中国特色社会主义思想概论")
	course := fmt.Sprint(w.ac.Course)
	collegetest.MustBody(t, collegetest.PagePostFrom(host, detail, detail+"/courses", url.Values{"course_id": {course}, "guide_name": {""}}), 400, "请填写讲解员姓名")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(host, detail, detail+"/courses", url.Values{"course_id": {course}, "guide_name": {"周讲解"}}), detail+"#site-courses")
	collegetest.MustBody(t, collegetest.PagePostFrom(host, detail, detail+"/courses", url.Values{"course_id": {course}, "guide_name": {"周讲解"}}), 409, "该课程已列入本教学点")
	collegetest.MustBody(t, host.Req("GET", detail, nil), 200, "讲解员 周讲解", "移出")
	// A cadre sees the course but no form.
	cadre := w.a.Browser()
	cadre.LoginAs("ua_cadre", collegetest.UserPassword)
	body := collegetest.PageGet(cadre, detail, 200)
	if !contains(body, "周讲解") || contains(body, "/courses/"+course+"/remove") {
		t.Fatalf("cadre's page: courses shown %v, remove offered %v", contains(body, "周讲解"), contains(body, "/remove"))
	}
	remove := fmt.Sprintf("%s/courses/%s/remove", detail, course)
	other := w.a.Browser()
	other.LoginAs("d2_admin", collegetest.UserPassword)
	collegetest.MustStatus(t, collegetest.PagePostFrom(other, "/admin/sites", remove, nil), 404)
	collegetest.MustRedirect(t, collegetest.PagePostFrom(host, detail, remove, nil), detail+"#site-courses")
	if n := w.a.Count("site_courses", "site_id = ?", w.site); n != 0 {
		t.Fatalf("%d links after removal", n)
	}
}
