package reports_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/reports"
	"college/modules/web"
)

// classRow finds the row of a sheet whose first cell is name.
func classRow(t *testing.T, got [][]string, name string) []string {
	t.Helper()
	for _, r := range got {
		if len(r) > 0 && r[0] == name {
			return r
		}
	}
	t.Fatalf("no row %q in %v", name, got)
	return nil
}

func TestClassStatsCountClassesTraineesAndDays(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	ua, ub := c.IDs["ua_cadre"], c.IDs["ub_cadre"]
	// This year: a 专题班 run for a unit (委托办班) with both cadres, one of
	// whom graduated; last year: a 主体班 with unit A's cadre, run with unit
	// B's cadre school (市县统筹办学); a draft of this year that counts
	// nowhere.
	school := a.CreateOrg(c.Tokens["admin"], "东城区教育局干部学校", "C02", "college", c.UnitB)
	x := a.CreateClass(c, map[string]any{"title": "专题班甲", "entrusted": "东城区发改委", "starts_on": collegetest.Day(20), "ends_on": collegetest.Day(24)})
	a.OpenClass(c, x)
	a.Admit(c, c.Tokens["org"], x, ua, ub)
	y := a.CreateClass(c, map[string]any{"title": "主体班乙", "kind": "主体班", "co_host_org_id": school, "starts_on": collegetest.Day(40), "ends_on": collegetest.Day(49)})
	a.OpenClass(c, y)
	a.Admit(c, c.Tokens["org"], y, ua)
	z := a.CreateClass(c, map[string]any{"title": "草稿班"})
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE training_classes SET starts_on = ?, ends_on = ? WHERE id = ?", []any{"2026-03-02", "2026-03-06", x}},
		{"UPDATE training_classes SET starts_on = ?, ends_on = ? WHERE id = ?", []any{"2025-09-01", "2025-09-10", y}},
		{"UPDATE training_classes SET starts_on = ?, ends_on = ? WHERE id = ?", []any{"2026-04-01", "2026-04-03", z}},
		{"UPDATE registrations SET status = 'graduated' WHERE class_id = ? AND user_id = ?", []any{x, ua}},
	} {
		if err := a.DB.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		who                                    string
		classes, regs, grads, days, personDays [2]int // 2026, 2025
		entrusted, coRun                       [2]int
	}{
		{"org", [2]int{1, 1}, [2]int{2, 1}, [2]int{1, 0}, [2]int{5, 10}, [2]int{5, 0}, [2]int{1, 0}, [2]int{0, 1}},
		{"ua_admin", [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 0}, [2]int{5, 10}, [2]int{5, 0}, [2]int{1, 0}, [2]int{0, 1}},
		// Unit B's school ran last year's class: it counts for unit B, without
		// trainees of unit B.
		{"ub_admin", [2]int{1, 1}, [2]int{1, 0}, [2]int{0, 0}, [2]int{5, 10}, [2]int{0, 0}, [2]int{1, 0}, [2]int{0, 1}},
	} {
		token := c.Tokens[tc.who]
		id := requestReport(t, a, token, map[string]any{"kind": reports.KindClasses, "year": 2026})
		build(t, a)
		wb := workbook(t, a, token, id)
		sum := rows(t, wb, reports.SheetSummary)
		for _, w := range []struct {
			name string
			v    [2]int
		}{{"班次数", tc.classes}, {"参训学员（录取）人次", tc.regs}, {"结业学员人次", tc.grads}, {"培训天数", tc.days},
			{"培训人天（结业人次×天数）", tc.personDays}, {"委托办班期数", tc.entrusted}, {"市县统筹办学期数", tc.coRun}} {
			want := []string{w.name, strconv.Itoa(w.v[0]), strconv.Itoa(w.v[1]), strconv.Itoa(w.v[0] - w.v[1])}
			if got := classRow(t, sum, w.name); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("%s: %v, want %v", tc.who, got, want)
			}
		}
		if !strings.Contains(strings.Join(sum[len(sum)-1], ""), "联合举办学院") {
			t.Errorf("%s: the summary does not say what counts as 市县统筹办学: %v", tc.who, sum)
		}
		byKind := rows(t, wb, reports.SheetByKind)
		if got := classRow(t, byKind, "专题班"); got[1] != strconv.Itoa(tc.classes[0]) || got[2] != "0" {
			t.Errorf("%s: 专题班 %v", tc.who, got)
		}
		if tc.classes[1] > 0 {
			if got := classRow(t, byKind, "主体班"); got[1] != "0" || got[2] != "1" || got[8] != "10" {
				t.Errorf("%s: 主体班 %v", tc.who, got)
			}
		}
		byHost := rows(t, wb, reports.SheetByHost)
		if got := classRow(t, byHost, "市委党校分院"); got[1] != strconv.Itoa(tc.classes[0]) || got[2] != strconv.Itoa(tc.classes[1]) {
			t.Errorf("%s: by host %v", tc.who, got)
		}
		detail := rows(t, wb, reports.SheetClasses)
		if len(detail) != 2 || detail[1][0] != "专题班甲" || detail[1][9] != "东城区发改委" || detail[0][10] != "联合举办学院（市县统筹办学）" {
			t.Errorf("%s: detail %v", tc.who, detail)
		}
	}
}

func TestExamReportHasTheDashboardsBoard(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	examID, q := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(c.Tokens["col"], examID)
	a.SitExam(c.Tokens["ua_cadre"], examID, map[uint64]any{q["single"]: "A", q["multiple"]: "ABC", q["judge"]: true})
	a.SitExam(c.Tokens["ub_cadre"], examID, map[uint64]any{q["single"]: "B"})
	yr := time.Now().In(web.Shanghai).Year()
	for _, who := range []string{"org", "ua_admin"} {
		token := c.Tokens[who]
		id := requestReport(t, a, token, map[string]any{"kind": reports.KindExams, "year": yr})
		build(t, a)
		got := rows(t, workbook(t, a, token, id), reports.SheetExams)
		r := a.Do("GET", fmt.Sprintf("/api/v1/dashboard/exams?year=%d", yr), token, nil)
		collegetest.MustStatus(t, r, 200)
		items := r.JSON(t)["items"].([]any)
		if len(items) == 0 || len(got) != len(items)+2 {
			t.Fatalf("%s: %d rows for %d board rows: %v", who, len(got)-2, len(items), got)
		}
		for i, x := range items {
			b := x.(map[string]any)
			want := []string{b["exam"].(string), b["unit"].(string), numText(b["candidates"]), numText(b["sat"]), numText(b["passed"]), numText(b["pass_rate"])}
			if strings.Join(got[i+2], "|") != strings.Join(want, "|") {
				t.Errorf("%s row %d: %v, dashboard says %v", who, i, got[i+2], want)
			}
		}
	}
}

func TestFollowupReportHasTheSummarysNumbers(t *testing.T) {
	a, e := collegetest.NewFollowupApp(t)
	a.FollowupGraduatePlan(e, "fu_a", fmt.Sprintf("%d-12-31", e.Year+3), "", 40)
	a.FollowupGraduatePlan(e, "fu_b", fmt.Sprintf("%d-12-31", e.Year+2), "", 80)
	yr := e.Year + 1
	for _, who := range []string{"org", "ua_admin", "ub_admin"} {
		token := e.Tokens[who]
		id := requestReport(t, a, token, map[string]any{"kind": reports.KindFollowup, "year": yr})
		build(t, a)
		wb := workbook(t, a, token, id)
		s := a.Do("GET", fmt.Sprintf("/api/v1/followup-summary?year=%d", yr), token, nil)
		collegetest.MustStatus(t, s, 200)
		sum := s.JSON(t)
		for _, part := range []struct{ sheet, key string }{{reports.SheetFuClasses, "by_class"}, {reports.SheetFuUnits, "by_unit"}} {
			got := rows(t, wb, part.sheet)
			want := append(sum[part.key].([]any), sum["total"])
			skip := 1
			if part.sheet == reports.SheetFuClasses {
				skip = 2 // the title
			}
			if len(got) != len(want)+skip {
				t.Fatalf("%s %s: %v, summary %s", who, part.sheet, got, s.Body)
			}
			for i, x := range want {
				r := x.(map[string]any)
				c := r["conclusions"].(map[string]any)
				w := []string{r["name"].(string), numText(r["rounds"]), numText(r["pending"]), numText(r["done"]), numText(r["cancelled"]), numText(r["overdue"]),
					numText(c["优秀"]), numText(c["良好"]), numText(c["一般"]), numText(c["较差"])}
				if strings.Join(got[i+skip], "|") != strings.Join(w, "|") {
					t.Errorf("%s %s row %d: %v, summary says %v", who, part.sheet, i, got[i+skip], w)
				}
			}
		}
		if total := sum["total"].(map[string]any)["rounds"].(float64); (who == "ub_admin") != (total == 0) {
			t.Errorf("%s: %v rounds in the summary", who, total)
		}
	}
}
