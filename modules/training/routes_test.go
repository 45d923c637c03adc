package training_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/audit"
	"college/modules/web"
)

// trainingEntry fails t unless exactly one entry of action names target
// and was written by actor; it returns the entry.
func trainingEntry(t *testing.T, a *collegetest.App, action, actor string, target uint64) audit.Log {
	t.Helper()
	var found []audit.Log
	for _, r := range a.AuditRows(action) {
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
func trainingRunning(t *testing.T, a *collegetest.App, c *collegetest.City, people []uint64) (id, session uint64) {
	t.Helper()
	col := c.Tokens["col"]
	id = a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(3), "ends_on": collegetest.Day(4), "hours": 14, "self_registration": false})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(3)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "专题讲座", "teacher": "王教授",
		"starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour)})
	collegetest.MustStatus(t, r, 201)
	session = r.ID(t)
	a.OpenClass(c, id)
	for _, u := range people {
		pagesTrainee(a, c, id, u)
	}
	a.StartClass(c, id)
	return id, session
}

// The host edits a timetable item, renews its sign-in code and deletes
// it; each change is recorded once.
func TestTrainingRoutesTimetable(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(10), "ends_on": collegetest.Day(11)})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(10)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "专题讲座", "starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour)})
	collegetest.MustStatus(t, r, 201)
	sid := r.ID(t)

	r = a.Do("PUT", fmt.Sprintf("/api/v1/sessions/%d", sid), col, map[string]any{"topic": "现场教学", "teacher": "李老师", "site": "红色教育基地",
		"starts_at": startsAt.Add(time.Hour), "ends_at": startsAt.Add(4 * time.Hour), "hours": 3})
	collegetest.MustStatus(t, r, 200)
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

	old := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sid), col, nil).JSON(t)["code"].(string)
	r = a.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/code", sid), col, nil)
	collegetest.MustStatus(t, r, 200)
	renewed := r.JSON(t)["code"].(string)
	var code string
	a.DB.Table("class_sessions").Select("code").Where("id = ?", sid).Scan(&code)
	if renewed == old || code != renewed {
		t.Fatalf("code %q renewed to %q, stored %q", old, renewed, code)
	}
	trainingEntry(t, a, "class.session.code", "col", sid)
	// Reading the code changes nothing and records nothing.
	if again := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sid), col, nil).JSON(t)["code"]; again != renewed {
		t.Fatalf("code read as %v after renewal to %s", again, renewed)
	}
	trainingEntry(t, a, "class.session.code", "col", sid)

	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", sid), c.Tokens["ua_admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", sid), col, nil), 204)
	if left := a.Count("class_sessions", "id = ?", sid); left != 0 {
		t.Fatal("the deleted session is still there")
	}
	trainingEntry(t, a, "class.session.delete", "col", sid)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/sessions/%d", sid), col, nil), 404)
}

// A trainee asks for leave and the host refuses it through the API; the
// class graduates and the college archives it through the API.
func TestTrainingRoutesLeaveRejectAndArchive(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	people := a.Cadres("lr", c.UnitA, "乡科级", 1)
	id, _ := trainingRunning(t, a, c, people)

	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.TokenFor(people[0]), map[string]any{"hours": 2, "reason": "家中有事"})
	collegetest.MustStatus(t, r, 201)
	leave := r.ID(t)
	if e := trainingEntry(t, a, "leave.request", "lr000", leave); e.Target != "leave" {
		t.Fatalf("leave request entry: %+v", e)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/reject", leave), a.TokenFor(people[0]), nil), 403)
	r = a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/reject", leave), col, nil)
	collegetest.MustStatus(t, r, 200)
	if got := r.JSON(t)["status"]; got != "rejected" {
		t.Fatalf("refused leave answered %v", got)
	}
	var status string
	a.DB.Table("class_leaves").Select("status").Where("id = ?", leave).Scan(&status)
	if status != "rejected" {
		t.Fatalf("leave %s", status)
	}
	trainingEntry(t, a, "leave.reject", "col", leave)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", leave), col, nil), 409)

	pdf := []byte("%PDF-1.4\n% class file\n")
	for _, kind := range []string{"plan", "signin_sheet", "timetable"} {
		collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files", id), col, kind+".pdf", pdf, map[string]string{"kind": kind}), 201)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/archive", id), col, nil), 409) // not graduated yet
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, nil), 200)
	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/archive", id), col, nil)
	collegetest.MustStatus(t, r, 200)
	if got := r.JSON(t)["status"]; got != "archived" || a.ClassStatus(col, id) != "archived" {
		t.Fatalf("archive answered %v", got)
	}
	if e := trainingEntry(t, a, "class.archive", "col", id); !strings.Contains(e.Detail, "archived") {
		t.Fatalf("archive entry: %+v", e)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/archive", id), col, nil), 409)
}

// The host closes registration, links online courses and refuses a leave
// request on the class workspace.
func TestTrainingRoutesWorkspaceForms(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, _, _ := collegetest.PublishedCourse(a, c)
	id := pagesOpenClass(a, c, map[string]any{"title": "年轻干部能力提升班"})
	wsPath := fmt.Sprintf("/admin/classes/%d", id)
	col := collegetest.LoginPages(a, "col", collegetest.UserPassword)

	r := collegetest.PagePostFrom(col, wsPath, wsPath+"/courses", url.Values{"course_id": {fmt.Sprint(course)}, "course_required": {"1"}, "course_hours": {"2.5"}})
	collegetest.MustRedirect(t, r, wsPath+"#courses")
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
	collegetest.MustContain(t, collegetest.PageOK(col, wsPath), "网络课程已保存：共 1 门")

	pagesTrainee(a, c, id, c.IDs["ua_cadre"])
	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/close", nil)
	collegetest.MustRedirect(t, r, wsPath)
	if st := adminPagesClassStatus(a, id); st != "registration_closed" {
		t.Fatalf("after closing: %s", st)
	}
	trainingEntry(t, a, "class.close", "col", id)
	collegetest.MustContain(t, collegetest.PageOK(col, wsPath), "已截止报名")
	collegetest.MustStatus(t, collegetest.PagePostFrom(col, wsPath, wsPath+"/close", nil), 409)

	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.Login("ua_cadre", collegetest.UserPassword), map[string]any{"hours": 3, "reason": "参加单位会议"})
	collegetest.MustStatus(t, r, 201)
	leave := r.ID(t)
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/leaves/%d/reject", leave), nil)
	collegetest.MustRedirect(t, r, wsPath+"#leaves")
	var status string
	a.DB.Table("class_leaves").Select("status").Where("id = ?", leave).Scan(&status)
	if status != "rejected" {
		t.Fatalf("leave %s", status)
	}
	if e := trainingEntry(t, a, "leave.reject", "col", leave); !strings.Contains(e.Detail, fmt.Sprintf(`"user":%d`, c.IDs["ua_cadre"])) {
		t.Fatalf("leave entry: %+v", e)
	}
	collegetest.MustContain(t, collegetest.PageOK(col, wsPath), "已不批准请假")
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/leaves/%d/reject", leave), nil)
	collegetest.MustStatus(t, r, 409)
	if got := pagesRegStatus(a, id, c.IDs["ua_cadre"]); got != "approved" {
		t.Fatalf("registration after the refused leave: %s", got)
	}
}

// The learner's own actions are recorded once each: registering,
// withdrawing, signing in (again too) and asking for leave.
func TestTrainingRoutesLearnerActionsAreRecorded(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	id := pagesOpenClass(a, c, map[string]any{"title": "自主选学班", "self_registration": true})
	me := a.Login("ua_cadre", collegetest.UserPassword)
	r := a.Register(me, id, 0)
	collegetest.MustStatus(t, r, 201)
	rid := r.ID(t)
	if e := trainingEntry(t, a, "registration.create", "ua_cadre", rid); !strings.Contains(e.Detail, fmt.Sprintf(`"class":%d`, id)) {
		t.Fatalf("registration entry: %+v", e)
	}
	if n := len(a.AuditRows("registration.nominate")); n != 0 {
		t.Fatalf("a self-registration recorded as %d nominations", n)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/withdraw", rid), me, nil), 200)
	trainingEntry(t, a, "registration.withdraw", "ua_cadre", rid)
	if got := pagesRegStatus(a, id, c.IDs["ua_cadre"]); got != "withdrawn" {
		t.Fatalf("after withdrawal: %s", got)
	}

	people := a.Cadres("si", c.UnitA, "乡科级", 1)
	cid, sid := trainingRunning(t, a, c, people)
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(3)+" 09:00", web.Shanghai)
	collegetest.WithClock(a, startsAt.Add(10*time.Minute))
	code := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sid), c.Tokens["col"], nil).JSON(t)["code"].(string)
	tok := a.TokenFor(people[0])
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/signin", sid), tok, map[string]any{"code": "x" + code}), 422)
	if n := len(a.AuditRows("attendance.signin")); n != 0 {
		t.Fatalf("a refused sign-in recorded %d entries", n)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/signin", sid), tok, map[string]any{"code": code}), 200)
	if signed := a.Count("class_attendance", "session_id = ? AND user_id = ?", sid, people[0]); signed != 1 {
		t.Fatal("not signed in")
	}
	if e := trainingEntry(t, a, "attendance.signin", "si000", sid); !strings.Contains(e.Detail, fmt.Sprintf(`"class":%d`, cid)) {
		t.Fatalf("sign-in entry: %+v", e)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/signin", sid), tok, map[string]any{"code": code}), 200)
	if n := len(a.AuditRows("attendance.signin")); n != 2 {
		t.Fatalf("%d sign-in entries after signing in twice, want 2", n)
	}
}
