package catalog_test

import (
	"bytes"
	"college/app/college"
	"college/app/collegetest"
	"college/storage/objects/objectstest"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCourseLifecycleAndCatalog(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, video, _ := collegetest.PublishedCourse(a, c)
	cadre := c.Tokens["ua_cadre"]

	l := a.Do("GET", "/api/v1/courses?q=新时代", cadre, nil)
	collegetest.MustStatus(t, l, 200)
	if l.JSON(t)["total"].(float64) != 1 {
		t.Fatalf("catalog search: %s", l.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/courses?q=不存在的课程", cadre, nil), 200)
	if a.Do("GET", "/api/v1/courses?q=不存在的课程", cadre, nil).JSON(t)["total"].(float64) != 0 {
		t.Fatal("search matched nothing-like text")
	}
	d := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil)
	collegetest.MustStatus(t, d, 200)
	body := d.JSON(t)
	lessons := body["lessons"].([]any)
	if len(lessons) != 2 || lessons[0].(map[string]any)["duration_seconds"].(float64) < 11.9 || body["hours"].(float64) != 0.25 {
		t.Fatalf("course detail = %s", d.Body)
	}
	// Learners cannot manage; other colleges' admins cannot see drafts.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/courses", cadre, map[string]any{"title": "x", "kind": "required"}), 403)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), cadre, nil), 403)
	r := a.Do("POST", "/api/v1/courses", c.Tokens["col"], map[string]any{"title": "", "kind": "mandatory"})
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["title"] == nil || f["kind"] == nil {
		t.Fatalf("fields = %v", f)
	}
	r = a.Do("POST", "/api/v1/courses", c.Tokens["col"], map[string]any{"title": "某课", "kind": "required", "audience_org_ids": []uint64{987654}})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["audience_org_ids"] == nil {
		t.Fatalf("unknown audience org: %s", r.Body)
	}
	// A draft is invisible to learners (404, not 403).
	r = a.Do("POST", "/api/v1/courses", c.Tokens["col"], map[string]any{"title": "草稿课程", "kind": "elective"})
	draft := r.ID(t)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", draft), cadre, nil), 404)
	// An audience of levels hides the course from other levels.
	r = a.Do("PUT", fmt.Sprintf("/api/v1/courses/%d", course), c.Tokens["col"], map[string]any{"title": "县处级专题", "kind": "required", "audience_levels": []string{"县处级"}})
	collegetest.MustStatus(t, r, 200)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), cadre, nil), 404)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil), 404)
}

func TestUploadRefusesBadFiles(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	r := a.Do("POST", "/api/v1/courses", col, map[string]any{"title": "上传测试", "kind": "required"})
	course := r.ID(t)
	r = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": "视频", "type": "video"})
	video := r.ID(t)
	path := fmt.Sprintf("/api/v1/lessons/%d/media", video)
	r = a.PutFile(path, col, "notes.txt", collegetest.ReadFixture(t, "notes.txt"))
	collegetest.MustStatus(t, r, 415)
	r = a.PutFile(path, col, "notes.pdf", collegetest.ReadFixture(t, "notes.pdf"))
	collegetest.MustStatus(t, r, 422) // a PDF is not a video
	r = a.PutFile(path, col, "cut.mp4", collegetest.ReadFixture(t, "lesson-12s-faststart.mp4")[:300])
	collegetest.MustStatus(t, r, 422) // cannot read its duration
	collegetest.MustStatus(t, a.Do("PUT", path, col, `{"x":1}`), 400)
	collegetest.MustStatus(t, a.PutFile(path, c.Tokens["ua_cadre"], "a.mp4", collegetest.ReadFixture(t, "lesson-12s-faststart.mp4")), 403)
	// Over the size limit (a setting): 413, and nothing stored.
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/settings", c.Tokens["admin"], map[string]any{"catalog.max_upload_mb": 1}), 200)
	big := append(append([]byte{}, collegetest.ReadFixture(t, "lesson-12s-faststart.mp4")...), bytes.Repeat([]byte{0}, 2<<20)...)
	r = a.PutFile(path, col, "big.mp4", big)
	collegetest.MustStatus(t, r, 413)
	d := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), col, nil).JSON(t)
	if d["lessons"].([]any)[0].(map[string]any)["has_media"] != false {
		t.Fatal("a refused upload left media on the lesson")
	}
}

func TestStreamRanges(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	_, video, _ := collegetest.PublishedCourse(a, c)
	cadre := c.Tokens["ua_cadre"]
	file := collegetest.ReadFixture(t, "lesson-12s-moov-at-end.mp4")
	path := fmt.Sprintf("/api/v1/lessons/%d/stream", video)
	get := func(token, rng string) collegetest.Response {
		req := httptest.NewRequest("GET", path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		return a.Send(req)
	}
	r := get(cadre, "")
	collegetest.MustStatus(t, r, 200)
	if !bytes.Equal(r.Body, file) || r.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatal("whole stream differs")
	}
	r = get(cadre, "bytes=100-199")
	collegetest.MustStatus(t, r, 206)
	if !bytes.Equal(r.Body, file[100:200]) || r.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", len(file)) {
		t.Fatalf("range: %q", r.Header.Get("Content-Range"))
	}
	r = get(cadre, "bytes=-500")
	collegetest.MustStatus(t, r, 206)
	if !bytes.Equal(r.Body, file[len(file)-500:]) {
		t.Fatal("suffix range differs")
	}
	collegetest.MustStatus(t, get(cadre, fmt.Sprintf("bytes=%d-", len(file)+10)), 416)
	collegetest.MustStatus(t, get("", ""), 401)
	collegetest.MustStatus(t, get(c.Tokens["aud"], ""), 403) // the auditor reads the log only
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/courses", c.Tokens["aud"], nil), 403)
	// A signed link works without a login until it expires; a forged one does not.
	u := a.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/stream-url", video), cadre, nil)
	collegetest.MustStatus(t, u, 200)
	link := u.JSON(t)["url"].(string)
	r = a.Send(httptest.NewRequest("GET", link, nil))
	collegetest.MustStatus(t, r, 200)
	collegetest.MustStatus(t, a.Send(httptest.NewRequest("GET", strings.Replace(link, "s=", "s=0", 1), nil)), 403)
}

func TestLearnerEarnsHoursThroughTheAPI(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, video, article := collegetest.PublishedCourse(a, c)
	cadre := c.Tokens["ua_cadre"]
	r := a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), cadre, nil)
	collegetest.MustStatus(t, r, 201)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), cadre, nil), 200)

	r = a.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil)
	collegetest.MustStatus(t, r, 201)
	play := r.JSON(t)
	if play["duration_seconds"].(float64) < 11.9 || play["heartbeat_seconds"].(float64) != 15 || play["play_id"] == "" {
		t.Fatalf("play = %v", play)
	}
	hb := fmt.Sprintf("/api/v1/plays/%s/heartbeat", play["play_id"])
	collegetest.MustStatus(t, a.Do("POST", hb, cadre, `{"position":"x","state":"playing"}`), 400)
	collegetest.MustStatus(t, a.Do("POST", hb, cadre, `{"position":1,"state":"dancing"}`), 400)
	r = a.Do("POST", hb, cadre, `{"state":"playing"}`)
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["position"] == nil {
		t.Fatal("missing position not named")
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/plays/garbage/heartbeat", cadre, `{"position":1,"state":"playing"}`), 404)
	// Someone else's play: refused.
	collegetest.MustStatus(t, a.Do("POST", hb, c.Tokens["ub_cadre"], `{"position":1,"state":"playing"}`), 409)
	// A second play makes the first one stop counting.
	r = a.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), cadre, nil)
	collegetest.MustStatus(t, r, 201)
	r2 := a.Do("POST", hb, cadre, `{"position":1,"state":"playing"}`)
	collegetest.MustRefuse(t, r2, 409, "play_superseded")
	// Real time is needed for real credit: a heartbeat claiming the whole
	// video at once is not credited.
	hb = fmt.Sprintf("/api/v1/plays/%s/heartbeat", r.JSON(t)["play_id"])
	r = a.Do("POST", hb, cadre, `{"position":12,"state":"playing"}`)
	collegetest.MustStatus(t, r, 200)
	if beat := r.JSON(t); beat["completed"] != false || beat["watched_seconds"].(float64) > 3 {
		t.Fatalf("instant claim credited: %v", beat)
	}
	h := a.Do("GET", "/api/v1/me/hours", cadre, nil)
	collegetest.MustStatus(t, h, 200)
	if h.JSON(t)["total"].(float64) != 0 {
		t.Fatalf("hours before completing: %s", h.Body)
	}
	_ = article
	// My courses lists the enrollment in progress.
	mine := a.Do("GET", "/api/v1/me/courses?status=in_progress", cadre, nil)
	collegetest.MustBody(t, mine, 200, fmt.Sprintf(`"course_id":%d`, course))
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me/courses?status=nope", cadre, nil), 400)
}

func TestCourseStats(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, video, _ := collegetest.PublishedCourse(a, c)
	for _, who := range []string{"ua_cadre", "ub_cadre"} {
		collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), c.Tokens[who], nil), 201)
	}
	r := a.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/play", video), c.Tokens["ua_cadre"], nil)
	collegetest.MustStatus(t, r, 201)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/plays/%s/heartbeat", r.JSON(t)["play_id"]), c.Tokens["ua_cadre"], `{"position":0.5,"state":"playing"}`), 200)
	if _, err := a.Flusher.FlushOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d/stats", course), c.Tokens["col"], nil)
	collegetest.MustStatus(t, s, 200)
	st := s.JSON(t)
	if st["enrolled"].(float64) != 2 || st["started"].(float64) != 1 || st["completed"].(float64) != 0 || len(st["lessons"].([]any)) != 2 {
		t.Fatalf("stats = %s", s.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/courses/%d/stats", course), c.Tokens["ua_cadre"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/courses/99999/stats", c.Tokens["col"], nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/courses/%d/stats", course), c.Tokens["org"], nil), 200) // org department oversees
}

func TestTopics(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, _, _ := collegetest.PublishedCourse(a, c)
	col := c.Tokens["col"]
	r := a.Do("POST", "/api/v1/topics", col, map[string]any{"title": "党的二十大精神专题", "deadline": "2026-12-31", "course_ids": []uint64{course}})
	collegetest.MustStatus(t, r, 201)
	topic := r.ID(t)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/topics", col, map[string]any{"title": "", "deadline": "31/12/2026"}), 400)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/topics", col, map[string]any{"title": "x", "course_ids": []uint64{99999}}), 400)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/topics", c.Tokens["ua_cadre"], map[string]any{"title": "x"}), 403)
	l := a.Do("GET", "/api/v1/topics", c.Tokens["ua_cadre"], nil)
	collegetest.MustBody(t, l, 200, "党的二十大精神专题", `"deadline":"2026-12-31"`)
	d := a.Do("GET", fmt.Sprintf("/api/v1/topics/%d", topic), c.Tokens["ua_cadre"], nil)
	collegetest.MustStatus(t, d, 200)
	if len(d.JSON(t)["courses"].([]any)) != 1 {
		t.Fatalf("topic = %s", d.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/topics/424242", c.Tokens["ua_cadre"], nil), 404)
}

func TestLearningPagesRender(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, video, article := collegetest.PublishedCourse(a, c)
	r := a.Do("POST", "/api/v1/topics", c.Tokens["col"], map[string]any{"title": "专题", "course_ids": []uint64{course}})
	topic := r.ID(t)
	cadre := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.PagesShow(cadre, map[string]string{
		"/courses":                          "习近平新时代中国特色社会主义思想概论",
		"/courses?q=不存在":                    "暂无",
		fmt.Sprintf("/courses/%d", course):  "第一讲",
		fmt.Sprintf("/lessons/%d", video):   `id="player"`,
		fmt.Sprintf("/lessons/%d", article): "学习内容",
		"/me/courses":                       "我的课程",
		"/me/hours":                         "我的学时",
		"/me/archive":                       "学习档案",
		fmt.Sprintf("/topics/%d", topic):    "专题",
	})
	collegetest.MustStatus(t, cadre.Req("GET", "/admin/courses", nil), 403)
	admin := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.PagesShow(admin, map[string]string{
		"/admin/courses":                               "课程管理",
		"/admin/courses/new":                           "course-title",
		fmt.Sprintf("/admin/courses/%d", course):       "lesson-file-",
		fmt.Sprintf("/admin/courses/%d/stats", course): "学习统计",
	})
	collegetest.MustStatus(t, admin.Req("GET", "/admin/settings", nil), 403) // settings are the system administrator's
	// A course created through the page form.
	page := admin.Req("GET", "/admin/courses/new", nil)
	res := admin.Req("POST", "/admin/courses/new", url.Values{"_csrf": {admin.CSRF(page)}, "title": {"表单课程"}, "kind": {"elective"}, "category": {"党性教育"}})
	collegetest.MustStatus(t, res, 303)
	if !strings.HasPrefix(res.Header.Get("Location"), "/admin/courses/") {
		t.Fatalf("after create: %s", res.Header.Get("Location"))
	}
	res = admin.Req("POST", "/admin/courses/new", url.Values{"_csrf": {admin.CSRF(page)}, "title": {""}, "kind": {"elective"}})
	collegetest.MustStatus(t, res, 400)
	// Editing through the page keeps the org audience set through the API
	// and refuses a bad number of hours instead of ignoring it.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/courses/%d", course), c.Tokens["col"], map[string]any{"title": "限定单位", "kind": "required", "audience_org_ids": []uint64{c.UnitA}}), 200)
	edit := admin.Req("GET", fmt.Sprintf("/admin/courses/%d", course), nil)
	res = admin.Req("POST", fmt.Sprintf("/admin/courses/%d", course), url.Values{"_csrf": {admin.CSRF(edit)}, "title": {"限定单位（改）"}, "kind": {"required"}, "hours": {"abc"}})
	collegetest.MustStatus(t, res, 400)
	res = admin.Req("POST", fmt.Sprintf("/admin/courses/%d", course), url.Values{"_csrf": {admin.CSRF(edit)}, "title": {"限定单位（改）"}, "kind": {"required"}})
	collegetest.MustStatus(t, res, 303)
	got := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), c.Tokens["col"], nil).JSON(t)
	if fmt.Sprint(got["audience_org_ids"]) != fmt.Sprint([]float64{float64(c.UnitA)}) || got["title"] != "限定单位（改）" {
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
	a := collegetest.NewWith(t, func(cfg *college.Config) { cfg.S3.Redirect = true })
	c := collegetest.NewCity(a)
	_, video, _ := collegetest.PublishedCourse(a, c)
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/lessons/%d/stream", video), nil)
	req.Header.Set("Authorization", "Bearer "+c.Tokens["ua_cadre"])
	r := a.Send(req)
	collegetest.MustStatus(t, r, 302)
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
	if resp.StatusCode != 200 || !bytes.Equal(body, collegetest.ReadFixture(t, "lesson-12s-moov-at-end.mp4")) {
		t.Fatalf("presigned GET = %d, %d bytes", resp.StatusCode, len(body))
	}
}
