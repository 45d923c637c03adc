package college_test

import (
	"college/app/college"
	"college/app/collegetest"
	"college/modules/web"
	"college/storage/objects"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) { c.MetricsToken = testMetricsToken })
	r := a.Do("GET", "/healthz", "", nil)
	collegetest.MustStatus(t, r, 200)
	r = a.Do("GET", "/readyz", "", nil)
	collegetest.MustStatus(t, r, 200)
	// The public learns only whether the instance takes traffic.
	if got := r.JSON(t); got["status"] != "ok" || got["checks"] != nil {
		t.Fatalf("public readyz = %s", r.Body)
	}
	rreq := httptest.NewRequest("GET", "/readyz", nil)
	rreq.Header.Set("Authorization", "Bearer "+testMetricsToken)
	r = a.Send(rreq)
	collegetest.MustStatus(t, r, 200)
	checks := r.JSON(t)["checks"].(map[string]any)
	// A Redis that keeps no AOF (as the test machine's may) is a warning,
	// not a failure; the embedded server has none.
	if w, ok := checks["redis durability"]; ok {
		if !strings.HasPrefix(w.(string), "warning: ") || a.Cache.Embedded() {
			t.Errorf("redis durability = %v", w)
		}
		delete(checks, "redis durability")
	}
	// The data disk is checked when it holds a store (SQLite or local objects).
	disk := false
	for name := range checks {
		if strings.HasPrefix(name, "disk") {
			disk = true
		}
	}
	if disk != (a.DB.Dialector.Name() == "sqlite" || a.Objects.Name() == "local") || len(checks) != 3+map[bool]int{true: 1}[disk] {
		t.Fatalf("checks = %v", checks)
	}
	for name, v := range checks {
		if v != "ok" {
			t.Errorf("%s = %v", name, v)
		}
	}
	names := strings.Join(collegetest.Keys(checks), ",")
	for _, want := range []string{"database", "redis", "objects"} {
		if !strings.Contains(names, want) {
			t.Errorf("readyz lacks %s: %s", want, names)
		}
	}
	// Readiness turns off while shutting down; liveness stays on.
	a.SetReady(false)
	collegetest.MustStatus(t, a.Do("GET", "/readyz", "", nil), 503)
	collegetest.MustStatus(t, a.Do("GET", "/healthz", "", nil), 200)
	a.SetReady(true)

	a.Do("GET", "/api/v1/me", "", nil)
	mreq := httptest.NewRequest("GET", "/metrics", nil)
	mreq.Header.Set("Authorization", "Bearer "+testMetricsToken)
	m := a.Send(mreq)
	collegetest.MustStatus(t, m, 200)
	body := string(m.Body)
	if !strings.Contains(body, `college_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1`) {
		t.Fatalf("metrics lack the /api/v1/me 401 count:\n%s", collegetest.Grep(body, "college_http_requests_total"))
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Fatal("go runtime metrics missing")
	}
}

func TestRequestIDAndErrorShape(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	r := a.Do("GET", "/api/v1/does-not-exist", "", nil)
	collegetest.MustStatus(t, r, 404)
	if r.Header.Get("X-Request-Id") == "" {
		t.Fatal("no request id header")
	}
	var body struct {
		Error struct {
			Code, Message string
		}
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Error.Code != "not_found" || body.Error.Message == "" {
		t.Fatalf("error body = %s", r.Body)
	}
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	if got := a.Send(req).Header.Get("X-Request-Id"); got != "abc-123" {
		t.Fatalf("request id not kept: %q", got)
	}
}

// Every route under /api/v1 is in the OpenAPI document, and nothing else is.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	r := a.Do("GET", "/api/v1/openapi.json", "", nil)
	collegetest.MustStatus(t, r, 200)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	missing := []string{}
	seen := 0
	for _, rt := range a.Fiber.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Method == "HEAD" || rt.Path == "/api/v1/openapi.json" {
			continue
		}
		p := rt.Path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		seen++
		if !documented[rt.Method+" "+p] {
			missing = append(missing, rt.Method+" "+p)
		}
	}
	if seen < 20 {
		t.Fatalf("only %d API routes found", seen)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Fatalf("routes missing from openapi.json: %v", missing)
	}
	login := doc.Paths["/api/v1/auth/login"]["post"]
	if login["requestBody"] == nil || login["responses"] == nil {
		t.Fatalf("login operation incomplete: %v", login)
	}
}

func TestServeStopsGracefullyOnSignal(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(cfg *college.Config) {
		cfg.Addr = "127.0.0.1:0"
		cfg.ShutdownTimeout = 5 * time.Second
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	var addr string
	for i := 0; i < 200 && addr == ""; i++ {
		addr, _ = a.Addrs()
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" {
		t.Fatal("server never listened")
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("readyz = %d", resp.StatusCode)
	}
	cancel() // what SIGTERM does through signal.NotifyContext
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if a.Ready() {
		t.Fatal("still ready after shutdown")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

// With the database gone, a request that needs it answers 503 with
// Retry-After and a busy message, not 500 and not the user's fault.
func TestDatabaseOutageAnswers503(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	token := c.Tokens["ua_cadre"]
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me/courses", token, nil), 200)
	sqlDB, err := a.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.Close(); err != nil {
		t.Fatal(err)
	}
	r := a.Do("GET", "/api/v1/me/courses", token, nil)
	collegetest.MustRefuse(t, r, 503, "unavailable")
	if r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "服务繁忙") {
		t.Fatalf("outage answer: %v %s", r.Header, r.Body)
	}
}

// frozenStore is an object store that never answers.
type frozenStore struct{ objects.Store }

func (frozenStore) Ping(ctx context.Context) error {
	<-ctx.Done()
	select {} // frozen: not even the context ends it
}

// A frozen object store is reported as itself, beside a database and a
// Redis that answer, and readiness answers unavailable.
func TestReadyzNamesTheFrozenDependency(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) { c.MetricsToken = testMetricsToken })
	a.Objects = frozenStore{a.Objects}
	req := httptest.NewRequest("GET", "/readyz", nil)
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	r := a.Send(req)
	collegetest.MustStatus(t, r, 503)
	for name, v := range r.JSON(t)["checks"].(map[string]any) {
		switch s := v.(string); {
		case strings.HasPrefix(name, "objects"):
			if !strings.Contains(s, "no answer") {
				t.Errorf("%s = %s", name, s)
			}
		case name == "redis durability":
		case s != "ok":
			t.Errorf("%s = %s, blamed for the object store", name, s)
		}
	}
}

// The object store down at start: the college starts; /readyz names the
// store; what needs the store answers 503; the rest works.
func TestStartsWithTheObjectStoreDown(t *testing.T) {
	t.Parallel()
	cfg := college.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.S3.Endpoint, cfg.S3.AccessKey, cfg.S3.SecretKey = "127.0.0.1:1", "college", "college-secret" // nothing listens there
	cfg.MetricsToken = testMetricsToken
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	stores, closeStores, err := college.OpenStores(ctx, cfg, log)
	if err != nil {
		t.Fatalf("a store down stopped the start: %v", err)
	}
	defer closeStores()
	a, err := college.Build(ctx, cfg, log, stores)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	req := httptest.NewRequest("GET", "/readyz", nil)
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	res, err := a.Fiber.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 503 || body.Checks["objects (minio)"] == "ok" || body.Checks["database (sqlite)"] != "ok" {
		t.Fatalf("readyz: %d %+v %v", res.StatusCode, body, err)
	}
	if _, err := stores.Objects.Put(ctx, "probe", strings.NewReader("x"), 1, "text/plain"); !web.IsOutage(err) {
		t.Fatalf("put with the store down: %v", err)
	}
}

// A learner whose lessons are all complete in SQL but whose course was
// never credited (its completing heartbeat's transaction failed) sees the
// hours on 我的学时: reading them settles the course first.
func TestMyHoursSettlesAnEarnedCourse(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, video, article := collegetest.PublishedCourse(a, c)
	uid := a.UserID("ua_cadre")
	now := time.Now().UTC()
	if err := a.DB.Exec("INSERT INTO enrollments (user_id, course_id, enrolled_at) VALUES (?, ?, ?)", uid, course, now).Error; err != nil {
		t.Fatal(err)
	}
	for _, l := range []uint64{video, article} {
		if err := a.DB.Exec("INSERT INTO lesson_progress (user_id, lesson_id, course_id, completed, completed_at, updated_at, coverage) VALUES (?, ?, ?, ?, ?, ?, 1)",
			uid, l, course, true, now, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	h := a.Do("GET", "/api/v1/me/hours", c.Tokens["ua_cadre"], nil).JSON(t)
	if h["total"].(float64) != 0.25 {
		t.Fatalf("hours = %v", h)
	}
	if n := a.Count("enrollments", "user_id = ? AND course_id = ? AND completed_at IS NOT NULL", uid, course); n != 1 {
		t.Fatal("the course was credited without being completed")
	}
}
