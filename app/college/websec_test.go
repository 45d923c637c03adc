package college_test

import (
	"bytes"
	"college/app/collegetest"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// The login page sends the browser back only to paths on this site, however
// next is spelled or encoded.
func TestLoginNextStaysOnSite(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	evil := []string{"/%09/evil.example", "/\t/evil.example", "/%2509/evil.example", "/\\evil.example", "//evil.example", "https://evil.example/"}
	for _, next := range evil {
		b := a.Browser()
		page := b.Req("GET", "/login?next="+url.QueryEscape(next), nil)
		collegetest.MustStatus(t, page, 200)
		if strings.Contains(string(page.Body), "evil.example") {
			t.Errorf("login page for next=%q keeps the target in the form", next)
		}
		r := b.Req("POST", "/login", url.Values{"_csrf": {b.CSRF(page)}, "username": {"admin"}, "password": {collegetest.AdminPassword}, "next": {next}})
		collegetest.MustStatus(t, r, 303)
		if loc := r.Header.Get("Location"); loc != "/" && loc != "/profile/password" {
			t.Errorf("login with next=%q went to %q", next, loc)
		}
		// Already logged in, the login page redirects at once.
		r = b.Req("GET", "/login?next="+url.QueryEscape(next), nil)
		if loc := r.Header.Get("Location"); r.Status == 303 && loc != "/" {
			t.Errorf("logged-in login page with next=%q went to %q", next, loc)
		}
	}
	b := a.Browser()
	page := b.Req("GET", "/login?next=%2Fadmin%2Fusers%3Fpage%3D2", nil)
	r := b.Req("POST", "/login", url.Values{"_csrf": {b.CSRF(page)}, "username": {"admin"}, "password": {collegetest.AdminPassword}, "next": {"/admin/users?page=2"}})
	if loc := r.Header.Get("Location"); loc != "/admin/users?page=2" && loc != "/profile/password" {
		t.Fatalf("a same-site next went to %q", loc)
	}
}

// A client's X-Request-Id is kept only when short and made of safe
// characters; anything else is replaced by our own id.
func TestClientRequestIDsAreBounded(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	cases := []struct {
		sent string
		kept bool
	}{
		{"abc-123", true},
		{"3f2a9c1e-5b7d-4e8a-9c0f-1a2b3c4d5e6f", true},
		{"lb01.req_42:7", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"<script>alert(1)</script>", false},
		{"id with spaces", false},
		{`x" admin="true`, false},
		{"日志注入", false},
		{"a%0Ab", false},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("X-Request-Id", c.sent)
		got := a.Send(req).Header.Get("X-Request-Id")
		if c.kept && got != c.sent {
			t.Errorf("%q: request id %q, want it kept", c.sent, got)
		}
		if !c.kept && (got == c.sent || got == "" || len(got) > 64) {
			t.Errorf("%q: request id %q, want a fresh one", c.sent, got)
		}
	}
}

// A broken multipart body to the API gets the JSON error shape, whatever
// part of the stack notices it.
func TestMalformedMultipartAnswersJSON(t *testing.T) {
	t.Parallel()
	a, tok := collegetest.NewAdminApp(t)
	base := a.Start() // fasthttp parses some bodies before any handler: a real listener shows what clients get
	cases := []struct{ name, ctype, body string }{
		{"no boundary", "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nabc\r\n--x--\r\n"},
		{"empty boundary", "multipart/form-data; boundary=", "--\r\n"},
		{"broken body", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\nabc"},
		{"wrong boundary", "multipart/form-data; boundary=xyz", "--abc\r\n\r\n--abc--"},
		{"garbage type", "multipart/form-data; boundary=\"unterminated", "x"},
		{"not multipart", "text/plain", "hello"},
	}
	for _, path := range []string{"/api/v1/users/import", "/api/v1/users/import?dry_run=true"} {
		for _, c := range cases {
			for _, browserLike := range []bool{false, true} {
				req, _ := http.NewRequest("POST", base+path, strings.NewReader(c.body))
				req.Header.Set("Content-Type", c.ctype)
				req.Header.Set("Authorization", "Bearer "+tok)
				if browserLike {
					req.Header.Set("Accept", "text/html")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				r := collegetest.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
				if r.Status < 400 || r.Status >= 500 {
					t.Errorf("%s %s: status %d: %s", path, c.name, r.Status, r.Body)
					continue
				}
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("%s %s: %d %s: %.200s", path, c.name, r.Status, ct, r.Body)
					continue
				}
				if r.ErrorCode(t) == "" {
					t.Errorf("%s %s: no error code: %s", path, c.name, r.Body)
				}
			}
		}
	}
}

// An upload too big to buffer is parsed by Go's multipart reader, which
// spills the file to a temporary file; nothing of it is left on disk once
// the answer is sent. (Not parallel: it points TMPDIR at its own folder.)
func TestUploadTempFilesAreRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	a, tok := collegetest.NewAdminApp(t)
	base := a.Start()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", "users.xlsx")
	_, _ = fw.Write(bytes.Repeat([]byte("PK not really a workbook "), (5<<20)/25))
	_ = w.Close()
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("POST", base+"/api/v1/users/import?dry_run=true", bytes.NewReader(body.Bytes()))
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Fatalf("a junk workbook: %d", resp.StatusCode)
		}
		left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
		if len(left) > 0 {
			t.Fatalf("upload %d left %v", i, left)
		}
	}
}
