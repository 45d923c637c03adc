package identity_test

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

	"college/app/college"
	"college/app/collegetest"
	"college/modules/identity"
	"college/storage/cache/cachetest"
	"college/storage/db"
	"college/storage/objects/objectstest"

	"github.com/pquerna/otp/totp"
)

// Finding 1: only the security administrator grants roles; creation and
// import give learners only, whoever does them.
func TestOnlyLearnersAtCreation(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	before := countUsers(a)
	for _, roles := range [][]string{{"sysadmin", "secadmin", "auditor"}, {"auditor"}, {"org_admin"}, {"learner", "teacher"}} {
		r := a.Do("POST", "/api/v1/users", c.Tokens["admin"], map[string]any{"username": "x" + strings.Join(roles, ""), "name": "某", "password": collegetest.InitialPassword, "org_id": c.UnitA, "roles": roles})
		collegetest.MustStatus(t, r, 403)
		if r.Fields(t)["roles"] == nil {
			t.Fatalf("refusal should name roles: %s", r.Body)
		}
	}
	r := a.Upload("/api/v1/users/import", c.Tokens["admin"], "users.xlsx", collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{{"imp1", "某", "UA", "", "", "", "", "系统管理员、安全管理员、审计管理员", ""}}), nil)
	collegetest.MustStatus(t, r, 422)
	if countUsers(a) != before {
		t.Fatal("a refused creation made an account")
	}
	// A learner is created, and the security administrator then grants.
	id := a.CreateUser(c.Tokens["admin"], "newteacher", c.UnitA)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", id), c.Tokens["admin"], map[string]any{"roles": []string{"teacher"}}), 403)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", id), c.Tokens["sec"], map[string]any{"roles": []string{"learner", "teacher"}}), 200)
}

// Finding 2: nobody but the security administrator manages the three
// administrator accounts, and nobody manages their own.
func TestSystemAdminAccountsManagedBySecAdminOnly(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	adm, sec := c.Tokens["admin"], c.Tokens["sec"]
	auditor, secID, adminID := a.UserID("auditor"), a.UserID("secadmin"), a.UserID("admin")
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/password", auditor), adm, map[string]string{"new_password": "Taken-Over-2026"}), 403)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/disable", secID), adm, nil), 403)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d", auditor), adm, map[string]any{"name": "审计管理员", "org_id": c.UnitA}), 403)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/password", adminID), adm, map[string]string{"new_password": "Own-Reset-2026"}), 409)
	// The auditor's password is still the original one.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "auditor", "password": collegetest.AuditorPassword}), 200)
	// The security administrator may reset it; the auditor must then change it.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/password", auditor), sec, map[string]string{"new_password": "Reset-By-Sec-2026"}), 204)
	tok := a.Login("auditor", "Reset-By-Sec-2026")
	if a.Do("GET", "/api/v1/me", tok, nil).JSON(t)["must_change_password"] != true {
		t.Fatal("a reset password need not be changed")
	}
	// …but not their own through the administration route.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/password", c.IDs["sec"]), sec, map[string]string{"new_password": "Own-Reset-2026"}), 409)
	// Learners stay the system administrator's to manage.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/disable", c.IDs["ua_cadre"]), adm, nil), 200)
	if n := collegetest.CountAudits(a, "user.password_reset"); n != 1 {
		t.Fatalf("password resets audited = %d, want 1", n)
	}
}

// Finding 3: the three roles exclude every other, and the first start makes
// three accounts with one role each.
func TestSystemRolesExclusive(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	sec := c.Tokens["sec"]
	for _, roles := range [][]string{{"sysadmin", "auditor"}, {"secadmin", "learner"}, {"auditor", "org_admin"}} {
		r := a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.IDs["ua_cadre"]), sec, map[string]any{"roles": roles})
		collegetest.MustStatus(t, r, 400)
	}
	for _, u := range []struct{ name, pw, role string }{{"admin", collegetest.AdminPassword, "sysadmin"}, {"secadmin", collegetest.SecAdminPassword, "secadmin"}, {"auditor", collegetest.AuditorPassword, "auditor"}} {
		me := a.Do("GET", "/api/v1/me", a.Login(u.name, u.pw), nil).JSON(t)
		if fmt.Sprint(me["roles"]) != "["+u.role+"]" {
			t.Fatalf("%s roles = %v", u.name, me["roles"])
		}
	}
}

// Finding 4: login input is capped before any work; nothing large reaches
// the audit log.
func TestLoginCaps(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	before := collegetest.CountAudits(a, "login.fail")
	huge := strings.Repeat("a", 1<<19)
	for _, body := range []map[string]string{
		{"username": huge, "password": "x"},
		{"username": "admin", "password": huge},
		{"username": "admin", "password": "x", "otp": huge},
	} {
		r := a.Do("POST", "/api/v1/auth/login", "", body)
		collegetest.MustStatus(t, r, 400)
		if len(r.Fields(t)) == 0 || len(r.Body) > 2000 {
			t.Fatalf("want a short 400 naming the field, got %d bytes", len(r.Body))
		}
	}
	var longest int
	a.DB.Table("audit_logs").Select("COALESCE(MAX(LENGTH(actor_name)), 0)").Scan(&longest)
	if collegetest.CountAudits(a, "login.fail") != before || longest > 64 {
		t.Fatalf("capped logins were audited (max actor %d)", longest)
	}
}

// Finding 9: the three administrators do not study or act as cadres.
func TestSystemAdminsConfinedToTheirDuties(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	aud := c.Tokens["aud"]
	for _, call := range []struct{ method, path string }{
		{"GET", "/api/v1/courses"},
		{"GET", "/api/v1/me/exams"},
		{"GET", "/api/v1/practice/banks"},
		{"GET", "/api/v1/classes"},
		{"GET", "/api/v1/me/hours"},
		{"GET", "/api/v1/users"},
		{"GET", "/api/v1/settings"},
	} {
		if r := a.Do(call.method, call.path, aud, nil); r.Status != 403 {
			t.Errorf("auditor %s %s = %d, want 403", call.method, call.path, r.Status)
		}
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/audit", aud, nil), 200)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", aud, nil), 200)
	for _, tok := range []string{c.Tokens["admin"], c.Tokens["sec"]} {
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/courses", tok, nil), 403)
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/me/hours", tok, nil), 403)
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/audit", tok, nil), 403)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/users", c.Tokens["sec"], nil), 200)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/settings", c.Tokens["admin"], nil), 200)
	// Pages too: the auditor's browser reaches the audit log and nothing else.
	b := collegetest.LoginPages(a, "aud", collegetest.UserPassword)
	for path, want := range map[string]int{"/admin/audit": 200, "/courses": 403, "/exams": 403, "/classes": 403, "/me/hours": 403, "/admin/users": 403, "/profile": 200} {
		if got := b.Req("GET", path, nil).Status; got != want {
			t.Errorf("auditor page %s = %d, want %d", path, got, want)
		}
	}
}

// Finding 10: throttles per address and city-wide; a lock a stranger causes
// cannot keep the owner out (other address, second factor, unlock).
func TestLoginThrottles(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) { c.TrustedProxies = []string{"0.0.0.0"} })
	c := collegetest.NewCity(a)
	// Spraying one password across many accounts from one address slows
	// down at once and stops: the fifth failure asks it to wait.
	var throttled collegetest.Response
	for i := 0; i < 8; i++ {
		r := a.LoginFrom("10.1.1.1", fmt.Sprintf("user%d", i), "Spray-Pass-2026", "")
		if r.Status == 429 {
			throttled = r
			break
		}
		collegetest.MustStatus(t, r, 401)
	}
	if throttled.Status != 429 || throttled.ErrorCode(t) != "throttled" || throttled.Header.Get("Retry-After") == "" {
		t.Fatalf("spraying from one address was not throttled: %d %s", throttled.Status, throttled.Body)
	}
	// Another address is not affected.
	collegetest.MustStatus(t, a.LoginFrom("10.1.1.2", "ua_cadre", collegetest.UserPassword, ""), 200)

	// Failures from many addresses lock the account (20 by default)…
	ctx := context.Background()
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/settings", c.Tokens["admin"], map[string]any{"auth.account_lockout_attempts": 6}), 200)
	for i := 0; i < 6; i++ {
		collegetest.MustStatus(t, a.LoginFrom(fmt.Sprintf("10.2.0.%d", i), "ub_cadre", "wrong", ""), 401)
	}
	r := a.LoginFrom("10.3.0.1", "ub_cadre", collegetest.UserPassword, "")
	collegetest.MustRefuse(t, r, 429, "locked")
	// …until the security administrator unlocks it.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/unlock", c.IDs["ub_cadre"]), c.Tokens["admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/unlock", c.IDs["ub_cadre"]), c.Tokens["sec"], nil), 204)
	collegetest.MustStatus(t, a.LoginFrom("10.3.0.1", "ub_cadre", collegetest.UserPassword, ""), 200)
	if collegetest.CountAudits(a, "user.unlock") != 1 {
		t.Fatal("unlock not audited")
	}

	// An account with a second factor passes its lock with a valid code.
	tok := a.Login("ua_admin", collegetest.UserPassword)
	secret := enrolTOTP(t, a, tok)
	for i := 0; i < 6; i++ {
		collegetest.MustStatus(t, a.LoginFrom(fmt.Sprintf("10.4.0.%d", i), "ua_admin", "wrong", ""), 401)
	}
	collegetest.MustStatus(t, a.LoginFrom("10.5.0.1", "ua_admin", collegetest.UserPassword, ""), 429)
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	collegetest.MustStatus(t, a.LoginFrom("10.5.0.1", "ua_admin", collegetest.UserPassword, code), 200)

	// City-wide: past the limit a minute, everyone waits for the minute.
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/settings", c.Tokens["admin"], map[string]any{"auth.global_fail_limit": 10}), 200)
	a.Cache.Set(ctx, a.Cache.Key("lf", "g", fmt.Sprint(time.Now().Unix()/60)), 10, time.Minute)
	r = a.LoginFrom("10.6.0.1", "ua_cadre", collegetest.UserPassword, "")
	if r.Status != 429 || r.ErrorCode(t) != "throttled" {
		t.Fatalf("city-wide limit: %d %s", r.Status, r.Body)
	}
}

// enrolTOTP enrols a second factor for the caller and returns its secret.
func enrolTOTP(t *testing.T, a *collegetest.App, tok string) string {
	t.Helper()
	r := a.Do("POST", "/api/v1/me/mfa/totp", tok, nil)
	collegetest.MustStatus(t, r, 200)
	secret, _ := r.JSON(t)["secret"].(string)
	uri, _ := r.JSON(t)["otpauth_uri"].(string)
	if secret == "" || !strings.HasPrefix(uri, "otpauth://totp/") {
		t.Fatalf("enrolment start = %s", r.Body)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	r = a.Do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": code})
	collegetest.MustStatus(t, r, 200)
	if codes, _ := r.JSON(t)["recovery_codes"].([]any); len(codes) != 10 {
		t.Fatalf("recovery codes = %s", r.Body)
	}
	return secret
}

// Build 1: administrators must enrol a second factor before anything else;
// logins then need a code (one use each) or a recovery code (once).
func TestAdminSecondFactor(t *testing.T) {
	t.Parallel()
	setup := collegetest.New(t)
	c := collegetest.NewCity(setup)
	a := collegetest.NewOn(t, setup, func(cfg *college.Config) { cfg.Auth.AdminMFA = true }) // the same city, now requiring the second factor
	r := a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": collegetest.UserPassword})
	collegetest.MustStatus(t, r, 200)
	tok := r.JSON(t)["token"].(string)
	if r.JSON(t)["user"].(map[string]any)["mfa_enrolment_required"] != true {
		t.Fatalf("login = %s", r.Body)
	}
	r = a.Do("GET", "/api/v1/classes", tok, nil)
	collegetest.MustRefuse(t, r, 403, "mfa_enrolment_required")
	start := a.Do("POST", "/api/v1/me/mfa/totp", tok, nil).JSON(t)
	secret := start["secret"].(string)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": "000000"}), 400)
	code, _ := totp.GenerateCode(secret, time.Now())
	r = a.Do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": code})
	collegetest.MustStatus(t, r, 200)
	full := r.JSON(t)["token"].(string)
	recovery := r.JSON(t)["recovery_codes"].([]any)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/classes", tok, nil), 401) // the limited session ended
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/classes", full, nil), 200)

	// Logins now need the second factor.
	r = a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": collegetest.UserPassword})
	collegetest.MustRefuse(t, r, 401, "otp_required")
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": collegetest.UserPassword, "otp": next}), 200)
	r = a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": collegetest.UserPassword, "otp": next})
	collegetest.MustRefuse(t, r, 401, "otp_invalid") // a code is used once
	rc := recovery[0].(string)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": collegetest.UserPassword, "otp": strings.ToUpper(rc)}), 200)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": collegetest.UserPassword, "otp": rc}), 401)

	// The security administrator resets it; the next login enrols again.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/mfa/reset", c.IDs["ua_admin"]), c.Tokens["admin"], nil), 403)
	sec := a.Login("sec", collegetest.UserPassword) // unenrolled: limited session
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/mfa/reset", c.IDs["ua_admin"]), sec, nil), 403)
	sec = enrolAndLogin(t, a, "sec")
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/mfa/reset", c.IDs["ua_admin"]), sec, nil), 204)
	r = a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_admin", "password": collegetest.UserPassword})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["user"].(map[string]any)["mfa_enrolment_required"] != true {
		t.Fatal("after a reset the account must enrol again")
	}
	if collegetest.CountAudits(a, "mfa.enable") != 2 || collegetest.CountAudits(a, "mfa.reset") != 1 {
		t.Fatalf("mfa audit: %d enable, %d reset", collegetest.CountAudits(a, "mfa.enable"), collegetest.CountAudits(a, "mfa.reset"))
	}
	// Learners need none (unless the setting asks for it).
	r = a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_cadre", "password": collegetest.UserPassword})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["user"].(map[string]any)["mfa_enrolment_required"] != false {
		t.Fatal("a learner was asked to enrol")
	}
}

// enrolAndLogin enrols a second factor for username and returns a full token.
func enrolAndLogin(t *testing.T, a *collegetest.App, username string) string {
	t.Helper()
	tok := a.Login(username, collegetest.UserPassword)
	start := a.Do("POST", "/api/v1/me/mfa/totp", tok, nil).JSON(t)
	code, _ := totp.GenerateCode(start["secret"].(string), time.Now())
	r := a.Do("POST", "/api/v1/me/mfa/totp/confirm", tok, map[string]string{"code": code})
	collegetest.MustStatus(t, r, 200)
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
	cfg := college.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.SecretKey = "test-secret-key-0123456789abcdef0123456789"
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gdb, err := db.Open(cfg.Database(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(gdb) })
	app, err := college.Build(context.Background(), cfg, log, college.Stores{DB: gdb, Cache: cachetest.New(t), Objects: objectstest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	a := &collegetest.App{App: app, T: t}
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
		r := a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": pw[name]})
		collegetest.MustStatus(t, r, 200)
		u := r.JSON(t)["user"].(map[string]any)
		if u["must_change_password"] != true || u["mfa_enrolment_required"] != true {
			t.Fatalf("%s first login = %s", name, r.Body)
		}
		tok := r.JSON(t)["token"].(string)
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/users", tok, nil), 403)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("file removed before all three changed: %v", err)
		}
		collegetest.MustStatus(t, a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pw[name], "new_password": news[name]}), 200)
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
	a, c := collegetest.NewCityApp(t)
	adm := c.Tokens["admin"]
	// Common passwords and the username are refused.
	for _, pw := range []string{"P@ssw0rd", "Admin@123", "Qwer1234", "Xiaoming-2026"} {
		r := a.Do("POST", "/api/v1/users", adm, map[string]any{"username": "xiaoming", "name": "小明", "password": pw, "org_id": c.UnitA})
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)["password"] == nil {
			t.Fatalf("%s: %s", pw, r.Body)
		}
	}
	// An administrator-set password must be changed, without the flag too.
	r := a.Do("POST", "/api/v1/users", adm, map[string]any{"username": "xiaoming", "name": "小明", "password": collegetest.InitialPassword, "org_id": c.UnitA})
	collegetest.MustStatus(t, r, 201)
	id := r.ID(t)
	tok := a.Login("xiaoming", collegetest.InitialPassword)
	me := a.Do("GET", "/api/v1/me", tok, nil).JSON(t)
	if me["must_change_password"] != true {
		t.Fatal("an administrator-set password need not be changed")
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/courses", tok, nil), 403)
	// History: the last five may not come back.
	pws := []string{collegetest.InitialPassword, "Second-Pass-2026", "Third-Pass-2026", "Fourth-Pass-2026", "Fifth-Pass-2026", "Sixth-Pass-2026"}
	for i := 1; i < len(pws); i++ {
		r := a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pws[i-1], "new_password": pws[i]})
		collegetest.MustStatus(t, r, 200)
		tok = r.JSON(t)["token"].(string)
	}
	r = a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pws[5], "new_password": pws[2]})
	collegetest.MustStatus(t, r, 400)
	if !strings.Contains(fmt.Sprint(r.Fields(t)["new_password"]), "最近") {
		t.Fatalf("reuse: %s", r.Body)
	}
	// The oldest one, six passwords ago, may.
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": pws[5], "new_password": pws[0]}), 200)
	if kept := a.Count("password_history", "user_id = ?", id); kept != 5 {
		t.Fatalf("history rows = %d, want 5", kept)
	}
	// Expiry: a password older than 90 days must be changed at login.
	a.DB.Table("users").Where("id = ?", id).Update("password_changed_at", time.Now().Add(-91*24*time.Hour))
	me = a.Do("GET", "/api/v1/me", a.Login("xiaoming", pws[0]), nil).JSON(t)
	if me["must_change_password"] != true {
		t.Fatal("an expired password need not be changed")
	}
	// A wrong old password counts toward the lock and is audited.
	tok = a.Login("ua_cadre", collegetest.UserPassword)
	for i := 0; i < 4; i++ {
		collegetest.MustStatus(t, a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "Wrong-Old-2026", "new_password": "Whatever-2026x"}), 400)
	}
	r = a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": "Wrong-Old-2026", "new_password": "Whatever-2026x"})
	collegetest.MustStatus(t, r, 429)
	if collegetest.CountAudits(a, "password.change_fail") != 5 {
		t.Fatalf("wrong old passwords audited = %d", collegetest.CountAudits(a, "password.change_fail"))
	}
}

// Finding 17: duplicate checks say less outside the caller's scope.
func TestDuplicateMessagesOutsideScope(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	a.Provision(identity.UserRequest{Username: "b_person", Name: "乙", OrgID: c.UnitB, IDNumber: "110101199003074514"})
	r := a.Do("POST", "/api/v1/users", c.Tokens["ua_admin"], map[string]any{"username": "b_person", "name": "甲", "password": collegetest.InitialPassword, "org_id": c.UnitA})
	collegetest.MustStatus(t, r, 400)
	if msg := fmt.Sprint(r.Fields(t)["username"]); strings.Contains(msg, "已被使用") || msg == "<nil>" {
		t.Fatalf("unit admin told about another unit's account: %s", r.Body)
	}
	r = a.Do("POST", "/api/v1/users", c.Tokens["ua_admin"], map[string]any{"username": "a_person", "name": "甲", "password": collegetest.InitialPassword, "org_id": c.UnitA, "id_number": "110101199003074514"})
	collegetest.MustStatus(t, r, 400)
	if msg := fmt.Sprint(r.Fields(t)["id_number"]); strings.Contains(msg, "已登记") || msg == "<nil>" {
		t.Fatalf("unit admin told an ID number is registered elsewhere: %s", r.Body)
	}
	// The system administrator, who sees the city, is told plainly.
	r = a.Do("POST", "/api/v1/users", c.Tokens["admin"], map[string]any{"username": "b_person", "name": "甲", "password": collegetest.InitialPassword, "org_id": c.UnitA})
	collegetest.MustStatus(t, r, 400)
	if !strings.Contains(fmt.Sprint(r.Fields(t)["username"]), "已被使用") {
		t.Fatalf("sysadmin message: %s", r.Body)
	}
}

// Finding 9, nominations: nobody can send a system administrator account to
// a class, while a cadre in the same place can be.
func TestSystemAdminsAreNotNominated(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	id := a.CreateClass(c, nil)
	a.OpenClass(c, id)
	for _, name := range []string{"aud", "sec", "admin"} {
		r := a.Register(c.Tokens["org"], id, a.UserID(name))
		collegetest.MustRefuse(t, r, 422, "not_eligible")
	}
	collegetest.MustStatus(t, a.Register(c.Tokens["org"], id, c.IDs["ua_cadre"]), 201)
}
