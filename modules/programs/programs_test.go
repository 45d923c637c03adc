package programs_test

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// seeded is a city with cadres of known levels, posts, appointments and tags.
type seeded struct {
	a        *collegetest.App
	c        *collegetest.City
	district uint64
	ids      map[string]uint64
}

func seed(t *testing.T) *seeded {
	a, c := collegetest.NewCityApp(t)
	s := &seeded{a: a, c: c, district: a.OrgID("D01"), ids: map[string]uint64{}}
	recent := time.Now().In(web.Shanghai).AddDate(0, -3, 0).Format(time.DateOnly)
	old := time.Now().In(web.Shanghai).AddDate(-3, 0, 0).Format(time.DateOnly)
	people := []struct {
		user, level, post, appointed string
		org                          uint64
		tags                         []string
	}{
		{"pa1", "县处级", "发改委副主任", recent, c.UnitA, nil},
		{"pa2", "县处级", "发改委主任", old, c.UnitA, []string{"援藏干部"}},
		{"pa3", "乡科级", "驻村第一书记", recent, c.UnitA, []string{"驻村第一书记"}},
		{"pa4", "乡科级", "科长", "", c.UnitA, nil},
		{"pa5", "乡科级", "副科长", old, c.UnitA, []string{"驻村第一书记", "援藏干部"}},
		{"pb1", "县处级", "教育局局长", recent, c.UnitB, nil},
		{"pb2", "乡科级", "驻村第一书记", old, c.UnitB, []string{"驻村第一书记"}},
		{"pb3", "乡科级", "科员", recent, c.UnitB, nil},
		{"pb4", "科员及以下", "科员", "", c.UnitB, nil},
		{"pc1", "县处级", "副院长", recent, c.College, nil},
	}
	reqs := make([]identity.UserRequest, len(people))
	for i, x := range people {
		reqs[i] = identity.UserRequest{Username: x.user, Name: "干部" + x.user, OrgID: x.org, Roles: []string{"learner"}, Level: x.level, Post: x.post}
	}
	a.Provision(reqs...)
	for _, x := range people {
		id := a.UserID(x.user)
		s.ids[x.user] = id
		if x.appointed != "" || x.tags != nil {
			r := a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/targeting", id), c.Tokens["org"], map[string]any{"appointed_on": x.appointed, "tags": x.tags})
			collegetest.MustStatus(t, r, 200)
		}
	}
	// A disabled cadre matches no rule.
	a.DB.Exec("UPDATE users SET disabled = ? WHERE id = ?", true, s.ids["pb3"])
	return s
}

// count is the test's own count of the enabled learners meeting where.
func (s *seeded) count(t *testing.T, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := "SELECT COUNT(*) FROM users u WHERE u.disabled = ? AND u.id IN (SELECT user_id FROM user_roles WHERE role = 'learner') AND (" + where + ")"
	if err := s.a.DB.Raw(q, append([]any{false}, args...)...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGroupRulesCountLikeSQL(t *testing.T) {
	t.Parallel()
	s := seed(t)
	a, c := s.a, s.c
	since := time.Now().In(web.Shanghai).AddDate(0, -12, 0).Format(time.DateOnly)
	// The subtree by the org's path, read first (no string concatenation in
	// SQL: MySQL reads || as OR).
	subtree := "u.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)"
	under := func(id uint64) string {
		var path string
		if err := a.DB.Table("orgs").Where("id = ?", id).Pluck("path", &path).Error; err != nil || path == "" {
			t.Fatalf("path of org %d: %v", id, err)
		}
		return path + "%"
	}
	tagged := "u.id IN (SELECT user_id FROM user_tags WHERE tag IN ?)"
	cases := []struct {
		name  string
		rules map[string]any
		where string
		args  []any
		want  int64 // the count expected from the seed, so that a wrong SQL count is caught too
	}{
		{"no rule", map[string]any{}, "1 = 1", nil, 11},
		{"one level", map[string]any{"levels": []string{"县处级"}}, "u.level = '县处级'", nil, 4},
		{"any of two levels", map[string]any{"levels": []string{"县处级", "科员及以下"}}, "u.level IN ('县处级', '科员及以下')", nil, 5},
		{"org subtree", map[string]any{"org_id": s.district}, subtree, []any{under(s.district)}, 10},
		{"one unit", map[string]any{"org_id": c.UnitB}, subtree, []any{under(c.UnitB)}, 4},
		{"post contains", map[string]any{"post_contains": "第一书记"}, "u.post LIKE '%第一书记%'", nil, 2},
		{"appointed within 12 months", map[string]any{"appointed_within_months": 12}, "u.appointed_on >= ? AND u.appointed_on <> ''", []any{since}, 4},
		{"any of the tags", map[string]any{"tags": []string{"驻村第一书记", "援藏干部"}}, tagged, []any{[]string{"驻村第一书记", "援藏干部"}}, 4},
		{"level and unit", map[string]any{"levels": []string{"乡科级"}, "org_id": c.UnitA}, "u.level = '乡科级' AND " + subtree, []any{under(c.UnitA)}, 3},
		{"level, district and tag", map[string]any{"levels": []string{"乡科级"}, "org_id": s.district, "tags": []string{"驻村第一书记"}},
			"u.level = '乡科级' AND " + subtree + " AND " + tagged, []any{under(s.district), []string{"驻村第一书记"}}, 3},
		{"post and appointment", map[string]any{"post_contains": "主任", "appointed_within_months": 12},
			"u.post LIKE '%主任%' AND u.appointed_on >= ?", []any{since}, 1},
		{"every rule", map[string]any{"levels": []string{"县处级"}, "org_id": s.district, "post_contains": "局长", "appointed_within_months": 12, "tags": []string{"驻村第一书记"}},
			"u.level = '县处级' AND " + subtree + " AND u.post LIKE '%局长%' AND u.appointed_on >= ? AND " + tagged, []any{under(s.district), since, []string{"驻村第一书记"}}, 0},
		{"nobody", map[string]any{"levels": []string{"省部级"}}, "u.level = '省部级'", nil, 0},
	}
	groups := make([]map[string]any, len(cases))
	for i, tc := range cases {
		groups[i] = map[string]any{"name": tc.name, "rules": tc.rules}
	}
	r := a.Do("POST", "/api/v1/programs", c.Tokens["org"], map[string]any{"title": "2026 年度基层干部轮训", "kind": "grassroots", "year": 2026, "groups": groups})
	collegetest.MustStatus(t, r, 201)
	prog := r.JSON(t)
	got := prog["groups"].([]any)
	if len(got) != len(cases) {
		t.Fatalf("groups: %s", r.Body)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gid := uint64(got[i].(map[string]any)["id"].(float64))
			pr := a.Do("GET", fmt.Sprintf("/api/v1/programs/%d/groups/%d/preview", r.ID(t), gid), c.Tokens["org"], nil)
			collegetest.MustStatus(t, pr, 200)
			m := pr.JSON(t)
			sql := s.count(t, tc.where, tc.args...)
			if n := int64(m["count"].(float64)); n != sql || n != tc.want {
				t.Fatalf("count %d, SQL %d, want %d", n, sql, tc.want)
			}
			sample := m["sample"].([]any)
			if int64(len(sample)) != min(tc.want, 20) {
				t.Fatalf("sample of %d: %s", len(sample), pr.Body)
			}
			for _, x := range sample {
				keys := collegetest.Keys(x.(map[string]any))
				sort.Strings(keys)
				if strings.Join(keys, ",") != "id,level,name,org_name" {
					t.Fatalf("sample fields: %v", keys)
				}
			}
		})
	}
	if a.AuditCount("program.create", r.ID(t)) != 1 {
		t.Fatal("create not audited")
	}
}

func TestPreviewSampleIsAtMostTwenty(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	a.Cadres("many", c.UnitA, "乡科级", 25)
	r := a.Do("POST", "/api/v1/programs", c.Tokens["org"], map[string]any{"title": "乡科级干部轮训", "kind": "leaders", "year": 2026,
		"groups": []any{map[string]any{"name": "乡科级", "rules": map[string]any{"levels": []string{"乡科级"}}}}})
	collegetest.MustStatus(t, r, 201)
	gid := uint64(r.JSON(t)["groups"].([]any)[0].(map[string]any)["id"].(float64))
	pr := a.Do("GET", fmt.Sprintf("/api/v1/programs/%d/groups/%d/preview", r.ID(t), gid), c.Tokens["org"], nil)
	collegetest.MustStatus(t, pr, 200)
	m := pr.JSON(t)
	if m["count"].(float64) != 25 || len(m["sample"].([]any)) != 20 || strings.Contains(string(pr.Body), "id_number") {
		t.Fatalf("preview: %s", pr.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/programs/%d/groups/%d/preview", r.ID(t), gid+999), c.Tokens["org"], nil), 404)
}

func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	org := c.Tokens["org"]
	good := func() map[string]any {
		return map[string]any{"title": "年轻干部培训", "kind": "young", "year": 2026, "groups": []any{map[string]any{"name": "全部", "rules": map[string]any{}}}}
	}
	for _, body := range []any{"", "{", "[]", `{"title": 5}`} {
		collegetest.MustStatus(t, a.Do("POST", "/api/v1/programs", org, body), 400)
	}
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"no title", func(m map[string]any) { m["title"] = " " }, "title"},
		{"unknown kind", func(m map[string]any) { m["kind"] = "party" }, "kind"},
		{"year", func(m map[string]any) { m["year"] = 1990 }, "year"},
		{"no groups", func(m map[string]any) { m["groups"] = []any{} }, "groups"},
		{"group without name", func(m map[string]any) { m["groups"] = []any{map[string]any{"name": ""}} }, "groups[0].name"},
		{"unknown level", func(m map[string]any) {
			m["groups"] = []any{map[string]any{"name": "x", "rules": map[string]any{"levels": []string{"正国级"}}}}
		}, "groups[0].rules.levels"},
		{"unknown org", func(m map[string]any) {
			m["groups"] = []any{map[string]any{"name": "x", "rules": map[string]any{"org_id": 999999}}}
		}, "groups[0].rules.org_id"},
		{"negative months", func(m map[string]any) {
			m["groups"] = []any{map[string]any{"name": "x", "rules": map[string]any{"appointed_within_months": -1}}}
		}, "groups[0].rules.appointed_within_months"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := good()
			tc.edit(body)
			r := a.Do("POST", "/api/v1/programs", org, body)
			collegetest.MustStatus(t, r, 400)
			if _, ok := r.Fields(t)[tc.field]; !ok {
				t.Fatalf("fields: %s", r.Body)
			}
		})
	}
	if n := a.Count("programs", "1 = 1"); n != 0 {
		t.Fatalf("%d programmes stored from bad input", n)
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/programs", org, good()), 201)
}

// A programme's scope: the org department sees every one, a college its own,
// a unit admin none.
func TestProgrammeScope(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col2 := a.CreateOrg(c.Tokens["admin"], "市委党校第二分院", "C02", "college", c.Root)
	a.CreateUser(c.Tokens["admin"], "col2", col2, "college_admin")
	tok2 := a.Login("col2", collegetest.UserPassword)
	body := map[string]any{"title": "分院专题培训", "kind": "special", "year": 2026, "groups": []any{map[string]any{"name": "全部", "rules": map[string]any{}}}}
	r := a.Do("POST", "/api/v1/programs", c.Tokens["col"], body)
	collegetest.MustStatus(t, r, 201)
	mine := r.ID(t)
	if r.JSON(t)["owner_org_id"].(float64) != float64(c.College) {
		t.Fatalf("owner: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/programs", c.Tokens["org"], body), 201)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/programs", c.Tokens["ua_admin"], body), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/programs", c.Tokens["ua_admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/programs", c.Tokens["ua_cadre"], nil), 403)
	for _, path := range []string{"", "/coverage", "/coverage/people?group_id=1&status=completed"} {
		collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/programs/%d%s", mine, path), tok2, nil), 404)
		collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/programs/%d%s", mine, path), c.Tokens["ua_admin"], nil), 403)
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/programs/%d/classes", mine), tok2, map[string]any{"class_ids": []uint64{}}), 404)
	for token, want := range map[string]float64{c.Tokens["org"]: 2, c.Tokens["col"]: 1, tok2: 0} {
		l := a.Do("GET", "/api/v1/programs", token, nil)
		collegetest.MustStatus(t, l, 200)
		if l.JSON(t)["total"].(float64) != want {
			t.Fatalf("list: want %v: %s", want, l.Body)
		}
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/programs/%d", mine), c.Tokens["org"], nil), 200)

	x := a.Do("GET", "/api/v1/programs/export", c.Tokens["col"], nil)
	collegetest.MustStatus(t, x, 200)
	if rows := collegetest.XLSXRows(t, x.Body); len(rows) != 2 || rows[1][1] != "分院专题培训" || rows[1][4] != "市委党校分院" {
		t.Fatalf("export: %v", rows)
	}
	if collegetest.CountAudits(a, "export.programs") != 1 {
		t.Fatal("export not audited")
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/programs/export", c.Tokens["ua_admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/programs?year=x", c.Tokens["org"], nil), 400)
	if l := a.Do("GET", "/api/v1/programs?year=2025", c.Tokens["org"], nil); l.JSON(t)["total"].(float64) != 0 {
		t.Fatalf("year filter: %s", l.Body)
	}
}

func status(t *testing.T, r collegetest.Response) []uint64 {
	t.Helper()
	var out []uint64
	for _, x := range r.JSON(t)["items"].([]any) {
		out = append(out, uint64(x.(map[string]any)["id"].(float64)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func groupCounts(t *testing.T, r collegetest.Response) map[string]any {
	t.Helper()
	return r.JSON(t)["groups"].([]any)[0].(map[string]any)
}

// Coverage moves as the trainees of a linked class register and graduate.
func TestCoverageFollowsGraduation(t *testing.T) {
	t.Parallel()
	s := seed(t)
	a, c := s.a, s.c
	a.Setting("training.graduation_requires_files", "false")
	col := c.Tokens["col"]
	r := a.Do("POST", "/api/v1/programs", col, map[string]any{"title": "乡科级干部轮训", "kind": "leaders", "year": 2026,
		"groups": []any{map[string]any{"name": "区属乡科级", "rules": map[string]any{"levels": []string{"乡科级"}, "org_id": s.district}}}})
	collegetest.MustStatus(t, r, 201)
	prog := r.ID(t)
	gid := uint64(r.JSON(t)["groups"].([]any)[0].(map[string]any)["id"].(float64))
	path := func(rest string) string { return fmt.Sprintf("/api/v1/programs/%d%s", prog, rest) }
	target := s.count(t, "u.level = '乡科级' AND u.org_id IN (?, ?)", c.UnitA, c.UnitB) // pa3 pa4 pa5 pb2
	if target != 4 {
		t.Fatalf("seeded target %d", target)
	}

	cov := a.Do("GET", path("/coverage"), col, nil)
	collegetest.MustStatus(t, cov, 200)
	g := groupCounts(t, cov)
	if g["target"].(float64) != 4 || g["not_reached"].(float64) != 4 || g["completed"].(float64) != 0 || g["rate"].(float64) != 0 {
		t.Fatalf("before: %s", cov.Body)
	}

	class := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(1), "ends_on": collegetest.Day(2), "self_registration": false})
	a.OpenClass(c, class)
	trainees := []uint64{s.ids["pa3"], s.ids["pa4"]}
	a.Admit(c, c.Tokens["ua_admin"], class, trainees...)
	// A trainee outside the group does not count.
	a.Admit(c, c.Tokens["ua_admin"], class, s.ids["pa1"])
	collegetest.MustStatus(t, a.Do("PUT", path("/classes"), col, map[string]any{"class_ids": []uint64{class}}), 200)
	if a.AuditCount("program.classes", prog) != 1 {
		t.Fatal("classes not audited")
	}
	g = groupCounts(t, a.Do("GET", path("/coverage"), col, nil))
	if g["registered"].(float64) != 2 || g["not_reached"].(float64) != 2 || g["completed"].(float64) != 0 {
		t.Fatalf("registered: %v", g)
	}

	a.StartClass(c, class)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", class), col, nil), 200)
	cov = a.Do("GET", path("/coverage"), col, nil)
	g = groupCounts(t, cov)
	if g["completed"].(float64) != 2 || g["registered"].(float64) != 0 || g["not_reached"].(float64) != 2 || g["rate"].(float64) != 0.5 {
		t.Fatalf("graduated: %s", cov.Body)
	}
	units := map[string]map[string]any{}
	for _, u := range g["units"].([]any) {
		m := u.(map[string]any)
		units[m["org_name"].(string)] = m
	}
	if ua := units["东城区发改委"]; len(units) != 2 || ua["target"].(float64) != 3 || ua["completed"].(float64) != 2 || ua["not_reached"].(float64) != 1 ||
		units["东城区教育局"]["target"].(float64) != 1 || units["东城区教育局"]["completed"].(float64) != 0 {
		t.Fatalf("units: %v", units)
	}

	// The part of the city looked at narrows every count.
	g = groupCounts(t, a.Do("GET", path(fmt.Sprintf("/coverage?org_id=%d", c.UnitB)), col, nil))
	if g["target"].(float64) != 1 || g["completed"].(float64) != 0 || len(g["units"].([]any)) != 1 {
		t.Fatalf("unit B: %v", g)
	}
	collegetest.MustStatus(t, a.Do("GET", path("/coverage?org_id=999999"), col, nil), 400)

	for st, want := range map[string][]uint64{"completed": trainees, "registered": nil, "not_reached": {s.ids["pa5"], s.ids["pb2"]}} {
		l := a.Do("GET", path(fmt.Sprintf("/coverage/people?group_id=%d&status=%s", gid, st)), col, nil)
		collegetest.MustStatus(t, l, 200)
		got := status(t, l)
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if fmt.Sprint(got) != fmt.Sprint(want) || l.JSON(t)["total"].(float64) != float64(len(want)) {
			t.Fatalf("%s: %v, want %v", st, got, want)
		}
	}
	l := a.Do("GET", path(fmt.Sprintf("/coverage/people?group_id=%d&status=not_reached&page_size=1&page=2", gid)), col, nil)
	if items := status(t, l); len(items) != 1 || l.JSON(t)["total"].(float64) != 2 {
		t.Fatalf("page 2: %s", l.Body)
	}
	x := a.Do("GET", path(fmt.Sprintf("/coverage/people.xlsx?group_id=%d&status=not_reached", gid)), col, nil)
	collegetest.MustStatus(t, x, 200)
	book, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows("人员名单")
	if err != nil || len(rows) != 3 || rows[0][1] != "姓名" || rows[1][1]+rows[2][1] != "干部pa5干部pb2" || rows[1][4] != "未覆盖" {
		t.Fatalf("export: %v %v", rows, err)
	}
	if a.AuditCount("export.program_people", prog) != 1 {
		t.Fatal("export not audited")
	}
	collegetest.MustStatus(t, a.Do("GET", path(fmt.Sprintf("/coverage/people.xlsx?group_id=%d&status=all", gid)), col, nil), 400)
	collegetest.MustStatus(t, a.Do("GET", path(fmt.Sprintf("/coverage/people?group_id=%d&status=done", gid)), col, nil), 400)
	collegetest.MustStatus(t, a.Do("GET", path("/coverage/people?status=completed"), col, nil), 400)
	collegetest.MustStatus(t, a.Do("GET", path(fmt.Sprintf("/coverage/people?group_id=%d&status=completed", gid+99)), col, nil), 404)

	// The pages show the same figures.
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/", 200), `href="/admin/programs"`)
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/programs", 200), "重点培训项目", "乡科级干部轮训", fmt.Sprintf(`href="/admin/programs/%d"`, prog))
	detail := collegetest.PageGet(b, fmt.Sprintf("/admin/programs/%d", prog), 200)
	collegetest.MustContain(t, detail, "区属乡科级", "目标 4 人，已完成 2 人，已报名未结业 0 人，未覆盖 2 人，覆盖率 50%", "东城区发改委", "66.7%", "学习贯彻专题培训班",
		fmt.Sprintf("coverage/people.xlsx?group_id=%d&status=not_reached", gid))
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/programs/%d?org_id=%d", prog, c.UnitB), 200), "目标 1 人，已完成 0 人",
		fmt.Sprintf("people.xlsx?group_id=%d&status=completed&org_id=%d", gid, c.UnitB))
	unit := collegetest.LoginPages(a, "ua_admin", collegetest.UserPassword)
	collegetest.PageGet(unit, "/admin/programs", 403)
	collegetest.PageGet(unit, fmt.Sprintf("/admin/programs/%d", prog), 403)
}

func TestClassLinkRefusals(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col2 := a.CreateOrg(c.Tokens["admin"], "市委党校第二分院", "C02", "college", c.Root)
	a.CreateUser(c.Tokens["admin"], "col2", col2, "college_admin")
	tok2 := a.Login("col2", collegetest.UserPassword)
	mineClass := a.CreateClass(c, nil)
	r := a.Do("POST", "/api/v1/classes", tok2, map[string]any{"title": "第二分院专题班", "kind": "专题班", "host_org_id": col2, "starts_on": collegetest.Day(20),
		"ends_on": collegetest.Day(22), "quota": 10, "hours": 20})
	collegetest.MustStatus(t, r, 201)
	otherClass := r.ID(t)
	r = a.Do("POST", "/api/v1/programs", c.Tokens["col"], map[string]any{"title": "分院项目", "kind": "other", "year": 2026, "groups": []any{map[string]any{"name": "全部"}}})
	collegetest.MustStatus(t, r, 201)
	prog := r.ID(t)
	path := fmt.Sprintf("/api/v1/programs/%d/classes", prog)
	for _, body := range []any{"", "{", `{"class_ids": "x"}`} {
		collegetest.MustStatus(t, a.Do("PUT", path, c.Tokens["col"], body), 400)
	}
	for name, ids := range map[string][]uint64{"unknown": {999999}, "another college's": {otherClass}, "one of them bad": {mineClass, otherClass}} {
		r := a.Do("PUT", path, c.Tokens["col"], map[string]any{"class_ids": ids})
		collegetest.MustRefuse(t, r, 422, "class_not_linkable")
		if !strings.Contains(string(r.Body), "不在您的管理范围内") {
			t.Fatalf("%s: %s", name, r.Body)
		}
	}
	if a.Count("program_classes", "1 = 1") != 0 || a.AuditCount("program.classes", prog) != 0 {
		t.Fatal("a refused link changed something")
	}
	r = a.Do("PUT", path, c.Tokens["col"], map[string]any{"class_ids": []uint64{mineClass, mineClass}})
	collegetest.MustStatus(t, r, 200)
	cls := r.JSON(t)["classes"].([]any)
	if len(cls) != 1 || cls[0].(map[string]any)["title"] != "学习贯彻专题培训班" {
		t.Fatalf("classes: %s", r.Body)
	}
	// The org department oversees every class and may link them too.
	collegetest.MustStatus(t, a.Do("PUT", path, c.Tokens["org"], map[string]any{"class_ids": []uint64{mineClass, otherClass}}), 200)
	if a.AuditCount("program.classes", prog) != 2 {
		t.Fatal("classes updates not audited once each")
	}
}
