package main

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"college/modules/identity"
)

// browser keeps cookies between page requests, like a real one.
type browser struct {
	a       *testApp
	cookies map[string]string
}

func (a *testApp) browser() *browser { return &browser{a: a, cookies: map[string]string{}} }

func (b *browser) req(method, path string, form url.Values) response {
	b.a.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	var parts []string
	for k, v := range b.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	r := b.a.send(req)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return r
}

var hiddenCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) csrf(page response) string {
	b.a.t.Helper()
	m := hiddenCSRF.FindSubmatch(page.Body)
	if m == nil {
		b.a.t.Fatalf("no _csrf field in page:\n%s", page.Body)
	}
	return string(m[1])
}

func (b *browser) loginAs(username, password string) response {
	b.a.t.Helper()
	page := b.req("GET", "/login", nil)
	mustStatus(b.a.t, page, 200)
	return b.req("POST", "/login", url.Values{"_csrf": {b.csrf(page)}, "username": {username}, "password": {password}, "next": {"/admin/users"}})
}

func TestPageLoginFlow(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b := a.browser()

	// Anonymous visitors are sent to the login page, keeping where they wanted to go.
	r := b.req("GET", "/admin/users", nil)
	mustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("redirect to %q", loc)
	}
	// A login form posted without its token (another site's form) is refused.
	r = b.req("POST", "/login", url.Values{"username": {"admin"}, "password": {testAdminPassword}})
	mustStatus(t, r, 403)
	// Wrong password: the form again, with the message and the username kept.
	page := b.req("GET", "/login", nil)
	r = b.req("POST", "/login", url.Values{"_csrf": {b.csrf(page)}, "username": {"admin"}, "password": {"nope"}})
	mustStatus(t, r, 401)
	if !strings.Contains(string(r.Body), "用户名或密码错误") || !strings.Contains(string(r.Body), `value="admin"`) {
		t.Fatalf("login error page:\n%s", r.Body)
	}
	r = b.loginAs("admin", testAdminPassword)
	mustStatus(t, r, 303)
	if r.Header.Get("Location") != "/admin/users" {
		t.Fatalf("after login went to %q", r.Header.Get("Location"))
	}
	if b.cookies[identity.CookieName] == "" {
		t.Fatal("no session cookie")
	}
	set := r.Header.Get("Set-Cookie")
	if !strings.Contains(strings.ToLower(set), "httponly") || !strings.Contains(strings.ToLower(set), "samesite=lax") {
		t.Fatalf("session cookie flags: %s", r.Header.Values("Set-Cookie"))
	}
	home := b.req("GET", "/", nil)
	mustStatus(t, home, 200)
	for _, want := range []string{"干部网络学院", "用户管理", "组织机构", "系统设置"} {
		if !strings.Contains(string(home.Body), want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	// An open redirect is not possible through next.
	b2 := a.browser()
	page = b2.req("GET", "/login", nil)
	r = b2.req("POST", "/login", url.Values{"_csrf": {b2.csrf(page)}, "username": {"admin"}, "password": {testAdminPassword}, "next": {"//evil.example/x"}})
	if r.Header.Get("Location") != "/" {
		t.Fatalf("next=//evil redirected to %q", r.Header.Get("Location"))
	}
	// Logout ends the session.
	users := b.req("GET", "/admin/users", nil)
	mustStatus(t, users, 200)
	mustStatus(t, b.req("POST", "/logout", url.Values{"_csrf": {b.csrf(users)}}), 303)
	mustStatus(t, b.req("GET", "/admin/users", nil), 303)
}

func TestPageFormsNeedCSRFAndShowErrors(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b := a.browser()
	mustStatus(t, b.loginAs("admin", testAdminPassword), 303)
	orgs := b.req("GET", "/admin/orgs", nil)
	mustStatus(t, orgs, 200)
	token := b.csrf(orgs)
	r := b.req("POST", "/admin/orgs", url.Values{"name": {"无令牌单位"}, "code": {"NOTOK"}, "kind": {"unit"}})
	mustStatus(t, r, 403)
	if !strings.Contains(string(r.Body), "页面已过期") {
		t.Fatalf("csrf refusal page:\n%s", r.Body)
	}
	// A bad form comes back with the message next to the field.
	r = b.req("POST", "/admin/orgs", url.Values{"_csrf": {token}, "name": {""}, "code": {"X1"}, "kind": {"unit"}})
	mustStatus(t, r, 400)
	if !strings.Contains(string(r.Body), "必填") {
		t.Fatalf("field error not shown:\n%s", r.Body)
	}
	r = b.req("POST", "/admin/orgs", url.Values{"_csrf": {token}, "name": {"表单单位"}, "code": {"FORM1"}, "kind": {"unit"}})
	mustStatus(t, r, 303)
	list := b.req("GET", "/admin/orgs", nil)
	if !strings.Contains(string(list.Body), "表单单位") || !strings.Contains(string(list.Body), "已新建组织") {
		t.Fatal("new org or flash missing from the org page")
	}
	var n int64
	a.DB.Table("audit_logs").Where("action = ? AND actor_name = ?", "org.create", "admin").Count(&n)
	if n != 1 {
		t.Fatalf("org.create audit entries = %d", n)
	}
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	adm := a.admin()
	unit := a.createOrg(adm, "单位", "E1", "unit", 0)
	a.createUser(adm, "learner1", unit)
	b := a.browser()
	mustStatus(t, b.loginAs("learner1", userPassword), 303)
	r := b.req("GET", "/admin/users", nil)
	mustStatus(t, r, 403)
	if !strings.Contains(string(r.Body), "没有权限") || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("403 page:\n%s", r.Body)
	}
	r = b.req("GET", "/no/such/page", nil)
	mustStatus(t, r, 404)
	if !strings.Contains(string(r.Body), "页面不存在") {
		t.Fatalf("404 page:\n%s", r.Body)
	}
	// The learner's home shows only what they can use.
	home := string(b.req("GET", "/", nil).Body)
	if strings.Contains(home, "用户管理") || !strings.Contains(home, "个人信息") {
		t.Fatalf("learner home page sections wrong:\n%s", home)
	}
	// Profile shows masked data only.
	mustStatus(t, b.req("GET", "/profile", nil), 200)
}

func TestAuditorPageAndSettingsPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	a.createUser(c.tokens["admin"], "ua_cadre2", c.unitA)
	b := a.browser()
	mustStatus(t, b.loginAs("aud", userPassword), 303)
	r := b.req("GET", "/admin/audit?action=user", nil)
	mustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "ua_cadre2") {
		t.Fatalf("audit page lacks the user creations:\n%s", r.Body)
	}
	mustStatus(t, b.req("GET", "/admin/settings", nil), 403)

	s := a.browser()
	mustStatus(t, s.loginAs("admin", testAdminPassword), 303)
	page := s.req("GET", "/admin/settings", nil)
	mustStatus(t, page, 200)
	if !strings.Contains(string(page.Body), "会话空闲超时") {
		t.Fatal("settings page lacks the session setting")
	}
	r = s.req("POST", "/admin/settings", url.Values{"_csrf": {s.csrf(page)}, "auth.idle_minutes": {"45"}, "auth.single_session": {"true"}})
	mustStatus(t, r, 303)
	got := a.do("GET", "/api/v1/settings", c.tokens["admin"], nil)
	if !strings.Contains(string(got.Body), `"key":"auth.idle_minutes","group":"登录与安全","label":"会话空闲超时（分钟）","kind":"int","value":"45"`) {
		t.Fatalf("setting not saved: %s", got.Body)
	}
	r = s.req("POST", "/admin/settings", url.Values{"_csrf": {s.csrf(page)}, "auth.idle_minutes": {"0"}})
	mustStatus(t, r, 400)
}

func TestImportPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	adm := a.admin()
	a.createOrg(adm, "单位", "UA", "unit", 0)
	b := a.browser()
	mustStatus(t, b.loginAs("admin", testAdminPassword), 303)
	page := b.req("GET", "/admin/users/import", nil)
	mustStatus(t, page, 200)
	if !strings.Contains(string(page.Body), "/api/v1/users/import-template") {
		t.Fatal("import page lacks the template link")
	}
	post := func(rows [][]string) response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("_csrf", b.csrf(page))
		fw, _ := w.CreateFormFile("file", "users.xlsx")
		_, _ = fw.Write(importFile(t, importHeader, rows))
		_ = w.Close()
		req := httptest.NewRequest("POST", "/admin/users/import", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Cookie", identity.CookieName+"="+b.cookies[identity.CookieName])
		return a.send(req)
	}
	r := post([][]string{{"p1", "页面一", "UA", "", "", "", "", "", ""}, {"p2", "页面二", "NOPE", "", "", "", "", "", ""}})
	mustStatus(t, r, 422)
	if !strings.Contains(string(r.Body), "第 3 行") && !strings.Contains(string(r.Body), ">3<") {
		t.Fatalf("row error not shown:\n%s", r.Body)
	}
	r = post([][]string{{"p1", "页面一", "UA", "", "", "", "", "", ""}})
	mustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "1") || !strings.Contains(string(r.Body), "初始密码") {
		t.Fatalf("result page:\n%s", r.Body)
	}
}

func TestUsersPagePagination(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	if err := Seed(context.Background(), a.App, io.Discard); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	mustStatus(t, b.loginAs("admin", testAdminPassword), 303)
	r := b.req("GET", "/admin/users?q=cadre&page=2", nil)
	mustStatus(t, r, 200)
	body := string(r.Body)
	if !strings.Contains(body, "第 2 / 3 页") || !strings.Contains(body, "page=3&amp;q=cadre") || !strings.Contains(body, "page=1&amp;q=cadre") {
		t.Fatalf("pager missing or lost the search:\n%s", grep(body, "page="))
	}
	if !strings.Contains(body, "cadre30") || strings.Contains(body, "cadre50") {
		t.Fatal("page 2 shows the wrong users")
	}
}
