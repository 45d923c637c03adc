package throughtrain_test

import (
	"fmt"
	"testing"

	"college/app/collegetest"
)

// env is a city with a graduated class of two cadres (unit A and unit B),
// a teacher of the host college's faculty with an account, another teacher,
// and a second college with its admin.
type env struct {
	a                  *collegetest.App
	e                  *collegetest.FollowupEnv
	class              uint64
	g1, g2             uint64 // graduates of unit A and unit B
	stranger           uint64 // a cadre of unit A who did not graduate
	teacher, other     uint64 // faculty teacher ids
	teacherU, otherU   uint64 // their accounts
	tok                map[string]string
	unlinkedTeacherID  uint64
	foreignTeacherID   uint64
	secondCollege      uint64
	secondCollegeAdmin uint64
}

func setup(t *testing.T) *env {
	t.Helper()
	a, e := collegetest.NewFollowupApp(t)
	x := &env{a: a, e: e, tok: map[string]string{}}
	x.g1 = a.FollowupCadre("tt_g1", e.UnitA, "", "")
	x.g2 = a.FollowupCadre("tt_g2", e.UnitB, "", "")
	x.stranger = a.FollowupCadre("tt_none", e.UnitA, "", "")
	x.class = a.FollowupGraduate(e.City, map[string]any{"title": "基层治理专题班"}, x.g1, x.g2)
	adm := e.Tokens["admin"]
	x.teacherU = a.CreateUser(adm, "tt_teacher", e.College, "teacher")
	x.otherU = a.CreateUser(adm, "tt_other", e.College, "teacher")
	x.secondCollege = a.CreateOrg(adm, "区委党校", "C02", "college", e.Root)
	x.secondCollegeAdmin = a.CreateUser(adm, "col2", x.secondCollege, "college_admin")
	mk := func(token, name string, user uint64) uint64 {
		r := a.Do("POST", "/api/v1/teachers", token, map[string]any{"name": name, "kind": "internal", "user_id": user})
		collegetest.MustStatus(t, r, 201)
		return r.ID(t)
	}
	x.teacher = mk(e.Tokens["col"], "王老师", x.teacherU)
	x.other = mk(e.Tokens["col"], "李老师", x.otherU)
	x.unlinkedTeacherID = mk(e.Tokens["col"], "外聘赵专家", 0)
	for _, u := range []string{"tt_g1", "tt_g2", "tt_none", "tt_teacher", "tt_other", "col2"} {
		x.tok[u] = a.Login(u, collegetest.UserPassword)
	}
	x.foreignTeacherID = mk(x.tok["col2"], "区校教师", 0)
	for _, u := range []string{"col", "ua_admin", "ub_admin", "org"} {
		x.tok[u] = e.Tokens[u]
	}
	return x
}

func (x *env) raise(t *testing.T, token string, body map[string]any) collegetest.Response {
	t.Helper()
	return x.a.Do("POST", "/api/v1/through-train", token, body)
}

func (x *env) open(t *testing.T) uint64 {
	t.Helper()
	r := x.raise(t, x.tok["tt_g1"], map[string]any{"class_id": x.class, "subject": "村级议事规则怎么定", "body": "我们村想把议事规则写进村规民约，请老师把关。"})
	collegetest.MustStatus(t, r, 201)
	return r.ID(t)
}

func path(id uint64, tail string) string { return fmt.Sprintf("/api/v1/through-train/%d%s", id, tail) }

func TestRaiseOnlyByGraduates(t *testing.T) {
	x := setup(t)
	a := x.a
	body := func(user uint64) map[string]any {
		m := map[string]any{"class_id": x.class, "subject": "请教", "body": "具体问题"}
		if user != 0 {
			m["user_id"] = user
		}
		return m
	}
	// A cadre who did not graduate, and a class that does not exist, are
	// refused alike with a message the cadre understands; nothing is kept.
	r := x.raise(t, x.tok["tt_none"], body(0))
	collegetest.MustRefuse(t, r, 422, "not_graduate")
	collegetest.MustContain(t, string(r.Body), "已结业的学员")
	r = x.raise(t, x.tok["tt_g1"], map[string]any{"class_id": x.class + 999, "subject": "请教", "body": "具体问题"})
	collegetest.MustRefuse(t, r, 422, "not_graduate")
	// A unit admin raises for a graduate of their unit, not for one elsewhere;
	// a learner cannot raise for someone else.
	collegetest.MustRefuse(t, x.raise(t, x.tok["ua_admin"], body(x.g2)), 400, "invalid")
	collegetest.MustRefuse(t, x.raise(t, x.tok["ua_admin"], body(x.stranger)), 422, "not_graduate")
	collegetest.MustRefuse(t, x.raise(t, x.tok["tt_g2"], body(x.g1)), 403, "forbidden")
	if n := a.Count("through_train_threads", "1 = 1"); n != 0 {
		t.Fatalf("threads after refusals = %d", n)
	}
	r = x.raise(t, x.tok["ua_admin"], body(x.g1))
	collegetest.MustStatus(t, r, 201)
	got := r.JSON(t)
	if got["graduate_id"].(float64) != float64(x.g1) || got["status"] != "open" || got["class_title"] != "基层治理专题班" {
		t.Fatalf("raised on behalf: %s", r.Body)
	}
	if e := a.AuditOne("throughtrain.raise", r.ID(t)); e.ActorID != x.e.IDs["ua_admin"] {
		t.Fatalf("audit actor = %d", e.ActorID)
	}
	// The host college's admin hears of it.
	if n := a.Count("notifications", "user_id = ? AND link = ?", x.e.IDs["col"], fmt.Sprintf("/admin/through-train/%d", r.ID(t))); n != 1 {
		t.Fatalf("college notified %d times", n)
	}
}

func TestBadBodies(t *testing.T) {
	x := setup(t)
	id := x.open(t)
	cases := []struct {
		name, path, token string
		body              any
		field             string
	}{
		{"empty raise", "/api/v1/through-train", x.tok["tt_g1"], map[string]any{}, "subject"},
		{"no class", "/api/v1/through-train", x.tok["tt_g1"], map[string]any{"subject": "a", "body": "b"}, "class_id"},
		{"blank message", path(id, "/messages"), x.tok["tt_g1"], map[string]any{"body": "  "}, "body"},
		{"no teacher", path(id, "/assign"), x.tok["col"], map[string]any{}, "teacher_id"},
		{"teacher without account", path(id, "/assign"), x.tok["col"], map[string]any{"teacher_id": x.unlinkedTeacherID}, "teacher_id"},
		{"teacher of another college", path(id, "/assign"), x.tok["col"], map[string]any{"teacher_id": x.foreignTeacherID}, "teacher_id"},
	}
	for _, c := range cases {
		r := x.a.Do("POST", c.path, c.token, c.body)
		collegetest.MustRefuse(t, r, 400, "invalid")
		if _, ok := r.Fields(t)[c.field]; !ok {
			t.Fatalf("%s: no message for %s: %s", c.name, c.field, r.Body)
		}
	}
	for _, p := range []string{"/api/v1/through-train", path(id, "/messages"), path(id, "/assign"), path(id, "/close"), path(id, "/mark-case")} {
		r := x.a.Do("POST", p, x.tok["col"], nil)
		if r.Status != 400 {
			t.Fatalf("%s with no body: %d", p, r.Status)
		}
	}
	if n := x.a.Count("through_train_messages", "thread_id = ?", id); n != 1 {
		t.Fatalf("messages after refusals = %d", n)
	}
}

func TestVisibilityMatrix(t *testing.T) {
	x := setup(t)
	a := x.a
	id := x.open(t)
	collegetest.MustStatus(t, a.Do("POST", path(id, "/assign"), x.tok["col"], map[string]any{"teacher_id": x.teacher}), 200)
	cases := []struct {
		who  string
		sees bool
	}{
		{"tt_g1", true}, {"tt_g2", false}, {"ua_admin", true}, {"ub_admin", false},
		{"tt_teacher", true}, {"tt_other", false}, {"col", true}, {"col2", false}, {"org", false},
	}
	for _, c := range cases {
		tok := x.tok[c.who]
		r := a.Do("GET", path(id, ""), tok, nil)
		list := a.Do("GET", "/api/v1/through-train", tok, nil)
		collegetest.MustStatus(t, list, 200)
		total := list.JSON(t)["total"].(float64)
		msg := a.Do("POST", path(id, "/messages"), tok, map[string]any{"body": "看到了"})
		if c.sees {
			if r.Status != 200 || total != 1 {
				t.Fatalf("%s: get %d, list total %v", c.who, r.Status, total)
			}
			collegetest.MustStatus(t, msg, 201)
			continue
		}
		if r.Status != 404 || total != 0 || msg.Status != 404 {
			t.Fatalf("%s must not see the thread: get %d, list %v, message %d", c.who, r.Status, total, msg.Status)
		}
		up := a.Upload(path(id, "/attachments"), tok, "a.pdf", []byte("%PDF-1.4\n"), nil)
		collegetest.MustStatus(t, up, 404)
	}
	// A non-admin may not assign or mark; the graduate may not assign.
	collegetest.MustStatus(t, a.Do("POST", path(id, "/assign"), x.tok["tt_g1"], map[string]any{"teacher_id": x.teacher}), 403)
	collegetest.MustStatus(t, a.Do("POST", path(id, "/assign"), x.tok["col2"], map[string]any{"teacher_id": x.teacher}), 404)
	collegetest.MustStatus(t, a.Do("POST", path(id, "/close"), x.tok["col"], map[string]any{"satisfaction": 5}), 403)
	collegetest.MustStatus(t, a.Do("POST", path(id, "/close"), x.tok["tt_g2"], map[string]any{"satisfaction": 5}), 404)
	// Attachments download only for those who see the thread.
	up := a.Upload(path(id, "/attachments"), x.tok["tt_g1"], "方案.pdf", []byte("%PDF-1.4\n方案"), nil)
	collegetest.MustStatus(t, up, 201)
	file := fmt.Sprintf("/api/v1/through-train-attachments/%d", up.ID(t))
	collegetest.MustStatus(t, a.Do("GET", file, x.tok["tt_teacher"], nil), 200)
	collegetest.MustStatus(t, a.Do("GET", file, x.tok["tt_g2"], nil), 404)
	collegetest.MustStatus(t, a.Do("GET", file, x.tok["col2"], nil), 404)
}

func TestLifeCycle(t *testing.T) {
	x := setup(t)
	a := x.a
	id := x.open(t)
	status := func() string { return a.Do("GET", path(id, ""), x.tok["tt_g1"], nil).JSON(t)["status"].(string) }
	close := func(tok string) collegetest.Response {
		return a.Do("POST", path(id, "/close"), tok, map[string]any{"satisfaction": 4, "note": "很有帮助"})
	}
	// Not yet answered: neither close nor mark.
	collegetest.MustRefuse(t, close(x.tok["tt_g1"]), 409, "wrong_state")
	collegetest.MustRefuse(t, a.Do("POST", path(id, "/mark-case"), x.tok["col"], map[string]any{"good": true}), 409, "wrong_state")
	// The graduate's own follow-up keeps it open; the unit admin writes on the graduate's side.
	collegetest.MustStatus(t, a.Do("POST", path(id, "/messages"), x.tok["ua_admin"], map[string]any{"body": "单位补充材料"}), 201)
	if s := status(); s != "open" {
		t.Fatalf("after the unit's message: %s", s)
	}
	// Assigning notifies the teacher; the teacher's answer answers it and notifies the graduate.
	collegetest.MustStatus(t, a.Do("POST", path(id, "/assign"), x.tok["col"], map[string]any{"teacher_id": x.teacher}), 200)
	if n := a.Count("notifications", "user_id = ?", x.teacherU); n != 1 {
		t.Fatalf("teacher notified %d times", n)
	}
	if a.AuditCount("throughtrain.assign", id) != 1 {
		t.Fatal("assign not audited")
	}
	collegetest.MustStatus(t, a.Do("POST", path(id, "/messages"), x.tok["tt_teacher"], map[string]any{"body": "建议先召开村民代表会议"}), 201)
	if s := status(); s != "answered" {
		t.Fatalf("after the teacher's answer: %s", s)
	}
	if n := a.Count("notifications", "user_id = ? AND link = ?", x.g1, fmt.Sprintf("/me/through-train/%d", id)); n != 1 {
		t.Fatalf("graduate notified %d times", n)
	}
	// The graduate's reply goes to the assigned teacher.
	collegetest.MustStatus(t, a.Do("POST", path(id, "/messages"), x.tok["tt_g1"], map[string]any{"body": "明白了"}), 201)
	if n := a.Count("notifications", "user_id = ?", x.teacherU); n != 2 {
		t.Fatalf("teacher notified %d times after the reply", n)
	}
	// Only the graduate closes; satisfaction 1–5.
	collegetest.MustStatus(t, close(x.tok["ua_admin"]), 403)
	collegetest.MustRefuse(t, a.Do("POST", path(id, "/close"), x.tok["tt_g1"], map[string]any{"satisfaction": 6}), 400, "invalid")
	r := close(x.tok["tt_g1"])
	collegetest.MustStatus(t, r, 200)
	if got := r.JSON(t); got["status"] != "closed" || got["satisfaction"].(float64) != 4 {
		t.Fatalf("closed: %s", r.Body)
	}
	if a.AuditCount("throughtrain.close", id) != 1 {
		t.Fatal("close not audited")
	}
	// Closed: no more messages, files, assignment or closing.
	collegetest.MustRefuse(t, close(x.tok["tt_g1"]), 409, "wrong_state")
	collegetest.MustRefuse(t, a.Do("POST", path(id, "/messages"), x.tok["tt_teacher"], map[string]any{"body": "补充"}), 409, "wrong_state")
	collegetest.MustRefuse(t, a.Do("POST", path(id, "/assign"), x.tok["col"], map[string]any{"teacher_id": x.other}), 409, "wrong_state")
	collegetest.MustRefuse(t, a.Upload(path(id, "/attachments"), x.tok["tt_g1"], "a.pdf", []byte("%PDF-1.4\n"), nil), 409, "wrong_state")
	// The college marks the good case; the teacher may not. Only a good
	// case becomes a course.
	collegetest.MustRefuse(t, a.Do("POST", path(id, "/case-course"), x.tok["col"], nil), 409, "not_good_case")
	collegetest.MustStatus(t, a.Do("POST", path(id, "/mark-case"), x.tok["tt_teacher"], map[string]any{"good": true}), 403)
	r = a.Do("POST", path(id, "/mark-case"), x.tok["col"], map[string]any{"good": true, "note": "可作为基层治理教学案例"})
	collegetest.MustStatus(t, r, 200)
	if got := r.JSON(t); got["good_case"] != true || got["case_note"] != "可作为基层治理教学案例" {
		t.Fatalf("marked: %s", r.Body)
	}
	// The good case becomes a draft course of the host college, once.
	collegetest.MustStatus(t, a.Do("POST", path(id, "/case-course"), x.tok["tt_teacher"], nil), 403)
	collegetest.MustStatus(t, a.Do("POST", path(id, "/case-course"), x.tok["col2"], nil), 404)
	r = a.Do("POST", path(id, "/case-course"), x.tok["col"], nil)
	collegetest.MustStatus(t, r, 201)
	course := uint64(r.JSON(t)["course_id"].(float64))
	if n := a.Count("courses", "id = ? AND college_id = ? AND status = ?", course, x.e.College, "draft"); n != 1 {
		t.Fatalf("draft course %d of the host college: %d", course, n)
	}
	r = a.Do("POST", path(id, "/case-course"), x.tok["col"], map[string]any{})
	collegetest.MustStatus(t, r, 200)
	if uint64(r.JSON(t)["course_id"].(float64)) != course || a.AuditCount("throughtrain.case_course", id) != 1 || a.AuditCount("throughtrain.case_course.open", id) != 1 {
		t.Fatalf("second call: %s", r.Body)
	}
	if got := a.Do("GET", path(id, ""), x.tok["col"], nil).JSON(t)["case_course_id"]; got != float64(course) {
		t.Fatalf("thread's course = %v", got)
	}
	if a.AuditCount("throughtrain.mark_case", id) != 1 || a.AuditCount("throughtrain.message", id) != 3 {
		t.Fatalf("audit: mark %d, messages %d", a.AuditCount("throughtrain.mark_case", id), a.AuditCount("throughtrain.message", id))
	}
	// The list filters by status.
	list := a.Do("GET", "/api/v1/through-train?status=open", x.tok["col"], nil).JSON(t)
	if list["total"].(float64) != 0 {
		t.Fatalf("open threads: %v", list["total"])
	}
	list = a.Do("GET", "/api/v1/through-train?status=closed", x.tok["col"], nil).JSON(t)
	if list["total"].(float64) != 1 {
		t.Fatalf("closed threads: %v", list["total"])
	}
}

func TestAttachmentsSniffed(t *testing.T) {
	x := setup(t)
	a := x.a
	id := x.open(t)
	files := []struct {
		name    string
		content []byte
		status  int
	}{
		{"方案.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), 415}, // a program renamed .pdf
		{"说明.txt", []byte("纯文本说明"), 415},
		{"空.pdf", nil, 400},
		{"现场.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 201},
		{"方案.pdf", []byte("%PDF-1.4\n正文"), 201},
	}
	for _, f := range files {
		r := a.Upload(path(id, "/attachments"), x.tok["tt_g1"], f.name, f.content, nil)
		if r.Status != f.status {
			t.Fatalf("%s: %d, want %d: %s", f.name, r.Status, f.status, r.Body)
		}
	}
	if n := a.Count("through_train_attachments", "thread_id = ?", id); n != 2 {
		t.Fatalf("attachments kept = %d, want 2", n)
	}
	if n := a.AuditCount("throughtrain.attach", id); n != 2 {
		t.Fatalf("attach audits = %d", n)
	}
	big := make([]byte, 10<<20+10)
	copy(big, "%PDF-1.4\n")
	collegetest.MustStatus(t, a.Upload(path(id, "/attachments"), x.tok["tt_g1"], "大.pdf", big, nil), 413)
	if n := a.Count("through_train_attachments", "thread_id = ?", id); n != 2 {
		t.Fatalf("attachments after an oversize file = %d", n)
	}
	// The stored object is the one served back.
	r := a.Do("GET", "/api/v1/through-train/"+fmt.Sprint(id), x.tok["col"], nil).JSON(t)
	atts := r["attachments"].([]any)
	got := a.Do("GET", fmt.Sprintf("/api/v1/through-train-attachments/%d", uint64(atts[1].(map[string]any)["id"].(float64))), x.tok["col"], nil)
	collegetest.MustStatus(t, got, 200)
	if string(got.Body) != "%PDF-1.4\n正文" {
		t.Fatalf("served %q", got.Body)
	}
}
