package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"college/modules/identity"
	"college/storage/cache/cachetest"
	"college/storage/objects/objectstest"

	"github.com/pquerna/otp/totp"
)

// auditCount counts audit rows of an action.
func auditCount(a *testApp, action string) int64 { return pagesAudits(a, action) }

// Finding 1: only the security administrator grants roles; creation and
// import give learners only, whoever does them.
func TestOnlyLearnersAtCreation(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	before := countUsers(a)
	for _, roles := range [][]string{{"sysadmin", "secadmin", "auditor"}, {"auditor"}, {"org_admin"}, {"learner", "teacher"}} {
		r := a.do("POST", "/api/v1/users", c.tokens["admin"], map[string]any{"username": "x" + strings.Join(roles, ""), "name": "某", "password": initialPassword, "org_id": c.unitA, "roles": roles})
		mustStatus(t, r, 403)
		if r.Fields(t)["roles"] == nil {
			t.Fatalf("refusal should name roles: %s", r.Body)
		}
	}
	r := a.upload("/api/v1/users/import", c.tokens["admin"], "users.xlsx", importFile(t, importHeader, [][]string{{"imp1", "某", "UA", "", "", "", "", "系统管理员、安全管理员、审计管理员", ""}}), nil)
	mustStatus(t, r, 422)
	if countUsers(a) != before {
		t.Fatal("a refused creation made an account")
	}
	// A learner is created, and the security administrator then grants.
	id := a.createUser(c.tokens["admin"], "newteacher", c.unitA)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", id), c.tokens["admin"], map[string]any{"roles": []string{"teacher"}}), 403)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", id), c.tokens["sec"], map[string]any{"roles": []string{"learner", "teacher"}}), 200)
}

// Finding 2: nobody but the security administrator manages the three
// administrator accounts, and nobody manages their own.
func TestSystemAdminAccountsManagedBySecAdminOnly(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	adm, sec := c.tokens["admin"], c.tokens["sec"]
	auditor, secID, adminID := a.userID("auditor"), a.userID("secadmin"), a.userID("admin")
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/password", auditor), adm, map[string]string{"new_password": "Taken-Over-2026"}), 403)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/disable", secID), adm, nil), 403)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d", auditor), adm, map[string]any{"name": "审计管理员", "org_id": c.unitA}), 403)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/password", adminID), adm, map[string]string{"new_password": "Own-Reset-2026"}), 409)
	// The auditor's password is still the original one.
	mustStatus(t, a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "auditor", "password": testAuditorPassword}), 200)
	// The security administrator may reset it; the auditor must then change it.
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/password", auditor), sec, map[string]string{"new_password": "Reset-By-Sec-2026"}), 204)
	tok := a.login("auditor", "Reset-By-Sec-2026")
	if a.do("GET", "/api/v1/me", tok, nil).JSON(t)["must_change_password"] != true {
		t.Fatal("a reset password need not be changed")
	}
	// …but not their own through the administration route.
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/password", c.ids["sec"]), sec, map[string]string{"new_password": "Own-Reset-2026"}), 409)
	// Learners stay the system administrator's to manage.
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/disable", c.ids["ua_cadre"]), adm, nil), 200)
	if n := auditCount(a, "user.password_reset"); n != 1 {
		t.Fatalf("password resets audited = %d, want 1", n)
	}
}

// Finding 3: the three roles exclude every other, and the first start makes
// three accounts with one role each.
func TestSystemRolesExclusive(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	sec := c.tokens["sec"]
	for _, roles := range [][]string{{"sysadmin", "auditor"}, {"secadmin", "learner"}, {"auditor", "org_admin"}} {
		r := a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.ids["ua_cadre"]), sec, map[string]any{"roles": roles})
		mustStatus(t, r, 400)
	}
	for _, u := range []struct{ name, pw, role string }{{"admin", testAdminPassword, "sysadmin"}, {"secadmin", testSecAdminPassword, "secadmin"}, {"auditor", testAuditorPassword, "auditor"}} {
		me := a.do("GET", "/api/v1/me", a.login(u.name, u.pw), nil).JSON(t)
		if fmt.Sprint(me["roles"]) != "["+u.role+"]" {
			t.Fatalf("%s roles = %v", u.name, me["roles"])
		}
	}
}

// Finding 4: login input is capped before any work; nothing large reaches
// the audit log.
func TestLoginCaps(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	before := auditCount(a, "login.fail")
	huge := strings.Repeat("a", 1<<19)
	for _, body := range []map[string]string{
		{"username": huge, "password": "x"},
		{"username": "admin", "password": huge},
		{"username": "admin", "password": "x", "otp": huge},
	} {
		r := a.do("POST", "/api/v1/auth/login", "", body)
		mustStatus(t, r, 400)
		if len(r.Fields(t)) == 0 || len(r.Body) > 2000 {
			t.Fatalf("want a short 400 naming the field, got %d bytes", len(r.Body))
		}
	}
	var longest int
	a.DB.Table("audit_logs").Select("COALESCE(MAX(LENGTH(actor_name)), 0)").Scan(&longest)
	if auditCount(a, "login.fail") != before || longest > 64 {
		t.Fatalf("capped logins were audited (max actor %d)", longest)
	}
}

// Finding 9: the three administrators do not study or act as cadres.
func TestSystemAdminsConfinedToTheirDuties(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	aud := c.tokens["aud"]
	for _, call := range []struct{ method, path string }{
		{"GET", "/api/v1/courses"},
		{"GET", "/api/v1/me/exams"},
		{"GET", "/api/v1/practice/banks"},
		{"GET", "/api/v1/classes"},
		{"GET", "/api/v1/me/hours"},
		{"GET", "/api/v1/users"},
		{"GET", "/api/v1/settings"},
	} {
		if r := a.do(call.method, call.path, aud, nil); r.Status != 403 {
			t.Errorf("auditor %s %s = %d, want 403", call.method, call.path, r.Status)
		}
	}
	mustStatus(t, a.do("GET", "/api/v1/audit", aud, nil), 200)
	mustStatus(t, a.do("GET", "/api/v1/me", aud, nil), 200)
	for _, tok := range []string{c.tokens["admin"], c.tokens["sec"]} {
		mustStatus(t, a.do("GET", "/api/v1/courses", tok, nil), 403)
		mustStatus(t, a.do("GET", "/api/v1/me/hours", tok, nil), 403)
		mustStatus(t, a.do("GET", "/api/v1/audit", tok, nil), 403)
	}
	mustStatus(t, a.do("GET", "/api/v1/users", c.tokens["sec"], nil), 200)
	mustStatus(t, a.do("GET", "/api/v1/settings", c.tokens["admin"], nil), 200)
	// Pages too: the auditor's browser reaches the audit log and nothing else.
	b := pagesLogin(a, "aud", userPassword)
	for path, want := range map[string]int{"/admin/audit": 200, "/courses": 403, "/exams": 403, "/classes": 403, "/me/hours": 403, "/admin/users": 403, "/profile": 200} {
		if got := b.req("GET", path, nil).Status; got != want {
			t.Errorf("auditor page %s = %d, want %d", path, got, want)
		}
	}
}

// Finding 10: throttles per address and city-wide; a lock a stranger causes
// cannot keep the owner out (other address, second factor, unlock).
func TestLoginThrottles(t *testing.T) {
	t.Parallel()
	a := newTestAppWith(t, func(c *Config) { c.TrustedProxies = []string{"0.0.0.0"} })
	c := newCity(a)
	// Spraying one password across many accounts from one address slows
	// down at once and stops: the fifth failure asks it to wait.
	var throttled response
	for i := 0; i < 8; i++ {
		r := a.loginFrom("10.1.1.1", fmt.Sprintf("user%d", i), "Spray-Pass-2026", "")
		if r.Status == 429 {
			throttled = r
			break
		}
		mustStatus(t, r, 401)
	}
	if throttled.Status != 429 || throttled.ErrorCode(t) != "throttled" || throttled.Header.Get("Retry-After") == "" {
		t.Fatalf("spraying from one address was not throttled: %d %s", throttled.Status, throttled.Body)
	}
	// Another address is not affected.
	mustStatus(t, a.loginFrom("10.1.1.2", "ua_cadre", userPassword, ""), 200)

	// Failures from many addresses lock the account (20 by default)…
	ctx := context.Background()
	mustStatus(t, a.do("PUT", "/api/v1/settings", c.tokens["admin"], map[string]any{"auth.account_lockout_attempts": 6}), 200)
	for i := 0; i < 6; i++ {
		mustStatus(t, a.loginFrom(fmt.Sprintf("10.2.0.%d", i), "ub_cadre", "wrong", ""), 401)
	}
	r := a.loginFrom("10.3.0.1", "ub_cadre", userPassword, "")
	mustStatus(t, r, 429)
	if r.ErrorCode(t) != "locked" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	// …until the security administrator unlocks it.
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/unlock", c.ids["ub_cadre"]), c.tokens["admin"], nil), 403)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/unlock", c.ids["ub_cadre"]), c.tokens["sec"], nil), 204)
	mustStatus(t, a.loginFrom("10.3.0.1", "ub_cadre", userPassword, ""), 200)
	if auditCount(a, "user.unlock") != 1 {
		t.Fatal("unlock not audited")
	}

	// An account with a second factor passes its lock with a valid code.
	tok := a.login("ua_admin", userPassword)
	secret := enrolTOTP(t, a, tok)
	for i := 0; i < 6; i++ {
		mustStatus(t, a.loginFrom(fmt.Sprintf("10.4.0.%d", i), "ua_admin", "wrong", ""), 401)
	}
	mustStatus(t, a.loginFrom("10.5.0.1", "ua_admin", userPassword, ""), 429)
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	mustStatus(t, a.loginFrom("10.5.0.1", "ua_admin", userPassword, code), 200)

	// City-wide: past the limit a minute, everyone waits for the minute.
	mustStatus(t, a.do("PUT", "/api/v1/settings", c.tokens["admin"], map[string]any{"auth.global_fail_limit": 10}), 200)
	a.Cache.Set(ctx, a.Cache.Key("lf", "g", fmt.Sprint(time.Now().Unix()/60)), 10, time.Minute)
	r = a.loginFrom("10.6.0.1", "ua_cadre", userPassword, "")
	if r.Status != 429 || r.ErrorCode(t) != "throttled" {
		t.Fatalf("city-wide limit: %d %s", r.Status, r.Body)
	}
}

// enrolTOTP enrols a second factor for the caller and returns its secret.
func enrolTOTP(t *testing.T, a *testApp, tok string) string {
	t.Helper()
	r := a.do("POST", "/api/v1/me/mfa/totp", tok, nil)
	mustStatus(t, r, 200)
	secret, _ := r.JSON(t)["secret"].(string)
	uri, _ := r.JSON(t)["otpauth_uri"].(string)
	if secret == "" || !strings.HasPrefix(uri, "otpauth://totp/") {
		t.Fatalf("enrolment start = %s", r.Body)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	r = a.do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": code})
	mustStatus(t, r, 200)
	if codes, _ := r.JSON(t)["recovery_codes"].([]any); len(codes) != 10 {
		t.Fatalf("recovery codes = %s", r.Body)
	}
	return secret
}

// Build 1: administrators must enrol a second factor before anything else;
// logins then need a code (one use each) or a recovery code (once).
func TestAdminSecondFactor(t *testing.T) {
	t.Parallel()
	setup := newTestApp(t)
	c := newCity(setup)
	setup.cfg.Auth.AdminMFA = true
	a := newTestAppOn(t, setup) // the same city, now requiring the second factor
	r := a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": userPassword})
	mustStatus(t, r, 200)
	tok := r.JSON(t)["token"].(string)
	if r.JSON(t)["user"].(map[string]any)["mfa_enrolment_required"] != true {
		t.Fatalf("login = %s", r.Body)
	}
	r = a.do("GET", "/api/v1/classes", tok, nil)
	mustStatus(t, r, 403)
	if r.ErrorCode(t) != "mfa_enrolment_required" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	start := a.do("POST", "/api/v1/me/mfa/totp", tok, nil).JSON(t)
	secret := start["secret"].(string)
	mustStatus(t, a.do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": "000000"}), 400)
	code, _ := totp.GenerateCode(secret, time.Now())
	r = a.do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": code})
	mustStatus(t, r, 200)
	full := r.JSON(t)["token"].(string)
	recovery := r.JSON(t)["recovery_codes"].([]any)
	mustStatus(t, a.do("GET", "/api/v1/classes", tok, nil), 401) // the limited session ended
	mustStatus(t, a.do("GET", "/api/v1/classes", full, nil), 200)

	// Logins now need the second factor.
	r = a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": userPassword})
	mustStatus(t, r, 401)
	if r.ErrorCode(t) != "otp_required" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	mustStatus(t, a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": userPassword, "otp": next}), 200)
	r = a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": userPassword, "otp": next})
	mustStatus(t, r, 401) // a code is used once
	if r.ErrorCode(t) != "otp_invalid" {
		t.Fatalf("code = %s", r.ErrorCode(t))
	}
	rc := recovery[0].(string)
	mustStatus(t, a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": userPassword, "otp": strings.ToUpper(rc)}), 200)
	mustStatus(t, a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": userPassword, "otp": rc}), 401)

	// The security administrator resets it; the next login enrols again.
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/mfa/reset", c.ids["ua_admin"]), c.tokens["admin"], nil), 403)
	sec := a.login("sec", userPassword) // unenrolled: limited session
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/mfa/reset", c.ids["ua_admin"]), sec, nil), 403)
	sec = enrolAndLogin(t, a, "sec")
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/users/%d/mfa/reset", c.ids["ua_admin"]), sec, nil), 204)
	r = a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": userPassword})
	mustStatus(t, r, 200)
	if r.JSON(t)["user"].(map[string]any)["mfa_enrolment_required"] != true {
		t.Fatal("after a reset the account must enrol again")
	}
	if auditCount(a, "mfa.enable") != 2 || auditCount(a, "mfa.reset") != 1 {
		t.Fatalf("mfa audit: %d enable, %d reset", auditCount(a, "mfa.enable"), auditCount(a, "mfa.reset"))
	}
	// Learners need none (unless the setting asks for it).
	r = a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_cadre", "password": userPassword})
	mustStatus(t, r, 200)
	if r.JSON(t)["user"].(map[string]any)["mfa_enrolment_required"] != false {
		t.Fatal("a learner was asked to enrol")
	}
}

// enrolAndLogin enrols a second factor for username and returns a full token.
func enrolAndLogin(t *testing.T, a *testApp, username string) string {
	t.Helper()
	tok := a.login(username, userPassword)
	start := a.do("POST", "/api/v1/me/mfa/totp", tok, nil).JSON(t)
	code, _ := totp.GenerateCode(start["secret"].(string), time.Now())
	r := a.do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": code})
	mustStatus(t, r, 200)
	return r.JSON(t)["token"].(string)
}

// Build 1 and the contract: a fresh start with no passwords configured
// leaves no usable default password: random ones, written once to a 0600
// file (never the log), which must be changed at the first login, and the
// file goes when all three are changed.
func TestFirstStartPasswords(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	var mu sync.Mutex
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.SecretKey = "test-secret-key-0123456789abcdef0123456789"
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gdb, err := openTestDB(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeTestDB(gdb) })
	app, err := Build(context.Background(), cfg, log, Stores{DB: gdb, Cache: cachetest.New(t), Objects: objectstest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	a := &testApp{App: app, t: t}
	path := filepath.Join(cfg.DataDir, identity.InitialPasswordsFile)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("initial passwords file: %v %v", err, st)
	}
	raw, _ := os.ReadFile(path)
	pw := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 3 {
			pw[f[0]] = f[2]
		}
	}
	if len(pw) != 3 {
		t.Fatalf("file = %q", raw)
	}
	mu.Lock()
	for _, p := range pw {
		if strings.Contains(logs.String(), p) {
			t.Fatal("a password was written to the log")
		}
	}
	mu.Unlock()
	news := map[string]string{"admin": "System-New-2026!", "secadmin": "Security-New-2026!", "auditor": "Audit-New-2026!"}
	for _, name := range []string{"admin", "secadmin", "auditor"} {
		r := a.do("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": pw[name]})
		mustStatus(t, r, 200)
		u := r.JSON(t)["user"].(map[string]any)
		if u["must_change_password"] != true || u["mfa_enrolment_required"] != true {
			t.Fatalf("%s first login = %s", name, r.Body)
		}
		tok := r.JSON(t)["token"].(string)
		mustStatus(t, a.do("GET", "/api/v1/users", tok, nil), 403)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("file removed before all three changed: %v", err)
		}
		mustStatus(t, a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pw[name], "new_password": news[name]}), 200)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file still there after all three changed: %v", err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Finding 15: the password rules.
func TestPasswordRules(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	adm := c.tokens["admin"]
	// Common passwords and the username are refused.
	for _, pw := range []string{"P@ssw0rd", "Admin@123", "Qwer1234", "Xiaoming-2026"} {
		r := a.do("POST", "/api/v1/users", adm, map[string]any{"username": "xiaoming", "name": "小明", "password": pw, "org_id": c.unitA})
		mustStatus(t, r, 400)
		if r.Fields(t)["password"] == nil {
			t.Fatalf("%s: %s", pw, r.Body)
		}
	}
	// An administrator-set password must be changed, without the flag too.
	r := a.do("POST", "/api/v1/users", adm, map[string]any{"username": "xiaoming", "name": "小明", "password": initialPassword, "org_id": c.unitA})
	mustStatus(t, r, 201)
	id := r.id(t)
	tok := a.login("xiaoming", initialPassword)
	me := a.do("GET", "/api/v1/me", tok, nil).JSON(t)
	if me["must_change_password"] != true {
		t.Fatal("an administrator-set password need not be changed")
	}
	mustStatus(t, a.do("GET", "/api/v1/courses", tok, nil), 403)
	// History: the last five may not come back.
	pws := []string{initialPassword, "Second-Pass-2026", "Third-Pass-2026", "Fourth-Pass-2026", "Fifth-Pass-2026", "Sixth-Pass-2026"}
	for i := 1; i < len(pws); i++ {
		r := a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pws[i-1], "new_password": pws[i]})
		mustStatus(t, r, 200)
		tok = r.JSON(t)["token"].(string)
	}
	r = a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pws[5], "new_password": pws[2]})
	mustStatus(t, r, 400)
	if !strings.Contains(fmt.Sprint(r.Fields(t)["new_password"]), "最近") {
		t.Fatalf("reuse: %s", r.Body)
	}
	// The oldest one, six passwords ago, may.
	mustStatus(t, a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pws[5], "new_password": pws[0]}), 200)
	var kept int64
	a.DB.Table("password_history").Where("user_id = ?", id).Count(&kept)
	if kept != 5 {
		t.Fatalf("history rows = %d, want 5", kept)
	}
	// Expiry: a password older than 90 days must be changed at login.
	a.DB.Table("users").Where("id = ?", id).Update("password_changed_at", time.Now().Add(-91*24*time.Hour))
	me = a.do("GET", "/api/v1/me", a.login("xiaoming", pws[0]), nil).JSON(t)
	if me["must_change_password"] != true {
		t.Fatal("an expired password need not be changed")
	}
	// A wrong old password counts toward the lock and is audited.
	tok = a.login("ua_cadre", userPassword)
	for i := 0; i < 4; i++ {
		mustStatus(t, a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "Wrong-Old-2026", "new_password": "Whatever-2026x"}), 400)
	}
	r = a.do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "Wrong-Old-2026", "new_password": "Whatever-2026x"})
	mustStatus(t, r, 429)
	if auditCount(a, "password.change_fail") != 5 {
		t.Fatalf("wrong old passwords audited = %d", auditCount(a, "password.change_fail"))
	}
}

// Finding 17: duplicate checks say less outside the caller's scope.
func TestDuplicateMessagesOutsideScope(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	a.provision(identity.UserRequest{Username: "b_person", Name: "乙", OrgID: c.unitB, IDNumber: "110101199003074514"})
	r := a.do("POST", "/api/v1/users", c.tokens["ua_admin"], map[string]any{"username": "b_person", "name": "甲", "password": initialPassword, "org_id": c.unitA})
	mustStatus(t, r, 400)
	if msg := fmt.Sprint(r.Fields(t)["username"]); strings.Contains(msg, "已被使用") || msg == "<nil>" {
		t.Fatalf("unit admin told about another unit's account: %s", r.Body)
	}
	r = a.do("POST", "/api/v1/users", c.tokens["ua_admin"], map[string]any{"username": "a_person", "name": "甲", "password": initialPassword, "org_id": c.unitA, "id_number": "110101199003074514"})
	mustStatus(t, r, 400)
	if msg := fmt.Sprint(r.Fields(t)["id_number"]); strings.Contains(msg, "已登记") || msg == "<nil>" {
		t.Fatalf("unit admin told an ID number is registered elsewhere: %s", r.Body)
	}
	// The system administrator, who sees the city, is told plainly.
	r = a.do("POST", "/api/v1/users", c.tokens["admin"], map[string]any{"username": "b_person", "name": "甲", "password": initialPassword, "org_id": c.unitA})
	mustStatus(t, r, 400)
	if !strings.Contains(fmt.Sprint(r.Fields(t)["username"]), "已被使用") {
		t.Fatalf("sysadmin message: %s", r.Body)
	}
}

// Finding 9, nominations: nobody can send a system administrator account to
// a class, while a cadre in the same place can be.
func TestSystemAdminsAreNotNominated(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	id := a.createClass(c, nil)
	a.openClass(c, id)
	for _, name := range []string{"aud", "sec", "admin"} {
		r := a.register(c.tokens["org"], id, a.userID(name))
		mustStatus(t, r, 422)
		if r.ErrorCode(t) != "not_eligible" {
			t.Fatalf("%s: %s", name, r.Body)
		}
	}
	mustStatus(t, a.register(c.tokens["org"], id, c.ids["ua_cadre"]), 201)
}
