package main

import (
	"bytes"
	"college/storage/objects/objectstest"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../modules/media/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (a *testApp) putFile(path, token, filename string, content []byte) response {
	a.t.Helper()
	return a.uploadWith("PUT", path, token, filename, content, nil)
}

// publishedCourse builds, as the college admin, a published course with one
// video lesson (a real 12 s MP4) and one article lesson.
func publishedCourse(a *testApp, c *city) (course, video, article uint64) {
	t := a.t
	col := c.tokens["col"]
	r := a.do("POST", "/api/v1/courses", col, map[string]any{"title": "习近平新时代中国特色社会主义思想概论", "summary": "专题课程", "category": "理论教育", "kind": "required", "teacher": "李明"})
	mustStatus(t, r, 201)
	course = r.id(t)
	r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": "第一讲", "type": "video"})
	mustStatus(t, r, 201)
	video = r.id(t)
	r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": "阅读材料", "type": "article", "body": "学习内容", "min_read_seconds": 20})
	mustStatus(t, r, 201)
	article = r.id(t)
	// Publishing without the video's file is refused.
	r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), col, nil)
	mustStatus(t, r, 422)
	r = a.putFile(fmt.Sprintf("/api/v1/lessons/%d/media", video), col, "lesson.mp4", readFixture(t, "lesson-12s-moov-at-end.mp4"))
	mustStatus(t, r, 200)
	m := r.JSON(t)
	if d := m["duration_seconds"].(float64); d < 11.9 || d > 12.1 || m["content_type"] != "video/mp4" {
		t.Fatalf("media = %v", m)
	}
	r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), col, nil)
	mustStatus(t, r, 200)
	if p := r.JSON(t); p["status"] != "published" || p["hours"].(float64) != 0.25 {
		t.Fatalf("publish = %v (12 s + 20 s reading is a 微课: 0.25)", p)
	}
	return course, video, article
}

func TestCourseLifecycleAndCatalog(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	course, video, _ := publishedCourse(a, c)
	cadre := c.tokens["ua_cadre"]

	l := a.do("GET", "/api/v1/courses?q=新时代", cadre, nil)
	mustStatus(t, l, 200)
	if l.JSON(t)["total"].(float64) != 1 {
		t.Fatalf("catalog search: %s", l.Body)
	}
	mustStatus(t, a.do("GET", "/api/v1/courses?q=不存在的课程", cadre, nil), 200)
	if a.do("GET", "/api/v1/courses?q=不存在的课程", cadre, nil).JSON(t)["total"].(float64) != 0 {
		t.Fatal("search matched nothing-like text")
	}
	d := a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil)
	mustStatus(t, d, 200)
	body := d.JSON(t)
	lessons := body["lessons"].([]any)
	if len(lessons) != 2 || lessons[0].(map[string]any)["duration_seconds"].(float64) < 11.9 || body["hours"].(float64) != 0.25 {
		t.Fatalf("course detail = %s", d.Body)
	}
	// Learners cannot manage; other colleges' admins cannot see drafts.
	mustStatus(t, a.do("POST", "/api/v1/courses", cadre, map[string]any{"title": "x", "kind": "required"}), 403)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), cadre, nil), 403)
	r := a.do("POST", "/api/v1/courses", c.tokens["col"], map[string]any{"title": "", "kind": "mandatory"})
	mustStatus(t, r, 400)
	if f := r.Fields(t); f["title"] == nil || f["kind"] == nil {
		t.Fatalf("fields = %v", f)
	}
	r = a.do("POST", "/api/v1/courses", c.tokens["col"], map[string]any{"title": "某课", "kind": "required", "audience_org_ids": []uint64{987654}})
	mustStatus(t, r, 400)
	if r.Fields(t)["audience_org_ids"] == nil {
		t.Fatalf("unknown audience org: %s", r.Body)
	}
	// A draft is invisible to learners (404, not 403).
	r = a.do("POST", "/api/v1/courses", c.tokens["col"], map[string]any{"title": "草稿课程", "kind": "elective"})
	draft := r.id(t)
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/courses/%d", draft), cadre, nil), 404)
	// An audience of levels hides the course from other levels.
	r = a.do("PUT", fmt.Sprintf("/api/v1/courses/%d", course), c.tokens["col"], map[string]any{"title": "县处级专题", "kind": "required", "audience_levels": []string{"县处级"}})
	mustStatus(t, r, 200)
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil), 404)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil), 404)
}

func TestUploadRefusesBadFiles(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col := c.tokens["col"]
	r := a.do("POST", "/api/v1/courses", col, map[string]any{"title": "上传测试", "kind": "required"})
	course := r.id(t)
	r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": "视频", "type": "video"})
	video := r.id(t)
	path := fmt.Sprintf("/api/v1/lessons/%d/media", video)
	r = a.putFile(path, col, "notes.txt", readFixture(t, "notes.txt"))
	mustStatus(t, r, 415)
	r = a.putFile(path, col, "notes.pdf", readFixture(t, "notes.pdf"))
	mustStatus(t, r, 422) // a PDF is not a video
	r = a.putFile(path, col, "cut.mp4", readFixture(t, "lesson-12s-faststart.mp4")[:300])
	mustStatus(t, r, 422) // cannot read its duration
	mustStatus(t, a.do("PUT", path, col, `{"x":1}`), 400)
	mustStatus(t, a.putFile(path, c.tokens["ua_cadre"], "a.mp4", readFixture(t, "lesson-12s-faststart.mp4")), 403)
	// Over the size limit (a setting): 413, and nothing stored.
	mustStatus(t, a.do("PUT", "/api/v1/settings", c.tokens["admin"], map[string]any{"catalog.max_upload_mb": 1}), 200)
	big := append(append([]byte{}, readFixture(t, "lesson-12s-faststart.mp4")...), bytes.Repeat([]byte{0}, 2<<20)...)
	r = a.putFile(path, col, "big.mp4", big)
	mustStatus(t, r, 413)
	d := a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), col, nil).JSON(t)
	if d["lessons"].([]any)[0].(map[string]any)["has_media"] != false {
		t.Fatal("a refused upload left media on the lesson")
	}
}

func TestStreamRanges(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	_, video, _ := publishedCourse(a, c)
	cadre := c.tokens["ua_cadre"]
	file := readFixture(t, "lesson-12s-moov-at-end.mp4")
	path := fmt.Sprintf("/api/v1/lessons/%d/stream", video)
	get := func(token, rng string) response {
		req := httptest.NewRequest("GET", path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		return a.send(req)
	}
	r := get(cadre, "")
	mustStatus(t, r, 200)
	if !bytes.Equal(r.Body, file) || r.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatal("whole stream differs")
	}
	r = get(cadre, "bytes=100-199")
	mustStatus(t, r, 206)
	if !bytes.Equal(r.Body, file[100:200]) || r.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", len(file)) {
		t.Fatalf("range: %q", r.Header.Get("Content-Range"))
	}
	r = get(cadre, "bytes=-500")
	mustStatus(t, r, 206)
	if !bytes.Equal(r.Body, file[len(file)-500:]) {
		t.Fatal("suffix range differs")
	}
	mustStatus(t, get(cadre, fmt.Sprintf("bytes=%d-", len(file)+10)), 416)
	mustStatus(t, get("", ""), 401)
	mustStatus(t, get(c.tokens["aud"], ""), 403) // the auditor reads the log only
	mustStatus(t, a.do("GET", "/api/v1/courses", c.tokens["aud"], nil), 403)
	// A signed link works without a login until it expires; a forged one does not.
	u := a.do("GET", fmt.Sprintf("/api/v1/lessons/%d/stream-url", video), cadre, nil)
	mustStatus(t, u, 200)
	link := u.JSON(t)["url"].(string)
	r = a.send(httptest.NewRequest("GET", link, nil))
	mustStatus(t, r, 200)
	mustStatus(t, a.send(httptest.NewRequest("GET", strings.Replace(link, "s=", "s=0", 1), nil)), 403)
}

func TestLearnerEarnsHoursThroughTheAPI(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	course, video, article := publishedCourse(a, c)
	cadre := c.tokens["ua_cadre"]
	r := a.do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), cadre, nil)
	mustStatus(t, r, 201)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), cadre, nil), 200)

	r = a.do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil)
	mustStatus(t, r, 201)
	play := r.JSON(t)
	if play["duration_seconds"].(float64) < 11.9 || play["heartbeat_seconds"].(float64) != 15 || play["play_id"] == "" {
		t.Fatalf("play = %v", play)
	}
	hb := fmt.Sprintf("/api/v1/plays/%s/heartbeat", play["play_id"])
	mustStatus(t, a.do("POST", hb, cadre, `{"position":"x","state":"playing"}`), 400)
	mustStatus(t, a.do("POST", hb, cadre, `{"position":1,"state":"dancing"}`), 400)
	r = a.do("POST", hb, cadre, `{"state":"playing"}`)
	mustStatus(t, r, 400)
	if r.Fields(t)["position"] == nil {
		t.Fatal("missing position not named")
	}
	mustStatus(t, a.do("POST", "/api/v1/plays/garbage/heartbeat", cadre, `{"position":1,"state":"playing"}`), 404)
	// Someone else's play: refused.
	mustStatus(t, a.do("POST", hb, c.tokens["ub_cadre"], `{"position":1,"state":"playing"}`), 409)
	// A second play makes the first one stop counting.
	r = a.do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil)
	mustStatus(t, r, 201)
	r2 := a.do("POST", hb, cadre, `{"position":1,"state":"playing"}`)
	mustStatus(t, r2, 409)
	if r2.ErrorCode(t) != "play_superseded" {
		t.Fatalf("code = %s", r2.ErrorCode(t))
	}
	// Real time is needed for real credit: a heartbeat claiming the whole
	// video at once is not credited.
	hb = fmt.Sprintf("/api/v1/plays/%s/heartbeat", r.JSON(t)["play_id"])
	r = a.do("POST", hb, cadre, `{"position":12,"state":"playing"}`)
	mustStatus(t, r, 200)
	if beat := r.JSON(t); beat["completed"] != false || beat["watched_seconds"].(float64) > 3 {
		t.Fatalf("instant claim credited: %v", beat)
	}
	h := a.do("GET", "/api/v1/me/hours", cadre, nil)
	mustStatus(t, h, 200)
	if h.JSON(t)["total"].(float64) != 0 {
		t.Fatalf("hours before completing: %s", h.Body)
	}
	_ = article
	// My courses lists the enrollment in progress.
	mine := a.do("GET", "/api/v1/me/courses?status=in_progress", cadre, nil)
	mustStatus(t, mine, 200)
	if !strings.Contains(string(mine.Body), fmt.Sprintf(`"course_id":%d`, course)) {
		t.Fatalf("my courses: %s", mine.Body)
	}
	mustStatus(t, a.do("GET", "/api/v1/me/courses?status=nope", cadre, nil), 400)
}

func TestCourseStats(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	course, video, _ := publishedCourse(a, c)
	for _, who := range []string{"ua_cadre", "ub_cadre"} {
		mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), c.tokens[who], nil), 201)
	}
	r := a.do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), c.tokens["ua_cadre"], nil)
	mustStatus(t, r, 201)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/plays/%s/heartbeat", r.JSON(t)["play_id"]), c.tokens["ua_cadre"], `{"position":0.5,"state":"playing"}`), 200)
	if _, err := a.Flusher.FlushOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := a.do("GET", fmt.Sprintf("/api/v1/courses/%d/stats", course), c.tokens["col"], nil)
	mustStatus(t, s, 200)
	st := s.JSON(t)
	if st["enrolled"].(float64) != 2 || st["started"].(float64) != 1 || st["completed"].(float64) != 0 || len(st["lessons"].([]any)) != 2 {
		t.Fatalf("stats = %s", s.Body)
	}
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/courses/%d/stats", course), c.tokens["ua_cadre"], nil), 403)
	mustStatus(t, a.do("GET", "/api/v1/courses/99999/stats", c.tokens["col"], nil), 404)
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/courses/%d/stats", course), c.tokens["org"], nil), 200) // org department oversees
}

func TestTopics(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	course, _, _ := publishedCourse(a, c)
	col := c.tokens["col"]
	r := a.do("POST", "/api/v1/topics", col, map[string]any{"title": "党的二十大精神专题", "deadline": "2026-12-31", "course_ids": []uint64{course}})
	mustStatus(t, r, 201)
	topic := r.id(t)
	mustStatus(t, a.do("POST", "/api/v1/topics", col, map[string]any{"title": "", "deadline": "31/12/2026"}), 400)
	mustStatus(t, a.do("POST", "/api/v1/topics", col, map[string]any{"title": "x", "course_ids": []uint64{99999}}), 400)
	mustStatus(t, a.do("POST", "/api/v1/topics", c.tokens["ua_cadre"], map[string]any{"title": "x"}), 403)
	l := a.do("GET", "/api/v1/topics", c.tokens["ua_cadre"], nil)
	mustStatus(t, l, 200)
	if !strings.Contains(string(l.Body), "党的二十大精神专题") || !strings.Contains(string(l.Body), `"deadline":"2026-12-31"`) {
		t.Fatalf("topics = %s", l.Body)
	}
	d := a.do("GET", fmt.Sprintf("/api/v1/topics/%d", topic), c.tokens["ua_cadre"], nil)
	mustStatus(t, d, 200)
	if len(d.JSON(t)["courses"].([]any)) != 1 {
		t.Fatalf("topic = %s", d.Body)
	}
	mustStatus(t, a.do("GET", "/api/v1/topics/424242", c.tokens["ua_cadre"], nil), 404)
}

func TestLearningPagesRender(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	course, video, article := publishedCourse(a, c)
	r := a.do("POST", "/api/v1/topics", c.tokens["col"], map[string]any{"title": "专题", "course_ids": []uint64{course}})
	topic := r.id(t)
	cadre := a.browser()
	mustStatus(t, cadre.loginAs("ua_cadre", userPassword), 303)
	for path, want := range map[string]string{
		"/courses":                          "习近平新时代中国特色社会主义思想概论",
		"/courses?q=不存在":                    "暂无",
		fmt.Sprintf("/courses/%d", course):  "第一讲",
		fmt.Sprintf("/lessons/%d", video):   `id="player"`,
		fmt.Sprintf("/lessons/%d", article): "学习内容",
		"/me/courses":                       "我的课程",
		"/me/hours":                         "我的学时",
		"/me/archive":                       "学习档案",
		fmt.Sprintf("/topics/%d", topic):    "专题",
	} {
		res := cadre.req("GET", path, nil)
		if res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("%s: %d, lacks %q", path, res.Status, want)
		}
	}
	mustStatus(t, cadre.req("GET", "/admin/courses", nil), 403)
	admin := a.browser()
	mustStatus(t, admin.loginAs("col", userPassword), 303)
	for path, want := range map[string]string{
		"/admin/courses":                               "课程管理",
		"/admin/courses/new":                           "course-title",
		fmt.Sprintf("/admin/courses/%d", course):       "lesson-file-",
		fmt.Sprintf("/admin/courses/%d/stats", course): "学习统计",
		"/admin/settings":                              "",
	} {
		res := admin.req("GET", path, nil)
		if path == "/admin/settings" {
			mustStatus(t, res, 403) // settings are the system administrator's
			continue
		}
		if res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("%s: %d, lacks %q", path, res.Status, want)
		}
	}
	// A course created through the page form.
	page := admin.req("GET", "/admin/courses/new", nil)
	res := admin.req("POST", "/admin/courses/new", url.Values{"_csrf": {admin.csrf(page)}, "title": {"表单课程"}, "kind": {"elective"}, "category": {"党性教育"}})
	mustStatus(t, res, 303)
	if !strings.HasPrefix(res.Header.Get("Location"), "/admin/courses/") {
		t.Fatalf("after create: %s", res.Header.Get("Location"))
	}
	res = admin.req("POST", "/admin/courses/new", url.Values{"_csrf": {admin.csrf(page)}, "title": {""}, "kind": {"elective"}})
	mustStatus(t, res, 400)
	// Editing through the page keeps the org audience set through the API
	// and refuses a bad number of hours instead of ignoring it.
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/courses/%d", course), c.tokens["col"], map[string]any{"title": "限定单位", "kind": "required", "audience_org_ids": []uint64{c.unitA}}), 200)
	edit := admin.req("GET", fmt.Sprintf("/admin/courses/%d", course), nil)
	res = admin.req("POST", fmt.Sprintf("/admin/courses/%d", course), url.Values{"_csrf": {admin.csrf(edit)}, "title": {"限定单位（改）"}, "kind": {"required"}, "hours": {"abc"}})
	mustStatus(t, res, 400)
	res = admin.req("POST", fmt.Sprintf("/admin/courses/%d", course), url.Values{"_csrf": {admin.csrf(edit)}, "title": {"限定单位（改）"}, "kind": {"required"}})
	mustStatus(t, res, 303)
	got := a.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), c.tokens["col"], nil).JSON(t)
	if fmt.Sprint(got["audience_org_ids"]) != fmt.Sprint([]float64{float64(c.unitA)}) || got["title"] != "限定单位（改）" {
		t.Fatalf("after page edit: %v", got)
	}
}

// With the MinIO store and redirects on, players get a short-lived
// presigned URL of the object instead of a proxied stream.
func TestStreamRedirectsToPresignedURL(t *testing.T) {
	if _, ok := objectstest.MinIOConfig(); !ok {
		t.Skip("presigned redirect needs MinIO: " + objectstest.EnvEndpoint + " is not set")
	}
	t.Parallel()
	a := newTestAppWith(t, func(cfg *Config) { cfg.S3.Redirect = true })
	c := newCity(a)
	_, video, _ := publishedCourse(a, c)
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/lessons/%d/stream", video), nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens["ua_cadre"])
	r := a.send(req)
	mustStatus(t, r, 302)
	loc := r.Header.Get("Location")
	if !strings.Contains(loc, "X-Amz-Expires=600") {
		t.Fatalf("redirect to %q", loc)
	}
	resp, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(body, readFixture(t, "lesson-12s-moov-at-end.mp4")) {
		t.Fatalf("presigned GET = %d, %d bytes", resp.StatusCode, len(body))
	}
}
