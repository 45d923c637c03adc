package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"college/storage/cache/cachetest"
	"college/storage/db/dbtest"
	"college/storage/objects/objectstest"
)

// testAdminPassword is the admin password of every test app; the security
// and audit administrators have their own.
const (
	testAdminPassword    = "System-Pass-2026"
	testSecAdminPassword = "Secure-Pass-2026"
	testAuditorPassword  = "Audit-Pass-2026"
)

// testApp is a whole college on fresh stores: SQLite, embedded Redis and a
// temporary folder by default; MariaDB, Redis and MinIO when the
// COLLEGE_TEST_* variables are set.
type testApp struct {
	*App
	t *testing.T
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	return newTestAppWith(t, nil)
}

// newTestAppWith lets a test change the configuration first.
func newTestAppWith(t *testing.T, change func(*Config)) *testApp {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = testAdminPassword
	cfg.SecAdminPassword = testSecAdminPassword
	cfg.AuditorPassword = testAuditorPassword
	// Tests of other features log in without a second factor; the tests of
	// the second factor turn it back on.
	cfg.Auth.AdminMFA = false
	cfg.SecretKey = "test-secret-key-0123456789abcdef0123456789"
	dcfg := dbtest.Config(t)
	cfg.DB.Driver, cfg.DB.DSN = dcfg.Driver, dcfg.DSN
	if change != nil {
		change(&cfg)
	}
	log := slog.New(slog.DiscardHandler)
	gdb, err := openTestDB(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeTestDB(gdb) })
	stores := Stores{DB: gdb, Cache: cachetest.New(t), Objects: objectstest.New(t)}
	a, err := Build(context.Background(), cfg, log, stores)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	t.Cleanup(a.Close)
	a.AuditObserver = auditObserver(t)
	return &testApp{App: a, t: t}
}

// response is a finished test request.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// ErrorCode returns error.code of an error body.
func (r response) ErrorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// Fields returns error.fields of an error body.
func (r response) Fields(t *testing.T) map[string]any {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

// do sends a request through the app. body may be a string (sent raw as
// JSON), []byte, or any value (encoded as JSON); nil sends no body.
func (a *testApp) do(method, path, token string, body any) response {
	a.t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, ctype = strings.NewReader(b), "application/json"
	case []byte:
		r, ctype = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r, ctype = bytes.NewReader(raw), "application/json"
	}
	req := httptest.NewRequest(method, path, r)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.send(req)
}

func (a *testApp) send(req *http.Request) response {
	a.t.Helper()
	resp, err := a.Fiber.Test(req, -1) // no per-request limit: go test -timeout guards hangs
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// upload posts a multipart form with one file.
func (a *testApp) upload(path, token, filename string, content []byte, fields map[string]string) response {
	a.t.Helper()
	return a.uploadWith("POST", path, token, filename, content, fields)
}

// uploadWith sends a multipart form with one file with the given method.
func (a *testApp) uploadWith(method, path, token, filename string, content []byte, fields map[string]string) response {
	a.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		a.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest(method, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.send(req)
}

// login returns a bearer token or fails the test.
func (a *testApp) login(username, password string) string {
	a.t.Helper()
	r := a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	if r.Status != 200 {
		a.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	tok, _ := r.JSON(a.t)["token"].(string)
	if tok == "" {
		a.t.Fatalf("login %s: no token in %s", username, r.Body)
	}
	return tok
}

// admin logs in as the built-in system administrator.
func (a *testApp) admin() string { return a.login("admin", testAdminPassword) }

// secadmin logs in as the built-in security administrator.
func (a *testApp) secadmin() string { return a.login("secadmin", testSecAdminPassword) }

// mustStatus fails the test unless r has the wanted status.
func mustStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
}

// id returns the "id" field of a JSON object body.
func (r response) id(t *testing.T) uint64 {
	t.Helper()
	f, ok := r.JSON(t)["id"].(float64)
	if !ok {
		t.Fatalf("no id in %s", r.Body)
	}
	return uint64(f)
}

// serve runs the app on a real loopback listener (for chromedp and bench).
func (a *testApp) serve() string {
	a.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.t.Fatal(err)
	}
	go func() { _ = a.Fiber.Listener(ln) }()
	a.t.Cleanup(func() { _ = a.Fiber.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// newTestAppOn builds a second instance over the stores of a: what a
// restart or another server behind the load balancer sees.
func newTestAppOn(t *testing.T, a *testApp) *testApp {
	t.Helper()
	b, err := Build(context.Background(), a.cfg, slog.New(slog.DiscardHandler), Stores{DB: a.DB, Cache: a.Cache, Objects: a.Objects})
	if err != nil {
		t.Fatalf("build second instance: %v", err)
	}
	return &testApp{App: b, t: t}
}
