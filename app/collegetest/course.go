package collegetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// ArticleCourse creates, as token, a course with one reading lesson;
// published when asked.
func ArticleCourse(t *testing.T, a *App, token, title string, publish bool, audienceOrgs ...uint64) uint64 {
	t.Helper()
	body := map[string]any{"title": title, "kind": "required", "category": "理论教育"}
	if len(audienceOrgs) > 0 {
		body["audience_org_ids"] = audienceOrgs
	}
	r := a.Do("POST", "/api/v1/courses", token, body)
	MustStatus(t, r, 201)
	id := r.ID(t)
	MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", id), token, map[string]any{"title": "阅读材料", "type": "article", "body": "学习内容", "min_read_seconds": 20}), 201)
	if publish {
		MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", id), token, nil), 200)
	}
	return id
}

func ReadFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root(), "modules", "media", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (a *App) PutFile(path, token, filename string, content []byte) Response {
	a.T.Helper()
	return a.UploadWith("PUT", path, token, filename, content, nil)
}

// PublishedCourse builds, as the college admin, a published course with one
// video lesson (a real 12 s MP4) and one article lesson.
func PublishedCourse(a *App, c *City) (course, video, article uint64) {
	t := a.T
	col := c.Tokens["col"]
	r := a.Do("POST", "/api/v1/courses", col, map[string]any{"title": "习近平新时代中国特色社会主义思想概论", "summary": "专题课程", "category": "理论教育", "kind": "required", "teacher": "李明"})
	MustStatus(t, r, 201)
	course = r.ID(t)
	r = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": "第一讲", "type": "video"})
	MustStatus(t, r, 201)
	video = r.ID(t)
	r = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": "阅读材料", "type": "article", "body": "学习内容", "min_read_seconds": 20})
	MustStatus(t, r, 201)
	article = r.ID(t)
	// Publishing without the video's file is refused.
	r = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), col, nil)
	MustStatus(t, r, 422)
	r = a.PutFile(fmt.Sprintf("/api/v1/lessons/%d/media", video), col, "lesson.mp4", ReadFixture(t, "lesson-12s-moov-at-end.mp4"))
	MustStatus(t, r, 200)
	m := r.JSON(t)
	if d := m["duration_seconds"].(float64); d < 11.9 || d > 12.1 || m["content_type"] != "video/mp4" {
		t.Fatalf("media = %v", m)
	}
	r = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), col, nil)
	MustStatus(t, r, 200)
	if p := r.JSON(t); p["status"] != "published" || p["hours"].(float64) != 0.25 {
		t.Fatalf("publish = %v (12 s + 20 s reading is a 微课: 0.25)", p)
	}
	return course, video, article
}

// ExamSetup makes a bank with one question of each automatic type and a
// published fixed exam over them, open now.
func ExamSetup(t *testing.T, a *App, c *City, closesIn time.Duration) (examID uint64, ids map[string]uint64) {
	t.Helper()
	col := c.Tokens["col"]
	bank := a.Bank(col, "政治理论题库", false)
	ids = map[string]uint64{}
	for name, q := range map[string]map[string]any{
		"single":   {"type": "single", "stem": "中国共产党的根本宗旨是", "options": []string{"为人民服务", "发展经济", "对外开放", "改革创新"}, "answer": "A", "score": 10},
		"multiple": {"type": "multiple", "stem": "新发展理念包括", "options": []string{"创新", "协调", "绿色", "封闭"}, "answer": "ABC", "score": 10},
		"judge":    {"type": "judge", "stem": "党的领导是中国特色社会主义最本质的特征", "answer": true, "score": 10},
		"blank":    {"type": "blank", "stem": "我们党的初心使命是为中国人民谋____，为中华民族谋____", "answer": []string{"幸福", "复兴"}, "score": 10},
	} {
		ids[name] = a.Question(col, bank, q)
	}
	now := time.Now().UTC()
	r := a.Do("POST", "/api/v1/exams", col, map[string]any{"title": "2026 年度政治理论水平考试", "duration_minutes": 30, "pass_score": 25, "max_attempts": 1,
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(closesIn), "shuffle": true,
		"paper": map[string]any{"mode": "fixed", "question_ids": []uint64{ids["single"], ids["multiple"], ids["judge"], ids["blank"]}}})
	MustStatus(t, r, 201)
	if r.JSON(t)["total_score"].(float64) != 40 {
		t.Fatalf("exam = %s", r.Body)
	}
	examID = r.ID(t)
	return examID, ids
}
