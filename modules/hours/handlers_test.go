package hours

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"college/modules/web"
	"college/static"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// Test users: a learner in /1/2/5/, an org admin of /1/2/, a learner of
// another branch /1/3/.
const (
	learnerID  = 100
	adminID    = 200
	outsiderID = 300
)

type httpEnv struct {
	app *fiber.App
	svc *Service
	h   *Handlers
}

func newHTTPEnv(t *testing.T) *httpEnv {
	t.Helper()
	svc, _, _ := newTestService(t)
	people := peopleOf(svc)
	people.levels[learnerID] = "科员及以下"
	people.paths[learnerID], people.paths[adminID], people.paths[outsiderID] = "/1/2/5/", "/1/2/", "/1/3/"
	people.names[learnerID], people.names[outsiderID] = "张三", "李四"
	engine, err := web.NewEngine(static.FS, "干部网络学院")
	if err != nil {
		t.Fatal(err)
	}
	principals := map[string]*web.Principal{
		"learner":  {UserID: learnerID, Username: "zhangsan", Name: "张三", Roles: []string{web.RoleLearner}, OrgID: 5, OrgPath: "/1/2/5/"},
		"admin":    {UserID: adminID, Username: "admin2", Name: "王五", Roles: []string{web.RoleOrgAdmin}, OrgID: 2, OrgPath: "/1/2/"},
		"outsider": {UserID: outsiderID, Username: "lisi", Name: "李四", Roles: []string{web.RoleLearner}, OrgID: 3, OrgPath: "/1/3/"},
	}
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(slog.New(slog.DiscardHandler), engine)})
	app.Use(func(c *fiber.Ctx) error {
		if p := principals[c.Get("X-Test-As")]; p != nil {
			cp := *p
			web.SetCaller(c, &cp)
		}
		return c.Next()
	})
	h := NewHandlers(svc, people, engine)
	svc.SetAuditor(acceptAll{})
	h.Register(web.NewAPI(app.Group("/api/v1"), "/api/v1"), app.Group(""))

	ctx := context.Background()
	for _, c := range []Credit{
		{UserID: learnerID, Hours: 150, Category: CategoryOnline, Kind: KindRequired, SourceType: SourceCourse, SourceID: 7, Title: "党的二十大精神解读", EarnedAt: time.Date(2026, 2, 1, 2, 0, 0, 0, time.UTC)},
		{UserID: learnerID, Hours: 50, Category: CategoryOnline, Kind: KindElective, SourceType: SourceExam, SourceID: 3, Title: "理论学习测试", EarnedAt: time.Date(2026, 2, 2, 2, 0, 0, 0, time.UTC)},
		{UserID: learnerID, Hours: 1200, Category: CategoryCentralized, Kind: KindRequired, SourceType: SourceClass, SourceID: 9, Title: "乡科级干部能力提升培训班", EarnedAt: time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)},
		{UserID: learnerID, Hours: 25, Category: CategoryOnline, Kind: KindElective, SourceType: SourceCourse, SourceID: 8, Title: "微课：保密常识", EarnedAt: time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC)},
		{UserID: outsiderID, Hours: 100, Category: CategoryOnline, Kind: KindRequired, SourceType: SourceCourse, SourceID: 7, Title: "党的二十大精神解读", EarnedAt: time.Date(2026, 2, 1, 2, 0, 0, 0, time.UTC)},
	} {
		if _, err := svc.Credit(ctx, nil, c); err != nil {
			t.Fatal(err)
		}
	}
	return &httpEnv{app: app, svc: svc, h: h}
}

func (e *httpEnv) get(t *testing.T, as, target string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if as != "" {
		req.Header.Set("X-Test-As", as)
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestMeHoursJSON(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t)
	resp, body := e.get(t, "learner", "/api/v1/me/hours?year=2026")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"year", "total", "online", "centralized", "required", "elective", "target", "entries", "targets"} {
		if _, ok := got[k]; !ok {
			t.Errorf("answer lacks %q: %s", k, body)
		}
	}
	want := map[string]float64{"year": 2026, "total": 14, "online": 2, "centralized": 12, "required": 13.5, "elective": 0.5, "target": 50}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	targets := got["targets"].(map[string]any)
	if targets["online"] != 50.0 || targets["centralized"] != 90.0 || targets["centralized_5y"] != nil {
		t.Errorf("targets = %v", targets)
	}
	entries := got["entries"].([]any)
	if len(entries) != 3 {
		t.Fatalf("%d entries: %s", len(entries), body)
	}
	first := entries[0].(map[string]any)
	if first["source"] != "exam" || first["ref_id"] != 3.0 || first["hours"] != 0.5 || first["title"] != "理论学习测试" || first["earned_at"] != "2026-02-02T02:00:00Z" {
		t.Errorf("newest entry = %v", first)
	}
	last := entries[2].(map[string]any)
	if last["source"] != "class" || last["hours"] != 12.0 || last["earned_at"] != "2025-12-31T16:30:00Z" {
		t.Errorf("oldest entry = %v", last)
	}
	if !bytes.Contains(body, []byte(`"hours":1.5,`)) {
		t.Errorf("hours not written as a 2-decimal number: %s", body)
	}

	// Without ?year= the current year in Beijing is used; the service's
	// clock says 2026.
	_, body = e.get(t, "learner", "/api/v1/me/hours")
	var def HoursResponse
	if err := json.Unmarshal(body, &def); err != nil || def.Year != 2026 || def.Total != 1400 {
		t.Fatalf("default year: %+v, %v", def, err)
	}
	e.svc.now = func() time.Time { return time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC) } // 00:00 on 1 Jan 2026 in Beijing
	_, body = e.get(t, "learner", "/api/v1/me/hours")
	if err := json.Unmarshal(body, &def); err != nil || def.Year != 2026 {
		t.Fatalf("default year at new year in Beijing: %d", def.Year)
	}
	_, body = e.get(t, "learner", "/api/v1/me/hours?year=2025")
	if err := json.Unmarshal(body, &def); err != nil || def.Total != 25 || len(def.Entries) != 1 {
		t.Fatalf("2025: %s", body)
	}
	// A 县处级 learner has the 5-year centralized rule and no yearly one.
	peopleOf(e.svc).levels[learnerID] = "县处级"
	_, body = e.get(t, "learner", "/api/v1/me/hours?year=2026")
	var senior map[string]any
	_ = json.Unmarshal(body, &senior)
	if tg, _ := senior["targets"].(map[string]any); tg == nil || tg["centralized"] != nil || tg["centralized_5y"] != 550.0 || tg["centralized_5y_done"] != 12.0 || tg["centralized_5y_from"] != 2022.0 || senior["target"] != 50.0 {
		t.Errorf("县处级 targets: %s", body)
	}
	// A year without credits is zeros and an empty list, not null.
	_, body = e.get(t, "learner", "/api/v1/me/hours?year=2030")
	if !bytes.Contains(body, []byte(`"entries":[]`)) || !bytes.Contains(body, []byte(`"total":0`)) {
		t.Fatalf("empty year: %s", body)
	}
}

func TestMeHoursErrors(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t)
	for _, y := range []string{"abc", "1999", "2101", "2026.5", "-1"} {
		resp, body := e.get(t, "learner", "/api/v1/me/hours?year="+y)
		var er struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal(body, &er)
		if resp.StatusCode != 400 || er.Error.Code != "invalid" || er.Error.Fields["year"] == "" {
			t.Errorf("year=%s: %d %s", y, resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/api/v1/me/hours", "/api/v1/me/archive.xlsx", "/api/v1/users/100/hours"} {
		if resp, body := e.get(t, "", path); resp.StatusCode != 401 {
			t.Errorf("anonymous %s: %d %s", path, resp.StatusCode, body)
		}
	}
	// Pages send anonymous callers to the login page.
	if resp, _ := e.get(t, "", "/me/hours"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("anonymous page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestUserHoursForAdmins(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t)
	resp, body := e.get(t, "admin", "/api/v1/users/100/hours?year=2026")
	var got HoursResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || got.UserID != learnerID || got.Total != 1400 || len(got.Entries) != 3 {
		t.Fatalf("in scope: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		as, path string
		status   int
	}{
		{"admin", "/api/v1/users/300/hours", 404},        // another org's learner
		{"admin", "/api/v1/users/999/hours", 404},        // nobody
		{"admin", "/api/v1/users/abc/hours", 404},        // not an id
		{"admin", "/api/v1/users/300/archive.xlsx", 404}, // another org's archive
		{"admin", "/api/v1/users/100/hours?year=x", 400},
		{"learner", "/api/v1/users/100/hours", 403}, // even their own, through the admin route
		{"outsider", "/api/v1/users/300/hours", 403},
		{"learner", "/admin/users/100/archive", 403},
		{"admin", "/admin/users/300/archive", 404},
	} {
		resp, body := e.get(t, tc.as, tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d: %.200s", tc.as, tc.path, resp.StatusCode, tc.status, body)
		}
		if tc.status == 404 && bytes.Contains(body, []byte("李四")) {
			t.Errorf("%s leaked the out-of-scope learner", tc.path)
		}
	}
}

func TestArchiveExcel(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t)
	for _, tc := range []struct{ as, path string }{{"learner", "/api/v1/me/archive.xlsx"}, {"admin", "/api/v1/users/100/archive.xlsx"}} {
		resp, body := e.get(t, tc.as, tc.path)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %v", tc.path, resp.StatusCode, resp.Header)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s does not open: %v", tc.path, err)
		}
		head, _ := f.GetRows(SheetSummary)
		rows, err := f.GetRows(SheetEntries)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flat(head), "张三") || !strings.Contains(flat(head), "110***********1234") {
			t.Errorf("summary sheet lacks the learner: %v", head)
		}
		// Yearly totals: 2026 = 14, 2025 = 0.25.
		if !strings.Contains(flat(head), "2026|14|2|12|13.5|0.5") || !strings.Contains(flat(head), "2025|0.25|0.25|0|0|0.25") {
			t.Errorf("yearly totals wrong: %v", head)
		}
		if len(rows) != 5 {
			t.Fatalf("%d entry rows (with header), want 5: %v", len(rows), rows)
		}
		want := map[string]string{"党的二十大精神解读": "1.5", "理论学习测试": "0.5", "乡科级干部能力提升培训班": "12", "微课：保密常识": "0.25"}
		for _, r := range rows[1:] {
			if len(r) < 7 || want[r[2]] != r[6] {
				t.Errorf("entry row %v", r)
			}
		}
		if rows[3][0] != "2026" || rows[3][1] != "2026-01-01 00:30" || rows[3][3] != "培训班" || rows[3][4] != "集中" {
			t.Errorf("new-year class row = %v", rows[3])
		}
		if strings.Contains(string(body), "李四") {
			t.Error("another learner's data in the export")
		}
	}
}

// The follow-up module's notes (跟踪问效) show on the archive page and in
// its export, for the learner they were asked for only.
func TestArchiveExtras(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t)
	asked := map[uint64]int{}
	e.h.SetArchiveExtras(func(_ context.Context, userID uint64) ([]ArchiveNote, error) {
		asked[userID]++
		if userID != learnerID {
			return nil, nil
		}
		return []ArchiveNote{{Year: 2027, Title: "中青年干部培训班", Result: "优秀", Date: "2027-11-20"}, {Year: 2026, Title: "专题研讨班", Result: "较差", Date: "2026-12-01"}}, nil
	})
	resp, body := e.get(t, "learner", "/me/archive")
	page := string(body)
	if resp.StatusCode != 200 {
		t.Fatalf("archive: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{`id="archive-followup"`, "中青年干部培训班", "优秀", "2027-11-20", "专题研讨班", "较差", "2 次"} {
		if !strings.Contains(page, want) {
			t.Errorf("archive page lacks %q", want)
		}
	}
	resp, body = e.get(t, "admin", "/api/v1/users/100/archive.xlsx")
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(SheetFollowUp)
	f.Close()
	if err != nil {
		t.Fatalf("no follow-up sheet: %v", err)
	}
	if got := flat(rows); got != "年度|班次|问效结论|完成日期\n2027|中青年干部培训班|优秀|2027-11-20\n2026|专题研讨班|较差|2026-12-01\n" {
		t.Errorf("follow-up sheet = %q", got)
	}
	if asked[learnerID] != 2 {
		t.Errorf("extras asked %d times for the learner", asked[learnerID])
	}
	// Another learner without notes has no section and no sheet.
	_, body = e.get(t, "outsider", "/me/archive")
	if strings.Contains(string(body), `id="archive-followup"`) {
		t.Error("an archive without notes shows the follow-up section")
	}
	_, body = e.get(t, "outsider", "/api/v1/me/archive.xlsx")
	f, err = excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if idx, _ := f.GetSheetIndex(SheetFollowUp); idx != -1 {
		t.Error("an export without notes has a follow-up sheet")
	}
}

func flat(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|"))
		b.WriteString("\n")
	}
	return b.String()
}

func TestPagesRender(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t)
	resp, body := e.get(t, "learner", "/me/hours?year=2026")
	page := string(body)
	if resp.StatusCode != 200 {
		t.Fatalf("hours page: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"我的学时", `id="hours-total">14<`, `id="hours-online">2<`, `id="hours-centralized">12<`, `id="hours-required">13.5<`, `id="hours-elective">0.5<`,
		"党的二十大精神解读", "课程", "考试", "培训班", "2026-01-01 00:30:00", "<strong>2</strong> / 50 学时", "<strong>12</strong> / 90 学时", "还差 48 学时", `<option value="2025"`, `<option value="2026" selected`} {
		if !strings.Contains(page, want) {
			t.Errorf("hours page lacks %q", want)
		}
	}
	if strings.Contains(page, "保密常识") {
		t.Error("a 2025 entry is listed under 2026")
	}
	if resp, _ := e.get(t, "learner", "/me/hours?year=abc"); resp.StatusCode != 400 {
		t.Errorf("bad year page: %d", resp.StatusCode)
	}

	// A 县处级 learner sees the 5-year rule instead of the yearly 90.
	peopleOf(e.svc).levels[learnerID] = "县处级"
	_, body = e.get(t, "learner", "/me/hours?year=2026")
	if page := string(body); !strings.Contains(page, "集中培训（五年累计）") || !strings.Contains(page, "<strong>12</strong> / 550 学时") || strings.Contains(page, "/ 90 学时") {
		t.Errorf("县处级 page lacks the 5-year bar")
	}

	for _, tc := range []struct{ as, path, export string }{{"learner", "/me/archive", "/api/v1/me/archive.xlsx"}, {"admin", "/admin/users/100/archive", "/api/v1/users/100/archive.xlsx"}} {
		resp, body = e.get(t, tc.as, tc.path)
		page = string(body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
		for _, want := range []string{"干部学习档案", "张三", "user100", "市财政局", "县处级", "科长", "110***********1234", "打印档案", tc.export, "@media print",
			"2026 年度", "2025 年度", "共 14 学时：网络 2，集中 12；必修 13.5，选修 0.5", "微课：保密常识", "乡科级干部能力提升培训班", "2026-01-01", "累计 14.25 学时"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", tc.path, want)
			}
		}
		if strings.Contains(page, "李四") {
			t.Errorf("%s shows another learner", tc.path)
		}
	}
}

func TestRoutesAreDocumented(t *testing.T) {
	t.Parallel()
	app := fiber.New()
	api := web.NewAPI(app.Group("/api/v1"), "/api/v1")
	NewHandlers(nil, nil, nil).Register(api, app.Group(""))
	got := strings.Join(api.Documented(), "\n")
	for _, want := range []string{"GET /api/v1/me/hours", "GET /api/v1/me/archive.xlsx", "GET /api/v1/users/:id/hours", "GET /api/v1/users/:id/archive.xlsx"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s not documented", want)
		}
	}
}

// acceptAll is an audit log that takes every entry.
type acceptAll struct{}

func (acceptAll) Record(context.Context, web.AuditEntry) error { return nil }
