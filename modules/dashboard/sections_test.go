package dashboard_test

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/dashboard"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// cadreBase selects the enabled learners of a subtree, as expected() does.
const cadreBase = `FROM users u JOIN orgs o ON o.id = u.org_id
WHERE o.path LIKE ? AND u.disabled = ? AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'learner')`

func sqlCount(t *testing.T, a *collegetest.App, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func openXLSX(t *testing.T, a *collegetest.App, token, path string) *excelize.File {
	t.Helper()
	r := a.Do("GET", path, token, nil)
	collegetest.MustStatus(t, r, 200)
	x, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

func sheet(t *testing.T, x *excelize.File, name string) [][]string {
	t.Helper()
	rows, err := x.GetRows(name)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func getJSON(t *testing.T, a *collegetest.App, token, path string) map[string]any {
	t.Helper()
	r := a.Do("GET", path, token, nil)
	collegetest.MustStatus(t, r, 200)
	return r.JSON(t)
}

func items(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	for _, x := range m[key].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func unitNamed(t *testing.T, units []map[string]any, name string) map[string]any {
	t.Helper()
	for _, u := range units {
		if u["name"] == name {
			return u
		}
	}
	t.Fatalf("no unit %s in %v", name, units)
	return nil
}

// scopeChecks: a unit admin asking for an org outside their subtree gets
// 404, a learner 403.
func scopeChecks(t *testing.T, f *fixture, paths ...string) {
	t.Helper()
	for _, p := range paths {
		for _, o := range []uint64{f.c.UnitB, f.district, f.c.Root} {
			collegetest.MustStatus(t, f.a.Do("GET", fmt.Sprintf("%s?org_id=%d", p, o), f.c.Tokens["ua_admin"], nil), 404)
		}
		collegetest.MustStatus(t, f.a.Do("GET", p, f.c.Tokens["ua_cadre"], nil), 403)
		collegetest.MustStatus(t, f.a.Do("GET", p, f.c.Tokens["col"], nil), 403)
	}
}

func TestCoverageMatchesSQL(t *testing.T) {
	f := newFixture(t)
	a, c, id := f.a, f.c, f.ids
	org := c.Tokens["org"]
	a.Setting("training.graduation_requires_files", "false")
	cur := time.Now().In(web.Shanghai).Year()
	// The plan cycle ends this year: every leader under 550 hours in it is due.
	a.Setting(dashboard.SetCycleStart, strconv.Itoa(cur-4))
	a.Provision(identity.UserRequest{Username: "s1", Name: "干部s1", OrgID: c.UnitA, Level: "县处级", Roles: []string{"learner"}},
		identity.UserRequest{Username: "s2", Name: "干部s2", OrgID: c.UnitB, Level: "县处级", Roles: []string{"learner"}})
	id["s1"], id["s2"] = a.UserID("s1"), a.UserID("s2")
	credit(t, a, id["s1"], hours.CategoryCentralized, 100, time.Now())
	credit(t, a, id["s2"], hours.CategoryCentralized, 600, time.Now())
	a.FollowupGraduate(c, map[string]any{"title": "专题班一", "kind": "专题班"}, id["a1"], id["b1"])
	a.FollowupGraduate(c, map[string]any{"title": "主体班一", "kind": "主体班"}, id["a3"], id["d1"])
	old := a.FollowupGraduate(c, map[string]any{"title": "旧专题班", "kind": "专题班"}, id["a2"])
	if err := a.DB.Exec("UPDATE training_classes SET starts_on = ?, ends_on = ? WHERE id = ?", fmt.Sprintf("%d-03-01", cur-8), fmt.Sprintf("%d-03-05", cur-8), old).Error; err != nil {
		t.Fatal(err)
	}
	since := fmt.Sprintf("%d-01-01", cur-4)
	covered := ` AND EXISTS (SELECT 1 FROM registrations g JOIN training_classes k ON k.id = g.class_id
 WHERE g.user_id = u.id AND g.status = 'graduated' AND k.ends_on >= ? AND (? = '' OR k.kind = ?))`
	due := fmt.Sprintf(` AND u.level IN ('省部级', '厅局级', '县处级') AND (SELECT COALESCE(SUM(e.hours_x100), 0) FROM hour_entries e
 WHERE e.user_id = u.id AND e.category = 'centralized' AND e.year BETWEEN %d AND %d) < 55000`, cur-4, cur)
	check := func(token string, orgID uint64, kind string) map[string]any {
		t.Helper()
		q := "/api/v1/dashboard/coverage?years=5&kind=" + kind
		if orgID != 0 {
			q += fmt.Sprintf("&org_id=%d", orgID)
		}
		got := getJSON(t, a, token, q)
		path := orgPath(t, a, uint64(got["org_id"].(float64)))
		cadres := sqlCount(t, a, "SELECT COUNT(*) "+cadreBase, path+"%", false)
		cov := sqlCount(t, a, "SELECT COUNT(*) "+cadreBase+covered, path+"%", false, since, kind, kind)
		dueN := sqlCount(t, a, "SELECT COUNT(*) "+cadreBase+due, path+"%", false)
		if num(got, "cadres") != cadres || num(got, "covered") != cov || num(got, "uncovered") != cadres-cov || num(got, "leaders_due") != dueN || got["from"] != since {
			t.Fatalf("coverage of %s (kind %q): %v; SQL cadres %d covered %d due %d", path, kind, got, cadres, cov, dueN)
		}
		return got
	}
	city := check(org, 0, "")
	if num(city, "covered") != 4 { // a1, b1, a3, d1; a2's class ended before the window
		t.Fatalf("city covered %d, want 4", num(city, "covered"))
	}
	if k := city["by_kind"].(map[string]any); k["专题班"] != 2.0 || k["主体班"] != 2.0 {
		t.Fatalf("by kind: %v", k)
	}
	if main := check(org, 0, "主体班"); num(main, "covered") != 2 {
		t.Fatalf("主体班 covered: %v", main)
	}
	district := check(org, f.district, "")
	var sum int64
	for _, u := range items(district, "units") {
		sum += num(u, "covered")
	}
	if sum != num(district, "covered") {
		t.Fatalf("units do not add up: %v", district)
	}
	ua := unitNamed(t, items(district, "units"), "东城区发改委")
	mine := check(c.Tokens["ua_admin"], 0, "")
	if num(mine, "org_id") != int64(c.UnitA) || num(ua, "covered") != num(mine, "covered") || num(ua, "leaders_due") != num(mine, "leaders_due") || num(mine, "covered") != 2 {
		t.Fatalf("unit A: %v vs district row %v", mine, ua)
	}
	check(c.Tokens["ua_admin"], c.UnitA, "")
	scopeChecks(t, f, "/api/v1/dashboard/coverage", "/api/v1/dashboard/coverage/people", "/api/v1/dashboard/coverage.xlsx")
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/coverage?years=0", org, nil), 400)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/coverage?kind=x", org, nil), 400)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/coverage/people?status=x", org, nil), 400)

	// The people behind the numbers: the leaders due and the uncovered.
	list := getJSON(t, a, org, "/api/v1/dashboard/coverage/people?years=5&status=due&page_size=200")
	names := map[string]map[string]any{}
	for _, p := range items(list, "items") {
		names[p["name"].(string)] = p
	}
	if num(list, "total") != num(city, "leaders_due") || names["干部s1"] == nil || names["干部s2"] != nil || names["干部s1"]["cycle_centralized"] != 100.0 || names["干部s1"]["due"] != true {
		t.Fatalf("leaders due: %v", list)
	}
	list = getJSON(t, a, org, fmt.Sprintf("/api/v1/dashboard/coverage/people?years=5&org_id=%d&page_size=200", c.UnitA))
	names = map[string]map[string]any{}
	for _, p := range items(list, "items") {
		names[p["name"].(string)] = p
	}
	if num(list, "total") != num(ua, "uncovered") || names["干部a2"] == nil || names["干部a1"] != nil || names["干部a3"] != nil {
		t.Fatalf("unit A uncovered: %v", list)
	}

	// The workbooks hold the rows of the JSON.
	rows := sheet(t, openXLSX(t, a, org, fmt.Sprintf("/api/v1/dashboard/coverage.xlsx?years=5&org_id=%d", f.district)), dashboard.SheetCoverage)
	units := items(district, "units")
	if len(rows) != 3+len(units) || rows[2][1] != fmt.Sprint(num(district, "cadres")) || rows[2][2] != fmt.Sprint(num(district, "covered")) {
		t.Fatalf("coverage sheet %v; JSON %v", rows, district)
	}
	for i, u := range units {
		r := rows[3+i]
		if r[0] != u["name"] || r[1] != fmt.Sprint(num(u, "cadres")) || r[2] != fmt.Sprint(num(u, "covered")) || r[3] != fmt.Sprint(num(u, "uncovered")) || r[6] != fmt.Sprint(num(u, "leaders_due")) {
			t.Fatalf("coverage row %d: %v vs %v", i, r, u)
		}
	}
	rows = sheet(t, openXLSX(t, a, org, fmt.Sprintf("/api/v1/dashboard/coverage/people.xlsx?years=5&org_id=%d", c.UnitA)), dashboard.SheetCoveragePeople)
	if len(rows) != 1+len(list["items"].([]any)) {
		t.Fatalf("people sheet %v; JSON %v", rows, list)
	}
	for i, p := range items(list, "items") {
		if rows[1+i][0] != p["name"] || rows[1+i][1] != p["org"] {
			t.Fatalf("people row %d: %v vs %v", i, rows[1+i], p)
		}
	}
	if n := collegetest.CountAudits(a, "export.dashboard_coverage_people"); n != 1 {
		t.Fatalf("export audited %d times", n)
	}
}
