package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/reports"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

const year = 2026

// city is the test city with cadres of both level groups and their hours,
// and a unit administrator of the district ("d_admin").
type city struct {
	a        *collegetest.App
	c        *collegetest.City
	district uint64
	tokens   map[string]string
}

var source uint64

func credit(t *testing.T, a *collegetest.App, user uint64, category string, h float64) {
	t.Helper()
	source++
	if _, err := a.Hours.Credit(context.Background(), nil, hours.Credit{UserID: user, Hours: web.HoursFromFloat(h), Category: category, Kind: hours.KindRequired,
		SourceType: hours.SourceCourse, SourceID: source, Title: fmt.Sprintf("课程 %d", source), EarnedAt: time.Date(year, 6, 1, 4, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}

func newCity(t *testing.T) *city {
	a, c := collegetest.NewCityApp(t)
	f := &city{a: a, c: c, district: a.OrgID("D01"), tokens: c.Tokens}
	people := []struct {
		name, level string
		org         uint64
		role        string
	}{
		{"a1", "乡科级", c.UnitA, "learner"}, {"a2", "科员及以下", c.UnitA, "learner"}, {"a3", "县处级", c.UnitA, "learner"},
		{"b1", "乡科级", c.UnitB, "learner"}, {"b2", "乡科级", c.UnitB, "learner"},
		{"d1", "科员及以下", f.district, "learner"}, {"r1", "乡科级", c.Root, "learner"},
		{"d_admin", "", f.district, "unit_admin"},
	}
	reqs := make([]identity.UserRequest, len(people))
	for i, p := range people {
		reqs[i] = identity.UserRequest{Username: p.name, Name: "干部" + p.name, OrgID: p.org, Level: p.level, Roles: []string{p.role}}
	}
	a.Provision(reqs...)
	id := func(n string) uint64 { return a.UserID(n) }
	credit(t, a, id("a1"), hours.CategoryOnline, 50)
	credit(t, a, id("a1"), hours.CategoryCentralized, 90)
	credit(t, a, id("a2"), hours.CategoryOnline, 49.5)
	credit(t, a, id("a3"), hours.CategoryOnline, 60)
	credit(t, a, id("a3"), hours.CategoryCentralized, 500)
	credit(t, a, id("b1"), hours.CategoryOnline, 55)
	credit(t, a, id("b1"), hours.CategoryCentralized, 95)
	credit(t, a, id("d1"), hours.CategoryOnline, 50)
	credit(t, a, id("d1"), hours.CategoryCentralized, 90)
	credit(t, a, id("r1"), hours.CategoryOnline, 10)
	f.tokens["d_admin"] = a.Login("d_admin", collegetest.UserPassword)
	return f
}

// build runs the queued reports as the background runner would.
func build(t *testing.T, a *collegetest.App) {
	t.Helper()
	if err := a.Reports.RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// requestReport asks for a report and returns the job's id.
func requestReport(t *testing.T, a *collegetest.App, token string, body map[string]any) uint64 {
	t.Helper()
	r := a.Do("POST", "/api/v1/reports", token, body)
	collegetest.MustStatus(t, r, 202)
	got := r.JSON(t)
	if got["state"] != reports.StateQueued || got["done"].(float64) != 0 {
		t.Fatalf("new job: %s", r.Body)
	}
	return r.ID(t)
}

// workbook downloads a finished job's file.
func workbook(t *testing.T, a *collegetest.App, token string, id uint64) *excelize.File {
	t.Helper()
	st := a.Do("GET", fmt.Sprintf("/api/v1/reports/%d", id), token, nil)
	collegetest.MustStatus(t, st, 200)
	j := st.JSON(t)
	if j["state"] != reports.StateDone || j["done"] != j["total"] || j["total"].(float64) < 1 || j["file_url"] != fmt.Sprintf("/api/v1/reports/%d/file", id) {
		t.Fatalf("job %d: %s", id, st.Body)
	}
	r := a.Do("GET", fmt.Sprintf("/api/v1/reports/%d/file", id), token, nil)
	collegetest.MustStatus(t, r, 200)
	name := reports.KindNames[j["kind"].(string)] + "-" + j["org_name"].(string) + "-" + numText(j["year"]) + ".xlsx"
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape(name)) {
		t.Fatalf("Content-Disposition %q, want the name %s", cd, name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	out, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func numText(v any) string { return strconv.FormatFloat(v.(float64), 'f', -1, 64) }

// expectedRows walks the dashboard's JSON down the tree the way the report
// lays it out: the org's total, then each unit, followed by its own units.
func expectedRows(t *testing.T, a *collegetest.App, token string, orgID uint64, level int) [][]string {
	t.Helper()
	r := a.Do("GET", fmt.Sprintf("/api/v1/dashboard/compliance?year=%d&org_id=%d", year, orgID), token, nil)
	collegetest.MustStatus(t, r, 200)
	d := r.JSON(t)
	var out [][]string
	if level == 0 {
		out = append(out, []string{"0", d["org_name"].(string) + "（合计）", numText(d["cadres"]), numText(d["met"]), numText(d["behind"]), numText(d["rate"])})
	}
	for _, x := range d["units"].([]any) {
		u := x.(map[string]any)
		out = append(out, []string{strconv.Itoa(level + 1), u["name"].(string), numText(u["cadres"]), numText(u["met"]), numText(u["behind"]), numText(u["rate"])})
		if own, _ := u["own"].(bool); own {
			continue
		}
		below := expectedRows(t, a, token, uint64(u["org_id"].(float64)), level+1)
		if len(below) > 1 || (len(below) == 1 && !strings.HasSuffix(below[0][1], "（本级）")) {
			out = append(out, below...)
		}
	}
	return out
}

func TestHoursReportHasTheDashboardsNumbers(t *testing.T) {
	f := newCity(t)
	a := f.a
	for _, tc := range []struct {
		who   string
		orgID uint64
		depth int // levels of units below the org
	}{{"org", 0, 2}, {"d_admin", 0, 1}, {"org", f.district, 1}} {
		token := f.tokens[tc.who]
		id := requestReport(t, a, token, map[string]any{"kind": reports.KindHours, "year": year, "org_id": tc.orgID})
		build(t, a)
		wb := workbook(t, a, token, id)
		got := rows(t, wb, reports.SheetCompliance)
		want := expectedRows(t, a, token, tc.orgID, 0)
		if len(got) != len(want)+2 {
			t.Fatalf("%s: %d rows, want %d:\n%v\n%v", tc.who, len(got), len(want)+2, got, want)
		}
		deepest := 0
		for i, w := range want {
			if strings.Join(got[i+2], "|") != strings.Join(w, "|") {
				t.Errorf("%s row %d: %v, dashboard says %v", tc.who, i+2, got[i+2], w)
			}
			n, _ := strconv.Atoi(w[0])
			deepest = max(deepest, n)
		}
		if deepest != tc.depth {
			t.Errorf("%s: deepest level %d, want %d", tc.who, deepest, tc.depth)
		}
		// The people behind are the dashboard's, with their gaps.
		pr := a.Do("GET", fmt.Sprintf("/api/v1/dashboard/compliance/people?year=%d&org_id=%d&status=behind&page_size=200", year, tc.orgID), token, nil)
		collegetest.MustStatus(t, pr, 200)
		people := pr.JSON(t)["items"].([]any)
		behind := rows(t, wb, reports.SheetBehind)
		if len(behind) != len(people)+1 || len(people) == 0 {
			t.Fatalf("%s: %d people behind in the report, dashboard lists %d", tc.who, len(behind)-1, len(people))
		}
		for i, x := range people {
			p := x.(map[string]any)
			row := behind[i+1]
			if row[0] != p["name"] || row[1] != p["org"] || row[5] != numText(p["online_gap"]) || row[9] != numText(p["centralized_gap"]) {
				t.Errorf("%s: behind row %v, dashboard says %v", tc.who, row, p)
			}
		}
	}
	// Hand check of the city's total: met a1, a3, b1, d1 of the 7 cadres
	// (the administrators are no cadres).
	if r := a.Do("GET", "/api/v1/dashboard/compliance?year=2026", f.tokens["org"], nil).JSON(t); r["cadres"].(float64) < 7 || r["met"].(float64) != 4 {
		t.Fatalf("city: %v", r)
	}
	// Each request and each download is in the audit log.
	if n := len(a.AuditRows("report.request")); n != 3 {
		t.Fatalf("%d report.request entries, want 3", n)
	}
	if n := len(a.AuditRows("export.report")); n != 3 {
		t.Fatalf("%d export.report entries, want 3", n)
	}
}

func TestReportsStayInTheCallersScope(t *testing.T) {
	f := newCity(t)
	a, c := f.a, f.c
	ua, ub := f.tokens["ua_admin"], f.tokens["ub_admin"]
	// Another subtree, or the district above the unit: 404.
	for _, org := range []uint64{c.UnitB, f.district, c.Root} {
		collegetest.MustRefuse(t, a.Do("POST", "/api/v1/reports", ua, map[string]any{"kind": reports.KindHours, "year": year, "org_id": org}), 404, "not_found")
	}
	id := requestReport(t, a, ua, map[string]any{"kind": reports.KindHours, "year": year})
	build(t, a)
	workbook(t, a, ua, id)
	// Another user's job, even an administrator's of the whole city: 404.
	for _, tok := range []string{ub, f.tokens["org"], f.tokens["d_admin"]} {
		collegetest.MustRefuse(t, a.Do("GET", fmt.Sprintf("/api/v1/reports/%d", id), tok, nil), 404, "not_found")
		collegetest.MustRefuse(t, a.Do("GET", fmt.Sprintf("/api/v1/reports/%d/file", id), tok, nil), 404, "not_found")
	}
	if l := a.Do("GET", "/api/v1/reports", ub, nil).JSON(t); l["total"].(float64) != 0 {
		t.Fatalf("another unit's list: %v", l)
	}
	if l := a.Do("GET", "/api/v1/reports", ua, nil).JSON(t); l["total"].(float64) != 1 {
		t.Fatalf("own list: %v", l)
	}
	// A unit admin moved out of the unit no longer downloads its report.
	if err := a.DB.Exec("UPDATE users SET org_id = ? WHERE id = ?", c.UnitB, c.IDs["ua_admin"]).Error; err != nil {
		t.Fatal(err)
	}
	moved := a.Login("ua_admin", collegetest.UserPassword)
	collegetest.MustRefuse(t, a.Do("GET", fmt.Sprintf("/api/v1/reports/%d/file", id), moved, nil), 404, "not_found")
	// A learner, a college administrator: 403, and nothing is queued.
	for _, who := range []string{"ua_cadre", "col"} {
		tok := f.tokens[who]
		collegetest.MustRefuse(t, a.Do("POST", "/api/v1/reports", tok, map[string]any{"kind": reports.KindHours, "year": year}), 403, "forbidden")
		collegetest.MustRefuse(t, a.Do("GET", "/api/v1/reports", tok, nil), 403, "forbidden")
		collegetest.MustRefuse(t, a.Do("GET", fmt.Sprintf("/api/v1/reports/%d", id), tok, nil), 403, "forbidden")
		collegetest.MustRefuse(t, a.Do("GET", fmt.Sprintf("/api/v1/reports/%d/file", id), tok, nil), 403, "forbidden")
	}
	if n := a.Count("report_jobs", ""); n != 1 {
		t.Fatalf("%d jobs, want 1", n)
	}
}

func TestBadRequestsQueueNothing(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	org := c.Tokens["org"]
	for _, tc := range []struct {
		body        any
		status      int
		code, field string
	}{
		{map[string]any{"kind": "annual_everything", "year": year}, 400, "invalid", "kind"},
		{map[string]any{"year": year}, 400, "invalid", "kind"},
		{map[string]any{"kind": reports.KindHours}, 400, "invalid", "year"},
		{map[string]any{"kind": reports.KindHours, "year": 1999}, 400, "invalid", "year"},
		{map[string]any{"kind": reports.KindHours, "year": 2101}, 400, "invalid", "year"},
		{`{"kind":"hours_compliance","year":"2026"}`, 400, "invalid", "year"},
		{`{"kind":"hours_compliance","year":2026.5}`, 400, "invalid", "year"},
		{`{"kind":"hours_compliance","year":2026,"org_id":-1}`, 400, "invalid", "org_id"},
		{`{"kind":7,"year":2026}`, 400, "invalid", "kind"},
		{`{"kind":"hours_compliance","year":2026`, 400, "malformed_json", ""},
		{`[]`, 400, "invalid", "body"},
		{map[string]any{"kind": reports.KindHours, "year": year, "org_id": 987654}, 404, "not_found", ""},
	} {
		r := a.Do("POST", "/api/v1/reports", org, tc.body)
		collegetest.MustRefuse(t, r, tc.status, tc.code)
		if tc.field != "" {
			if msg, _ := r.Fields(t)[tc.field].(string); msg == "" {
				t.Errorf("%v: no message for %s: %s", tc.body, tc.field, r.Body)
			}
		}
	}
	if n := a.Count("report_jobs", ""); n != 0 {
		t.Fatalf("%d jobs queued by bad requests", n)
	}
	collegetest.MustRefuse(t, a.Do("GET", "/api/v1/reports/abc", org, nil), 404, "not_found")
	collegetest.MustRefuse(t, a.Do("GET", "/api/v1/reports/12345", org, nil), 404, "not_found")
	collegetest.MustRefuse(t, a.Do("GET", "/api/v1/reports?page_size=1000", org, nil), 400, "invalid")
}

func TestFileOfUnfinishedJobIsRefused(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	org := c.Tokens["org"]
	id := requestReport(t, a, org, map[string]any{"kind": reports.KindExams, "year": year})
	collegetest.MustRefuse(t, a.Do("GET", fmt.Sprintf("/api/v1/reports/%d/file", id), org, nil), 409, "report_not_ready")
}

func TestReportsPage(t *testing.T) {
	f := newCity(t)
	a := f.a
	b := collegetest.LoginPages(a, "d_admin", collegetest.UserPassword)
	body := collegetest.PageOK(b, reports.PagePath)
	collegetest.MustContain(t, body, "统计报表", "年度学时达标情况", "班次统计", "东城区委组织部", "东城区发改委", "还没有申请过报表")
	if strings.Contains(body, "市委党校分院") {
		t.Fatal("the unit picker offers an org outside the caller's subtree")
	}
	r := collegetest.PagePostFrom(b, reports.PagePath, reports.PagePath, url.Values{"kind": {reports.KindClasses}, "year": {"2026"}, "org_id": {strconv.FormatUint(f.c.UnitA, 10)}})
	collegetest.MustRedirect(t, r, reports.PagePath)
	body = collegetest.PageOK(b, reports.PagePath)
	collegetest.MustContain(t, body, "已提交：班次统计", "排队中", `data-state="queued"`)
	build(t, a)
	body = collegetest.PageOK(b, reports.PagePath)
	collegetest.MustContain(t, body, "已完成", `value="100"`, "下载 Excel", "/file")
	// A bad form answers the page with the field's message, and queues nothing.
	r = collegetest.PagePostFrom(b, reports.PagePath, reports.PagePath, url.Values{"kind": {"x"}, "year": {"2026"}})
	collegetest.MustBody(t, r, 400, "报表类型应为")
	if n := a.Count("report_jobs", ""); n != 1 {
		t.Fatalf("%d jobs", n)
	}
	// A learner does not get the page.
	lb := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	if r := lb.Req("GET", reports.PagePath, nil); r.Status != 403 {
		t.Fatalf("learner: %d", r.Status)
	}
}

func TestReportOfRequesterWhoLostAccessFails(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	gone := requestReport(t, a, c.Tokens["ub_admin"], map[string]any{"kind": reports.KindHours, "year": year})
	moved := requestReport(t, a, c.Tokens["ua_admin"], map[string]any{"kind": reports.KindHours, "year": year})
	next := requestReport(t, a, c.Tokens["org"], map[string]any{"kind": reports.KindFollowup, "year": year})
	if err := a.DB.Exec("UPDATE users SET disabled = ? WHERE id = ?", true, c.IDs["ub_admin"]).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Exec("UPDATE users SET org_id = ? WHERE id = ?", c.UnitB, c.IDs["ua_admin"]).Error; err != nil {
		t.Fatal(err)
	}
	build(t, a)
	for id, want := range map[uint64]string{gone: "申请人账号已停用或不存在", moved: "申请人已无权生成该单位的报表"} {
		var j reports.Job
		if err := a.DB.First(&j, id).Error; err != nil {
			t.Fatal(err)
		}
		if j.State != reports.StateFailed || j.Error != want || j.ObjectKey != "" {
			t.Errorf("job %d: state %s error %q key %q, want failed with %q", id, j.State, j.Error, j.ObjectKey, want)
		}
	}
	workbook(t, a, c.Tokens["org"], next)
}
