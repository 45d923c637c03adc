package identity_test

import (
	"bytes"
	"college/app/college"
	"college/app/collegetest"
	"college/storage/db/dbtest"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"college/modules/identity"

	"github.com/xuri/excelize/v2"
)

// unitLearner has the administrator adm make a unit with the code and a
// learner of it, and returns the learner's id.
func unitLearner(a *collegetest.App, adm, code, username string) uint64 {
	a.T.Helper()
	return a.CreateUser(adm, username, a.CreateOrg(adm, "单位", code, "unit", 0))
}

func TestLoginMeLogout(t *testing.T) {
	t.Parallel()
	a, tok := collegetest.NewAdminApp(t)
	r := a.Do("GET", "/api/v1/me", tok, nil)
	collegetest.MustStatus(t, r, 200)
	me := r.JSON(t)
	if me["username"] != "admin" || fmt.Sprint(me["roles"]) != "[sysadmin]" || me["org_id"] == nil {
		t.Fatalf("me = %v", me)
	}
	if _, leaked := me["password_hash"]; leaked {
		t.Fatal("password hash in /me")
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/logout", tok, nil), 204)
	r = a.Do("GET", "/api/v1/me", tok, nil)
	collegetest.MustRefuse(t, r, 401, "unauthorized")
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", "", nil), 401)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", "made-up-token", nil), 401)
}

func TestLoginBadInput(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	r := a.Do("POST", "/api/v1/auth/login", "", `{"username": "admin", `)
	collegetest.MustRefuse(t, r, 400, "malformed_json")
	r = a.Do("POST", "/api/v1/auth/login", "", `{}`)
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["username"] == nil || f["password"] == nil {
		t.Fatalf("fields = %v", f)
	}
	r = a.Do("POST", "/api/v1/auth/login", "", `{"username": 12, "password": "x"}`)
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["username"] == nil {
		t.Fatalf("wrong type should name the field: %s", r.Body)
	}
	r = a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "wrong"})
	collegetest.MustRefuse(t, r, 401, "invalid_credentials")
	r = a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "wrong"})
	collegetest.MustStatus(t, r, 401)
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) { c.TrustedProxies = []string{"0.0.0.0"} })
	for i := 1; i <= 4; i++ {
		r := a.LoginFrom("10.0.0.9", "admin", "wrong", "")
		collegetest.MustStatus(t, r, 401)
	}
	r := a.LoginFrom("10.0.0.9", "admin", "wrong", "")
	collegetest.MustStatus(t, r, 429)
	if r.ErrorCode(t) != "locked" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("code = %s, Retry-After %q", r.ErrorCode(t), r.Header.Get("Retry-After"))
	}
	// Even the right password is refused from that address while locked.
	collegetest.MustStatus(t, a.LoginFrom("10.0.0.9", "admin", collegetest.AdminPassword, ""), 429)
	// The owner at another address is not kept out by a stranger's failures.
	collegetest.MustStatus(t, a.LoginFrom("10.0.0.10", "admin", collegetest.AdminPassword, ""), 200)
	// The failures and the lock are in the audit log.
	var fails, locks int64
	a.DB.Table("audit_logs").Where("action = ?", "login.fail").Count(&fails)
	a.DB.Table("audit_logs").Where("action = ?", "login.locked").Count(&locks)
	if fails != 5 || locks != 1 {
		t.Fatalf("audit: %d failures, %d locks; want 5 and 1", fails, locks)
	}
}

func TestCSRFForCookieSessions(t *testing.T) {
	t.Parallel()
	a, tok := collegetest.NewAdminApp(t)
	cookieReq := func(method, path, body, csrf string) collegetest.Response {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", identity.CookieName+"="+tok)
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		return a.Send(req)
	}
	r := cookieReq("GET", "/api/v1/me", "", "")
	collegetest.MustStatus(t, r, 200)
	csrf, _ := r.JSON(t)["csrf_token"].(string)
	if csrf == "" {
		t.Fatal("no csrf_token for a cookie session")
	}
	if _, has := a.Do("GET", "/api/v1/me", tok, nil).JSON(t)["csrf_token"]; has {
		t.Fatal("bearer clients need no csrf_token")
	}
	body := `{"name":"新单位","code":"CSRF1","kind":"unit"}`
	r = cookieReq("POST", "/api/v1/orgs", body, "")
	collegetest.MustRefuse(t, r, 403, "csrf")
	collegetest.MustStatus(t, cookieReq("POST", "/api/v1/orgs", body, "wrong-token"), 403)
	collegetest.MustStatus(t, cookieReq("POST", "/api/v1/orgs", body, csrf), 201)
	// A bearer client needs no CSRF token.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/orgs", tok, map[string]string{"name": "另一单位", "code": "CSRF2", "kind": "unit"}), 201)
}

func TestCreateUserValidationAndMasking(t *testing.T) {
	t.Parallel()
	a, tok := collegetest.NewAdminApp(t)
	unit := a.CreateOrg(tok, "测试单位", "T1", "unit", 0)

	r := a.Do("POST", "/api/v1/users", tok, map[string]any{})
	collegetest.MustStatus(t, r, 400)
	f := r.Fields(t)
	for _, k := range []string{"username", "name", "password", "org_id"} {
		if f[k] == nil {
			t.Errorf("missing field %s not reported: %v", k, f)
		}
	}
	r = a.Do("POST", "/api/v1/users", tok, map[string]any{"username": "weak", "name": "弱密码", "password": "abcdefgh", "org_id": unit})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["password"] == nil {
		t.Fatalf("weak password accepted: %s", r.Body)
	}
	r = a.Do("POST", "/api/v1/users", tok, map[string]any{"username": "badid", "name": "错号", "password": collegetest.UserPassword, "org_id": unit, "id_number": "110101199003074515", "phone": "12345"})
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["id_number"] == nil || f["phone"] == nil {
		t.Fatalf("bad id number / phone accepted: %s", r.Body)
	}
	r = a.Do("POST", "/api/v1/users", tok, map[string]any{"username": "zhang", "name": "张三", "password": collegetest.UserPassword, "org_id": unit,
		"level": "乡科级", "post": "科长", "id_number": "110101199003074514", "phone": "13800138000", "term_ends_on": "2029-06-30"})
	collegetest.MustStatus(t, r, 201)
	created := r.JSON(t)
	id := r.ID(t)
	for _, body := range [][]byte{r.Body, a.Do("GET", fmt.Sprintf("/api/v1/users/%d", id), tok, nil).Body, a.Do("GET", "/api/v1/users?q=zhang", tok, nil).Body} {
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
		l := a.Do("GET", "/api/v1/users?q="+q, tok, nil).JSON(t)
		if l["total"].(float64) != 1 {
			t.Fatalf("search %s: %v", q, l)
		}
	}
	// Same username or same ID number again: 400 naming the field.
	r = a.Do("POST", "/api/v1/users", tok, map[string]any{"username": "zhang", "name": "张三", "password": collegetest.UserPassword, "org_id": unit})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["username"] == nil {
		t.Fatalf("duplicate username: %s", r.Body)
	}
	r = a.Do("POST", "/api/v1/users", tok, map[string]any{"username": "zhang2", "name": "张三", "password": collegetest.UserPassword, "org_id": unit, "id_number": "110101199003074514"})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["id_number"] == nil {
		t.Fatalf("duplicate id number: %s", r.Body)
	}
}

func TestOversizeAndMalformedBodies(t *testing.T) {
	t.Parallel()
	a, tok := collegetest.NewAdminApp(t)
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `","code":"BIG","kind":"unit"}`
	r := a.Do("POST", "/api/v1/orgs", tok, big)
	collegetest.MustRefuse(t, r, 413, "too_large")
	r = a.Do("POST", "/api/v1/orgs", tok, map[string]any{"name": "x", "code": "X", "kind": "planet"})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["kind"] == nil {
		t.Fatalf("bad kind: %s", r.Body)
	}
	for _, c := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"POST", "/api/v1/orgs", `not json`, 400},
		{"POST", "/api/v1/users", `[1,2]`, 400},
		{"POST", "/api/v1/orgs", `{"name":"a","code":"B"} trailing`, 400},
		{"GET", "/api/v1/users/abc", nil, 404},
		{"GET", "/api/v1/users?page=0", nil, 400},
		{"GET", "/api/v1/users?page_size=100000", nil, 400},
	} {
		if r := a.Do(c.method, c.path, tok, c.body); r.Status != c.want {
			t.Errorf("%s %s %v: %d, want %d: %s", c.method, c.path, c.body, r.Status, c.want, r.Body)
		}
	}
}

func TestScopeRolesAndOtherOrgs(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	ua := c.Tokens["ua_admin"]

	// A unit admin sees only their unit's people.
	l := a.Do("GET", "/api/v1/users?page_size=100", ua, nil).JSON(t)
	items := l["items"].([]any)
	if l["total"].(float64) != 2 || len(items) != 2 {
		t.Fatalf("unit A admin sees %v users: %s", l["total"], l)
	}
	for _, it := range items {
		if uint64(it.(map[string]any)["org_id"].(float64)) != c.UnitA {
			t.Fatalf("user from another org visible: %v", it)
		}
	}
	// Records of another unit are 404, not 403.
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/users/%d", c.IDs["ub_cadre"]), ua, nil), 404)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d", c.IDs["ub_cadre"]), ua, map[string]any{"name": "改名"}), 404)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/disable", c.IDs["ub_cadre"]), ua, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/orgs/%d", c.UnitB), ua, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/users?org_id=%d", c.UnitB), ua, nil), 404)
	r := a.Do("POST", "/api/v1/users", ua, map[string]any{"username": "intruder", "name": "越权", "password": collegetest.UserPassword, "org_id": c.UnitB})
	collegetest.MustStatus(t, r, 404)
	// ...but they manage their own learners.
	id := a.CreateUser(ua, "ua_new", c.UnitA)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d", id), ua, map[string]any{"name": "新名字", "org_id": c.UnitA}), 200)
	// Unit admins may only create learners.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/users", ua, map[string]any{"username": "boss", "name": "提权", "password": collegetest.UserPassword, "org_id": c.UnitA, "roles": []string{"sysadmin"}}), 403)
	// The org tree is scoped too.
	orgs := a.Do("GET", "/api/v1/orgs", ua, nil)
	collegetest.MustStatus(t, orgs, 200)
	if strings.Contains(string(orgs.Body), "东城区教育局") || !strings.Contains(string(orgs.Body), "东城区发改委") {
		t.Fatalf("unit admin org tree: %s", orgs.Body)
	}

	// Wrong roles: 403.
	cadre := c.Tokens["ua_cadre"]
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/users", cadre, nil), 403)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/orgs", cadre, map[string]any{"name": "x", "code": "x", "kind": "unit"}), 403)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/orgs", ua, map[string]any{"name": "x", "code": "x", "kind": "unit"}), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/audit", c.Tokens["org"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/users", c.Tokens["aud"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/settings", c.Tokens["aud"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/orgs", c.Tokens["aud"], nil), 403) // the auditor reads the log and nothing else
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/orgs", cadre, nil), 403)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.IDs["ua_cadre"]), c.Tokens["admin"], map[string]any{"roles": []string{"unit_admin"}}), 403)
	// A learner may read their own record but no one else's.
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/users/%d", c.IDs["ua_cadre"]), cadre, nil), 200)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/users/%d", c.IDs["ua_admin"]), cadre, nil), 403)
	// Creating an org under a parent outside the caller's subtree: 404.
	dist := a.CreateOrg(c.Tokens["org"], "西城区", "D02", "department", 0)
	orgAdmin := a.CreateUser(c.Tokens["admin"], "d2_org", dist, "org_admin")
	_ = orgAdmin
	d2 := a.Login("d2_org", collegetest.UserPassword)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/orgs", d2, map[string]any{"name": "x", "code": "XX1", "kind": "unit", "parent_id": c.UnitA}), 404)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/orgs", d2, map[string]any{"name": "x", "code": "XX2", "kind": "unit", "parent_id": dist}), 201)
	// Without parent_id an org admin below the root creates under the root? No: 404.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/orgs", d2, map[string]any{"name": "x", "code": "XX3", "kind": "unit"}), 404)
}

func TestRolesDisableAndSessions(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	sec := c.Tokens["sec"]
	cadre := c.Tokens["ua_cadre"]
	cadreID := c.IDs["ua_cadre"]
	a.CreateUser(c.Tokens["admin"], "probe", c.UnitA)

	// The security admin grants roles; the user's sessions end so the new
	// roles apply at the next login.
	r := a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", cadreID), sec, map[string]any{"roles": []string{"learner", "teacher"}})
	collegetest.MustStatus(t, r, 200)
	if fmt.Sprint(r.JSON(t)["roles"]) != "[learner teacher]" {
		t.Fatalf("roles = %v", r.JSON(t)["roles"])
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", cadre, nil), 401)
	tok := a.Login("ua_cadre", collegetest.UserPassword)
	if fmt.Sprint(a.Do("GET", "/api/v1/me", tok, nil).JSON(t)["roles"]) != "[learner teacher]" {
		t.Fatal("new roles not in the new session")
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", cadreID), sec, map[string]any{"roles": []string{"emperor"}}), 400)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.IDs["sec"]), sec, map[string]any{"roles": []string{"sysadmin"}}), 409)

	// Disabling ends the sessions and stops logins.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/disable", cadreID), c.Tokens["admin"], nil), 200)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", tok, nil), 401)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_cadre", "password": collegetest.UserPassword}), 401)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/enable", cadreID), c.Tokens["admin"], nil), 200)
	a.Login("ua_cadre", collegetest.UserPassword)

	// The auditor sees these actions, with who did them.
	l := a.Do("GET", "/api/v1/audit?action=user&page_size=100", c.Tokens["aud"], nil)
	collegetest.MustStatus(t, l, 200)
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
	a, adm := collegetest.NewAdminApp(t)
	unitLearner(a, adm, "S1", "solo")
	first := a.Login("solo", collegetest.UserPassword)
	second := a.Login("solo", collegetest.UserPassword)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", first, nil), 200) // off by default
	r := a.Do("PUT", "/api/v1/settings", adm, map[string]any{"auth.single_session": true})
	collegetest.MustStatus(t, r, 200)
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/settings", adm, map[string]any{"auth.lockout_attempts": "many"}), 400)
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/settings", adm, map[string]any{"no.such.key": 1}), 400)
	third := a.Login("solo", collegetest.UserPassword)
	// Only the newest session lives on.
	for i, s := range []struct {
		token string
		want  int
	}{{first, 401}, {second, 401}, {third, 200}} {
		if r := a.Do("GET", "/api/v1/me", s.token, nil); r.Status != s.want {
			t.Errorf("session %d of 3: %d, want %d", i+1, r.Status, s.want)
		}
	}
}

func TestPasswordChangeAndReset(t *testing.T) {
	t.Parallel()
	a, adm := collegetest.NewAdminApp(t)
	id := unitLearner(a, adm, "P1", "pw")
	other := a.Login("pw", collegetest.UserPassword)
	tok := a.Login("pw", collegetest.UserPassword)
	r := a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "wrong", "new_password": "New-Pass-2026"})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["old_password"] == nil {
		t.Fatal("wrong old password accepted")
	}
	r = a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": collegetest.UserPassword, "new_password": "short"})
	collegetest.MustStatus(t, r, 400)
	r = a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": collegetest.UserPassword, "new_password": "New-Pass-2026"})
	collegetest.MustStatus(t, r, 200)
	newTok := r.JSON(t)["token"].(string)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", newTok, nil), 200)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", other, nil), 401)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "pw", "password": collegetest.UserPassword}), 401)
	a.Login("pw", "New-Pass-2026")

	// An administrator's reset forces a change at the next login.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/password", id), adm, map[string]string{"new_password": "Reset-Pass-2026"}), 204)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", newTok, nil), 401)
	tok = a.Login("pw", "Reset-Pass-2026")
	if a.Do("GET", "/api/v1/me", tok, nil).JSON(t)["must_change_password"] != true {
		t.Fatal("must_change_password not set after a reset")
	}
	own := fmt.Sprintf("/api/v1/users/%d", id)
	r = a.Do("GET", own, tok, nil)
	collegetest.MustRefuse(t, r, 403, "password_change_required")
	r = a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "Reset-Pass-2026", "new_password": "Mine-Pass-2026"})
	collegetest.MustStatus(t, r, 200)
	collegetest.MustStatus(t, a.Do("GET", own, r.JSON(t)["token"].(string), nil), 200)
}

func countUsers(a *collegetest.App) int64 {
	var n int64
	a.DB.Table("users").Count(&n)
	return n
}

func TestImportUsers(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	adm := c.Tokens["admin"]

	// The template downloads and has the headers.
	r := a.Do("GET", "/api/v1/users/import-template", adm, nil)
	collegetest.MustStatus(t, r, 200)
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("template is not an xlsx: %v", err)
	}
	hdr, _ := f.GetRows(f.GetSheetList()[0])
	if strings.Join(hdr[0], ",") != strings.Join(collegetest.ImportHeader, ",") {
		t.Fatalf("template header = %v", hdr[0])
	}
	f.Close()

	before := countUsers(a)
	bad := collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{
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
	r = a.Upload("/api/v1/users/import", adm, "users.xlsx", bad, nil)
	collegetest.MustRefuse(t, r, 422, "import_invalid")
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
	r = a.Upload("/api/v1/users/import", adm, "users.xlsx", []byte("PK\x03\x04 this is not a workbook"), nil)
	collegetest.MustStatus(t, r, 422)
	r = a.Upload("/api/v1/users/import", adm, "users.xlsx", collegetest.ImportFile(t, []string{"姓名", "用户名"}, [][]string{{"a", "b"}}), nil)
	collegetest.MustStatus(t, r, 422)
	r = a.Upload("/api/v1/users/import", adm, "users.xlsx", collegetest.ImportFile(t, collegetest.ImportHeader, nil), nil)
	collegetest.MustStatus(t, r, 422)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/users/import", adm, `{}`), 400)
	r = a.Upload("/api/v1/users/import", adm, "big.xlsx", bytes.Repeat([]byte("x"), identity.MaxImportBytes+10), nil)
	collegetest.MustStatus(t, r, 413)
	collegetest.MustStatus(t, a.Upload("/api/v1/users/import", c.Tokens["ua_cadre"], "users.xlsx", bad, nil), 403)

	// A unit admin can import only into their own unit, and only learners.
	r = a.Upload("/api/v1/users/import", c.Tokens["ua_admin"], "users.xlsx", collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{{"x1", "某", "UB", "", "", "", "", "", ""}}), nil)
	collegetest.MustStatus(t, r, 422)
	r = a.Upload("/api/v1/users/import", c.Tokens["ua_admin"], "users.xlsx", collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{{"x1", "某", "UA", "", "", "", "", "系统管理员", ""}}), nil)
	collegetest.MustStatus(t, r, 422)

	// A good file creates everyone, with the initial password and the
	// obligation to change it.
	good := collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{
		{"good1", "好一", "UA", "乡科级", "科员", "110101199003074514", "13800138001", "学员", "2028-12-31"},
		{"good2", "好二", "UB", "县处级", "局长", "", "", "学员", ""},
	})
	// Roles other than learner are the security administrator's to give,
	// even when the system administrator imports.
	r = a.Upload("/api/v1/users/import", adm, "users.xlsx", collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{{"x2", "某", "UA", "", "", "", "", "学员、教师", ""}}), nil)
	collegetest.MustStatus(t, r, 422)
	r = a.Upload("/api/v1/users/import", adm, "users.xlsx", good, map[string]string{"initial_password": "Start-Pass-2026"})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["created"].(float64) != 2 {
		t.Fatalf("created = %s", r.Body)
	}
	tok := a.Login("good2", "Start-Pass-2026")
	me := a.Do("GET", "/api/v1/me", tok, nil).JSON(t)
	if me["must_change_password"] != true || fmt.Sprint(me["roles"]) != "[learner]" || uint64(me["org_id"].(float64)) != c.UnitB {
		t.Fatalf("imported user = %v", me)
	}
	// Without an initial password one is generated and shown once.
	r = a.Upload("/api/v1/users/import", c.Tokens["ua_admin"], "users.xlsx", collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{{"gen1", "生成", "UA", "", "", "", "", "", ""}}), nil)
	collegetest.MustStatus(t, r, 200)
	pw, _ := r.JSON(t)["initial_password"].(string)
	if pw == "" {
		t.Fatal("no generated password returned")
	}
	a.Login("gen1", pw)
}

func TestImportTwentyThousandUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("large import skipped in -short mode")
	}
	t.Parallel()
	a, adm := collegetest.NewAdminApp(t)
	a.CreateOrg(adm, "大单位", "BIG", "unit", 0)
	before := countUsers(a)
	const n = 20000
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("cadre%05d", i), fmt.Sprintf("干部%05d", i), "BIG", "科员及以下", "科员", "", fmt.Sprintf("139%08d", i), "", ""}
	}
	file := collegetest.ImportFile(t, collegetest.ImportHeader, rows)
	start := time.Now()
	r := a.Upload("/api/v1/users/import", adm, "users.xlsx", file, map[string]string{"initial_password": "Start-Pass-2026"})
	t.Logf("imported %d users (%d KB file) in %v on %s", n, len(file)/1024, time.Since(start).Round(time.Millisecond), dbtest.Driver())
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["created"].(float64) != n {
		t.Fatalf("created = %s", r.Body)
	}
	if got := countUsers(a); got != before+n {
		t.Fatalf("users in db = %d, want %d", got, before+n)
	}
	a.Login("cadre19999", "Start-Pass-2026")
}

func TestConcurrentLoginsAndRequests(t *testing.T) {
	t.Parallel()
	a, tok := collegetest.NewAdminApp(t)
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
