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

// lectureBody is a lecture of series on day (collegetest.Day offset), 09:00–11:00.
func lectureBody(teacher uint64, series, topic string, day int) map[string]any {
	return map[string]any{"series": series, "topic": topic, "teacher_id": teacher, "date": collegetest.Day(day),
		"start_time": "09:00", "end_time": "11:00", "place": "市委党校报告厅", "audience": "市直机关县处级干部", "capacity": 300}
}

// addLecture drafts a lecture as token and returns its id.
func addLecture(t *testing.T, a *collegetest.App, token string, body map[string]any) uint64 {
	t.Helper()
	r := a.Do("POST", "/api/v1/lectures", token, body)
	collegetest.MustStatus(t, r, 201)
	return r.ID(t)
}

// at is a time on a day (collegetest.Day offset), Beijing.
func at(day int, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(day)+" "+clock, web.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// lectureClock gives the faculty a clock set to when.
func lectureClock(a *collegetest.App, when time.Time) *collegetest.Clock {
	c := &collegetest.Clock{}
	c.Set(when)
	a.Faculty.SetClock(c.Now)
	return c
}

func TestLectureLifeCycleScopedAndAudited(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col, org, cadre := c.Tokens["col"], c.Tokens["org"], c.Tokens["ua_cadre"]
	other := a.CreateOrg(c.Tokens["admin"], "第二分院", "C02", "college", c.Root)
	a.Provision(identity.UserRequest{Username: "col2", Name: "第二分院管理员", OrgID: other, Roles: []string{"college_admin"}})
	col2 := a.Login("col2", collegetest.UserPassword)
	clock := lectureClock(a, at(0, "08:00"))

	leader := addTeacher(t, a, org, map[string]any{"name": "林主任", "kind": "leader", "post": "发改委主任", "org_id": c.UnitA})
	expert := addTeacher(t, a, col, map[string]any{"name": "郑研究员", "kind": "expert"})
	gone := addTeacher(t, a, col, map[string]any{"name": "停用专家", "kind": "expert", "status": "inactive"})

	// Bad input is refused field by field and writes nothing.
	for field, change := range map[string]map[string]any{
		"series":     {"series": " "},
		"topic":      {"topic": ""},
		"teacher_id": {"teacher_id": 0},
		"date":       {"date": "明天"},
		"start_time": {"start_time": "9点"},
		"end_time":   {"end_time": "08:00"},
		"place":      {"place": ""},
		"capacity":   {"capacity": -1},
	} {
		body := lectureBody(expert, "新时代讲坛", "数字经济与城市治理", 1)
		for k, v := range change {
			body[k] = v
		}
		r := a.Do("POST", "/api/v1/lectures", col, body)
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)[field] == nil {
			t.Fatalf("%s: no error on the field: %s", field, r.Body)
		}
	}
	for _, id := range []uint64{gone, 999999} {
		collegetest.MustRefuse(t, a.Do("POST", "/api/v1/lectures", col, lectureBody(id, "新时代讲坛", "数字经济", 1)), 422, "unknown_teacher")
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/lectures", cadre, lectureBody(expert, "新时代讲坛", "数字经济", 1)), 403)
	if n := a.Count("lectures", "1 = 1"); n != 0 {
		t.Fatalf("lectures after refused requests: %d", n)
	}

	// The college drafts a lecture by the department's leader.
	r := a.Do("POST", "/api/v1/lectures", col, lectureBody(leader, "新时代讲坛", "当前经济形势与发展任务", 1))
	collegetest.MustStatus(t, r, 201)
	id := r.ID(t)
	if got := r.JSON(t); got["status"] != "draft" || got["speaker"] != "林主任" || got["start_time"] != "09:00" || got["date"] != collegetest.Day(1) {
		t.Fatalf("new lecture: %s", r.Body)
	}
	if collegetest.CountAudits(a, "lecture.create") != 1 {
		t.Fatal("no lecture.create entry")
	}
	path := fmt.Sprintf("/api/v1/lectures/%d", id)

	// A draft is the host's: another college and the cadres do not see it.
	for _, r := range []collegetest.Response{
		a.Do("GET", path, col2, nil),
		a.Do("PUT", path, col2, lectureBody(expert, "新时代讲坛", "改题", 1)),
		a.Do("POST", path+"/publish", col2, nil),
		a.Do("POST", path+"/cancel", col2, map[string]any{"reason": "x"}),
		a.Do("GET", path, cadre, nil),
	} {
		collegetest.MustStatus(t, r, 404)
	}
	collegetest.MustStatus(t, a.Do("POST", path+"/publish", cadre, nil), 403)

	// The table of steps: from draft only publish and cancel; hold waits
	// for the lecture to begin.
	steps := []struct {
		who, step string
		body      any
		status    int
		code      string
	}{
		{"col", "hold", nil, 409, "wrong_state"},
		{"col", "publish", nil, 200, ""},
		{"col", "publish", nil, 409, "wrong_state"},
		{"col", "hold", nil, 409, "not_started"},
	}
	for _, s := range steps {
		r := a.Do("POST", path+"/"+s.step, c.Tokens[s.who], s.body)
		if s.code != "" {
			collegetest.MustRefuse(t, r, s.status, s.code)
		} else {
			collegetest.MustStatus(t, r, s.status)
		}
	}
	if collegetest.CountAudits(a, "lecture.publish") != 1 || collegetest.CountAudits(a, "lecture.hold") != 0 {
		t.Fatal("publish entries")
	}

	// Published: every cadre of the city reads it; the host still edits it.
	r = a.Do("GET", path, cadre, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "published" {
		t.Fatalf("cadre's view: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", path, col2, nil), 200)
	collegetest.MustStatus(t, a.Do("PUT", path, col2, lectureBody(expert, "新时代讲坛", "改题", 1)), 404)
	r = a.Do("PUT", path, col, lectureBody(leader, "新时代讲坛", "当前经济形势与“十五五”发展任务", 1))
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["topic"] != "当前经济形势与“十五五”发展任务" || collegetest.CountAudits(a, "lecture.update") != 1 {
		t.Fatalf("update: %s", r.Body)
	}

	// Once begun it is held; a held lecture is neither edited nor cancelled.
	clock.Set(at(1, "09:30"))
	collegetest.MustStatus(t, a.Do("POST", path+"/hold", col, nil), 200)
	collegetest.MustRefuse(t, a.Do("PUT", path, col, lectureBody(leader, "新时代讲坛", "改题", 1)), 409, "wrong_state")
	collegetest.MustRefuse(t, a.Do("POST", path+"/cancel", col, map[string]any{"reason": "临时有会"}), 409, "wrong_state")
	if collegetest.CountAudits(a, "lecture.hold") != 1 {
		t.Fatal("no lecture.hold entry")
	}

	// Another lecture is called off, with its reason.
	second := addLecture(t, a, col, lectureBody(expert, "百名专家讲坛", "数字经济与城市治理", 3))
	p2 := fmt.Sprintf("/api/v1/lectures/%d", second)
	collegetest.MustStatus(t, a.Do("POST", p2+"/cancel", col, map[string]any{"reason": " "}), 400)
	collegetest.MustStatus(t, a.Do("POST", p2+"/cancel", col, nil), 400)
	r = a.Do("POST", p2+"/cancel", col, map[string]any{"reason": "主讲人临时出差"})
	collegetest.MustStatus(t, r, 200)
	if got := r.JSON(t); got["status"] != "cancelled" || got["reason"] != "主讲人临时出差" || collegetest.CountAudits(a, "lecture.cancel") != 1 {
		t.Fatalf("cancel: %s", r.Body)
	}
	collegetest.MustRefuse(t, a.Do("POST", p2+"/publish", col, nil), 409, "wrong_state")
	addLecture(t, a, col2, lectureBody(expert, "新时代讲坛", "另一分院的讲座", 2))

	// Lists: the host's own with filters; the cadres see no drafts.
	topics := func(token, query string) string {
		t.Helper()
		r := a.Do("GET", "/api/v1/lectures"+query, token, nil)
		collegetest.MustStatus(t, r, 200)
		var out []string
		for _, it := range r.JSON(t)["items"].([]any) {
			out = append(out, it.(map[string]any)["topic"].(string))
		}
		return strings.Join(out, ",")
	}
	if got := topics(col, "?series="+url.QueryEscape("百名专家讲坛")); got != "数字经济与城市治理" {
		t.Fatalf("series filter: %q", got)
	}
	if got := topics(col, "?status=held"); got != "当前经济形势与“十五五”发展任务" {
		t.Fatalf("status filter: %q", got)
	}
	if got := topics(col, fmt.Sprintf("?year=%d", at(1, "09:00").Year()-1)); got != "" {
		t.Fatalf("last year: %q", got)
	}
	if got := topics(org, ""); len(strings.Split(got, ",")) != 3 {
		t.Fatalf("the department sees the city's lectures: %q", got)
	}
	if got := topics(cadre, ""); strings.Contains(got, "另一分院的讲座") || len(strings.Split(got, ",")) != 2 {
		t.Fatalf("the cadre's list: %q", got)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/lectures?status=done", col, nil), 400)

	// The export lists the host's lectures.
	x := a.Do("GET", "/api/v1/lectures.xlsx", col, nil)
	collegetest.MustStatus(t, x, 200)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("讲坛讲座")
	if err != nil || len(rows) != 3 || rows[0][0] != "系列" {
		t.Fatalf("export rows: %v %v", rows, err)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/lectures.xlsx", cadre, nil), 403)
}

func TestLectureSignInWithTheScreenCode(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	clock := lectureClock(a, at(0, "10:00"))
	expert := addTeacher(t, a, col, map[string]any{"name": "郑研究员", "kind": "expert"})
	id := addLecture(t, a, col, lectureBody(expert, "新时代讲坛", "数字经济与城市治理", 1))
	path := fmt.Sprintf("/api/v1/lectures/%d", id)
	signIn := func(who, code string) collegetest.Response {
		return a.Do("POST", path+"/signin", c.Tokens[who], map[string]any{"code": code})
	}

	// A draft takes no sign-ins and has no code.
	collegetest.MustStatus(t, signIn("ua_cadre", "123456"), 404)
	collegetest.MustRefuse(t, a.Do("GET", path+"/code", col, nil), 409, "wrong_state")
	collegetest.MustStatus(t, a.Do("POST", path+"/publish", col, nil), 200)
	r := a.Do("GET", path+"/code", col, nil)
	collegetest.MustStatus(t, r, 200)
	code := r.JSON(t)["code"].(string)
	if len(code) != 6 || !strings.Contains(r.JSON(t)["path"].(string), code) {
		t.Fatalf("code: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", path+"/code", c.Tokens["ua_cadre"], nil), 403)
	collegetest.MustStatus(t, signIn("ua_cadre", ""), 400)

	// Outside the day's window: the day before, and half an hour too early.
	collegetest.MustRefuse(t, signIn("ua_cadre", code), 409, "signin_closed")
	clock.Set(at(1, "08:20"))
	collegetest.MustRefuse(t, signIn("ua_cadre", code), 409, "signin_closed")

	clock.Set(at(1, "08:45"))
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	collegetest.MustRefuse(t, signIn("ua_cadre", wrong), 422, "wrong_code")
	r = signIn("ua_cadre", " "+code+" ")
	collegetest.MustStatus(t, r, 200)
	first := r.JSON(t)["signed_at"]
	clock.Set(at(1, "09:10"))
	r = signIn("ua_cadre", code)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["signed_at"] != first {
		t.Fatalf("signing in again moved the time: %v → %v", first, r.JSON(t)["signed_at"])
	}
	collegetest.MustStatus(t, signIn("ub_cadre", code), 200)
	if n := a.Count("lecture_attendance", "lecture_id = ? AND user_id = ?", id, c.IDs["ua_cadre"]); n != 1 {
		t.Fatalf("rows of one cadre: %d", n)
	}
	if n := collegetest.CountAudits(a, "lecture.signin"); n != 3 {
		t.Fatalf("lecture.signin entries: %d", n)
	}
	collegetest.MustStatus(t, a.Do("POST", path+"/signin", c.Tokens["admin"], map[string]any{"code": code}), 403)

	// The host renews the code on the screen: the old one stops working.
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	screen := fmt.Sprintf("/admin/lectures/%d/screen", id)
	collegetest.MustContain(t, collegetest.PageGet(b, screen, 200), code[:3], "正在签到", "更换签到码")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(b, screen, fmt.Sprintf("/admin/lectures/%d/code", id), nil), screen)
	if collegetest.CountAudits(a, "lecture.code") != 1 {
		t.Fatal("no lecture.code entry")
	}
	r = a.Do("GET", path+"/code", col, nil)
	fresh := r.JSON(t)["code"].(string)
	if fresh == code {
		t.Skip("the new code happened to equal the old one")
	}
	collegetest.MustRefuse(t, signIn("ua_admin", code), 422, "wrong_code")
	collegetest.MustStatus(t, signIn("ua_admin", fresh), 200)

	// Ten wrong codes in a row and the right one waits: no guessing.
	for i := 0; i < 10; i++ {
		collegetest.MustRefuse(t, signIn("ub_admin", "abcdef"), 422, "wrong_code")
	}
	collegetest.MustRefuse(t, signIn("ub_admin", fresh), 429, "too_many_attempts")
	if n := a.Count("lecture_attendance", "user_id = ?", a.UserID("ub_admin")); n != 0 {
		t.Fatalf("rows after the refused guesses: %d", n)
	}

	// The attendance: count, names and units, and its export.
	r = a.Do("GET", path+"/attendance", col, nil)
	collegetest.MustStatus(t, r, 200)
	att := r.JSON(t)
	items := att["items"].([]any)
	if att["total"].(float64) != 3 || att["capacity"].(float64) != 300 || items[0].(map[string]any)["name"] != "测试ua_cadre" || items[0].(map[string]any)["org_name"] != "东城区发改委" {
		t.Fatalf("attendance: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", path+"/attendance", c.Tokens["ua_cadre"], nil), 403)
	x := a.Do("GET", path+"/attendance.xlsx", col, nil)
	collegetest.MustStatus(t, x, 200)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("签到名单")
	if err != nil || len(rows) != 4 || rows[1][1] != "测试ua_cadre" || rows[2][2] != "东城区教育局" {
		t.Fatalf("attendance export: %v %v", rows, err)
	}
	if collegetest.CountAudits(a, "export.lecture_attendance") != 1 {
		t.Fatal("the export is not recorded")
	}
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/lectures/%d", id), 200), "已签到 3 人 / 容纳 300 人", "东城区教育局")

	// After the end no one signs in; a cancelled lecture takes no sign-ins.
	clock.Set(at(1, "11:01"))
	collegetest.MustRefuse(t, signIn("ub_admin", fresh), 409, "signin_closed")
	other := addLecture(t, a, col, lectureBody(expert, "新时代讲坛", "改期的讲座", 1))
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lectures/%d/cancel", other), col, map[string]any{"reason": "改期"}), 200)
	collegetest.MustRefuse(t, a.Do("POST", fmt.Sprintf("/api/v1/lectures/%d/signin", other), c.Tokens["ua_cadre"], map[string]any{"code": "123456"}), 409, "wrong_state")
}

func TestLectureRecordingLinksAPublishedCourse(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	clock := lectureClock(a, at(0, "10:00"))
	expert := addTeacher(t, a, col, map[string]any{"name": "郑研究员", "kind": "expert"})
	id := addLecture(t, a, col, lectureBody(expert, "新时代讲坛", "数字经济与城市治理", 1))
	path := fmt.Sprintf("/api/v1/lectures/%d", id)
	draft := collegetest.ArticleCourse(t, a, col, "讲座录像（未发布）", false)
	course := collegetest.ArticleCourse(t, a, col, "新时代讲坛：数字经济与城市治理", true)

	collegetest.MustStatus(t, a.Do("POST", path+"/publish", col, nil), 200)
	collegetest.MustRefuse(t, a.Do("POST", path+"/publish-recording", col, map[string]any{"course_id": course}), 409, "wrong_state")
	clock.Set(at(1, "11:30"))
	collegetest.MustStatus(t, a.Do("POST", path+"/hold", col, nil), 200)

	collegetest.MustStatus(t, a.Do("POST", path+"/publish-recording", col, map[string]any{}), 400)
	for _, bad := range []uint64{999999, draft} {
		r := a.Do("POST", path+"/publish-recording", col, map[string]any{"course_id": bad})
		collegetest.MustRefuse(t, r, 422, "course_unavailable")
		if r.Fields(t)["course_id"] == nil {
			t.Fatalf("course %d: %s", bad, r.Body)
		}
	}
	collegetest.MustStatus(t, a.Do("POST", path+"/publish-recording", c.Tokens["ua_cadre"], map[string]any{"course_id": course}), 403)
	r := a.Do("POST", path+"/publish-recording", col, map[string]any{"course_id": course})
	collegetest.MustStatus(t, r, 200)
	coursePath := fmt.Sprintf("/courses/%d", course)
	if got := r.JSON(t); got["course_path"] != coursePath || got["course_title"] != "新时代讲坛：数字经济与城市治理" {
		t.Fatalf("linked: %s", r.Body)
	}
	if collegetest.CountAudits(a, "lecture.recording") != 1 {
		t.Fatal("no lecture.recording entry")
	}
	// The cadre's page of the lecture links to the course.
	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/lectures/%d", id), 200), `href="`+coursePath+`"`, "新时代讲坛：数字经济与城市治理")
}

func TestHeldLectureCountsForTheLeader(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col, org := c.Tokens["col"], c.Tokens["org"]
	clock := lectureClock(a, at(0, "10:00"))
	lin := addTeacher(t, a, org, map[string]any{"name": "林主任", "kind": "leader", "post": "发改委主任", "org_id": c.UnitA})
	year := at(1, "09:00").Year()
	count := func() (float64, bool) {
		t.Helper()
		r := a.Do("GET", fmt.Sprintf("/api/v1/leader-lectures?year=%d", year), org, nil)
		collegetest.MustStatus(t, r, 200)
		l := r.JSON(t)["leaders"].([]any)[0].(map[string]any)
		return l["sessions"].(float64), l["met"].(bool)
	}
	if n, met := count(); n != 0 || met {
		t.Fatalf("before any lecture: %v %v", n, met)
	}
	// A published lecture and a cancelled one do not count; the held one does.
	id := addLecture(t, a, col, lectureBody(lin, "新时代讲坛", "当前经济形势", 1))
	off := addLecture(t, a, col, lectureBody(lin, "新时代讲坛", "取消的讲座", 1))
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lectures/%d/publish", id), col, nil), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lectures/%d/cancel", off), col, map[string]any{"reason": "改期"}), 200)
	if n, _ := count(); n != 0 {
		t.Fatalf("a published lecture counted: %v", n)
	}
	clock.Set(at(1, "10:00"))
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lectures/%d/hold", id), col, nil), 200)
	if n, met := count(); n != 1 || !met {
		t.Fatalf("after the held lecture: %v %v", n, met)
	}
	// The teaching record lists the held lecture and the published online
	// courses naming the leader, not a draft one.
	course := func(title string, publish bool) uint64 {
		t.Helper()
		r := a.Do("POST", "/api/v1/courses", col, map[string]any{"title": title, "kind": "required", "category": "理论教育", "teacher": "林主任"})
		collegetest.MustStatus(t, r, 201)
		cid := r.ID(t)
		collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", cid), col, map[string]any{"title": "阅读材料", "type": "article", "body": "学习内容", "min_read_seconds": 20}), 201)
		if publish {
			collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", cid), col, nil), 200)
		}
		return cid
	}
	online := course("新发展格局解读", true)
	course("尚未发布的课", false)
	rec := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", lin), org, nil).JSON(t)
	ls, cs := rec["lectures"].([]any), rec["courses"].([]any)
	if len(ls) != 1 || ls[0].(map[string]any)["topic"] != "当前经济形势" || len(cs) != 1 || cs[0].(map[string]any)["id"].(float64) != float64(online) {
		t.Fatalf("record lectures %v, courses %v", ls, cs)
	}
	orgPages := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(orgPages, fmt.Sprintf("/admin/teachers/%d", lin), 200), "讲坛讲座", "当前经济形势", fmt.Sprintf(`href="/courses/%d"`, online), "新发展格局解读")

	// A leader with a lecture keeps the record: no deletion.
	collegetest.MustRefuse(t, a.Do("DELETE", fmt.Sprintf("/api/v1/teachers/%d", lin), org, nil), 409, "has_record")
	// It counts in the year of the lecture only.
	r := a.Do("GET", fmt.Sprintf("/api/v1/leader-lectures?year=%d", year+1), org, nil)
	if r.JSON(t)["leaders"].([]any)[0].(map[string]any)["sessions"].(float64) != 0 {
		t.Fatalf("next year: %s", r.Body)
	}
}

func TestLecturePagesCreatePublishSignInAndRefuse(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	clock := lectureClock(a, at(0, "10:00"))
	expert := addTeacher(t, a, col, map[string]any{"name": "郑研究员", "kind": "expert"})
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/lectures", 200), "讲坛讲座", "新建讲座", "导出 Excel")
	// The form offers the whole faculty's active teachers: the college
	// invites the department's leaders too.
	addTeacher(t, a, c.Tokens["org"], map[string]any{"name": "林主任", "kind": "leader", "post": "发改委主任", "org_id": c.UnitA})
	addTeacher(t, a, col, map[string]any{"name": "停用专家", "kind": "expert", "status": "inactive"})
	newPage := collegetest.PageGet(b, "/admin/lectures/new", 200)
	collegetest.MustContain(t, newPage, "新建讲座", "郑研究员", "林主任（领导干部 · 发改委主任）")
	if strings.Contains(newPage, "停用专家") {
		t.Fatal("the form offers an inactive teacher")
	}

	form := url.Values{"series": {"新时代讲坛"}, "topic": {""}, "teacher_id": {fmt.Sprint(expert)}, "date": {collegetest.Day(1)},
		"start_time": {"09:00"}, "end_time": {"11:00"}, "place": {"市委党校报告厅"}, "capacity": {"200"}}
	r := collegetest.PagePostFrom(b, "/admin/lectures/new", "/admin/lectures", form)
	collegetest.MustBody(t, r, 422, "提交的内容有误", "必填")
	if n := a.Count("lectures", "1 = 1"); n != 0 {
		t.Fatalf("lectures after a refused form: %d", n)
	}
	form.Set("topic", "数字经济与城市治理")
	loc := collegetest.MustRedirect(t, collegetest.PagePostFrom(b, "/admin/lectures/new", "/admin/lectures", form), "/admin/lectures/")
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), "数字经济与城市治理", "草稿", "发布讲座", "还没有人签到")
	collegetest.MustContain(t, collegetest.PageGet(b, loc+"/edit", 200), "修改讲座", "数字经济与城市治理")
	form.Set("place", "市民中心多功能厅")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(b, loc+"/edit", loc, form), loc)
	collegetest.MustRedirect(t, collegetest.PagePostFrom(b, loc, loc+"/step/publish", nil), loc)
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), "市民中心多功能厅", "已发布", "登记已举办")
	// A refused step shows its reason on the page.
	r = collegetest.PagePostFrom(b, loc, loc+"/step/publish", nil)
	collegetest.MustBody(t, r, 409, "未能完成操作", "不能发布")
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), "已发布")
	if collegetest.CountAudits(a, "lecture.create") != 1 || collegetest.CountAudits(a, "lecture.update") != 1 || collegetest.CountAudits(a, "lecture.publish") != 1 {
		t.Fatal("page entries")
	}
	collegetest.MustContain(t, collegetest.PageGet(b, loc+"/screen", 200), "签到码", "讲座当天才能签到")
	qr := b.Req("GET", loc+"/qr.png", nil)
	collegetest.MustStatus(t, qr, 200)
	if qr.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %s", qr.Header.Get("Content-Type"))
	}

	// The cadre finds it among the upcoming lectures and signs in on its day.
	id := strings.TrimPrefix(loc, "/admin/lectures/")
	cadre := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(cadre, "/lectures", 200), "数字经济与城市治理", "/lectures/"+id)
	collegetest.PageGet(cadre, "/admin/lectures", 403)
	clock.Set(at(1, "08:50"))
	page := "/lectures/" + id
	r = collegetest.PagePostFrom(cadre, page, page+"/signin", url.Values{"code": {"abc"}})
	collegetest.MustBody(t, r, 422, "签到码不正确")
	var code string
	if err := a.DB.Table("lectures").Where("id = ?", id).Pluck("code", &code).Error; err != nil {
		t.Fatal(err)
	}
	collegetest.MustContain(t, collegetest.PageGet(cadre, page+"?code="+code, 200), `value="`+code+`"`)
	collegetest.MustRedirect(t, collegetest.PagePostFrom(cadre, page, page+"/signin", url.Values{"code": {code}}), page)
	collegetest.MustContain(t, collegetest.PageGet(cadre, page, 200), "签到成功", "已于")

	// Held, then the recording linked through the page.
	clock.Set(at(1, "11:30"))
	collegetest.MustRedirect(t, collegetest.PagePostFrom(b, loc, loc+"/step/hold", nil), loc)
	course := collegetest.ArticleCourse(t, a, col, "数字经济与城市治理（讲座录像）", true)
	r = collegetest.PagePostFrom(b, loc, loc+"/recording", url.Values{"course_id": {"999999"}})
	collegetest.MustBody(t, r, 422, "课程不存在或尚未发布")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(b, loc, loc+"/recording", url.Values{"course_id": {fmt.Sprint(course)}}), loc)
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), fmt.Sprintf(`href="/courses/%d"`, course), "已举办")

	// Another lecture is cancelled through its page.
	other := addLecture(t, a, col, lectureBody(expert, "新时代讲坛", "改期的讲座", 5))
	op := fmt.Sprintf("/admin/lectures/%d", other)
	collegetest.MustBody(t, collegetest.PagePostFrom(b, op, op+"/step/cancel", url.Values{"reason": {""}}), 400, "未能完成操作")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(b, op, op+"/step/cancel", url.Values{"reason": {"主讲人临时出差"}}), op)
	collegetest.MustContain(t, collegetest.PageGet(b, op, 200), "已取消", "主讲人临时出差")

	// Another college's admin gets 404 on the host's pages.
	other2 := a.CreateOrg(c.Tokens["admin"], "第二分院", "C02", "college", c.Root)
	a.Provision(identity.UserRequest{Username: "col2", Name: "第二分院管理员", OrgID: other2, Roles: []string{"college_admin"}})
	b2 := collegetest.LoginPages(a, "col2", collegetest.UserPassword)
	collegetest.PageGet(b2, loc, 404)
	collegetest.PageGet(b2, loc+"/screen", 404)
}

// The lecture pages fit a 390 px phone screen: nothing scrolls sideways.
func TestLecturePagesFitAPhone(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	lectureClock(a, at(1, "09:00"))
	expert := addTeacher(t, a, col, map[string]any{"name": "郑研究员", "kind": "expert"})
	body := lectureBody(expert, "新时代讲坛", "数字经济与城市治理：以一网统管为例的专题辅导讲座", 1)
	body["audience"] = "市直机关及各区县县处级领导干部、乡镇（街道）党政正职"
	id := addLecture(t, a, col, body)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lectures/%d/publish", id), col, nil), 200)
	code := a.Do("GET", fmt.Sprintf("/api/v1/lectures/%d/code", id), col, nil).JSON(t)["code"].(string)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lectures/%d/signin", id), c.Tokens["ua_cadre"], map[string]any{"code": code}), 200)
	base := a.Start()

	collegetest.ChromeLogin(t, ctx, base, "col", collegetest.UserPassword)
	for _, p := range []struct{ path, want, shot string }{
		{"/admin/lectures", "讲坛讲座", "lecture-admin-list"},
		{"/admin/lectures/new", "新建讲座", "lecture-new"},
		{fmt.Sprintf("/admin/lectures/%d", id), "签到名单", "lecture-detail"},
		{fmt.Sprintf("/admin/lectures/%d/edit", id), "修改讲座", "lecture-edit"},
		{fmt.Sprintf("/admin/lectures/%d/screen", id), "正在签到", "lecture-screen"},
	} {
		collegetest.PhonePage(t, ctx, base+p.path, p.want, p.shot)
	}
	ctx = collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, ctx, base, "ub_cadre", collegetest.UserPassword)
	collegetest.PhonePage(t, ctx, base+"/lectures", "近期讲座", "lecture-upcoming")
	collegetest.PhonePage(t, ctx, base+fmt.Sprintf("/lectures/%d?code=%s", id, code), "现场签到", "lecture-public")
}
