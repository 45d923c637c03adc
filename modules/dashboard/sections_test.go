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

func TestRegistrationsMatchSQL(t *testing.T) {
	f := newFixture(t)
	a, c, id := f.a, f.c, f.ids
	org := c.Tokens["org"]
	class := a.CreateClass(c, map[string]any{"title": "名额分配班", "quota": 10, "self_registration": false})
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", class), c.Tokens["col"],
		map[string]any{"quotas": []map[string]any{{"org_id": c.UnitA, "quota": 2}, {"org_id": c.UnitB, "quota": 3}}}), 200)
	a.OpenClass(c, class)
	other := a.CreateClass(c, map[string]any{"title": "另一个班", "quota": 5, "self_registration": false, "starts_on": collegetest.Day(20), "ends_on": collegetest.Day(21)})
	a.OpenClass(c, other)
	reg := func(token string, class, user uint64) (uint64, string) {
		t.Helper()
		r := a.Register(token, class, user)
		collegetest.MustStatus(t, r, 201)
		return r.ID(t), r.JSON(t)["status"].(string)
	}
	first, _ := reg(c.Tokens["ua_admin"], class, id["a1"])
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", first), c.Tokens["col"], nil), 200)
	reg(c.Tokens["ua_admin"], class, id["a2"])
	if _, st := reg(c.Tokens["ua_admin"], class, id["a3"]); st != "waitlisted" {
		t.Fatalf("unit A's third nomination for two seats: %s", st)
	}
	reg(c.Tokens["ub_admin"], class, id["b1"])
	reg(org, other, id["d1"])
	reg(org, other, id["b2"])

	var year int
	var starts string
	a.DB.Raw("SELECT starts_on FROM training_classes WHERE id = ?", class).Scan(&starts)
	year, _ = strconv.Atoi(starts[:4])
	inYear := "(SELECT id FROM training_classes WHERE starts_on BETWEEN ? AND ? AND status NOT IN ('draft', 'filing'))"
	from, to := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)
	check := func(token string, orgID uint64) map[string]any {
		t.Helper()
		got := getJSON(t, a, token, fmt.Sprintf("/api/v1/dashboard/registrations?year=%d&org_id=%d", year, orgID))
		sub := "(SELECT id FROM orgs WHERE path LIKE ?)"
		p := orgPath(t, a, orgID) + "%"
		quota := sqlCount(t, a, "SELECT COALESCE(SUM(quota), 0) FROM class_quotas WHERE class_id IN "+inYear+" AND org_id IN "+sub, from, to, p)
		used := sqlCount(t, a, "SELECT COALESCE(SUM(used), 0) FROM class_quotas WHERE class_id IN "+inYear+" AND org_id IN "+sub, from, to, p)
		regs := func(statuses string) int64 {
			return sqlCount(t, a, "SELECT COUNT(*) FROM registrations WHERE status IN ("+statuses+") AND class_id IN "+inYear+" AND org_id IN "+sub, from, to, p)
		}
		registered := regs("'pending', 'approved', 'waitlisted', 'graduated', 'incomplete', 'absent'")
		approved := regs("'approved', 'graduated', 'incomplete', 'absent'")
		waitlisted := regs("'waitlisted'")
		if num(got, "quota") != quota || num(got, "used") != used || num(got, "registered") != registered || num(got, "approved") != approved || num(got, "waitlisted") != waitlisted {
			t.Fatalf("registrations of %s: %v; SQL quota %d used %d registered %d approved %d waitlisted %d", p, got, quota, used, registered, approved, waitlisted)
		}
		return got
	}
	city := check(org, c.Root)
	if num(city, "quota") != 5 || num(city, "registered") != 6 || num(city, "approved") != 1 || num(city, "waitlisted") != 1 {
		t.Fatalf("city: %v", city)
	}
	district := check(org, f.district)
	ua := unitNamed(t, items(district, "units"), "东城区发改委")
	if num(ua, "quota") != 2 || num(ua, "used") != 2 || ua["used_rate"] != 1.0 || num(ua, "registered") != 3 || num(ua, "waitlisted") != 1 {
		t.Fatalf("unit A row: %v", ua)
	}
	mine := check(c.Tokens["ua_admin"], c.UnitA)
	if num(mine, "registered") != num(ua, "registered") || len(items(mine, "classes")) != 1 || items(mine, "classes")[0]["title"] != "名额分配班" {
		t.Fatalf("unit A: %v", mine)
	}
	byClass := map[string]map[string]any{}
	for _, k := range items(city, "classes") {
		byClass[k["title"].(string)] = k
	}
	if k := byClass["名额分配班"]; k == nil || num(k, "quota") != 5 || num(k, "registered") != 4 {
		t.Fatalf("classes: %v", byClass)
	}
	if k := byClass["另一个班"]; k == nil || num(k, "registered") != 2 || num(k, "quota") != 0 {
		t.Fatalf("classes: %v", byClass)
	}
	scopeChecks(t, f, "/api/v1/dashboard/registrations", "/api/v1/dashboard/registrations.xlsx")

	x := openXLSX(t, a, org, fmt.Sprintf("/api/v1/dashboard/registrations.xlsx?year=%d&org_id=%d", year, f.district))
	rows := sheet(t, x, dashboard.SheetRegistrations)
	units := items(district, "units")
	if len(rows) != 3+len(units) || rows[2][1] != fmt.Sprint(num(district, "quota")) || rows[2][4] != fmt.Sprint(num(district, "registered")) {
		t.Fatalf("registrations sheet %v; JSON %v", rows, district)
	}
	for i, u := range units {
		r := rows[3+i]
		if r[0] != u["name"] || r[1] != fmt.Sprint(num(u, "quota")) || r[2] != fmt.Sprint(num(u, "used")) || r[4] != fmt.Sprint(num(u, "registered")) ||
			r[6] != fmt.Sprint(num(u, "approved")) || r[7] != fmt.Sprint(num(u, "waitlisted")) {
			t.Fatalf("registrations row %d: %v vs %v", i, r, u)
		}
	}
	rows = sheet(t, x, dashboard.SheetClasses)
	classes := items(district, "classes")
	if len(rows) != 1+len(classes) {
		t.Fatalf("classes sheet %v; JSON %v", rows, classes)
	}
	for i, k := range classes {
		if rows[1+i][0] != k["title"] || rows[1+i][6] != fmt.Sprint(num(k, "registered")) {
			t.Fatalf("class row %d: %v vs %v", i, rows[1+i], k)
		}
	}
}

func TestFollowupMatchesSQL(t *testing.T) {
	f := newFixture(t)
	a, c, id := f.a, f.c, f.ids
	org := c.Tokens["org"]
	a.Setting("training.graduation_requires_files", "false")
	a.FollowupGraduate(c, collegetest.FollowupLong("主体班", 30), id["a1"], id["a2"], id["b1"], id["d1"])
	var year int
	a.DB.Raw("SELECT MIN(year) FROM followup_rounds").Scan(&year)
	if year == 0 {
		t.Fatal("no follow-up rounds")
	}
	// a1's round is done, a2's is overdue, b1's cancelled.
	round := func(user uint64) uint64 {
		var r uint64
		a.DB.Raw("SELECT id FROM followup_rounds WHERE user_id = ? AND year = ?", user, year).Scan(&r)
		return r
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE followup_rounds SET status = 'done' WHERE id = ?", []any{round(id["a1"])}},
		{"UPDATE followup_rounds SET due_on = '2001-01-31' WHERE id = ?", []any{round(id["a2"])}},
		{"UPDATE followup_rounds SET status = 'cancelled' WHERE id = ?", []any{round(id["b1"])}},
	} {
		if err := a.DB.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	today := time.Now().In(web.Shanghai).Format(time.DateOnly)
	check := func(token string, orgID uint64) map[string]any {
		t.Helper()
		got := getJSON(t, a, token, fmt.Sprintf("/api/v1/dashboard/followup?year=%d&org_id=%d", year, orgID))
		base := "SELECT COUNT(*) FROM followup_rounds r JOIN followup_plans pl ON pl.id = r.plan_id WHERE r.year = ? AND pl.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)"
		p := orgPath(t, a, orgID) + "%"
		due := sqlCount(t, a, base+" AND r.status IN ('pending', 'done')", year, p)
		done := sqlCount(t, a, base+" AND r.status = 'done'", year, p)
		overdue := sqlCount(t, a, base+" AND r.status = 'pending' AND r.due_on < ?", year, p, today)
		if num(got, "due") != due || num(got, "done") != done || num(got, "overdue") != overdue || num(got, "pending") != due-done {
			t.Fatalf("follow-up of %s: %v; SQL due %d done %d overdue %d", p, got, due, done, overdue)
		}
		return got
	}
	city := check(org, c.Root)
	if num(city, "due") != 3 || num(city, "done") != 1 || num(city, "overdue") != 1 || num(city, "cancelled") != 1 {
		t.Fatalf("city: %v", city)
	}
	district := check(org, f.district)
	ua := unitNamed(t, items(district, "units"), "东城区发改委")
	own := unitNamed(t, items(district, "units"), "东城区委组织部（本级）")
	if num(ua, "due") != 2 || num(ua, "done") != 1 || ua["completion_rate"] != 0.5 || num(own, "due") != 1 {
		t.Fatalf("district units: %v", items(district, "units"))
	}
	mine := check(c.Tokens["ua_admin"], c.UnitA)
	if num(mine, "overdue") != 1 {
		t.Fatalf("unit A: %v", mine)
	}
	scopeChecks(t, f, "/api/v1/dashboard/followup", "/api/v1/dashboard/followup.xlsx")

	rows := sheet(t, openXLSX(t, a, org, fmt.Sprintf("/api/v1/dashboard/followup.xlsx?year=%d&org_id=%d", year, f.district)), dashboard.SheetFollowup)
	units := items(district, "units")
	if len(rows) != 3+len(units) || rows[2][1] != fmt.Sprint(num(district, "due")) || rows[2][2] != fmt.Sprint(num(district, "done")) {
		t.Fatalf("follow-up sheet %v; JSON %v", rows, district)
	}
	for i, u := range units {
		r := rows[3+i]
		if r[0] != u["name"] || r[1] != fmt.Sprint(num(u, "due")) || r[2] != fmt.Sprint(num(u, "done")) || r[4] != fmt.Sprint(num(u, "overdue")) || r[6] != fmt.Sprint(u["completion_rate"]) {
			t.Fatalf("follow-up row %d: %v vs %v", i, r, u)
		}
	}
}

func TestSatisfactionMatchesAssess(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	org := c.Tokens["org"]
	a.Setting("training.graduation_requires_files", "false")
	ac := collegetest.AssessNewClass(a, c, "sv", 4, nil)
	def := collegetest.AssessDefaultForm(a, c)
	first := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": ac.Sessions[0]}})
	second := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": ac.Sessions[1]}})
	answer := func(user, eval uint64, grade string) {
		t.Helper()
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, user, eval, grade, grade, grade, grade, grade, nil), 201)
	}
	answer(ac.Trainees[0], first, "非常满意")
	answer(ac.Trainees[1], first, "满意")
	answer(ac.Trainees[2], first, "满意")
	answer(ac.Trainees[0], second, "满意")
	answer(ac.Trainees[1], second, "不满意")
	cur := time.Now().In(web.Shanghai).Year()
	got := getJSON(t, a, org, fmt.Sprintf("/api/v1/dashboard/satisfaction?year=%d", cur))
	colleges := items(got, "colleges")
	if len(colleges) != 1 || num(colleges[0], "org_id") != int64(c.College) {
		t.Fatalf("colleges: %v", got)
	}
	col := colleges[0]
	evals := sqlCount(t, a, "SELECT COUNT(*) FROM evaluations WHERE host_org_id = ?", c.College)
	resp := sqlCount(t, a, "SELECT COUNT(*) FROM eval_responses WHERE evaluation_id IN (SELECT id FROM evaluations WHERE host_org_id = ?)", c.College)
	if num(col, "evaluations") != evals || num(col, "responses") != resp || evals != 2 || resp != 5 {
		t.Fatalf("college %v; SQL evaluations %d responses %d", col, evals, resp)
	}
	// Each evaluation's figures are the assess module's own results.
	byID := map[uint64]map[string]any{}
	for _, e := range items(got, "items") {
		byID[uint64(e["evaluation_id"].(float64))] = e
	}
	for _, e := range []uint64{first, second} {
		res := getJSON(t, a, c.Tokens["col"], fmt.Sprintf("/api/v1/evaluations/%d/results", e))
		d := byID[e]
		if d == nil || d["responses"] != res["responses"] || d["average_score"] != res["score"] || d["satisfaction_rate"] != res["satisfaction_rate"] || d["meets_bar"] != res["meets_bar"] {
			t.Fatalf("evaluation %d: dashboard %v, results %v", e, d, res)
		}
	}
	// 5 responses × 5 rating items: 20 of 25 answers 非常满意 or 满意; the
	// card grades 100, 80, 60, 0 (非常满意 … 不满意 of 20 points each).
	if col["satisfaction_rate"] != 0.8 || col["meets_bar"] != false || num(col, "meeting") != 1 || got["bar"] != 0.85 {
		t.Fatalf("college figures: %v", got)
	}
	a.Setting("assess.satisfaction_bar", "0.8")
	if col := items(getJSON(t, a, org, fmt.Sprintf("/api/v1/dashboard/satisfaction?year=%d", cur)), "colleges")[0]; col["meets_bar"] != true {
		t.Fatalf("bar 0.8: %v", col)
	}
	// The unit admin's subtree has no college; the college itself is outside it.
	if mine := getJSON(t, a, c.Tokens["ua_admin"], "/api/v1/dashboard/satisfaction"); len(items(mine, "colleges")) != 0 {
		t.Fatalf("unit A admin: %v", mine)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/dashboard/satisfaction?org_id=%d", c.College), c.Tokens["ua_admin"], nil), 404)
	scopeChecks(t, f, "/api/v1/dashboard/satisfaction", "/api/v1/dashboard/satisfaction.xlsx")

	got = getJSON(t, a, org, fmt.Sprintf("/api/v1/dashboard/satisfaction?year=%d&org_id=%d", cur, c.College))
	x := openXLSX(t, a, org, fmt.Sprintf("/api/v1/dashboard/satisfaction.xlsx?year=%d&org_id=%d", cur, c.College))
	rows := sheet(t, x, dashboard.SheetSatisfaction)
	colleges = items(got, "colleges")
	if len(rows) != 3+len(colleges) || rows[2][2] != fmt.Sprint(num(got, "responses")) {
		t.Fatalf("satisfaction sheet %v; JSON %v", rows, got)
	}
	for i, k := range colleges {
		r := rows[3+i]
		if r[0] != k["name"] || r[1] != fmt.Sprint(num(k, "evaluations")) || r[2] != fmt.Sprint(num(k, "responses")) || r[3] != fmt.Sprint(k["average_score"]) || r[4] != fmt.Sprint(k["satisfaction_rate"]) {
			t.Fatalf("college row %d: %v vs %v", i, r, k)
		}
	}
	rows = sheet(t, x, dashboard.SheetEvaluations)
	evs := items(got, "items")
	if len(rows) != 1+len(evs) {
		t.Fatalf("evaluations sheet %v; JSON %v", rows, evs)
	}
	for i, e := range evs {
		if rows[1+i][1] != e["target"] || rows[1+i][2] != fmt.Sprint(num(e, "responses")) || rows[1+i][3] != fmt.Sprint(e["average_score"]) {
			t.Fatalf("evaluation row %d: %v vs %v", i, rows[1+i], e)
		}
	}
}

func TestSectionPages(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	b := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	body := collegetest.PageGet(b, "/admin/dashboard?year=2026", 200)
	collegetest.MustContain(t, body, "/admin/dashboard/coverage?org_id=", "/admin/dashboard/registrations?", "/admin/dashboard/followup?", "/admin/dashboard/satisfaction?", "培训覆盖", "评估满意度")
	body = collegetest.PageGet(b, "/admin/dashboard/coverage", 200)
	collegetest.MustContain(t, body, "培训覆盖 · ", "东城区委组织部", fmt.Sprintf("/admin/dashboard/coverage?org_id=%d&amp;years=5", f.district), "应训领导干部", "coverage.svg")
	body = collegetest.PageGet(b, fmt.Sprintf("/admin/dashboard/coverage/people?org_id=%d", c.UnitA), 200)
	collegetest.MustContain(t, body, "未覆盖干部 · 东城区发改委", "干部a1", "干部a2")
	body = collegetest.PageGet(b, fmt.Sprintf("/admin/dashboard/registrations?org_id=%d", f.district), 200)
	collegetest.MustContain(t, body, "报名与名额 · 东城区委组织部", "东城区发改委", "返回上级")
	body = collegetest.PageGet(b, "/admin/dashboard/followup", 200)
	collegetest.MustContain(t, body, "跟踪问效 · ", "完成率")
	body = collegetest.PageGet(b, "/admin/dashboard/satisfaction", 200)
	collegetest.MustContain(t, body, "评估满意度 · ", "达标线 85.0%")
	for _, svg := range []string{"coverage", "registrations", "followup", "satisfaction"} {
		collegetest.MustContain(t, collegetest.PageGet(b, "/admin/dashboard/"+svg+".svg", 200), "<svg")
	}
	ua := collegetest.LoginPages(a, "ua_admin", collegetest.UserPassword)
	collegetest.PageGet(ua, "/admin/dashboard/coverage", 200)
	collegetest.PageGet(ua, fmt.Sprintf("/admin/dashboard/followup?org_id=%d", c.UnitB), 404)
	learner := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.PageGet(learner, "/admin/dashboard/registrations", 403)
}
