package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"college/modules/audit"
	"college/modules/web"
)

// trainingEntry fails t unless exactly one entry of action names target
// and was written by actor; it returns the entry.
func trainingEntry(t *testing.T, a *testApp, action, actor string, target uint64) audit.Log {
	t.Helper()
	var found []audit.Log
	for _, r := range a.auditRows(action) {
		if r.TargetID == target {
			found = append(found, r)
		}
	}
	if len(found) != 1 || found[0].ActorName != actor || !found[0].Success {
		t.Fatalf("%s on %d: %+v, want one entry by %s", action, target, found, actor)
	}
	return found[0]
}

// trainingRunning makes a class of the test college with one session
// (09:00–12:00 in three days), opens it, admits the given cadres of unit A
// and starts it; it returns the class and the session.
func trainingRunning(t *testing.T, a *testApp, c *city, people []uint64) (id, session uint64) {
	t.Helper()
	col := c.tokens["col"]
	id = a.createClass(c, map[string]any{"starts_on": day(3), "ends_on": day(4), "hours": 14, "self_registration": false})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", day(3)+" 09:00", web.Shanghai)
	r := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "专题讲座", "teacher": "王教授",
		"starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour)})
	mustStatus(t, r, 201)
	session = r.id(t)
	a.openClass(c, id)
	for _, u := range people {
		pagesTrainee(a, c, id, u)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/classes/%d/start", id), col, nil), 200)
	return id, session
}

// The host edits a timetable item, renews its sign-in code and deletes
// it; each change is recorded once.
func TestTrainingRoutesTimetable(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col := c.tokens["col"]
	id := a.createClass(c, map[string]any{"starts_on": day(10), "ends_on": day(11)})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", day(10)+" 09:00", web.Shanghai)
	r := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "专题讲座", "starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour)})
	mustStatus(t, r, 201)
	sid := r.id(t)

	r = a.do("PUT", fmt.Sprintf("/api/v1/sessions/%d", sid), col, map[string]any{"topic": "现场教学", "teacher": "李老师", "site": "红色教育基地",
		"starts_at": startsAt.Add(time.Hour), "ends_at": startsAt.Add(4 * time.Hour), "hours": 3})
	mustStatus(t, r, 200)
	var stored struct {
		Topic, Site string
		StartsAt    time.Time
		HoursX100   int64 `gorm:"column:hours_x100"`
	}
	a.DB.Table("class_sessions").Where("id = ?", sid).Take(&stored)
	if stored.Topic != "现场教学" || stored.Site != "红色教育基地" || !stored.StartsAt.Equal(startsAt.Add(time.Hour)) || stored.HoursX100 != 300 {
		t.Fatalf("session after the update: %+v", stored)
	}
	if e := trainingEntry(t, a, "class.session.update", "col", sid); e.Target != "session" || !strings.Contains(e.Detail, "现场教学") {
		t.Fatalf("update entry: %+v", e)
	}

	old := a.do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sid), col, nil).JSON(t)["code"].(string)
	r = a.do("POST", fmt.Sprintf("/api/v1/sessions/%d/code", sid), col, nil)
	mustStatus(t, r, 200)
	renewed := r.JSON(t)["code"].(string)
	var code string
	a.DB.Table("class_sessions").Select("code").Where("id = ?", sid).Scan(&code)
	if renewed == old || code != renewed {
		t.Fatalf("code %q renewed to %q, stored %q", old, renewed, code)
	}
	trainingEntry(t, a, "class.session.code", "col", sid)
	// Reading the code changes nothing and records nothing.
	if again := a.do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sid), col, nil).JSON(t)["code"]; again != renewed {
		t.Fatalf("code read as %v after renewal to %s", again, renewed)
	}
	trainingEntry(t, a, "class.session.code", "col", sid)

	mustStatus(t, a.do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", sid), c.tokens["ua_admin"], nil), 403)
	mustStatus(t, a.do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", sid), col, nil), 204)
	var left int64
	a.DB.Table("class_sessions").Where("id = ?", sid).Count(&left)
	if left != 0 {
		t.Fatal("the deleted session is still there")
	}
	trainingEntry(t, a, "class.session.delete", "col", sid)
	mustStatus(t, a.do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", sid), col, nil), 404)
}

// A trainee asks for leave and the host refuses it through the API; the
// class graduates and the college archives it through the API.
func TestTrainingRoutesLeaveRejectAndArchive(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col := c.tokens["col"]
	people := a.cadres("lr", c.unitA, "乡科级", 1)
	id, _ := trainingRunning(t, a, c, people)

	r := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.tokenFor(people[0]), map[string]any{"hours": 2, "reason": "家中有事"})
	mustStatus(t, r, 201)
	leave := r.id(t)
	if e := trainingEntry(t, a, "leave.request", "lr000", leave); e.Target != "leave" {
		t.Fatalf("leave request entry: %+v", e)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/leaves/%d/reject", leave), a.tokenFor(people[0]), nil), 403)
	r = a.do("POST", fmt.Sprintf("/api/v1/leaves/%d/reject", leave), col, nil)
	mustStatus(t, r, 200)
	if got := r.JSON(t)["status"]; got != "rejected" {
		t.Fatalf("refused leave answered %v", got)
	}
	var status string
	a.DB.Table("class_leaves").Select("status").Where("id = ?", leave).Scan(&status)
	if status != "rejected" {
		t.Fatalf("leave %s", status)
	}
	trainingEntry(t, a, "leave.reject", "col", leave)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", leave), col, nil), 409)

	pdf := []byte("%PDF-1.4\n% class file\n")
	for _, kind := range []string{"plan", "signin_sheet", "timetable"} {
		mustStatus(t, a.upload(fmt.Sprintf("/api/v1/classes/%d/files", id), col, kind+".pdf", pdf, map[string]string{"kind": kind}), 201)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/classes/%d/archive", id), col, nil), 409) // not graduated yet
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, nil), 200)
	r = a.do("POST", fmt.Sprintf("/api/v1/classes/%d/archive", id), col, nil)
	mustStatus(t, r, 200)
	if got := r.JSON(t)["status"]; got != "archived" || a.classStatus(col, id) != "archived" {
		t.Fatalf("archive answered %v", got)
	}
	if e := trainingEntry(t, a, "class.archive", "col", id); !strings.Contains(e.Detail, "archived") {
		t.Fatalf("archive entry: %+v", e)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/classes/%d/archive", id), col, nil), 409)
}

// The host closes registration, links online courses and refuses a leave
// request on the class workspace.
func TestTrainingRoutesWorkspaceForms(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	course, _, _ := publishedCourse(a, c)
	id := pagesOpenClass(a, c, map[string]any{"title": "年轻干部能力提升班"})
	wsPath := fmt.Sprintf("/admin/classes/%d", id)
	col := adminPagesLogin(a, "col", userPassword)

	r := adminPagesPost(col, wsPath, wsPath+"/courses", url.Values{"course_id": {fmt.Sprint(course)}, "course_required": {"1"}, "course_hours": {"2.5"}})
	adminPagesRedirect(t, r, wsPath+"#courses")
	var linked []struct {
		CourseID  uint64
		Required  bool
		HoursX100 int64 `gorm:"column:hours_x100"`
	}
	a.DB.Table("class_courses").Where("class_id = ?", id).Scan(&linked)
	if len(linked) != 1 || linked[0].CourseID != course || !linked[0].Required || linked[0].HoursX100 != 250 {
		t.Fatalf("linked courses: %+v", linked)
	}
	if e := trainingEntry(t, a, "class.courses", "col", id); !strings.Contains(e.Detail, fmt.Sprint(course)) {
		t.Fatalf("courses entry: %+v", e)
	}
	adminPagesMust(t, adminPagesGet(col, wsPath), "网络课程已保存：共 1 门")

	pagesTrainee(a, c, id, c.ids["ua_cadre"])
	r = adminPagesPost(col, wsPath, wsPath+"/close", nil)
	adminPagesRedirect(t, r, wsPath)
	if st := adminPagesClassStatus(a, id); st != "registration_closed" {
		t.Fatalf("after closing: %s", st)
	}
	trainingEntry(t, a, "class.close", "col", id)
	adminPagesMust(t, adminPagesGet(col, wsPath), "已截止报名")
	mustStatus(t, adminPagesPost(col, wsPath, wsPath+"/close", nil), 409)

	r = a.do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.login("ua_cadre", userPassword), map[string]any{"hours": 3, "reason": "参加单位会议"})
	mustStatus(t, r, 201)
	leave := r.id(t)
	r = adminPagesPost(col, wsPath, fmt.Sprintf("/admin/leaves/%d/reject", leave), nil)
	adminPagesRedirect(t, r, wsPath+"#leaves")
	var status string
	a.DB.Table("class_leaves").Select("status").Where("id = ?", leave).Scan(&status)
	if status != "rejected" {
		t.Fatalf("leave %s", status)
	}
	if e := trainingEntry(t, a, "leave.reject", "col", leave); !strings.Contains(e.Detail, fmt.Sprintf(`"user":%d`, c.ids["ua_cadre"])) {
		t.Fatalf("leave entry: %+v", e)
	}
	adminPagesMust(t, adminPagesGet(col, wsPath), "已不批准请假")
	r = adminPagesPost(col, wsPath, fmt.Sprintf("/admin/leaves/%d/reject", leave), nil)
	mustStatus(t, r, 409)
	if got := pagesRegStatus(a, id, c.ids["ua_cadre"]); got != "approved" {
		t.Fatalf("registration after the refused leave: %s", got)
	}
}

// The learner's own actions are recorded once each: registering,
// withdrawing, signing in (again too) and asking for leave.
func TestTrainingRoutesLearnerActionsAreRecorded(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	id := pagesOpenClass(a, c, map[string]any{"title": "自主选学班", "self_registration": true})
	me := a.login("ua_cadre", userPassword)
	r := a.register(me, id, 0)
	mustStatus(t, r, 201)
	rid := r.id(t)
	if e := trainingEntry(t, a, "registration.create", "ua_cadre", rid); !strings.Contains(e.Detail, fmt.Sprintf(`"class":%d`, id)) {
		t.Fatalf("registration entry: %+v", e)
	}
	if n := len(a.auditRows("registration.nominate")); n != 0 {
		t.Fatalf("a self-registration recorded as %d nominations", n)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/registrations/%d/withdraw", rid), me, nil), 200)
	trainingEntry(t, a, "registration.withdraw", "ua_cadre", rid)
	if got := pagesRegStatus(a, id, c.ids["ua_cadre"]); got != "withdrawn" {
		t.Fatalf("after withdrawal: %s", got)
	}

	people := a.cadres("si", c.unitA, "乡科级", 1)
	cid, sid := trainingRunning(t, a, c, people)
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", day(3)+" 09:00", web.Shanghai)
	withClock(a, startsAt.Add(10*time.Minute))
	code := a.do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sid), c.tokens["col"], nil).JSON(t)["code"].(string)
	tok := a.tokenFor(people[0])
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/sessions/%d/signin", sid), tok, map[string]any{"code": "x" + code}), 422)
	if n := len(a.auditRows("attendance.signin")); n != 0 {
		t.Fatalf("a refused sign-in recorded %d entries", n)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/sessions/%d/signin", sid), tok, map[string]any{"code": code}), 200)
	var signed int64
	a.DB.Table("class_attendance").Where("session_id = ? AND user_id = ?", sid, people[0]).Count(&signed)
	if signed != 1 {
		t.Fatal("not signed in")
	}
	if e := trainingEntry(t, a, "attendance.signin", "si000", sid); !strings.Contains(e.Detail, fmt.Sprintf(`"class":%d`, cid)) {
		t.Fatalf("sign-in entry: %+v", e)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/sessions/%d/signin", sid), tok, map[string]any{"code": code}), 200)
	if n := len(a.auditRows("attendance.signin")); n != 2 {
		t.Fatalf("%d sign-in entries after signing in twice, want 2", n)
	}
}
