package college_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"college/app/college"
	"college/app/collegetest"
	"college/static"
)

// checkPageHeaders fails unless r carries the headers every response of the
// college carries.
func checkPageHeaders(t *testing.T, what string, r collegetest.Response) {
	t.Helper()
	h := r.Header
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, h.Get("X-Content-Type-Options"))
	}
	if h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", what, h.Get("X-Frame-Options"))
	}
	if h.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("%s: Referrer-Policy %q", what, h.Get("Referrer-Policy"))
	}
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, want := range map[string]string{"default-src": "'self'", "script-src": "'self'", "object-src": "'none'",
		"base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'"} {
		if directives[name] != want {
			t.Errorf("%s: CSP %s = %q, want %q (%s)", what, name, directives[name], want, csp)
		}
	}
}

// Every page and API answer carries the security headers; whatever is not a
// static asset is not stored by browsers or proxies.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a, tok := collegetest.NewAdminApp(t)
	b := a.Browser()
	login := b.Req("GET", "/login", nil)
	collegetest.MustStatus(t, login, 200)
	checkPageHeaders(t, "login page", login)
	b.LoginAs("admin", collegetest.AdminPassword)
	cases := []struct {
		what string
		r    collegetest.Response
	}{
		{"login page", login},
		{"profile page", b.Req("GET", "/profile", nil)},
		{"missing page", b.Req("GET", "/no-such-page", nil)},
		{"API", a.Do("GET", "/api/v1/me", tok, nil)},
		{"API refusal", a.Do("GET", "/api/v1/me", "", nil)},
		{"API bad JSON", a.Do("POST", "/api/v1/orgs", tok, "{")},
		{"health", a.Do("GET", "/healthz", "", nil)},
	}
	for _, c := range cases {
		checkPageHeaders(t, c.what, c.r)
		if cc := c.r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", c.what, c.r.Status, cc)
		}
		if c.r.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS without https", c.what)
		}
	}
	// Static assets stay cacheable.
	css := a.Do("GET", "/static/css/app.css", "", nil)
	collegetest.MustStatus(t, css, 200)
	if cc := css.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age") || strings.Contains(cc, "no-store") {
		t.Errorf("static asset Cache-Control %q", cc)
	}
	if css.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("static asset without nosniff")
	}
	for _, c := range (&http.Response{Header: login.Header}).Cookies() {
		if c.Secure {
			t.Errorf("cookie %s is Secure without https", c.Name)
		}
	}
}

// With https on, HSTS is sent and every cookie is Secure.
func TestHTTPSModeHeadersAndCookies(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) { c.HTTPS = true })
	b := a.Browser()
	page := b.Req("GET", "/login", nil)
	collegetest.MustStatus(t, page, 200)
	if h := page.Header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("HSTS %q", h)
	}
	r := b.Req("POST", "/login", url.Values{"_csrf": {b.CSRF(page)}, "username": {"admin"}, "password": {collegetest.AdminPassword}})
	collegetest.MustStatus(t, r, 303)
	cookies := append((&http.Response{Header: page.Header}).Cookies(), (&http.Response{Header: r.Header}).Cookies()...)
	if len(cookies) < 2 {
		t.Fatalf("cookies: %v", cookies)
	}
	for _, c := range cookies {
		if c.Value == "" || c.MaxAge < 0 {
			continue // a deletion carries nothing
		}
		if !c.Secure {
			t.Errorf("cookie %s is not Secure", c.Name)
		}
	}
}

var (
	inlineScript   = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	inlineHandler  = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
	javascriptHref = regexp.MustCompile(`(?i)(href|src|action)\s*=\s*"\s*javascript:`)
)

// The CSP allows scripts from our own files only, so no template may carry
// inline script, event handler attributes or javascript: links.
func TestTemplatesNeedNoInlineScript(t *testing.T) {
	t.Parallel()
	n := 0
	err := fs.WalkDir(static.FS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		n++
		for _, tag := range inlineScript.FindAllString(string(b), -1) {
			if !strings.Contains(tag, " src=") {
				t.Errorf("%s: inline script %s", p, tag)
			}
		}
		if m := inlineHandler.FindString(string(b)); m != "" {
			t.Errorf("%s: event handler attribute in %s", p, m)
		}
		if m := javascriptHref.FindString(string(b)); m != "" {
			t.Errorf("%s: %s", p, m)
		}
		return nil
	})
	if err != nil || n < 20 {
		t.Fatalf("walked %d templates: %v", n, err)
	}
}
