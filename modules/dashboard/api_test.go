package dashboard_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

const year = 2026

// fixture is a city with cadres of both level groups and their hours.
type fixture struct {
	a        *collegetest.App
	c        *collegetest.City
	district uint64
	ids      map[string]uint64
}

var source uint64

func credit(t *testing.T, a *collegetest.App, user uint64, category string, h float64, at time.Time) {
	t.Helper()
	source++
	if _, err := a.Hours.Credit(context.Background(), nil, hours.Credit{UserID: user, Hours: web.HoursFromFloat(h), Category: category, Kind: hours.KindRequired,
		SourceType: hours.SourceCourse, SourceID: source, Title: fmt.Sprintf("课程 %d", source), EarnedAt: at}); err != nil {
		t.Fatal(err)
	}
}

func mid(y int) time.Time { return time.Date(y, 6, 1, 4, 0, 0, 0, time.UTC) }

func newFixture(t *testing.T) *fixture {
	a, c := collegetest.NewCityApp(t)
	f := &fixture{a: a, c: c, district: a.OrgID("D01"), ids: map[string]uint64{}}
	people := []struct {
		name, level string
		org         uint64
	}{
		{"a1", "乡科级", c.UnitA}, {"a2", "科员及以下", c.UnitA}, {"a3", "县处级", c.UnitA}, {"a4", "县处级", c.UnitA},
		{"b1", "乡科级", c.UnitB}, {"b2", "乡科级", c.UnitB}, {"b3", "厅局级", c.UnitB},
		{"d1", "科员及以下", f.district}, {"r1", "乡科级", c.Root}, {"off", "乡科级", c.UnitA},
	}
	reqs := make([]identity.UserRequest, len(people))
	for i, p := range people {
		reqs[i] = identity.UserRequest{Username: p.name, Name: "干部" + p.name, OrgID: p.org, Level: p.level, Roles: []string{"learner"}}
	}
	a.Provision(reqs...)
	for _, p := range people {
		f.ids[p.name] = a.UserID(p.name)
	}
	id := f.ids
	credit(t, a, id["a1"], hours.CategoryOnline, 50, mid(year))
	credit(t, a, id["a1"], hours.CategoryCentralized, 90, mid(year))
	credit(t, a, id["a2"], hours.CategoryOnline, 49.5, mid(year))
	credit(t, a, id["a2"], hours.CategoryCentralized, 100, mid(year))
	credit(t, a, id["a2"], hours.CategoryOnline, 80, mid(year-1)) // a surplus that counts only with the carry-over
	credit(t, a, id["a3"], hours.CategoryOnline, 60, mid(year))
	credit(t, a, id["a3"], hours.CategoryCentralized, 200, mid(2023))
	credit(t, a, id["a3"], hours.CategoryCentralized, 250, mid(year))
	credit(t, a, id["a3"], hours.CategoryCentralized, 300, mid(2022)) // before the cycle
	credit(t, a, id["a4"], hours.CategoryOnline, 60, mid(year))
	credit(t, a, id["a4"], hours.CategoryCentralized, 300, mid(year))
	// 00:30 on 1 January 2026 in Beijing: still 2025 in UTC, counts for 2026.
	credit(t, a, id["b1"], hours.CategoryOnline, 50, time.Date(year-1, 12, 31, 16, 30, 0, 0, time.UTC))
	credit(t, a, id["b1"], hours.CategoryCentralized, 90, mid(year))
	// 23:30 on 31 December 2026 in Beijing counts for 2026, 00:30 on 1 January 2027 does not.
	credit(t, a, id["b2"], hours.CategoryOnline, 50, time.Date(year, 12, 31, 15, 30, 0, 0, time.UTC))
	credit(t, a, id["b2"], hours.CategoryCentralized, 90, time.Date(year, 12, 31, 16, 30, 0, 0, time.UTC))
	credit(t, a, id["b3"], hours.CategoryOnline, 55, mid(year))
	credit(t, a, id["b3"], hours.CategoryCentralized, 440, mid(2024))
	credit(t, a, id["d1"], hours.CategoryOnline, 50, mid(year))
	credit(t, a, id["d1"], hours.CategoryCentralized, 95, mid(year))
	credit(t, a, id["r1"], hours.CategoryOnline, 10, mid(year))
	credit(t, a, id["off"], hours.CategoryOnline, 100, mid(year))
	credit(t, a, id["off"], hours.CategoryCentralized, 100, mid(year))
	if err := a.DB.Exec("UPDATE users SET disabled = ? WHERE id = ?", true, id["off"]).Error; err != nil {
		t.Fatal(err)
	}
	return f
}

// expected counts, in raw SQL over the tables, the enabled learners of a
// subtree and those meeting the 2026 rules with the default settings.
func expected(t *testing.T, a *collegetest.App, path string) (cadres, met int64) {
	t.Helper()
	base := `FROM users u JOIN orgs o ON o.id = u.org_id
WHERE o.path LIKE ? AND u.disabled = ? AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'learner')`
	sum := func(cond string) string {
		return "(SELECT COALESCE(SUM(e.hours_x100), 0) FROM hour_entries e WHERE e.user_id = u.id AND " + cond + ")"
	}
	if err := a.DB.Raw("SELECT COUNT(*) "+base, path+"%", false).Scan(&cadres).Error; err != nil {
		t.Fatal(err)
	}
	rule := ` AND ` + sum("e.year = 2026 AND e.category = 'online'") + ` >= 5000 AND (
 (u.level IN ('省部级', '厅局级', '县处级') AND ` + sum("e.year BETWEEN 2023 AND 2026 AND e.category = 'centralized'") + ` >= 44000)
 OR (u.level NOT IN ('省部级', '厅局级', '县处级') AND ` + sum("e.year = 2026 AND e.category = 'centralized'") + ` >= 9000))`
	if err := a.DB.Raw("SELECT COUNT(*) "+base+rule, path+"%", false).Scan(&met).Error; err != nil {
		t.Fatal(err)
	}
	return cadres, met
}

func orgPath(t *testing.T, a *collegetest.App, id uint64) string {
	t.Helper()
	var p string
	if err := a.DB.Raw("SELECT path FROM orgs WHERE id = ?", id).Scan(&p).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

func num(m map[string]any, k string) int64 { v, _ := m[k].(float64); return int64(v) }

func TestComplianceMatchesSQL(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	org := c.Tokens["org"]
	check := func(token string, orgID uint64, query string) map[string]any {
		t.Helper()
		r := a.Do("GET", "/api/v1/dashboard/compliance?year=2026"+query, token, nil)
		collegetest.MustStatus(t, r, 200)
		got := r.JSON(t)
		cadres, met := expected(t, a, orgPath(t, a, orgID))
		if num(got, "org_id") != int64(orgID) || num(got, "cadres") != cadres || num(got, "met") != met || num(got, "behind") != cadres-met {
			t.Fatalf("org %d: got %v; SQL says cadres %d met %d", orgID, got, cadres, met)
		}
		return got
	}
	city := check(org, c.Root, "")
	// Hand count: met a1, a3 (450 ≥ 440), b1 (the 00:30 entry), b3 (440), d1; the
	// rest (a2, a4, b2, r1 and the admins and other learners of the city) behind.
	if num(city, "met") != 5 {
		t.Fatalf("city met %d, want 5: %v", num(city, "met"), city)
	}
	units := city["units"].([]any)
	names := map[string]map[string]any{}
	for _, u := range units {
		m := u.(map[string]any)
		names[m["name"].(string)] = m
	}
	if names["东城区委组织部"] == nil || num(names["东城区委组织部"], "met") != 5 {
		t.Fatalf("district unit: %v", units)
	}
	district := check(org, f.district, fmt.Sprintf("&org_id=%d", f.district))
	var sumCadres int64
	for _, u := range district["units"].([]any) {
		sumCadres += num(u.(map[string]any), "cadres")
	}
	if sumCadres != num(district, "cadres") {
		t.Fatalf("units do not add up to the district: %v", district)
	}
	// A unit admin: their own unit by default, the same numbers as SQL.
	ua := check(c.Tokens["ua_admin"], c.UnitA, "")
	if num(ua, "met") != 2 {
		t.Fatalf("unit A met %d, want 2 (a1, a3)", num(ua, "met"))
	}
	check(c.Tokens["ua_admin"], c.UnitA, fmt.Sprintf("&org_id=%d", c.UnitA))

	// Outside the subtree: 404; other roles: 403.
	for _, o := range []uint64{c.UnitB, f.district, c.Root} {
		for _, path := range []string{"/api/v1/dashboard/compliance", "/api/v1/dashboard/compliance/people", "/api/v1/dashboard/exams", "/api/v1/dashboard/compliance.xlsx"} {
			collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("%s?org_id=%d", path, o), c.Tokens["ua_admin"], nil), 404)
		}
	}
	for _, who := range []string{"ua_cadre", "col", "admin", "aud"} {
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/compliance", c.Tokens[who], nil), 403)
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/compliance/people", c.Tokens[who], nil), 403)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/compliance?year=abc", org, nil), 400)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/compliance/people?status=x", org, nil), 400)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/dashboard/compliance?org_id=999999", org, nil), 404)
}

func TestPeopleListAndGaps(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	r := a.Do("GET", fmt.Sprintf("/api/v1/dashboard/compliance/people?year=2026&status=behind&org_id=%d&page_size=200", f.district), c.Tokens["org"], nil)
	collegetest.MustStatus(t, r, 200)
	got := r.JSON(t)
	cadres, met := expected(t, a, orgPath(t, a, f.district))
	if num(got, "total") != cadres-met || num(got, "page") != 1 || num(got, "page_size") != 200 {
		t.Fatalf("behind list: %v (SQL: %d behind)", got, cadres-met)
	}
	byID := map[uint64]map[string]any{}
	for _, it := range got["items"].([]any) {
		m := it.(map[string]any)
		byID[uint64(m["id"].(float64))] = m
		if m["status"] != "behind" {
			t.Fatalf("a met cadre in the behind list: %v", m)
		}
		if _, ok := m["id_number"]; ok {
			t.Fatal("ID numbers do not belong in the list")
		}
	}
	a2, a4, b2 := byID[f.ids["a2"]], byID[f.ids["a4"]], byID[f.ids["b2"]]
	if a2 == nil || a2["online_gap"] != 0.5 || a2["centralized_gap"] != 0.0 || a2["online"] != 49.5 || a2["name"] != "干部a2" || a2["org"] != "东城区发改委" {
		t.Fatalf("a2: %v", a2)
	}
	if a4 == nil || a4["cycle_centralized"] != 300.0 || a4["centralized_target"] != 440.0 || a4["centralized_gap"] != 140.0 || a4["senior"] != true {
		t.Fatalf("a4: %v", a4)
	}
	if b2 == nil || b2["online"] != 50.0 || b2["centralized"] != 0.0 || b2["centralized_gap"] != 90.0 {
		t.Fatalf("b2 (00:30 on 1 January 2027 counts for 2027): %v", b2)
	}
	if _, ok := byID[f.ids["off"]]; ok {
		t.Fatal("a disabled account is not a cadre")
	}
	r = a.Do("GET", fmt.Sprintf("/api/v1/dashboard/compliance/people?year=2026&status=met&org_id=%d&page=2&page_size=2", f.district), c.Tokens["org"], nil)
	collegetest.MustStatus(t, r, 200)
	got = r.JSON(t)
	if num(got, "total") != met || len(got["items"].([]any)) != int(min(2, max(0, met-2))) {
		t.Fatalf("met page 2: %v (SQL met %d)", got, met)
	}
	// The unit admin reads their own people only.
	r = a.Do("GET", "/api/v1/dashboard/compliance/people?year=2026", c.Tokens["ub_admin"], nil)
	collegetest.MustStatus(t, r, 200)
	for _, it := range r.JSON(t)["items"].([]any) {
		if it.(map[string]any)["org"] != "东城区教育局" {
			t.Fatalf("outside unit B: %v", it)
		}
	}
}

func TestCarryOverSetting(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	get := func() map[string]any {
		r := a.Do("GET", fmt.Sprintf("/api/v1/dashboard/compliance?year=2026&org_id=%d", c.UnitA), c.Tokens["org"], nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)
	}
	if num(get(), "met") != 2 {
		t.Fatal("carry-over off: a2 is behind")
	}
	a.Setting(hours.SetCarryOver, "true")
	if got := get(); num(got, "met") != 3 { // a2: 49.5 + (80 - 50) ≥ 50
		t.Fatalf("carry-over on: %v", got)
	}
	a.Setting(hours.SetOnlineYearly, "100")
	if got := get(); num(got, "met") != 0 {
		t.Fatalf("online target 100: %v", got)
	}
}

func TestExcelExportsHoldTheSameNumbers(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	org := c.Tokens["org"]
	open := func(path string) *excelize.File {
		t.Helper()
		r := a.Do("GET", path, org, nil)
		collegetest.MustStatus(t, r, 200)
		x, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		t.Cleanup(func() { _ = x.Close() })
		return x
	}
	sum := a.Do("GET", "/api/v1/dashboard/compliance?year=2026", org, nil).JSON(t)
	x := open("/api/v1/dashboard/compliance.xlsx?year=2026")
	rows, err := x.GetRows("学时达标")
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "单位" || rows[2][1] != fmt.Sprint(num(sum, "cadres")) || rows[2][2] != fmt.Sprint(num(sum, "met")) || rows[2][3] != fmt.Sprint(num(sum, "behind")) {
		t.Fatalf("summary sheet %v; JSON %v", rows, sum)
	}
	if len(rows) != 3+len(sum["units"].([]any)) {
		t.Fatalf("unit rows: %v", rows)
	}
	for i, u := range sum["units"].([]any) {
		m := u.(map[string]any)
		if rows[3+i][0] != m["name"] || rows[3+i][2] != fmt.Sprint(num(m, "met")) {
			t.Fatalf("unit row %d: %v vs %v", i, rows[3+i], m)
		}
	}
	list := a.Do("GET", "/api/v1/dashboard/compliance/people?year=2026&status=behind&page_size=200", org, nil).JSON(t)
	rows, err = open("/api/v1/dashboard/compliance/people.xlsx?year=2026&status=behind").GetRows("干部明细")
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)-1) != num(list, "total") {
		t.Fatalf("people rows %d, list total %d", len(rows)-1, num(list, "total"))
	}
	for i, it := range list["items"].([]any) {
		m := it.(map[string]any)
		if rows[i+1][0] != m["name"] || rows[i+1][5] != fmt.Sprint(m["online_gap"]) || rows[i+1][9] != fmt.Sprint(m["centralized_gap"]) || rows[i+1][10] != "未达标" {
			t.Fatalf("people row %d: %v vs %v", i, rows[i+1], m)
		}
	}
	if n := collegetest.CountAudits(a, "export.dashboard_people"); n != 1 {
		t.Fatalf("export audited %d times", n)
	}
}

func TestExamBoard(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	col := c.Tokens["col"]
	bank := a.Bank(col, "理论题库", false)
	q := a.Question(col, bank, map[string]any{"type": "judge", "stem": "党的二十大于 2022 年召开", "answer": true, "score": 100})
	exam := a.FixedExam(col, map[string]any{"title": "年度理论考试", "pass_score": 60, "max_attempts": 2}, q)
	a.PublishExam(col, exam)
	tok := func(u string) string { return a.Login(u, collegetest.UserPassword) }
	a.SitExam(tok("a1"), exam, map[uint64]any{q: true})  // passes
	a.SitExam(tok("a2"), exam, map[uint64]any{q: false}) // fails
	a.StartAttempt(tok("a3"), exam)                      // still sitting
	a.SitExam(tok("b1"), exam, map[uint64]any{q: true})  // passes
	cur := time.Now().In(web.Shanghai).Year()
	r := a.Do("GET", fmt.Sprintf("/api/v1/dashboard/exams?year=%d&org_id=%d", cur, f.district), c.Tokens["org"], nil)
	collegetest.MustStatus(t, r, 200)
	rows := map[string]map[string]any{}
	for _, it := range r.JSON(t)["items"].([]any) {
		m := it.(map[string]any)
		rows[m["unit"].(string)] = m
	}
	// SQL: attempts of unit A's cadres in this exam.
	var candidates, sat, passed int64
	unitA := "(SELECT u.id FROM users u WHERE u.org_id = ?)"
	a.DB.Raw("SELECT COUNT(DISTINCT user_id) FROM attempts WHERE exam_id = ? AND user_id IN "+unitA, exam, c.UnitA).Scan(&candidates)
	a.DB.Raw("SELECT COUNT(DISTINCT user_id) FROM attempts WHERE exam_id = ? AND status <> 'in_progress' AND user_id IN "+unitA, exam, c.UnitA).Scan(&sat)
	a.DB.Raw("SELECT COUNT(DISTINCT user_id) FROM attempts WHERE exam_id = ? AND passed = ? AND user_id IN "+unitA, exam, true, c.UnitA).Scan(&passed)
	ua := rows["东城区发改委"]
	if ua == nil || num(ua, "candidates") != candidates || num(ua, "sat") != sat || num(ua, "passed") != passed || candidates != 3 || sat != 2 || passed != 1 || ua["pass_rate"] != 0.5 {
		t.Fatalf("unit A: %v (SQL %d %d %d)", rows, candidates, sat, passed)
	}
	if ub := rows["东城区教育局"]; ub == nil || num(ub, "passed") != 1 || ub["exam"] != "年度理论考试" {
		t.Fatalf("unit B: %v", rows)
	}
	// The unit admin of B sees only unit B's row.
	r = a.Do("GET", fmt.Sprintf("/api/v1/dashboard/exams?year=%d", cur), c.Tokens["ub_admin"], nil)
	collegetest.MustStatus(t, r, 200)
	items := r.JSON(t)["items"].([]any)
	if len(items) != 1 || num(items[0].(map[string]any), "candidates") != 1 {
		t.Fatalf("unit B admin: %v", items)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(a.Do("GET", fmt.Sprintf("/api/v1/dashboard/exams.xlsx?year=%d&org_id=%d", cur, f.district), c.Tokens["org"], nil).Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	xr, _ := x.GetRows("考试情况")
	found := false
	for _, row := range xr {
		if len(row) == 6 && row[1] == "东城区发改委" && row[2] == "3" && row[3] == "2" && row[4] == "1" && row[5] == "0.5" {
			found = true
		}
	}
	if !found {
		t.Fatalf("exam workbook: %v", xr)
	}
}

func TestDashboardPages(t *testing.T) {
	f := newFixture(t)
	a, c := f.a, f.c
	b := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	body := collegetest.PageGet(b, "/admin/dashboard?year=2026", 200)
	collegetest.MustContain(t, body, "综合管理", "各单位达标情况", "东城区委组织部", fmt.Sprintf("/admin/dashboard?org_id=%d", f.district), "考试情况")
	body = collegetest.PageGet(b, fmt.Sprintf("/admin/dashboard?org_id=%d&year=2026", f.district), 200)
	collegetest.MustContain(t, body, "东城区发改委", "东城区教育局", "返回上级")
	body = collegetest.PageGet(b, fmt.Sprintf("/admin/dashboard/people?org_id=%d&year=2026&status=behind", c.UnitA), 200)
	collegetest.MustContain(t, body, "干部a2", "干部a4", "未达标")
	svg := collegetest.PageGet(b, "/admin/dashboard/compliance.svg?year=2026", 200)
	collegetest.MustContain(t, svg, "<svg", "达标")
	ub := collegetest.LoginPages(a, "ub_admin", collegetest.UserPassword)
	collegetest.PageGet(ub, "/admin/dashboard", 200)
	collegetest.PageGet(ub, fmt.Sprintf("/admin/dashboard?org_id=%d", c.UnitA), 404)
	learner := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.PageGet(learner, "/admin/dashboard", 403)
}
