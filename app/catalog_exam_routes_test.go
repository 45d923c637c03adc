package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"college/modules/audit"
)

// oneAuditRow returns the only entry of action about targetID, failing the
// test unless there is exactly one, by actor, successful.
func (a *testApp) oneAuditRow(action string, targetID uint64, actor string) audit.Log {
	a.t.Helper()
	e := a.auditOne(action, targetID)
	if e.ActorName != actor || !e.Success {
		a.t.Fatalf("%s entry = %+v, want a success by %s", action, e, actor)
	}
	return e
}

// lessonTitles lists the titles of a course's lessons in order, as its
// manager sees them.
func lessonTitles(a *testApp, token string, course uint64) []string {
	a.t.Helper()
	r := a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), token, nil)
	mustStatus(a.t, r, 200)
	var out []string
	for _, l := range r.JSON(a.t)["lessons"].([]any) {
		out = append(out, l.(map[string]any)["title"].(string))
	}
	return out
}

// draftCourse makes a draft course with article lessons of the given titles.
func draftCourse(a *testApp, token string, titles ...string) (course uint64, lessons []uint64) {
	a.t.Helper()
	r := a.do("POST", "/api/v1/courses", token, map[string]any{"title": "基层治理专题", "kind": "elective"})
	mustStatus(a.t, r, 201)
	course = r.id(a.t)
	for _, title := range titles {
		r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), token, map[string]any{"title": title, "type": "article", "body": "正文", "min_read_seconds": 600})
		mustStatus(a.t, r, 201)
		lessons = append(lessons, r.id(a.t))
	}
	return course, lessons
}

func TestCourseManagerEditsLessons(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col := c.tokens["col"]
	course, lessons := draftCourse(a, col, "第一讲", "第二讲", "第三讲")

	// Edit a lesson: its title and reading time, and so the course hours.
	r := a.do("PUT", fmt.Sprintf("/api/v1/lessons/%d", lessons[1]), col, map[string]any{"title": "第二讲（修订）", "body": "新正文", "min_read_seconds": 1200})
	mustStatus(t, r, 200)
	if got := r.JSON(t); got["title"] != "第二讲（修订）" || got["min_read_seconds"].(float64) != 1200 || got["body"] != "新正文" {
		t.Fatalf("updated lesson = %s", r.Body)
	}
	d := a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), col, nil).JSON(t)
	if d["hours"].(float64) != 1 { // 10 + 20 + 10 minutes of reading: a long course
		t.Fatalf("hours after the edit = %v, want 1", d["hours"])
	}
	e := a.oneAuditRow("lesson.update", lessons[1], "col")
	if !bytes.Contains([]byte(e.Detail), []byte("第二讲（修订）")) {
		t.Fatalf("lesson.update detail = %s", e.Detail)
	}

	// Reorder: the new order is kept.
	order := []uint64{lessons[2], lessons[0], lessons[1]}
	r = a.do("PUT", fmt.Sprintf("/api/v1/courses/%d/lessons/order", course), col, map[string]any{"lesson_ids": order})
	mustStatus(t, r, 200)
	if got := fmt.Sprint(lessonTitles(a, col, course)); got != "[第三讲 第一讲 第二讲（修订）]" {
		t.Fatalf("order after reorder = %s", got)
	}
	e = a.oneAuditRow("lesson.reorder", course, "col")
	var ids []uint64
	if err := json.Unmarshal([]byte(e.Detail), &ids); err != nil || fmt.Sprint(ids) != fmt.Sprint(order) {
		t.Fatalf("lesson.reorder detail = %s", e.Detail)
	}

	// Delete a lesson of the draft: it is gone and the hours follow.
	r = a.do("DELETE", fmt.Sprintf("/api/v1/lessons/%d", lessons[1]), col, nil)
	mustStatus(t, r, 204)
	if got := fmt.Sprint(lessonTitles(a, col, course)); got != "[第三讲 第一讲]" {
		t.Fatalf("lessons after the delete = %s", got)
	}
	d = a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), col, nil).JSON(t)
	if d["hours"].(float64) != 0.5 { // 20 minutes left: a short course
		t.Fatalf("hours after the delete = %v, want 0.5", d["hours"])
	}
	a.oneAuditRow("lesson.delete", lessons[1], "col")
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/lessons/%d", lessons[1]), col, map[string]any{"title": "x"}), 404)
}

func TestCourseCoverAndArchive(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col, cadre := c.tokens["col"], c.tokens["ua_cadre"]
	course, _, _ := publishedCourse(a, c)

	png := readFixture(t, "image.png")
	r := a.putFile(fmt.Sprintf("/api/v1/courses/%d/cover", course), col, "cover.png", png)
	mustStatus(t, r, 200)
	if m := r.JSON(t); m["content_type"] != "image/png" || int(m["size"].(float64)) != len(png) {
		t.Fatalf("cover upload = %s", r.Body)
	}
	d := a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil).JSON(t)
	if d["has_cover"] != true {
		t.Fatalf("course after the cover upload = %v", d)
	}
	img := a.do("GET", fmt.Sprintf("/api/v1/courses/%d/cover", course), cadre, nil)
	mustStatus(t, img, 200)
	if !bytes.Equal(img.Body, png) {
		t.Fatalf("the cover served is not the one uploaded (%d bytes)", len(img.Body))
	}
	a.oneAuditRow("course.cover", course, "col")

	r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/archive", course), col, nil)
	mustStatus(t, r, 200)
	if r.JSON(t)["status"] != "archived" {
		t.Fatalf("archive = %s", r.Body)
	}
	// Archived: out of the catalog, and no longer editable.
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil), 404)
	r = a.do("PUT", fmt.Sprintf("/api/v1/courses/%d", course), col, map[string]any{"title": "改名", "kind": "required"})
	mustStatus(t, r, 409)
	a.oneAuditRow("course.archive", course, "col")
}

func TestTopicUpdate(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col, cadre := c.tokens["col"], c.tokens["ua_cadre"]
	course, _, _ := publishedCourse(a, c)
	other, _ := draftCourse(a, col, "第一讲")

	r := a.do("POST", "/api/v1/topics", col, map[string]any{"title": "学习贯彻专题", "course_ids": []uint64{other}})
	mustStatus(t, r, 201)
	topic := r.id(t)
	// Only a draft in it: learners do not see the topic.
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/topics/%d", topic), cadre, nil), 404)

	r = a.do("PUT", fmt.Sprintf("/api/v1/topics/%d", topic), col, map[string]any{"title": "二十大精神专题", "deadline": "2026-12-31", "course_ids": []uint64{course, other}})
	mustStatus(t, r, 200)
	g := a.do("GET", fmt.Sprintf("/api/v1/topics/%d", topic), cadre, nil)
	mustStatus(t, g, 200)
	got := g.JSON(t)
	courses := got["courses"].([]any)
	if got["title"] != "二十大精神专题" || got["deadline"] != "2026-12-31" || len(courses) != 1 || uint64(courses[0].(map[string]any)["id"].(float64)) != course {
		t.Fatalf("topic after the update = %s", g.Body)
	}
	e := a.oneAuditRow("topic.update", topic, "col")
	if !bytes.Contains([]byte(e.Detail), []byte("二十大精神专题")) {
		t.Fatalf("topic.update detail = %s", e.Detail)
	}
	// A course outside the manager's scope is refused and changes nothing.
	r = a.do("PUT", fmt.Sprintf("/api/v1/topics/%d", topic), col, map[string]any{"title": "别的", "course_ids": []uint64{987654}})
	mustStatus(t, r, 400)
	if len(a.auditRows("topic.update")) != 1 {
		t.Fatal("a refused update was recorded")
	}
}

func TestPresenceAnswerWritesNoAuditEntry(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	cadre := c.tokens["ua_cadre"]
	_, video, _ := publishedCourse(a, c)

	r := a.do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil)
	mustStatus(t, r, 201)
	play := r.JSON(t)["play_id"].(string)
	var before int64
	if err := a.DB.Model(&audit.Log{}).Where("actor_id = ?", c.ids["ua_cadre"]).Count(&before).Error; err != nil {
		t.Fatal(err)
	}
	r = a.do("POST", "/api/v1/plays/"+play+"/presence", cadre, nil)
	mustStatus(t, r, 200)
	// The next check comes between the idle bounds (10 to 20 minutes).
	if next := r.JSON(t)["next_check_seconds"].(float64); next < 590 || next > 1200 {
		t.Fatalf("next check in %v s", next)
	}
	var after int64
	if err := a.DB.Model(&audit.Log{}).Where("actor_id = ?", c.ids["ua_cadre"]).Count(&after).Error; err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("answering the idle check wrote %d audit entries", after-before)
	}
	// Another learner cannot answer for this play.
	mustStatus(t, a.do("POST", "/api/v1/plays/"+play+"/presence", c.tokens["ub_cadre"], nil), 409)
}

// A learner's exam start, submission and enrollment each leave one entry,
// written by the service with the change; a resumed start and a repeated
// submission are recorded too, as what they are.
func TestLearnerActionsAreRecorded(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col, cadre := c.tokens["col"], c.tokens["ua_cadre"]
	examID, _ := examSetup(t, a, c, time.Hour)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/exams/%d/publish", examID), col, nil), 200)

	r := a.do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil)
	mustStatus(t, r, 201)
	attempt := uint64(r.JSON(t)["attempt_id"].(float64))
	start := a.oneAuditRow("attempt.start", attempt, "ua_cadre")
	var detail map[string]any
	if err := json.Unmarshal([]byte(start.Detail), &detail); err != nil || uint64(detail["exam_id"].(float64)) != examID || detail["resumed"] != false {
		t.Fatalf("attempt.start detail = %s", start.Detail)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil), 200)
	if rows := a.auditRows("attempt.start"); len(rows) != 2 || !bytes.Contains([]byte(rows[1].Detail), []byte(`"resumed":true`)) {
		t.Fatalf("attempt.start entries after a resume = %+v", rows)
	}

	r = a.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), cadre, nil)
	mustStatus(t, r, 200)
	sub := a.oneAuditRow("attempt.submit", attempt, "ua_cadre")
	if !bytes.Contains([]byte(sub.Detail), []byte(`"status":"graded"`)) {
		t.Fatalf("attempt.submit detail = %s", sub.Detail)
	}
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), cadre, nil), 200)
	if n := len(a.auditRows("attempt.submit")); n != 2 {
		t.Fatalf("%d attempt.submit entries after a repeated submission, want 2", n)
	}

	course, _, _ := publishedCourse(a, c)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), cadre, nil), 201)
	e := a.oneAuditRow("course.enroll", course, "ua_cadre")
	if !bytes.Contains([]byte(e.Detail), []byte(`"new":true`)) {
		t.Fatalf("course.enroll detail = %s", e.Detail)
	}
	var n int64
	if err := a.DB.Table("enrollments").Where("user_id = ? AND course_id = ?", c.ids["ua_cadre"], course).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("enrollments = %d, %v", n, err)
	}
}
