package identity_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"

	"github.com/pquerna/otp/totp"
)

// oneAudit checks that action was recorded exactly once, by actor, about
// target, and returns the entry's detail.
func oneAudit(a *collegetest.App, action, actor string, target uint64) string {
	a.T.Helper()
	rows := a.AuditRows(action)
	if len(rows) != 1 {
		a.T.Fatalf("%s: %d audit entries, want 1: %+v", action, len(rows), rows)
	}
	if rows[0].ActorName != actor || rows[0].TargetID != target || !rows[0].Success {
		a.T.Fatalf("%s recorded as by %q about %d (success %v), want by %q about %d", action, rows[0].ActorName, rows[0].TargetID, rows[0].Success, actor, target)
	}
	return rows[0].Detail
}

// cityBrowser starts a college with the city of newCity and a browser
// logged in as username.
func cityBrowser(t *testing.T, username, password string) (*collegetest.App, *collegetest.City, *collegetest.Browser) {
	t.Helper()
	a, c := collegetest.NewCityApp(t)
	b := a.Browser()
	seeOther(t, b.LoginAs(username, password), "/admin/users")
	return a, c, b
}

// formToken opens a page with a form and returns the form's CSRF token.
func formToken(b *collegetest.Browser, path string) string {
	b.App.T.Helper()
	page := b.Req("GET", path, nil)
	collegetest.MustStatus(b.App.T, page, 200)
	return b.CSRF(page)
}

// seeOther checks a form's answer: a redirect to where.
func seeOther(t *testing.T, r collegetest.Response, where string) {
	t.Helper()
	collegetest.MustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != where {
		t.Fatalf("redirected to %q, want %q", loc, where)
	}
}

// userColumn reads one column of a user's row.
func userColumn[T any](a *collegetest.App, id uint64, col string) T {
	a.T.Helper()
	var v T
	if err := a.DB.Table("users").Where("id = ?", id).Select(col).Scan(&v).Error; err != nil {
		a.T.Fatal(err)
	}
	return v
}

// A system administrator creates, edits, disables, enables an account and
// resets its password through the user pages; each is recorded once.
func TestUserAccountPages(t *testing.T) {
	t.Parallel()
	a, c, b := cityBrowser(t, "admin", collegetest.AdminPassword)

	tok := formToken(b, "/admin/users/new")
	// A form that fails validation is shown again with 400 and writes nothing.
	r := b.Req("POST", "/admin/users/new", url.Values{"_csrf": {tok}, "username": {"zhang san"}, "name": {"张三"}, "password": {collegetest.InitialPassword}, "org_id": {fmt.Sprint(c.UnitA)}, "roles": {"learner"}})
	collegetest.MustBody(t, r, 400, "用户名只能包含字母、数字、下划线、点和短横线")
	if n := len(a.AuditRows("user.create")); n != 0 {
		t.Fatalf("a refused form wrote %d user.create entries", n)
	}
	r = b.Req("POST", "/admin/users/new", url.Values{"_csrf": {tok}, "username": {"zhangsan"}, "name": {"张三"}, "password": {collegetest.InitialPassword},
		"org_id": {fmt.Sprint(c.UnitA)}, "roles": {"learner"}, "level": {"乡科级"}, "post": {"科员"}, "must_change_password": {"true"}})
	seeOther(t, r, "/admin/users")
	id := a.UserID("zhangsan")
	if org := userColumn[uint64](a, id, "org_id"); org != c.UnitA {
		t.Fatalf("the new account is in org %d, want %d", org, c.UnitA)
	}
	if !userColumn[bool](a, id, "must_change_password") {
		t.Fatal("an account created with a password chosen for it need not change it")
	}
	if d := oneAudit(a, "user.create", "admin", id); !strings.Contains(d, `"username":"zhangsan"`) {
		t.Fatalf("user.create detail = %s", d)
	}

	path := fmt.Sprintf("/admin/users/%d", id)
	r = b.Req("POST", path, url.Values{"_csrf": {tok}, "name": {"张三丰"}, "org_id": {fmt.Sprint(c.UnitA)}, "level": {"县处级"}, "post": {"处长"}})
	seeOther(t, r, path)
	if name, post := userColumn[string](a, id, "name"), userColumn[string](a, id, "post"); name != "张三丰" || post != "处长" {
		t.Fatalf("after the edit: name %q, post %q", name, post)
	}
	if d := oneAudit(a, "user.update", "admin", id); !strings.Contains(d, `"name":"张三丰"`) {
		t.Fatalf("user.update detail = %s", d)
	}

	seeOther(t, b.Req("POST", path+"/disable", url.Values{"_csrf": {tok}}), path)
	if !userColumn[bool](a, id, "disabled") {
		t.Fatal("the account is not disabled")
	}
	if r := a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "zhangsan", "password": collegetest.InitialPassword}); r.Status != 401 {
		t.Fatalf("a disabled account logged in: %d", r.Status)
	}
	oneAudit(a, "user.disable", "admin", id)
	page := b.Req("GET", path, nil)
	collegetest.MustBody(t, page, 200, "已停用账号：张三丰")

	seeOther(t, b.Req("POST", path+"/enable", url.Values{"_csrf": {tok}}), path)
	if userColumn[bool](a, id, "disabled") {
		t.Fatal("the account is still disabled")
	}
	oneAudit(a, "user.enable", "admin", id)
	a.Login("zhangsan", collegetest.InitialPassword)

	// A password the rules refuse: the page again with 400 and the reason.
	r = b.Req("POST", path+"/password", url.Values{"_csrf": {tok}, "new_password": {"short"}})
	collegetest.MustBody(t, r, 400, `<span class="field-error">密码至少 8 位</span>`)
	seeOther(t, b.Req("POST", path+"/password", url.Values{"_csrf": {tok}, "new_password": {"Reset-Pass-2026"}}), path)
	r = a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "zhangsan", "password": "Reset-Pass-2026"})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["user"].(map[string]any)["must_change_password"] != true {
		t.Fatal("after a reset the user need not choose their own password")
	}
	oneAudit(a, "user.password_reset", "admin", id)
}

// The security administrator sets roles, unlocks an account and resets a
// second factor, on the pages and through the API; each is recorded once.
func TestSecurityAdminUserPages(t *testing.T) {
	t.Parallel()
	a, c, b := cityBrowser(t, "sec", collegetest.UserPassword)
	cadre := c.IDs["ua_cadre"]
	path := fmt.Sprintf("/admin/users/%d", cadre)
	tok := formToken(b, path)

	before := a.Login("ua_cadre", collegetest.UserPassword)
	seeOther(t, b.Req("POST", path+"/roles", url.Values{"_csrf": {tok}, "roles": {"learner", "org_admin"}}), path)
	var roles []string
	if err := a.DB.Table("user_roles").Where("user_id = ?", cadre).Order("role").Pluck("role", &roles).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(roles, ",") != "learner,org_admin" {
		t.Fatalf("roles after the change: %v", roles)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", before, nil), 401) // the new roles apply at the next login
	if d := oneAudit(a, "user.roles", "sec", cadre); !strings.Contains(d, `"roles":["learner","org_admin"]`) || !strings.Contains(d, `"before":["learner"]`) {
		t.Fatalf("user.roles detail = %s", d)
	}

	// Three wrong passwords lock the account (before the address is slowed
	// down); the unlock lets it in again.
	a.Setting(identity.SetLockoutAttempts, "3")
	for range 3 {
		a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_cadre", "password": "wrong-password"})
	}
	if r := a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_cadre", "password": collegetest.UserPassword}); r.ErrorCode(t) != "locked" {
		t.Fatalf("not locked after three failures: %d %s", r.Status, r.Body)
	}
	seeOther(t, b.Req("POST", path+"/unlock", url.Values{"_csrf": {tok}}), path)
	tokCadre := a.Login("ua_cadre", collegetest.UserPassword)
	oneAudit(a, "user.unlock", "sec", cadre)

	// A second factor reset on the page: the next login needs no code.
	enrolTOTP(t, a, tokCadre)
	if r := a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ua_cadre", "password": collegetest.UserPassword}); r.ErrorCode(t) != "otp_required" {
		t.Fatalf("enrolled account logged in without a code: %d %s", r.Status, r.Body)
	}
	seeOther(t, b.Req("POST", path+"/mfa-reset", url.Values{"_csrf": {tok}}), path)
	tokCadre = a.Login("ua_cadre", collegetest.UserPassword)
	oneAudit(a, "mfa.reset", "sec", cadre)

	// The same through the API.
	enrolTOTP(t, a, tokCadre)
	sec := a.Login("sec", collegetest.UserPassword)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/users/%d/mfa/reset", cadre), sec, nil), 204)
	a.Login("ua_cadre", collegetest.UserPassword)
	if n := len(a.AuditRows("mfa.reset")); n != 2 {
		t.Fatalf("%d mfa.reset entries after two resets", n)
	}
	if n := a.Count("user_mfa", "user_id = ?", cadre); n != 0 {
		t.Fatalf("%d second factors left after the reset", n)
	}
}

// An org administrator renames an org through the API.
func TestUpdateOrgAPI(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	org := c.Tokens["org"]
	r := a.Do("PUT", fmt.Sprintf("/api/v1/orgs/%d", c.UnitB), org, map[string]any{"name": "东城区教育委员会", "code": "UB2"})
	collegetest.MustStatus(t, r, 200)
	got := a.Do("GET", fmt.Sprintf("/api/v1/orgs/%d", c.UnitB), org, nil).JSON(t)
	if got["name"] != "东城区教育委员会" || got["code"] != "UB2" || got["kind"] != "unit" {
		t.Fatalf("org after the edit: %v", got)
	}
	if d := oneAudit(a, "org.update", "org", c.UnitB); d != `{"code":"UB2","name":"东城区教育委员会"}` {
		t.Fatalf("org.update detail = %s", d)
	}
}

var mfaSecretText = regexp.MustCompile(`id="mfa-secret">([A-Z2-7 ]+)<`)

// A learner enrols a second factor and changes their password on the
// profile pages; each step is recorded once.
func TestProfilePages(t *testing.T) {
	t.Parallel()
	a, c, b := cityBrowser(t, "ub_cadre", collegetest.UserPassword)
	cadre := c.IDs["ub_cadre"]

	// Starting an enrolment through the API is recorded too.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/me/mfa/totp", c.Tokens["ub_cadre"], nil), 200)
	oneAudit(a, "mfa.enrol.start", "ub_cadre", cadre)

	tok := formToken(b, "/profile/mfa")
	r := b.Req("POST", "/profile/mfa", url.Values{"_csrf": {tok}})
	collegetest.MustStatus(t, r, 200)
	m := mfaSecretText.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", r.Body)
	}
	if n := len(a.AuditRows("mfa.enrol.start")); n != 2 {
		t.Fatalf("%d mfa.enrol.start entries after two starts", n)
	}
	code, err := totp.GenerateCode(strings.ReplaceAll(string(m[1]), " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = b.Req("POST", "/profile/mfa/confirm", url.Values{"_csrf": {tok}, "code": {code}})
	collegetest.MustBody(t, r, 200, "请保存恢复码")
	if enabled := a.Count("user_mfa", "user_id = ? AND enabled_at IS NOT NULL", cadre); enabled != 1 {
		t.Fatal("the second factor is not enabled")
	}
	oneAudit(a, "mfa.enable", "ub_cadre", cadre)

	// A mismatched confirmation is refused with 400 and changes nothing.
	collegetest.MustStatus(t, b.Req("POST", "/profile/password", url.Values{"_csrf": {tok}, "old_password": {collegetest.UserPassword}, "new_password": {"Chosen-Pass-2027"}, "confirm_password": {"Chosen-Pass-2028"}}), 400)
	r = b.Req("POST", "/profile/password", url.Values{"_csrf": {tok}, "old_password": {collegetest.UserPassword}, "new_password": {"Chosen-Pass-2027"}, "confirm_password": {"Chosen-Pass-2027"}})
	seeOther(t, r, "/profile")
	next, _ := totp.GenerateCode(strings.ReplaceAll(string(m[1]), " ", ""), time.Now().Add(30*time.Second))
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ub_cadre", "password": "Chosen-Pass-2027", "otp": next}), 200)
	collegetest.MustStatus(t, b.Req("GET", "/profile", nil), 200) // this session goes on
	oneAudit(a, "password.change", "ub_cadre", cadre)
}
