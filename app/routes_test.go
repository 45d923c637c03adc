package main

import (
	"slices"

	"college/app/collegetest"
	"college/modules/web"

	"fmt"
	"strings"
	"testing"
)

// concrete replaces :params with ids of records that exist, so the checks
// below reach the handlers instead of a 404.
func concrete(path string, id uint64) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = fmt.Sprint(id)
		}
	}
	return strings.Join(parts, "/")
}

// Every API route refuses an anonymous caller with 401, except the public ones.
func TestEveryRouteNeedsLogin(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	n := 0
	for _, r := range a.API.Routes() {
		if r.Public {
			continue
		}
		n++
		res := a.Do(r.Method, concrete(r.Path, 1), "", nil)
		if res.Status != 401 || res.ErrorCode(t) != "unauthorized" {
			t.Errorf("%s %s anonymous: %d %s", r.Method, r.Path, res.Status, res.Body)
		}
		res = a.Do(r.Method, concrete(r.Path, 1), "not-a-real-token", nil)
		if res.Status != 401 {
			t.Errorf("%s %s with a made-up token: %d", r.Method, r.Path, res.Status)
		}
	}
	if n < 15 {
		t.Fatalf("only %d protected routes checked", n)
	}
}

// Every route that takes a JSON body answers malformed JSON with 400 and an
// oversize body with 413, and changes nothing.
func TestEveryJSONRouteRefusesBadBodies(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	// Run as the role each route needs; the admin holds sysadmin and
	// org_admin, the secadmin the role route.
	tokenFor := func(r web.RouteInfo) string {
		switch {
		case slices.Contains(r.Roles, "secadmin"):
			return c.Tokens["sec"]
		case slices.Contains(r.Roles, "college_admin") && !slices.Contains(r.Roles, "org_admin"):
			return c.Tokens["col"]
		case slices.Contains(r.Roles, "sysadmin") && !slices.Contains(r.Roles, "org_admin"):
			return c.Tokens["admin"]
		}
		return c.Tokens["org"]
	}
	var usersBefore, orgsBefore int64
	a.DB.Table("users").Count(&usersBefore)
	a.DB.Table("orgs").Count(&orgsBefore)
	big := `{"name":"` + strings.Repeat("长", 400000) + `"}`
	n := 0
	for _, r := range a.API.Routes() {
		if !r.HasBody || r.Public && r.Path != "/api/v1/auth/login" {
			continue
		}
		n++
		path := concrete(r.Path, c.IDs["ua_cadre"])
		if strings.HasPrefix(r.Path, "/api/v1/orgs/") {
			path = concrete(r.Path, c.UnitA)
		}
		tok := tokenFor(r)
		for _, bad := range []string{`{"name":`, `not json at all`, ``} {
			if bad == "" && r.OptionalBody {
				continue
			}
			res := a.Do(r.Method, path, tok, bad)
			if res.Status != 400 {
				t.Errorf("%s %s with %q: %d %s", r.Method, r.Path, bad, res.Status, res.Body)
			}
		}
		res := a.Do(r.Method, path, tok, big)
		if res.Status != 413 {
			t.Errorf("%s %s oversize: %d", r.Method, r.Path, res.Status)
		}
	}
	if n < 8 {
		t.Fatalf("only %d JSON routes checked", n)
	}
	var usersAfter, orgsAfter int64
	a.DB.Table("users").Count(&usersAfter)
	a.DB.Table("orgs").Count(&orgsAfter)
	if usersAfter != usersBefore || orgsAfter != orgsBefore {
		t.Fatal("a refused request changed the data")
	}
	// The session of the cadre whose id was used must still be alive:
	// nothing reached the role or password handlers.
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me", c.Tokens["ua_cadre"], nil), 200)
}
