package collegetest

import (
	"bytes"
	"college/modules/identity"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const UserPassword = "Cadre-Pass-2026"

// InitialPassword is what an administrator gives a new account; the owner
// changes it to UserPassword at the first login.
const InitialPassword = "Initial-Pass-2026"

// City is a small organization tree with one account per role.
type City struct {
	Root, UnitA, UnitB, College uint64
	Tokens                      map[string]string // username -> token
	IDs                         map[string]uint64 // username -> user id
}

func (a *App) CreateOrg(token, name, code, kind string, parent uint64) uint64 {
	a.T.Helper()
	body := map[string]any{"name": name, "code": code, "kind": kind}
	if parent != 0 {
		body["parent_id"] = parent
	}
	r := a.Do("POST", "/api/v1/orgs", token, body)
	MustStatus(a.T, r, 201)
	return r.ID(a.T)
}

// CreateUser makes an account the way the college does: an administrator
// who may create accounts (token's, or else the system administrator)
// creates a learner, the security administrator grants any other role, and
// the owner chooses their password (userPassword) at the first login.
func (a *App) CreateUser(token, username string, org uint64, roles ...string) uint64 {
	a.T.Helper()
	if me := a.Do("GET", "/api/v1/me", token, nil).JSON(a.T); !strings.Contains(fmt.Sprint(me["roles"]), "sysadmin") && !strings.Contains(fmt.Sprint(me["roles"]), "unit_admin") {
		token = a.Admin()
	}
	r := a.Do("POST", "/api/v1/users", token, map[string]any{"username": username, "name": "测试" + username, "password": InitialPassword, "org_id": org})
	MustStatus(a.T, r, 201)
	id := r.ID(a.T)
	if len(roles) > 0 && !(len(roles) == 1 && roles[0] == "learner") {
		MustStatus(a.T, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", id), a.SecAdmin(), map[string]any{"roles": roles}), 200)
	}
	tok := a.Login(username, InitialPassword)
	MustStatus(a.T, a.Do("PUT", "/api/v1/me/password", tok, map[string]string{"old_password": InitialPassword, "new_password": UserPassword}), 200)
	return id
}

// Provision makes accounts with roles directly through the service (as the
// seed does): the fixture of most tests, cheaper than the API round trips.
func (a *App) Provision(users ...identity.UserRequest) {
	a.T.Helper()
	if _, err := a.Identity.Provision(context.Background(), users, UserPassword); err != nil {
		a.T.Fatal(err)
	}
}

// UserID returns the id of a username.
func (a *App) UserID(username string) uint64 {
	a.T.Helper()
	return a.idBy("users", "username", username)
}

// idBy returns the id of the one row of table whose column holds value.
func (a *App) idBy(table, column, value string) uint64 {
	a.T.Helper()
	var id uint64
	if err := a.DB.Table(table).Where(column+" = ?", value).Pluck("id", &id).Error; err != nil || id == 0 {
		a.T.Fatalf("%s with %s %q: %v", table, column, value, err)
	}
	return id
}

// OrgID returns the id of an org by its code.
func (a *App) OrgID(code string) uint64 {
	a.T.Helper()
	return a.idBy("orgs", "code", code)
}

// NewCityApp starts a college on fresh stores and builds the city of
// NewCity in it.
func NewCityApp(t *testing.T) (*App, *City) {
	t.Helper()
	a := New(t)
	return a, NewCity(a)
}

// NewCity builds: root department ← district ← unit A, unit B; a branch
// college; a unit admin and a learner in each unit; an org department admin
// ("org"), a secadmin and an auditor at the root. "admin" is the built-in
// system administrator.
func NewCity(a *App) *City {
	adm := a.Admin()
	me := a.Do("GET", "/api/v1/me", adm, nil).JSON(a.T)
	c := &City{Root: uint64(me["org_id"].(float64)), Tokens: map[string]string{"admin": adm}, IDs: map[string]uint64{}}
	district := a.CreateOrg(adm, "东城区委组织部", "D01", "department", 0)
	c.UnitA = a.CreateOrg(adm, "东城区发改委", "UA", "unit", district)
	c.UnitB = a.CreateOrg(adm, "东城区教育局", "UB", "unit", district)
	c.College = a.CreateOrg(adm, "市委党校分院", "C01", "college", c.Root)
	users := []struct {
		name  string
		org   uint64
		roles []string
	}{
		{"ua_admin", c.UnitA, []string{"unit_admin"}},
		{"ub_admin", c.UnitB, []string{"unit_admin"}},
		{"ua_cadre", c.UnitA, []string{"learner"}},
		{"ub_cadre", c.UnitB, []string{"learner"}},
		{"sec", c.Root, []string{"secadmin"}},
		{"aud", c.Root, []string{"auditor"}},
		{"col", c.College, []string{"college_admin"}},
		{"org", c.Root, []string{"org_admin"}},
	}
	reqs := make([]identity.UserRequest, len(users))
	for i, u := range users {
		reqs[i] = identity.UserRequest{Username: u.name, Name: "测试" + u.name, OrgID: u.org, Roles: u.roles}
	}
	a.Provision(reqs...)
	for _, u := range users {
		c.IDs[u.name] = a.UserID(u.name)
	}
	for _, u := range users {
		c.Tokens[u.name] = a.Login(u.name, UserPassword)
	}
	return c
}

// LoginFrom logs in through the API as if from ip (the app trusts the proxy
// header in these tests).
func (a *App) LoginFrom(ip, username, password, otp string) Response {
	a.T.Helper()
	body := map[string]string{"username": username, "password": password}
	if otp != "" {
		body["otp"] = otp
	}
	raw, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", "/api/v1/auth/login", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Real-IP", ip)
	return a.Send(req)
}

// ImportFile builds an .xlsx with the template's header and the rows.
func ImportFile(t *testing.T, header []string, rows [][]string) []byte {
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

// ImportHeader is the header row of the account import template.
var ImportHeader = []string{"用户名*", "姓名*", "组织代码*", "职级", "职务", "身份证号", "手机号", "角色", "任职期满日期"}
