package collegetest

import (
	"bytes"
	"college/app/college"
	"college/storage/cache/cachetest"
	"college/storage/db"
	"college/storage/db/dbtest"
	"college/storage/objects/objectstest"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// The passwords of the built-in administrators of every test college.
const (
	AdminPassword    = "System-Pass-2026"
	SecAdminPassword = "Secure-Pass-2026"
	AuditorPassword  = "Audit-Pass-2026"
)

// Keys are the sorted keys of a JSON object.
func Keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// App is a whole college on fresh stores: SQLite, embedded Redis and a
// temporary folder by default; MariaDB, Redis and MinIO when the
// COLLEGE_TEST_* variables are set.
type App struct {
	*college.App
	T *testing.T
}

// New starts a college on fresh stores.
func New(t *testing.T) *App {
	t.Helper()
	return NewWith(t, nil)
}

// NewAdminApp starts a college on fresh stores and logs in as its system
// administrator; it returns the app and the administrator's token.
func NewAdminApp(t *testing.T) (*App, string) {
	t.Helper()
	a := New(t)
	return a, a.Admin()
}

// NewSeeded starts a college on fresh stores with the demo city that
// college.Seed makes.
func NewSeeded(t *testing.T) *App {
	t.Helper()
	a := New(t)
	if err := college.Seed(context.Background(), a.App, io.Discard); err != nil {
		t.Fatal(err)
	}
	return a
}

// NewWith lets a test change the configuration first.
func NewWith(t *testing.T, change func(*college.Config)) *App {
	t.Helper()
	cfg := college.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = AdminPassword
	cfg.SecAdminPassword = SecAdminPassword
	cfg.AuditorPassword = AuditorPassword
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
	gdb, err := db.Open(cfg.Database(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(gdb) })
	stores := college.Stores{DB: gdb, Cache: cachetest.New(t), Objects: objectstest.New(t)}
	a, err := college.Build(context.Background(), cfg, log, stores)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	t.Cleanup(a.Close)
	a.AuditObserver = AuditObserver(t)
	return &App{App: a, T: t}
}

// Response is a finished test request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// ErrorCode returns error.code of an error body.
func (r Response) ErrorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// Fields returns error.fields of an error body.
func (r Response) Fields(t *testing.T) map[string]any {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

// Do sends a request through the app. body may be a string (sent raw as
// JSON), []byte, or any value (encoded as JSON); nil sends no body.
func (a *App) Do(method, path, token string, body any) Response {
	a.T.Helper()
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
			a.T.Fatal(err)
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
	return a.Send(req)
}

func (a *App) Send(req *http.Request) Response {
	a.T.Helper()
	resp, err := a.Fiber.Test(req, -1) // no per-request limit: go test -timeout guards hangs
	if err != nil {
		a.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Upload posts a multipart form with one file.
func (a *App) Upload(path, token, filename string, content []byte, fields map[string]string) Response {
	a.T.Helper()
	return a.UploadWith("POST", path, token, filename, content, fields)
}

// UploadWith sends a multipart form with one file with the given method.
func (a *App) UploadWith(method, path, token, filename string, content []byte, fields map[string]string) Response {
	a.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		a.T.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest(method, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.Send(req)
}

// Login returns a bearer token or fails the test.
func (a *App) Login(username, password string) string {
	a.T.Helper()
	r := a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	if r.Status != 200 {
		a.T.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	tok, _ := r.JSON(a.T)["token"].(string)
	if tok == "" {
		a.T.Fatalf("login %s: no token in %s", username, r.Body)
	}
	return tok
}

// Admin logs in as the built-in system administrator.
func (a *App) Admin() string { return a.Login("admin", AdminPassword) }

// SecAdmin logs in as the built-in security administrator.
func (a *App) SecAdmin() string { return a.Login("secadmin", SecAdminPassword) }

// Setting sets a setting city-wide, as an administrator would.
func (a *App) Setting(key, value string) {
	a.T.Helper()
	if err := a.Settings.Set(context.Background(), 0, map[string]string{key: value}); err != nil {
		a.T.Fatal(err)
	}
}

// Count counts the rows of table that meet the condition (every row when
// cond is ""), failing the test on a database error.
func (a *App) Count(table, cond string, args ...any) int64 {
	a.T.Helper()
	q := a.DB.Table(table)
	if cond != "" {
		q = q.Where(cond, args...)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		a.T.Fatalf("count %s: %v", table, err)
	}
	return n
}

// MustStatus fails the test unless r has the wanted status.
func MustStatus(t *testing.T, r Response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
}

// MustRefuse fails the test unless r is an error with the wanted status
// and error code.
func MustRefuse(t *testing.T, r Response, status int, code string) {
	t.Helper()
	MustStatus(t, r, status)
	if got := r.ErrorCode(t); got != code {
		t.Fatalf("error code %q, want %q: %s", got, code, r.Body)
	}
}

// ID returns the "id" field of a JSON object body.
func (r Response) ID(t *testing.T) uint64 {
	t.Helper()
	f, ok := r.JSON(t)["id"].(float64)
	if !ok {
		t.Fatalf("no id in %s", r.Body)
	}
	return uint64(f)
}

// Start runs the app on a real loopback listener (for chromedp and bench).
func (a *App) Start() string {
	a.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.T.Fatal(err)
	}
	go func() { _ = a.Fiber.Listener(ln) }()
	a.T.Cleanup(func() { _ = a.Fiber.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// NewOn builds a second instance over the stores of a: what a
// restart or another server behind the load balancer sees; change, when
// not nil, changes its configuration first.
func NewOn(t *testing.T, a *App, change func(*college.Config)) *App {
	t.Helper()
	cfg := a.Config()
	if change != nil {
		change(&cfg)
	}
	b, err := college.Build(context.Background(), cfg, slog.New(slog.DiscardHandler), college.Stores{DB: a.DB, Cache: a.Cache, Objects: a.Objects})
	if err != nil {
		t.Fatalf("build second instance: %v", err)
	}
	return &App{App: b, T: t}
}

// Grep returns the lines of s that contain sub.
func Grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Root is the repository's root folder, wherever the test runs from.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
