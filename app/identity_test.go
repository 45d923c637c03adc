package main

import (
	"bytes"
	"college/storage/db/dbtest"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"college/modules/identity"

	"github.com/xuri/excelize/v2"
)

const userPassword = "Cadre-Pass-2026"

// city is a small organization tree with one account per role.
type city struct {
	root, unitA, unitB, college uint64
	tokens                      map[string]string // username -> token
	ids                         map[string]uint64 // username -> user id
}

func (a *testApp) createOrg(token, name, code, kind string, parent uint64) uint64 {
	a.t.Helper()
	body := map[string]any{"name": name, "code": code, "kind": kind}
	if parent != 0 {
		body["parent_id"] = parent
	}
	r := a.do("POST", "/api/v1/orgs", token, body)
	mustStatus(a.t, r, 201)
	return r.id(a.t)
}

// initialPassword is what an administrator gives a new account; the owner
// changes it to userPassword at the first login.
const initialPassword = "Initial-Pass-2026"

// createUser makes an account the way the college does: an administrator
// who may create accounts (token's, or else the system administrator)
// creates a learner, the security administrator grants any other role, and
// the owner chooses their password (userPassword) at the first login.
func (a *testApp) createUser(token, username string, org uint64, roles ...string) uint64 {
	a.t.Helper()
	if me := a.do("GET", "/api/v1/me", token, nil).JSON(a.t); !strings.Contains(fmt.Sprint(me["roles"]), "sysadmin") && !strings.Contains(fmt.Sprint(me["roles"]), "unit_admin") {
		token = a.admin()
	}
	r := a.do("POST", "/api/v1/users", token, map[string]any{"username": username, "name": "测试" + username, "password": initialPassword, "org_id": org})
	mustStatus(a.t, r, 201)
	id := r.id(a.t)
	if len(roles) > 0 && !(len(roles) == 1 && roles[0] == "learner") {
		mustStatus(a.t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", id), a.secadmin(), map[string]any{"roles": roles}), 200)
	}
	tok := a.login(username, initialPassword)
	mustStatus(a.t, a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": initialPassword, "new_password": userPassword}), 200)
	return id
}

// provision makes accounts with roles directly through the service (as the
// seed does): the fixture of most tests, cheaper than the API round trips.
func (a *testApp) provision(users ...identity.UserRequest) {
	a.t.Helper()
	if _, err := a.Identity.Provision(context.Background(), users, userPassword); err != nil {
		a.t.Fatal(err)
	}
}

// userID returns the id of a username.
func (a *testApp) userID(username string) uint64 {
	a.t.Helper()
	var id uint64
	if err := a.DB.Table("users").Where("username = ?", username).Pluck("id", &id).Error; err != nil || id == 0 {
		a.t.Fatalf("user %s: %v", username, err)
	}
	return id
}

// newCity builds: root department ← district ← unit A, unit B; a branch
// college; a unit admin and a learner in each unit; an org department admin
// ("org"), a secadmin and an auditor at the root. "admin" is the built-in
// system administrator.
func newCity(a *testApp) *city {
	adm := a.admin()
	me := a.do("GET", "/api/v1/me", adm, nil).JSON(a.t)
	c := &city{root: uint64(me["org_id"].(float64)), tokens: map[string]string{"admin": adm}, ids: map[string]uint64{}}
	district := a.createOrg(adm, "东城区委组织部", "D01", "department", 0)
	c.unitA = a.createOrg(adm, "东城区发改委", "UA", "unit", district)
	c.unitB = a.createOrg(adm, "东城区教育局", "UB", "unit", district)
	c.college = a.createOrg(adm, "市委党校分院", "C01", "college", c.root)
	users := []struct {
		name  string
		org   uint64
		roles []string
	}{
		{"ua_admin", c.unitA, []string{"unit_admin"}},
		{"ub_admin", c.unitB, []string{"unit_admin"}},
		{"ua_cadre", c.unitA, []string{"learner"}},
		{"ub_cadre", c.unitB, []string{"learner"}},
		{"sec", c.root, []string{"secadmin"}},
		{"aud", c.root, []string{"auditor"}},
		{"col", c.college, []string{"college_admin"}},
		{"org", c.root, []string{"org_admin"}},
	}
	reqs := make([]identity.UserRequest, len(users))
	for i, u := range users {
		reqs[i] = identity.UserRequest{Username: u.name, Name: "测试" + u.name, OrgID: u.org, Roles: u.roles}
	}
	a.provision(reqs...)
	for _, u := range users {
		c.ids[u.name] = a.userID(u.name)
	}
	for _, u := range users {
		c.tokens[u.name] = a.login(u.name, userPassword)
	}
	return c
}

func TestLoginMeLogout(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tok := a.admin()
	r := a.do("GET", "/api/v1/me", tok, nil)
	mustStatus(t, r, 200)
	me := r.JSON(t)
	if me["username"] != "admin" || fmt.Sprint(me["roles"]) != "[sysadmin]" || me["org_id"] == nil {
		t.Fatalf("me = %v", me)
	}
	if _, leaked := me["password_hash"]; leaked {
		t.Fatal("password hash in /me")
	}
	mustStatus(t, a.do("POST", "/api/v1/auth/logout", tok, nil), 204)
	r = a.do("GET", "/api/v1/me", tok, nil)
	mustStatus(t, r, 401)
	if r.ErrorCode(t) != "unauthorized" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	mustStatus(t, a.do("GET", "/api/v1/me", "", nil), 401)
	mustStatus(t, a.do("GET", "/api/v1/me", "made-up-token", nil), 401)
}

func TestLoginBadInput(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	r := a.do("POST", "/api/v1/auth/login", "", `{"username": "admin", `)
	mustStatus(t, r, 400)
	if r.ErrorCode(t) != "malformed_json" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	r = a.do("POST", "/api/v1/auth/login", "", `{}`)
	mustStatus(t, r, 400)
	if f := r.Fields(t); f["username"] == nil || f["password"] == nil {
		t.Fatalf("fields = %v", f)
	}
	r = a.do("POST", "/api/v1/auth/login", "", `{"username": 12, "password": "x"}`)
	mustStatus(t, r, 400)
	if f := r.Fields(t); f["username"] == nil {
		t.Fatalf("wrong type should name the field: %s", r.Body)
	}
	r = a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "wrong"})
	mustStatus(t, r, 401)
	if r.ErrorCode(t) != "invalid_credentials" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	r = a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "wrong"})
	mustStatus(t, r, 401)
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	a := newTestAppWith(t, func(c *Config) { c.TrustedProxies = []string{"0.0.0.0"} })
	for i := 1; i <= 4; i++ {
		r := a.loginFrom("10.0.0.9", "admin", "wrong", "")
		mustStatus(t, r, 401)
	}
	r := a.loginFrom("10.0.0.9", "admin", "wrong", "")
	mustStatus(t, r, 429)
	if r.ErrorCode(t) != "locked" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("code = %s, Retry-After %q", r.ErrorCode(t), r.Header.Get("Retry-After"))
	}
	// Even the right password is refused from that address while locked.
	mustStatus(t, a.loginFrom("10.0.0.9", "admin", testAdminPassword, ""), 429)
	// The owner at another address is not kept out by a stranger's failures.
	mustStatus(t, a.loginFrom("10.0.0.10", "admin", testAdminPassword, ""), 200)
	// The failures and the lock are in the audit log.
	var fails, locks int64
	a.DB.Table("audit_logs").Where("action = ?", "login.fail").Count(&fails)
	a.DB.Table("audit_logs").Where("action = ?", "login.locked").Count(&locks)
	if fails != 5 || locks != 1 {
		t.Fatalf("audit: %d failures, %d locks; want 5 and 1", fails, locks)
	}
}

// loginFrom logs in through the API as if from ip (the app trusts the proxy
// header in these tests).
func (a *testApp) loginFrom(ip, username, password, otp string) response {
	a.t.Helper()
	body := map[string]string{"username": username, "password": password}
	if otp != "" {
		body["otp"] = otp
	}
	raw, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", "/api/v1/auth/login", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Real-IP", ip)
	return a.send(req)
}

func TestCSRFForCookieSessions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tok := a.admin()
	cookieReq := func(method, path, body, csrf string) response {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", identity.CookieName+"="+tok)
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		return a.send(req)
	}
	r := cookieReq("GET", "/api/v1/me", "", "")
	mustStatus(t, r, 200)
	csrf, _ := r.JSON(t)["csrf_token"].(string)
	if csrf == "" {
		t.Fatal("no csrf_token for a cookie session")
	}
	if _, has := a.do("GET", "/api/v1/me", tok, nil).JSON(t)["csrf_token"]; has {
		t.Fatal("bearer clients need no csrf_token")
	}
	body := `{"name":"新单位","code":"CSRF1","kind":"unit"}`
	r = cookieReq("POST", "/api/v1/orgs", body, "")
	mustStatus(t, r, 403)
	if r.ErrorCode(t) != "csrf" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	mustStatus(t, cookieReq("POST", "/api/v1/orgs", body, "wrong-token"), 403)
	mustStatus(t, cookieReq("POST", "/api/v1/orgs", body, csrf), 201)
	// A bearer client needs no CSRF token.
	mustStatus(t, a.do("POST", "/api/v1/orgs", tok, map[string]string{"name": "另一单位", "code": "CSRF2", "kind": "unit"}), 201)
}

func TestCreateUserValidationAndMasking(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tok := a.admin()
	unit := a.createOrg(tok, "测试单位", "T1", "unit", 0)

	r := a.do("POST", "/api/v1/users", tok, map[string]any{})
	mustStatus(t, r, 400)
	f := r.Fields(t)
	for _, k := range []string{"username", "name", "password", "org_id"} {
		if f[k] == nil {
			t.Errorf("missing field %s not reported: %v", k, f)
		}
	}
	r = a.do("POST", "/api/v1/users", tok, map[string]any{"username": "weak", "name": "弱密码", "password": "abcdefgh", "org_id": unit})
	mustStatus(t, r, 400)
	if r.Fields(t)["password"] == nil {
		t.Fatalf("weak password accepted: %s", r.Body)
	}
	r = a.do("POST", "/api/v1/users", tok, map[string]any{"username": "badid", "name": "错号", "password": userPassword, "org_id": unit, "id_number": "110101199003074515", "phone": "12345"})
	mustStatus(t, r, 400)
	if f := r.Fields(t); f["id_number"] == nil || f["phone"] == nil {
		t.Fatalf("bad id number / phone accepted: %s", r.Body)
	}
	r = a.do("POST", "/api/v1/users", tok, map[string]any{"username": "zhang", "name": "张三", "password": userPassword, "org_id": unit,
		"level": "乡科级", "post": "科长", "id_number": "110101199003074514", "phone": "13800138000", "term_ends_on": "2029-06-30"})
	mustStatus(t, r, 201)
	created := r.JSON(t)
	id := r.id(t)
	for _, body := range [][]byte{r.Body, a.do("GET", fmt.Sprintf("/api/v1/users/%d", id), tok, nil).Body, a.do("GET", "/api/v1/users?q=zhang", tok, nil).Body} {
		s := string(body)
		if strings.Contains(s, "110101199003074514") || strings.Contains(s, "13800138000") || strings.Contains(s, `"password`+`"`) || strings.Contains(s, "password_hash") || strings.Contains(s, "$argon2id$") {
			t.Fatalf("personal data or hash leaked: %s", s)
		}
		if !strings.Contains(s, "110***********4514") || !strings.Contains(s, "138****8000") {
			t.Fatalf("masked values missing: %s", s)
		}
	}
	if created["term_ends_on"] != "2029-06-30" || created["level"] != "乡科级" {
		t.Fatalf("created = %v", created)
	}
	// At rest: sealed, not plain.
	var sealed struct{ IDNumberSealed, PhoneSealed string }
	a.DB.Table("users").Select("id_number_sealed, phone_sealed").Where("id = ?", id).Scan(&sealed)
	if sealed.IDNumberSealed == "" || strings.Contains(sealed.IDNumberSealed, "1101011990") || strings.Contains(sealed.PhoneSealed, "13800138000") {
		t.Fatalf("personal data not sealed at rest: %+v", sealed)
	}
	// Search by the full ID number or phone finds the user through the keyed hash.
	for _, q := range []string{"110101199003074514", "13800138000"} {
		l := a.do("GET", "/api/v1/users?q="+q, tok, nil).JSON(t)
		if l["total"].(float64) != 1 {
			t.Fatalf("search %s: %v", q, l)
		}
	}
	// Same username or same ID number again: 400 naming the field.
	r = a.do("POST", "/api/v1/users", tok, map[string]any{"username": "zhang", "name": "张三", "password": userPassword, "org_id": unit})
	mustStatus(t, r, 400)
	if r.Fields(t)["username"] == nil {
		t.Fatalf("duplicate username: %s", r.Body)
	}
	r = a.do("POST", "/api/v1/users", tok, map[string]any{"username": "zhang2", "name": "张三", "password": userPassword, "org_id": unit, "id_number": "110101199003074514"})
	mustStatus(t, r, 400)
	if r.Fields(t)["id_number"] == nil {
		t.Fatalf("duplicate id number: %s", r.Body)
	}
}

func TestOversizeAndMalformedBodies(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tok := a.admin()
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `","code":"BIG","kind":"unit"}`
	r := a.do("POST", "/api/v1/orgs", tok, big)
	mustStatus(t, r, 413)
	if r.ErrorCode(t) != "too_large" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	mustStatus(t, a.do("POST", "/api/v1/orgs", tok, `not json`), 400)
	mustStatus(t, a.do("POST", "/api/v1/users", tok, `[1,2]`), 400)
	mustStatus(t, a.do("POST", "/api/v1/orgs", tok, `{"name":"a","code":"B"} trailing`), 400)
	r = a.do("POST", "/api/v1/orgs", tok, map[string]any{"name": "x", "code": "X", "kind": "planet"})
	mustStatus(t, r, 400)
	if r.Fields(t)["kind"] == nil {
		t.Fatalf("bad kind: %s", r.Body)
	}
	mustStatus(t, a.do("GET", "/api/v1/users/abc", tok, nil), 404)
	mustStatus(t, a.do("GET", "/api/v1/users?page=0", tok, nil), 400)
	mustStatus(t, a.do("GET", "/api/v1/users?page_size=100000", tok, nil), 400)
}

func TestScopeRolesAndOtherOrgs(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	ua := c.tokens["ua_admin"]

	// A unit admin sees only their unit's people.
	l := a.do("GET", "/api/v1/users?page_size=100", ua, nil).JSON(t)
	items := l["items"].([]any)
	if l["total"].(float64) != 2 || len(items) != 2 {
		t.Fatalf("unit A admin sees %v users: %s", l["total"], l)
	}
	for _, it := range items {
		if uint64(it.(map[string]any)["org_id"].(float64)) != c.unitA {
			t.Fatalf("user from another org visible: %v", it)
		}
	}
	// Records of another unit are 404, not 403.
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/users/%d", c.ids["ub_cadre"]), ua, nil), 404)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d", c.ids["ub_cadre"]), ua, map[string]any{"name": "改名"}), 404)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/disable", c.ids["ub_cadre"]), ua, nil), 404)
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/orgs/%d", c.unitB), ua, nil), 404)
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/users?org_id=%d", c.unitB), ua, nil), 404)
	r := a.do("POST", "/api/v1/users", ua, map[string]any{"username": "intruder", "name": "越权", "password": userPassword, "org_id": c.unitB})
	mustStatus(t, r, 404)
	// ...but they manage their own learners.
	id := a.createUser(ua, "ua_new", c.unitA)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d", id), ua, map[string]any{"name": "新名字", "org_id": c.unitA}), 200)
	// Unit admins may only create learners.
	mustStatus(t, a.do("POST", "/api/v1/users", ua, map[string]any{"username": "boss", "name": "提权", "password": userPassword, "org_id": c.unitA, "roles": []string{"sysadmin"}}), 403)
	// The org tree is scoped too.
	orgs := a.do("GET", "/api/v1/orgs", ua, nil)
	mustStatus(t, orgs, 200)
	if strings.Contains(string(orgs.Body), "东城区教育局") || !strings.Contains(string(orgs.Body), "东城区发改委") {
		t.Fatalf("unit admin org tree: %s", orgs.Body)
	}

	// Wrong roles: 403.
	cadre := c.tokens["ua_cadre"]
	mustStatus(t, a.do("GET", "/api/v1/users", cadre, nil), 403)
	mustStatus(t, a.do("POST", "/api/v1/orgs", cadre, map[string]any{"name": "x", "code": "x", "kind": "unit"}), 403)
	mustStatus(t, a.do("POST", "/api/v1/orgs", ua, map[string]any{"name": "x", "code": "x", "kind": "unit"}), 403)
	mustStatus(t, a.do("GET", "/api/v1/audit", c.tokens["org"], nil), 403)
	mustStatus(t, a.do("GET", "/api/v1/users", c.tokens["aud"], nil), 403)
	mustStatus(t, a.do("GET", "/api/v1/settings", c.tokens["aud"], nil), 403)
	mustStatus(t, a.do("GET", "/api/v1/orgs", c.tokens["aud"], nil), 403) // the auditor reads the log and nothing else
	mustStatus(t, a.do("GET", "/api/v1/orgs", cadre, nil), 403)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.ids["ua_cadre"]), c.tokens["admin"], map[string]any{"roles": []string{"unit_admin"}}), 403)
	// A learner may read their own record but no one else's.
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/users/%d", c.ids["ua_cadre"]), cadre, nil), 200)
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/users/%d", c.ids["ua_admin"]), cadre, nil), 403)
	// Creating an org under a parent outside the caller's subtree: 404.
	dist := a.createOrg(c.tokens["org"], "西城区", "D02", "department", 0)
	orgAdmin := a.createUser(c.tokens["admin"], "d2_org", dist, "org_admin")
	_ = orgAdmin
	d2 := a.login("d2_org", userPassword)
	mustStatus(t, a.do("POST", "/api/v1/orgs", d2, map[string]any{"name": "x", "code": "XX1", "kind": "unit", "parent_id": c.unitA}), 404)
	mustStatus(t, a.do("POST", "/api/v1/orgs", d2, map[string]any{"name": "x", "code": "XX2", "kind": "unit", "parent_id": dist}), 201)
	// Without parent_id an org admin below the root creates under the root? No: 404.
	mustStatus(t, a.do("POST", "/api/v1/orgs", d2, map[string]any{"name": "x", "code": "XX3", "kind": "unit"}), 404)
}

func TestRolesDisableAndSessions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	sec := c.tokens["sec"]
	cadre := c.tokens["ua_cadre"]
	cadreID := c.ids["ua_cadre"]
	a.createUser(c.tokens["admin"], "probe", c.unitA)

	// The security admin grants roles; the user's sessions end so the new
	// roles apply at the next login.
	r := a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", cadreID), sec, map[string]any{"roles": []string{"learner", "teacher"}})
	mustStatus(t, r, 200)
	if fmt.Sprint(r.JSON(t)["roles"]) != "[learner teacher]" {
		t.Fatalf("roles = %v", r.JSON(t)["roles"])
	}
	mustStatus(t, a.do("GET", "/api/v1/me", cadre, nil), 401)
	tok := a.login("ua_cadre", userPassword)
	if fmt.Sprint(a.do("GET", "/api/v1/me", tok, nil).JSON(t)["roles"]) != "[learner teacher]" {
		t.Fatal("new roles not in the new session")
	}
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", cadreID), sec, map[string]any{"roles": []string{"emperor"}}), 400)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.ids["sec"]), sec, map[string]any{"roles": []string{"sysadmin"}}), 409)

	// Disabling ends the sessions and stops logins.
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/disable", cadreID), c.tokens["admin"], nil), 200)
	mustStatus(t, a.do("GET", "/api/v1/me", tok, nil), 401)
	mustStatus(t, a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_cadre", "password": userPassword}), 401)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/enable", cadreID), c.tokens["admin"], nil), 200)
	a.login("ua_cadre", userPassword)

	// The auditor sees these actions, with who did them.
	l := a.do("GET", "/api/v1/audit?action=user&page_size=100", c.tokens["aud"], nil)
	mustStatus(t, l, 200)
	body := string(l.Body)
	for _, action := range []string{"user.create", "user.roles", "user.disable", "user.enable"} {
		if !strings.Contains(body, `"action":"`+action+`"`) {
			t.Errorf("audit log lacks %s", action)
		}
	}
	if !strings.Contains(body, `"actor_name":"sec"`) || strings.Contains(body, "login.success") {
		t.Errorf("audit filter or actor wrong: %s", body)
	}
}

func TestSingleSessionSetting(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	adm := a.admin()
	unit := a.createOrg(adm, "单位", "S1", "unit", 0)
	a.createUser(adm, "solo", unit)
	first := a.login("solo", userPassword)
	second := a.login("solo", userPassword)
	mustStatus(t, a.do("GET", "/api/v1/me", first, nil), 200) // off by default
	r := a.do("PUT", "/api/v1/settings", adm, map[string]any{"auth.single_session": true})
	mustStatus(t, r, 200)
	mustStatus(t, a.do("PUT", "/api/v1/settings", adm, map[string]any{"auth.lockout_attempts": "many"}), 400)
	mustStatus(t, a.do("PUT", "/api/v1/settings", adm, map[string]any{"no.such.key": 1}), 400)
	third := a.login("solo", userPassword)
	mustStatus(t, a.do("GET", "/api/v1/me", first, nil), 401)
	mustStatus(t, a.do("GET", "/api/v1/me", second, nil), 401)
	mustStatus(t, a.do("GET", "/api/v1/me", third, nil), 200)
}

func TestPasswordChangeAndReset(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	adm := a.admin()
	unit := a.createOrg(adm, "单位", "P1", "unit", 0)
	id := a.createUser(adm, "pw", unit)
	other := a.login("pw", userPassword)
	tok := a.login("pw", userPassword)
	r := a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "wrong", "new_password": "New-Pass-2026"})
	mustStatus(t, r, 400)
	if r.Fields(t)["old_password"] == nil {
		t.Fatal("wrong old password accepted")
	}
	r = a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": userPassword, "new_password": "short"})
	mustStatus(t, r, 400)
	r = a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": userPassword, "new_password": "New-Pass-2026"})
	mustStatus(t, r, 200)
	newTok := r.JSON(t)["token"].(string)
	mustStatus(t, a.do("GET", "/api/v1/me", newTok, nil), 200)
	mustStatus(t, a.do("GET", "/api/v1/me", other, nil), 401)
	mustStatus(t, a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "pw", "password": userPassword}), 401)
	a.login("pw", "New-Pass-2026")

	// An administrator's reset forces a change at the next login.
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/password", id), adm, map[string]string{"new_password": "Reset-Pass-2026"}), 204)
	mustStatus(t, a.do("GET", "/api/v1/me", newTok, nil), 401)
	tok = a.login("pw", "Reset-Pass-2026")
	if a.do("GET", "/api/v1/me", tok, nil).JSON(t)["must_change_password"] != true {
		t.Fatal("must_change_password not set after a reset")
	}
	own := fmt.Sprintf("/api/v1/users/%d", id)
	r = a.do("GET", own, tok, nil)
	mustStatus(t, r, 403)
	if r.ErrorCode(t) != "password_change_required" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	r = a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "Reset-Pass-2026", "new_password": "Mine-Pass-2026"})
	mustStatus(t, r, 200)
	mustStatus(t, a.do("GET", own, r.JSON(t)["token"].(string), nil), 200)
}

// importFile builds an .xlsx with the template's header and the rows.
func importFile(t *testing.T, header []string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	toRow := func(vals []string) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = v
		}
		return out
	}
	_ = sw.SetRow("A1", toRow(header))
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, toRow(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var importHeader = []string{"用户名*", "姓名*", "组织代码*", "职级", "职务", "身份证号", "手机号", "角色", "任职期满日期"}

func countUsers(a *testApp) int64 {
	var n int64
	a.DB.Table("users").Count(&n)
	return n
}

func TestImportUsers(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	adm := c.tokens["admin"]

	// The template downloads and has the headers.
	r := a.do("GET", "/api/v1/users/import-template", adm, nil)
	mustStatus(t, r, 200)
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("template is not an xlsx: %v", err)
	}
	hdr, _ := f.GetRows(f.GetSheetList()[0])
	if strings.Join(hdr[0], ",") != strings.Join(importHeader, ",") {
		t.Fatalf("template header = %v", hdr[0])
	}
	f.Close()

	before := countUsers(a)
	bad := importFile(t, importHeader, [][]string{
		{"imp1", "导入一", "UA", "乡科级", "科员", "110101199003074514", "13800138001", "", ""},
		{"imp2", "导入二", "NOPE", "", "", "", "", "", ""},                 // unknown org
		{"imp3", "导入三", "UA", "", "", "110101199003074515", "", "", ""}, // bad checksum
		{"imp1", "重复", "UA", "", "", "", "", "", ""},                    // duplicate username
		{"imp5", "导入五", "UA", "", "", "", "139", "", ""},                // bad phone
		{"imp6", "", "UA", "", "", "", "", "", ""},                      // missing name
		{"ua_admin", "已存在", "UA", "", "", "", "", "", ""},               // taken in the database
		{"imp8", "导入八", "UA", "", "", "", "", "皇帝", ""},                 // unknown role
		{"imp9", "导入九", "UA", "", "", "", "", "", "2029/01/01"},         // bad date
	})
	r = a.upload("/api/v1/users/import", adm, "users.xlsx", bad, nil)
	mustStatus(t, r, 422)
	if r.ErrorCode(t) != "import_invalid" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	rows := r.JSON(t)["error"].(map[string]any)["rows"].([]any)
	var got []string
	for _, row := range rows {
		m := row.(map[string]any)
		got = append(got, fmt.Sprintf("%v", m["row"]))
	}
	if strings.Join(got, ",") != "3,4,5,6,7,8,9,10" {
		t.Fatalf("bad rows = %v, want 3..10: %s", got, r.Body)
	}
	if countUsers(a) != before {
		t.Fatal("an invalid import created users")
	}

	// Broken files and wrong headers are refused the same way.
	r = a.upload("/api/v1/users/import", adm, "users.xlsx", []byte("PK\x03\x04 this is not a workbook"), nil)
	mustStatus(t, r, 422)
	r = a.upload("/api/v1/users/import", adm, "users.xlsx", importFile(t, []string{"姓名", "用户名"}, [][]string{{"a", "b"}}), nil)
	mustStatus(t, r, 422)
	r = a.upload("/api/v1/users/import", adm, "users.xlsx", importFile(t, importHeader, nil), nil)
	mustStatus(t, r, 422)
	mustStatus(t, a.do("POST", "/api/v1/users/import", adm, `{}`), 400)
	r = a.upload("/api/v1/users/import", adm, "big.xlsx", bytes.Repeat([]byte("x"), identity.MaxImportBytes+10), nil)
	mustStatus(t, r, 413)
	mustStatus(t, a.upload("/api/v1/users/import", c.tokens["ua_cadre"], "users.xlsx", bad, nil), 403)

	// A unit admin can import only into their own unit, and only learners.
	r = a.upload("/api/v1/users/import", c.tokens["ua_admin"], "users.xlsx", importFile(t, importHeader, [][]string{{"x1", "某", "UB", "", "", "", "", "", ""}}), nil)
	mustStatus(t, r, 422)
	r = a.upload("/api/v1/users/import", c.tokens["ua_admin"], "users.xlsx", importFile(t, importHeader, [][]string{{"x1", "某", "UA", "", "", "", "", "系统管理员", ""}}), nil)
	mustStatus(t, r, 422)

	// A good file creates everyone, with the initial password and the
	// obligation to change it.
	good := importFile(t, importHeader, [][]string{
		{"good1", "好一", "UA", "乡科级", "科员", "110101199003074514", "13800138001", "学员", "2028-12-31"},
		{"good2", "好二", "UB", "县处级", "局长", "", "", "学员", ""},
	})
	// Roles other than learner are the security administrator's to give,
	// even when the system administrator imports.
	r = a.upload("/api/v1/users/import", adm, "users.xlsx", importFile(t, importHeader, [][]string{{"x2", "某", "UA", "", "", "", "", "学员、教师", ""}}), nil)
	mustStatus(t, r, 422)
	r = a.upload("/api/v1/users/import", adm, "users.xlsx", good, map[string]string{"initial_password": "Start-Pass-2026"})
	mustStatus(t, r, 200)
	if r.JSON(t)["created"].(float64) != 2 {
		t.Fatalf("created = %s", r.Body)
	}
	tok := a.login("good2", "Start-Pass-2026")
	me := a.do("GET", "/api/v1/me", tok, nil).JSON(t)
	if me["must_change_password"] != true || fmt.Sprint(me["roles"]) != "[learner]" || uint64(me["org_id"].(float64)) != c.unitB {
		t.Fatalf("imported user = %v", me)
	}
	// Without an initial password one is generated and shown once.
	r = a.upload("/api/v1/users/import", c.tokens["ua_admin"], "users.xlsx", importFile(t, importHeader, [][]string{{"gen1", "生成", "UA", "", "", "", "", "", ""}}), nil)
	mustStatus(t, r, 200)
	pw, _ := r.JSON(t)["initial_password"].(string)
	if pw == "" {
		t.Fatal("no generated password returned")
	}
	a.login("gen1", pw)
}

func TestImportTwentyThousandUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("large import skipped in -short mode")
	}
	t.Parallel()
	a := newTestApp(t)
	adm := a.admin()
	a.createOrg(adm, "大单位", "BIG", "unit", 0)
	before := countUsers(a)
	const n = 20000
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("cadre%05d", i), fmt.Sprintf("干部%05d", i), "BIG", "科员及以下", "科员", "", fmt.Sprintf("139%08d", i), "", ""}
	}
	file := importFile(t, importHeader, rows)
	start := time.Now()
	r := a.upload("/api/v1/users/import", adm, "users.xlsx", file, map[string]string{"initial_password": "Start-Pass-2026"})
	t.Logf("imported %d users (%d KB file) in %v on %s", n, len(file)/1024, time.Since(start).Round(time.Millisecond), dbtest.Driver())
	mustStatus(t, r, 200)
	if r.JSON(t)["created"].(float64) != n {
		t.Fatalf("created = %s", r.Body)
	}
	if got := countUsers(a); got != before+n {
		t.Fatalf("users in db = %d, want %d", got, before+n)
	}
	a.login("cadre19999", "Start-Pass-2026")
}

func TestConcurrentLoginsAndRequests(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tok := a.admin()
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("GET", "/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := a.Fiber.Test(req, 10000)
			if err != nil || resp.StatusCode != 200 {
				errs <- fmt.Sprint(err, resp)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
