package load

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"college/app/college"
	"college/app/collegetest"
	"college/modules/learning"

	"github.com/valyala/fasthttp"
)

// seededHeartbeat starts a seeded college and configures the heartbeat
// scenario against it as the system administrator.
func seededHeartbeat(t *testing.T) (*collegetest.App, benchConfig) {
	t.Helper()
	a := collegetest.NewSeeded(t)
	cfg := benchTestConfig(a.Start(), "heartbeat")
	cfg.Password = collegetest.AdminPassword
	return a, cfg
}

func TestBenchHeartbeat(t *testing.T) {
	t.Setenv(benchLessonEnv, "")
	a, cfg := seededHeartbeat(t)
	ctx := context.Background()
	cfg.Duration = 500 * time.Millisecond
	var out bytes.Buffer
	res, err := benchRun(ctx, cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests <= 0 || res.Errors != 0 {
		t.Fatalf("requests %d errors %d %v: want some and none\n%s", res.Requests, res.Errors, res.ErrorsByStatus, out.String())
	}
	if !strings.Contains(out.String(), "scenario   heartbeat") {
		t.Errorf("output lacks the scenario:\n%s", out.String())
	}

	// The learners exist and study: each is enrolled in the lesson's course,
	// and the flusher finds their watched time in Redis and writes it to SQL.
	tok := a.Login("bench-001", benchLearnerPassword)
	r := a.Do("GET", "/api/v1/me/courses", tok, nil)
	collegetest.MustBody(t, r, 200, `"course_id"`)
	if _, err := a.Flusher.FlushOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var rows []learning.Progress
	err = a.DB.Where("user_id IN (SELECT id FROM users WHERE username LIKE ?)", "bench-%").Find(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != cfg.Connections {
		t.Fatalf("%d progress rows for the bench learners, want one each of %d", len(rows), cfg.Connections)
	}
	for _, p := range rows {
		// (Coverage counts whole seconds: a run this short may have none.)
		if p.Watched <= 0 || p.Position <= 0 {
			t.Errorf("learner %d: no watched time credited: %+v", p.UserID, p)
		}
		// Honest heartbeats: never more than the real time of the run.
		if p.Watched > (cfg.Warmup + cfg.Duration + 5*time.Second).Seconds() {
			t.Errorf("learner %d: %v s credited in a run of %s", p.UserID, p.Watched, cfg.Warmup+cfg.Duration)
		}
	}

	// A second run reuses the accounts (their names are taken) and resumes.
	cfg.Connections = 2
	res, err = benchRun(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests <= 0 || res.Errors != 0 {
		t.Fatalf("second run: requests %d errors %d %v", res.Requests, res.Errors, res.ErrorsByStatus)
	}
}

func TestBenchHeartbeatLessonFromEnv(t *testing.T) {
	a, cfg := seededHeartbeat(t)
	ctx := context.Background()
	cfg.Connections = 1

	t.Setenv(benchLessonEnv, "not-a-number")
	if _, err := benchRun(ctx, cfg, nil); err == nil || !strings.Contains(err.Error(), benchLessonEnv) {
		t.Fatalf("bad %s: err %v, want one naming it", benchLessonEnv, err)
	}
	t.Setenv(benchLessonEnv, "999999")
	if _, err := benchRun(ctx, cfg, nil); err == nil || !strings.Contains(err.Error(), "play") {
		t.Fatalf("missing lesson: err %v, want a failed play", err)
	}

	// The article lesson of a seeded course plays too: the env var wins.
	admin := a.Login("cadre01", college.DemoPassword)
	list := a.Do("GET", "/api/v1/courses", admin, nil)
	collegetest.MustStatus(t, list, 200)
	items, _ := list.JSON(t)["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no courses after seeding: %s", list.Body)
	}
	cid := uint64(items[0].(map[string]any)["id"].(float64))
	course := a.Do("GET", "/api/v1/courses/"+strconv.FormatUint(cid, 10), admin, nil).JSON(t)
	var article uint64
	for _, l := range course["lessons"].([]any) {
		if m := l.(map[string]any); m["type"] == "article" {
			article = uint64(m["id"].(float64))
		}
	}
	if article == 0 {
		t.Fatalf("no article lesson in %v", course)
	}
	t.Setenv(benchLessonEnv, strconv.FormatUint(article, 10))
	res, err := benchRun(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests <= 0 || res.Errors != 0 {
		t.Fatalf("requests %d errors %d %v", res.Requests, res.Errors, res.ErrorsByStatus)
	}
}

func TestBenchHeartbeatPrepare(t *testing.T) {
	env := &benchEnv{BaseURL: "http://127.0.0.1:1", Values: map[string]any{}}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	// Without setup: a request that fails visibly, not a panic.
	benchHeartbeatPrepare(env, 0, 0, req)
	if !strings.Contains(string(req.RequestURI()), "without-setup") {
		t.Fatalf("prepare without setup: %s", req.RequestURI())
	}
	hb := &benchHeartbeat{Workers: []benchLearner{
		{Token: "a", bearer: "Bearer a", uri: env.URL("/api/v1/plays/L1-x/heartbeat"), Started: time.Now().Add(-3 * time.Second), Resume: 5, Duration: 30},
		{Token: "b", bearer: "Bearer b", uri: env.URL("/api/v1/plays/L1-y/heartbeat"), Started: time.Now().Add(-time.Hour), Resume: 0, Duration: 30},
	}}
	env.Values[benchHeartbeatKey] = hb
	req.Reset()
	benchHeartbeatPrepare(env, 0, 0, req)
	if string(req.Header.Method()) != "POST" || string(req.Header.Peek("Authorization")) != "Bearer a" ||
		!strings.HasSuffix(string(req.RequestURI()), "/plays/L1-x/heartbeat") || string(req.Header.ContentType()) != "application/json" {
		t.Fatalf("request: %s", req.String())
	}
	body := string(req.Body())
	// 5 s resumed + about 3 s since the start.
	if !strings.HasPrefix(body, `{"position":8.`) || !strings.HasSuffix(body, `,"state":"playing"}`) {
		t.Fatalf("body %s", body)
	}
	req.Reset()
	benchHeartbeatPrepare(env, 1, 0, req)
	if string(req.Header.Peek("Authorization")) != "Bearer b" || string(req.Body()) != `{"position":30.000,"state":"playing"}` {
		t.Fatalf("capped request: %s", req.String())
	}
}
