package collegetest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Browser keeps cookies between page requests, like a real one.
type Browser struct {
	App     *App
	Cookies map[string]string
}

// Browser starts a browser with no cookies.
func (a *App) Browser() *Browser { return &Browser{App: a, Cookies: map[string]string{}} }

// Req sends a page request, a form when form is not nil.
func (b *Browser) Req(method, path string, form url.Values) Response {
	b.App.T.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	return b.Send(req)
}

// Send sends req with the browser's cookies and keeps the ones it sets.
func (b *Browser) Send(req *http.Request) Response {
	b.App.T.Helper()
	var parts []string
	for k, v := range b.Cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	r := b.App.Send(req)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.Cookies, c.Name)
		} else {
			b.Cookies[c.Name] = c.Value
		}
	}
	return r
}

var hiddenCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// CSRF is the form token of a page.
func (b *Browser) CSRF(page Response) string {
	b.App.T.Helper()
	m := hiddenCSRF.FindSubmatch(page.Body)
	if m == nil {
		b.App.T.Fatalf("no _csrf field in page:\n%s", page.Body)
	}
	return string(m[1])
}

// LoginAs logs in through the login page.
func (b *Browser) LoginAs(username, password string) Response {
	b.App.T.Helper()
	page := b.Req("GET", "/login", nil)
	MustStatus(b.App.T, page, 200)
	return b.Req("POST", "/login", url.Values{"_csrf": {b.CSRF(page)}, "username": {username}, "password": {password}, "next": {"/admin/users"}})
}

// PageOK opens a page that must answer 200.
func PageOK(b *Browser, path string) string {
	b.App.T.Helper()
	r := b.Req("GET", path, nil)
	if r.Status != 200 {
		b.App.T.Fatalf("GET %s: %d\n%s", path, r.Status, r.Body)
	}
	return string(r.Body)
}

// PagePostFrom posts a page form with the CSRF token of the page at from.
func PagePostFrom(b *Browser, from, path string, form url.Values) Response {
	b.App.T.Helper()
	page := b.Req("GET", from, nil)
	MustStatus(b.App.T, page, 200)
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.CSRF(page))
	return b.Req("POST", path, form)
}

// PageUpload posts a page's multipart form with one file, with the CSRF
// token of the page at from and the browser's cookies.
func PageUpload(b *Browser, from, path, filename string, content []byte, fields map[string]string) Response {
	b.App.T.Helper()
	page := b.Req("GET", from, nil)
	MustStatus(b.App.T, page, 200)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", b.CSRF(page))
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		b.App.T.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.Send(req)
}

// PagesShow opens each page and reports, without stopping the test, any
// that does not answer 200 or lacks its text.
func PagesShow(b *Browser, pages map[string]string) {
	b.App.T.Helper()
	for path, want := range pages {
		if res := b.Req("GET", path, nil); res.Status != 200 || !strings.Contains(string(res.Body), want) {
			b.App.T.Errorf("%s: %d, lacks %q", path, res.Status, want)
		}
	}
}

// MustRedirect fails unless r is a 303 to want (a prefix).
func MustRedirect(t *testing.T, r Response, want string) string {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Status != 303 || !strings.HasPrefix(loc, want) {
		t.Fatalf("want 303 to %s, got %d %q:\n%s", want, r.Status, loc, r.Body)
	}
	return loc
}

// MustBody fails unless r has the wanted status and its body contains
// every one of wants.
func MustBody(t *testing.T, r Response, status int, wants ...string) {
	t.Helper()
	MustStatus(t, r, status)
	for _, w := range wants {
		if !strings.Contains(string(r.Body), w) {
			t.Fatalf("status %d body lacks %q:\n%s", status, w, r.Body)
		}
	}
}

func MustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Fatalf("page lacks %q:\n%s", w, body)
		}
	}
}

// LoginPages returns a browser logged in as user.
func LoginPages(a *App, user, password string) *Browser {
	a.T.Helper()
	b := a.Browser()
	MustStatus(a.T, b.LoginAs(user, password), 303)
	return b
}

// PageGet loads a page and fails unless it has the wanted status.
func PageGet(b *Browser, path string, want int) string {
	b.App.T.Helper()
	r := b.Req("GET", path, nil)
	if r.Status != want {
		b.App.T.Fatalf("GET %s: %d, want %d:\n%s", path, r.Status, want, r.Body)
	}
	return string(r.Body)
}

// PagePost submits a form with the CSRF token of page.
func PagePost(b *Browser, page, path string, form url.Values) Response {
	b.App.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.CSRF(Response{Body: []byte(page)}))
	return b.Req("POST", path, form)
}

func CountAudits(a *App, action string) int64 {
	var n int64
	a.DB.Table("audit_logs").Where("action = ?", action).Count(&n)
	return n
}

// XLSXRows reads the rows of the first sheet of a workbook, or fails.
func XLSXRows(t *testing.T, body []byte) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer func() { _ = x.Close() }()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
