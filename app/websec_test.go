package main

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The login page sends the browser back only to paths on this site, however
// next is spelled or encoded.
func TestLoginNextStaysOnSite(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	evil := []string{"/%09/evil.example", "/\t/evil.example", "/%2509/evil.example", "/\\evil.example", "//evil.example", "https://evil.example/"}
	for _, next := range evil {
		b := a.browser()
		page := b.req("GET", "/login?next="+url.QueryEscape(next), nil)
		mustStatus(t, page, 200)
		if strings.Contains(string(page.Body), "evil.example") {
			t.Errorf("login page for next=%q keeps the target in the form", next)
		}
		r := b.req("POST", "/login", url.Values{"_csrf": {b.csrf(page)}, "username": {"admin"}, "password": {testAdminPassword}, "next": {next}})
		mustStatus(t, r, 303)
		if loc := r.Header.Get("Location"); loc != "/" && loc != "/profile/password" {
			t.Errorf("login with next=%q went to %q", next, loc)
		}
		// Already logged in, the login page redirects at once.
		r = b.req("GET", "/login?next="+url.QueryEscape(next), nil)
		if loc := r.Header.Get("Location"); r.Status == 303 && loc != "/" {
			t.Errorf("logged-in login page with next=%q went to %q", next, loc)
		}
	}
	b := a.browser()
	page := b.req("GET", "/login?next=%2Fadmin%2Fusers%3Fpage%3D2", nil)
	r := b.req("POST", "/login", url.Values{"_csrf": {b.csrf(page)}, "username": {"admin"}, "password": {testAdminPassword}, "next": {"/admin/users?page=2"}})
	if loc := r.Header.Get("Location"); loc != "/admin/users?page=2" && loc != "/profile/password" {
		t.Fatalf("a same-site next went to %q", loc)
	}
}

// A client's X-Request-Id is kept only when short and made of safe
// characters; anything else is replaced by our own id.
func TestClientRequestIDsAreBounded(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
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
		got := a.send(req).Header.Get("X-Request-Id")
		if c.kept && got != c.sent {
			t.Errorf("%q: request id %q, want it kept", c.sent, got)
		}
		if !c.kept && (got == c.sent || got == "" || len(got) > 64) {
			t.Errorf("%q: request id %q, want a fresh one", c.sent, got)
		}
	}
}
