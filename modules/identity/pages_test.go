package identity_test

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"college/app/collegetest"
	"college/modules/identity"
)

func TestPageLoginFlow(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	b := a.Browser()

	// Anonymous visitors are sent to the login page, keeping where they wanted to go.
	r := b.Req("GET", "/admin/users", nil)
	collegetest.MustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("redirect to %q", loc)
	}
	// A login form posted without its token (another site's form) is refused.
	r = b.Req("POST", "/login", url.Values{"username": {"admin"}, "password": {collegetest.AdminPassword}})
	collegetest.MustStatus(t, r, 403)
	// Wrong password: the form again, with the message and the username kept.
	page := b.Req("GET", "/login", nil)
	r = b.Req("POST", "/login", url.Values{"_csrf": {b.CSRF(page)}, "username": {"admin"}, "password": {"nope"}})
	collegetest.MustBody(t, r, 401, "用户名或密码错误", `value="admin"`)
	r = b.LoginAs("admin", collegetest.AdminPassword)
	collegetest.MustStatus(t, r, 303)
	if r.Header.Get("Location") != "/admin/users" {
		t.Fatalf("after login went to %q", r.Header.Get("Location"))
	}
	if b.Cookies[identity.CookieName] == "" {
		t.Fatal("no session cookie")
	}
	set := r.Header.Get("Set-Cookie")
	if !strings.Contains(strings.ToLower(set), "httponly") || !strings.Contains(strings.ToLower(set), "samesite=lax") {
		t.Fatalf("session cookie flags: %s", r.Header.Values("Set-Cookie"))
	}
	home := b.Req("GET", "/", nil)
	collegetest.MustStatus(t, home, 200)
	for _, want := range []string{"干部网络学院", "用户管理", "组织机构", "系统设置"} {
		if !strings.Contains(string(home.Body), want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	// An open redirect is not possible through next.
	b2 := a.Browser()
	page = b2.Req("GET", "/login", nil)
	r = b2.Req("POST", "/login", url.Values{"_csrf": {b2.CSRF(page)}, "username": {"admin"}, "password": {collegetest.AdminPassword}, "next": {"//evil.example/x"}})
	if r.Header.Get("Location") != "/" {
		t.Fatalf("next=//evil redirected to %q", r.Header.Get("Location"))
	}
	// Logout ends the session.
	users := b.Req("GET", "/admin/users", nil)
	collegetest.MustStatus(t, users, 200)
	collegetest.MustStatus(t, b.Req("POST", "/logout", url.Values{"_csrf": {b.CSRF(users)}}), 303)
	collegetest.MustStatus(t, b.Req("GET", "/admin/users", nil), 303)
}

func TestPageFormsNeedCSRFAndShowErrors(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	b := a.Browser()
	collegetest.MustStatus(t, b.LoginAs("admin", collegetest.AdminPassword), 303)
	orgs := b.Req("GET", "/admin/orgs", nil)
	collegetest.MustStatus(t, orgs, 200)
	token := b.CSRF(orgs)
	r := b.Req("POST", "/admin/orgs", url.Values{"name": {"无令牌单位"}, "code": {"NOTOK"}, "kind": {"unit"}})
	collegetest.MustBody(t, r, 403, "页面已过期")
	// A bad form comes back with the message next to the field.
	r = b.Req("POST", "/admin/orgs", url.Values{"_csrf": {token}, "name": {""}, "code": {"X1"}, "kind": {"unit"}})
	collegetest.MustBody(t, r, 400, "必填")
	r = b.Req("POST", "/admin/orgs", url.Values{"_csrf": {token}, "name": {"表单单位"}, "code": {"FORM1"}, "kind": {"unit"}})
	collegetest.MustStatus(t, r, 303)
	list := b.Req("GET", "/admin/orgs", nil)
	if !strings.Contains(string(list.Body), "表单单位") || !strings.Contains(string(list.Body), "已新建组织") {
		t.Fatal("new org or flash missing from the org page")
	}
	if n := a.Count("audit_logs", "action = ? AND actor_name = ?", "org.create", "admin"); n != 1 {
		t.Fatalf("org.create audit entries = %d", n)
	}
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	a, adm := collegetest.NewAdminApp(t)
	unitLearner(a, adm, "E1", "learner1")
	b := collegetest.LoginPages(a, "learner1", collegetest.UserPassword)
	r := b.Req("GET", "/admin/users", nil)
	collegetest.MustStatus(t, r, 403)
	if !strings.Contains(string(r.Body), "没有权限") || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("403 page:\n%s", r.Body)
	}
	r = b.Req("GET", "/no/such/page", nil)
	collegetest.MustBody(t, r, 404, "页面不存在")
	// The learner's home shows only what they can use.
	home := string(b.Req("GET", "/", nil).Body)
	if strings.Contains(home, "用户管理") || !strings.Contains(home, "个人信息") {
		t.Fatalf("learner home page sections wrong:\n%s", home)
	}
	// Profile shows masked data only.
	collegetest.MustStatus(t, b.Req("GET", "/profile", nil), 200)
}

func TestAuditorPageAndSettingsPage(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	a.CreateUser(c.Tokens["admin"], "ua_cadre2", c.UnitA)
	b := a.Browser()
	collegetest.MustStatus(t, b.LoginAs("aud", collegetest.UserPassword), 303)
	r := b.Req("GET", "/admin/audit?action=user", nil)
	collegetest.MustBody(t, r, 200, "ua_cadre2")
	collegetest.MustStatus(t, b.Req("GET", "/admin/settings", nil), 403)

	s := a.Browser()
	collegetest.MustStatus(t, s.LoginAs("admin", collegetest.AdminPassword), 303)
	page := s.Req("GET", "/admin/settings", nil)
	collegetest.MustBody(t, page, 200, "会话空闲超时")
	r = s.Req("POST", "/admin/settings", url.Values{"_csrf": {s.CSRF(page)}, "auth.idle_minutes": {"45"}, "auth.single_session": {"true"}})
	collegetest.MustStatus(t, r, 303)
	got := a.Do("GET", "/api/v1/settings", c.Tokens["admin"], nil)
	if !strings.Contains(string(got.Body), `"key":"auth.idle_minutes","group":"登录与安全","label":"会话空闲超时（分钟）","kind":"int","value":"45"`) {
		t.Fatalf("setting not saved: %s", got.Body)
	}
	r = s.Req("POST", "/admin/settings", url.Values{"_csrf": {s.CSRF(page)}, "auth.idle_minutes": {"0"}})
	collegetest.MustStatus(t, r, 400)
}

func TestImportPage(t *testing.T) {
	t.Parallel()
	a, adm := collegetest.NewAdminApp(t)
	a.CreateOrg(adm, "单位", "UA", "unit", 0)
	b := a.Browser()
	collegetest.MustStatus(t, b.LoginAs("admin", collegetest.AdminPassword), 303)
	page := b.Req("GET", "/admin/users/import", nil)
	collegetest.MustBody(t, page, 200, "/api/v1/users/import-template")
	post := func(rows [][]string) collegetest.Response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("_csrf", b.CSRF(page))
		fw, _ := w.CreateFormFile("file", "users.xlsx")
		_, _ = fw.Write(collegetest.ImportFile(t, collegetest.ImportHeader, rows))
		_ = w.Close()
		req := httptest.NewRequest("POST", "/admin/users/import", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Cookie", identity.CookieName+"="+b.Cookies[identity.CookieName])
		return a.Send(req)
	}
	r := post([][]string{{"p1", "页面一", "UA", "", "", "", "", "", ""}, {"p2", "页面二", "NOPE", "", "", "", "", "", ""}})
	collegetest.MustStatus(t, r, 422)
	if !strings.Contains(string(r.Body), "第 3 行") && !strings.Contains(string(r.Body), ">3<") {
		t.Fatalf("row error not shown:\n%s", r.Body)
	}
	r = post([][]string{{"p1", "页面一", "UA", "", "", "", "", "", ""}})
	collegetest.MustBody(t, r, 200, "1", "初始密码")
}

func TestUsersPagePagination(t *testing.T) {
	t.Parallel()
	b := collegetest.LoginPages(collegetest.NewSeeded(t), "admin", collegetest.AdminPassword)
	body := collegetest.PageGet(b, "/admin/users?q=cadre&page=2", 200)
	if !strings.Contains(body, "第 2 / 3 页") || !strings.Contains(body, "page=3&amp;q=cadre") || !strings.Contains(body, "page=1&amp;q=cadre") {
		t.Fatalf("pager missing or lost the search:\n%s", collegetest.Grep(body, "page="))
	}
	if !strings.Contains(body, "cadre30") || strings.Contains(body, "cadre50") {
		t.Fatal("page 2 shows the wrong users")
	}
}
