package catalog_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/audit"
)

// oneAuditRow returns the only entry of action about targetID, failing the
// test unless there is exactly one, by actor, successful.
func oneAuditRow(a *collegetest.App, action string, targetID uint64, actor string) audit.Log {
	a.T.Helper()
	e := a.AuditOne(action, targetID)
	if e.ActorName != actor || !e.Success {
		a.T.Fatalf("%s entry = %+v, want a success by %s", action, e, actor)
	}
	return e
}

// lessonTitles lists the titles of a course's lessons in order, as its
// manager sees them.
func lessonTitles(a *collegetest.App, token string, course uint64) []string {
	a.T.Helper()
	r := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), token, nil)
	collegetest.MustStatus(a.T, r, 200)
	var out []string
	for _, l := range r.JSON(a.T)["lessons"].([]any) {
		out = append(out, l.(map[string]any)["title"].(string))
	}
	return out
}

// draftCourse makes a draft course with article lessons of the given titles.
func draftCourse(a *collegetest.App, token string, titles ...string) (course uint64, lessons []uint64) {
	a.T.Helper()
	r := a.Do("POST", "/api/v1/courses", token, map[string]any{"title": "基层治理专题", "kind": "elective"})
	collegetest.MustStatus(a.T, r, 201)
	course = r.ID(a.T)
	for _, title := range titles {
		r = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), token, map[string]any{"title": title, "type": "article", "body": "正文", "min_read_seconds": 600})
		collegetest.MustStatus(a.T, r, 201)
		lessons = append(lessons, r.ID(a.T))
	}
	return course, lessons
}

func TestCourseManagerEditsLessons(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	course, lessons := draftCourse(a, col, "第一讲", "第二讲", "第三讲")

	// Edit a lesson: its title and reading time, and so the course hours.
	r := a.Do("PUT", fmt.Sprintf("/api/v1/lessons/%d", lessons[1]), col, map[string]any{"title": "第二讲（修订）", "body": "新正文", "min_read_seconds": 1200})
	collegetest.MustStatus(t, r, 200)
	if got := r.JSON(t); got["title"] != "第二讲（修订）" || got["min_read_seconds"].(float64) != 1200 || got["body"] != "新正文" {
		t.Fatalf("updated lesson = %s", r.Body)
	}
	d := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), col, nil).JSON(t)
	if d["hours"].(float64) != 1 { // 10 + 20 + 10 minutes of reading: a long course
		t.Fatalf("hours after the edit = %v, want 1", d["hours"])
	}
	e := oneAuditRow(a, "lesson.update", lessons[1], "col")
	if !bytes.Contains([]byte(e.Detail), []byte("第二讲（修订）")) {
		t.Fatalf("lesson.update detail = %s", e.Detail)
	}

	// Reorder: the new order is kept.
	order := []uint64{lessons[2], lessons[0], lessons[1]}
	r = a.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/lessons/order", course), col, map[string]any{"lesson_ids": order})
	collegetest.MustStatus(t, r, 200)
	if got := fmt.Sprint(lessonTitles(a, col, course)); got != "[第三讲 第一讲 第二讲（修订）]" {
		t.Fatalf("order after reorder = %s", got)
	}
	e = oneAuditRow(a, "lesson.reorder", course, "col")
	var ids []uint64
	if err := json.Unmarshal([]byte(e.Detail), &ids); err != nil || fmt.Sprint(ids) != fmt.Sprint(order) {
		t.Fatalf("lesson.reorder detail = %s", e.Detail)
	}

	// Delete a lesson of the draft: it is gone and the hours follow.
	r = a.Do("DELETE", fmt.Sprintf("/api/v1/lessons/%d", lessons[1]), col, nil)
	collegetest.MustStatus(t, r, 204)
	if got := fmt.Sprint(lessonTitles(a, col, course)); got != "[第三讲 第一讲]" {
		t.Fatalf("lessons after the delete = %s", got)
	}
	d = a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), col, nil).JSON(t)
	if d["hours"].(float64) != 0.5 { // 20 minutes left: a short course
		t.Fatalf("hours after the delete = %v, want 0.5", d["hours"])
	}
	oneAuditRow(a, "lesson.delete", lessons[1], "col")
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/lessons/%d", lessons[1]), col, map[string]any{"title": "x"}), 404)
}

func TestCourseCoverAndArchive(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col, cadre := c.Tokens["col"], c.Tokens["ua_cadre"]
	course, _, _ := collegetest.PublishedCourse(a, c)

	png := collegetest.ReadFixture(t, "image.png")
	r := a.PutFile(fmt.Sprintf("/api/v1/courses/%d/cover", course), col, "cover.png", png)
	collegetest.MustStatus(t, r, 200)
	if m := r.JSON(t); m["content_type"] != "image/png" || int(m["size"].(float64)) != len(png) {
		t.Fatalf("cover upload = %s", r.Body)
	}
	d := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil).JSON(t)
	if d["has_cover"] != true {
		t.Fatalf("course after the cover upload = %v", d)
	}
	img := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d/cover", course), cadre, nil)
	collegetest.MustStatus(t, img, 200)
	if !bytes.Equal(img.Body, png) {
		t.Fatalf("the cover served is not the one uploaded (%d bytes)", len(img.Body))
	}
	oneAuditRow(a, "course.cover", course, "col")

	r = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/archive", course), col, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "archived" {
		t.Fatalf("archive = %s", r.Body)
	}
	// Archived: out of the catalog, and no longer editable.
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil), 404)
	r = a.Do("PUT", fmt.Sprintf("/api/v1/courses/%d", course), col, map[string]any{"title": "改名", "kind": "required"})
	collegetest.MustStatus(t, r, 409)
	oneAuditRow(a, "course.archive", course, "col")
}

func TestTopicUpdate(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col, cadre := c.Tokens["col"], c.Tokens["ua_cadre"]
	course, _, _ := collegetest.PublishedCourse(a, c)
	other, _ := draftCourse(a, col, "第一讲")

	r := a.Do("POST", "/api/v1/topics", col, map[string]any{"title": "学习贯彻专题", "course_ids": []uint64{other}})
	collegetest.MustStatus(t, r, 201)
	topic := r.ID(t)
	// Only a draft in it: learners do not see the topic.
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/topics/%d", topic), cadre, nil), 404)

	r = a.Do("PUT", fmt.Sprintf("/api/v1/topics/%d", topic), col, map[string]any{"title": "二十大精神专题", "deadline": "2026-12-31", "course_ids": []uint64{course, other}})
	collegetest.MustStatus(t, r, 200)
	g := a.Do("GET", fmt.Sprintf("/api/v1/topics/%d", topic), cadre, nil)
	collegetest.MustStatus(t, g, 200)
	got := g.JSON(t)
	courses := got["courses"].([]any)
	if got["title"] != "二十大精神专题" || got["deadline"] != "2026-12-31" || len(courses) != 1 || uint64(courses[0].(map[string]any)["id"].(float64)) != course {
		t.Fatalf("topic after the update = %s", g.Body)
	}
	e := oneAuditRow(a, "topic.update", topic, "col")
	if !bytes.Contains([]byte(e.Detail), []byte("二十大精神专题")) {
		t.Fatalf("topic.update detail = %s", e.Detail)
	}
	// A course outside the manager's scope is refused and changes nothing.
	r = a.Do("PUT", fmt.Sprintf("/api/v1/topics/%d", topic), col, map[string]any{"title": "别的", "course_ids": []uint64{987654}})
	collegetest.MustStatus(t, r, 400)
	if len(a.AuditRows("topic.update")) != 1 {
		t.Fatal("a refused update was recorded")
	}
}

func TestPresenceAnswerWritesNoAuditEntry(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	cadre := c.Tokens["ua_cadre"]
	_, video, _ := collegetest.PublishedCourse(a, c)

	r := a.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil)
	collegetest.MustStatus(t, r, 201)
	play := r.JSON(t)["play_id"].(string)
	var before int64
	if err := a.DB.Model(&audit.Log{}).Where("actor_id = ?", c.IDs["ua_cadre"]).Count(&before).Error; err != nil {
		t.Fatal(err)
	}
	r = a.Do("POST", "/api/v1/plays/"+play+"/presence", cadre, nil)
	collegetest.MustStatus(t, r, 200)
	// The next check comes between the idle bounds (10 to 20 minutes).
	if next := r.JSON(t)["next_check_seconds"].(float64); next < 590 || next > 1200 {
		t.Fatalf("next check in %v s", next)
	}
	var after int64
	if err := a.DB.Model(&audit.Log{}).Where("actor_id = ?", c.IDs["ua_cadre"]).Count(&after).Error; err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("answering the idle check wrote %d audit entries", after-before)
	}
	// Another learner cannot answer for this play.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/plays/"+play+"/presence", c.Tokens["ub_cadre"], nil), 409)
}

// A learner's enrollment leaves one entry, written by the service with the
// change. An exam start and submission leave none: the attempt row is their
// record (who, when, the answers, the score), even when repeated.
func TestLearnerActionsAreRecorded(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col, cadre := c.Tokens["col"], c.Tokens["ua_cadre"]
	examID, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(col, examID)

	r := a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil)
	collegetest.MustStatus(t, r, 201)
	attempt := uint64(r.JSON(t)["attempt_id"].(float64))
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), cadre, nil), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), cadre, nil), 200)
	if n := len(a.AuditRows("attempt.start")) + len(a.AuditRows("attempt.submit")); n != 0 {
		t.Fatalf("%d exam start or submission entries, want none", n)
	}
	var rec struct {
		UserID      uint64
		Status      string
		SubmittedAt *time.Time
	}
	if err := a.DB.Table("attempts").Select("user_id, status, submitted_at").Where("id = ?", attempt).Scan(&rec).Error; err != nil ||
		rec.UserID != c.IDs["ua_cadre"] || rec.Status != "graded" || rec.SubmittedAt == nil {
		t.Fatalf("attempt record = %+v, %v", rec, err)
	}

	course, _, _ := collegetest.PublishedCourse(a, c)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), cadre, nil), 201)
	e := oneAuditRow(a, "course.enroll", course, "ua_cadre")
	if !bytes.Contains([]byte(e.Detail), []byte(`"new":true`)) {
		t.Fatalf("course.enroll detail = %s", e.Detail)
	}
	var n int64
	if err := a.DB.Table("enrollments").Where("user_id = ? AND course_id = ?", c.IDs["ua_cadre"], course).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("enrollments = %d, %v", n, err)
	}
}
