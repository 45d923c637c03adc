package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"college/app/collegetest"
	"college/modules/identity"
	"college/modules/web"
)

var updateMatrix = flag.Bool("update-matrix", false, "rewrite the route × role table in README.md")

// matrixRoles are the columns of the route × role table.
var matrixRoles = []string{web.RoleLearner, web.RoleTeacher, web.RoleUnitAdmin, web.RoleCollegeAdmin, web.RoleOrgAdmin, web.RoleSysAdmin, web.RoleSecAdmin, web.RoleAuditor}

const (
	matrixBegin = "<!-- route-role-matrix:begin -->"
	matrixEnd   = "<!-- route-role-matrix:end -->"
)

// routeMatrix renders the table of every API route and the roles its gate
// lets through, from the routes the server registered.
func routeMatrix(routes []web.RouteInfo) string {
	sort.SliceStable(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	var b strings.Builder
	b.WriteString("| 接口 | 匿名 |")
	for _, r := range matrixRoles {
		b.WriteString(" " + web.RoleNames[r] + " |")
	}
	b.WriteString("\n| --- | --- |" + strings.Repeat(" --- |", len(matrixRoles)) + "\n")
	for _, rt := range routes {
		fmt.Fprintf(&b, "| `%s %s` | %s |", rt.Method, strings.TrimPrefix(rt.Path, "/api/v1"), mark(rt.Public))
		for _, role := range matrixRoles {
			b.WriteString(" " + mark(rt.Allows([]string{role})) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "·"
}

// The README's route × role table is the one the server registers, and the
// running server refuses every role the table refuses (403 at the gate) and
// lets through every role it allows (whatever the service then says of the
// made-up record).
func TestRouteRoleMatrix(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	routes := a.API.Routes()
	table := routeMatrix(append([]web.RouteInfo(nil), routes...))
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	begin, end := strings.Index(string(readme), matrixBegin), strings.Index(string(readme), matrixEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md lacks the %s … %s markers", matrixBegin, matrixEnd)
	}
	current := string(readme[begin+len(matrixBegin) : end])
	if strings.TrimSpace(current) != strings.TrimSpace(table) {
		if *updateMatrix {
			out := string(readme[:begin+len(matrixBegin)]) + "\n" + table + string(readme[end:])
			if err := os.WriteFile("../README.md", []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Fatal("README.md's route × role table is out of date: go test ./app -run TestRouteRoleMatrix -update-matrix")
		}
	}

	// One account per role, holding that role only.
	tokens := map[string]string{}
	for _, role := range matrixRoles {
		name := "m_" + role
		a.Provision(identity.UserRequest{Username: name, Name: "矩阵" + role, OrgID: c.Root, Roles: []string{role}})
		tokens[role] = a.Login(name, collegetest.UserPassword)
	}
	checked := 0
	for _, rt := range routes {
		if rt.Public || rt.Path == "/api/v1/auth/logout" {
			continue
		}
		path := concrete(rt.Path, 999999999)
		for _, role := range matrixRoles {
			res := a.Do(rt.Method, path, tokens[role], nil)
			var code, msg string
			if res.Status >= 400 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				e, _ := res.JSON(t)["error"].(map[string]any)
				code, _ = e["code"].(string)
				msg, _ = e["message"].(string)
			}
			gate := res.Status == 403 && web.IsGateRefusal(code, msg)
			switch {
			case res.Status == 401:
				t.Errorf("%s %s as %s: 401, the session was lost", rt.Method, rt.Path, role)
			case rt.Allows([]string{role}) && gate:
				t.Errorf("%s %s as %s: refused at the gate, the table allows it", rt.Method, rt.Path, role)
			case !rt.Allows([]string{role}) && !gate:
				t.Errorf("%s %s as %s: %d %s, the table refuses it", rt.Method, rt.Path, role, res.Status, res.Body)
			}
			checked++
		}
	}
	if checked < 8*100 {
		t.Fatalf("only %d route × role cells checked", checked)
	}
}
