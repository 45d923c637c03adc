package followup

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"college/modules/training"
)

func TestFollowupPlanRounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, graduated, term string
		want                  []RoundDue
	}{
		{"a term ending in 3 years: 3 rounds, the first next year", "2026-06-30", "2029-06-30",
			[]RoundDue{{2027, "2027-12-15"}, {2028, "2028-12-15"}, {2029, "2029-06-30"}}},
		{"a term ending late in its year keeps 15 December", "2026-06-30", "2029-12-31",
			[]RoundDue{{2027, "2027-12-15"}, {2028, "2028-12-15"}, {2029, "2029-12-15"}}},
		{"a term ending next January: one short round", "2026-11-20", "2027-01-10", []RoundDue{{2027, "2027-01-10"}}},
		{"a term ending this year: no rounds", "2026-03-01", "2026-12-31", nil},
		{"a term ending before graduation: no rounds", "2026-03-01", "2025-05-01", nil},
		{"a graduation on 31 December counts in its year", "2026-12-31", "2028-01-01", []RoundDue{{2027, "2027-12-15"}, {2028, "2028-01-01"}}},
		{"bad dates: none", "2026-02-30", "2029-01-01", nil},
	} {
		got := PlanRounds(tc.graduated, tc.term)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFollowupPlanDates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"2026-01-31", "2026-02-28"}, {"2028-01-31", "2028-02-29"}, {"2026-06-15", "2026-07-15"}, {"2026-12-20", "2027-01-20"},
	} {
		if got := GraduationTasksDue(tc.in); got != tc.want {
			t.Errorf("tasks due after %s: %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := DefaultTerm("2026-02-28", 3); got != "2029-02-28" {
		t.Errorf("default term: %s", got)
	}
	if got := DefaultTerm("2028-02-29", 3); got != "2031-02-28" {
		t.Errorf("default term from a leap day: %s", got)
	}
	// The default of 3 years gives 3 rounds.
	if n := len(PlanRounds("2026-07-10", DefaultTerm("2026-07-10", 3))); n != 3 {
		t.Errorf("default term: %d rounds", n)
	}
}

func TestFollowupQualifies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		starts, ends string
		flagged      bool
		want         bool
	}{
		{"2026-03-01", "2026-03-30", false, true},  // 30 days
		{"2026-03-01", "2026-03-29", false, false}, // 29 days
		{"2026-03-01", "2026-03-14", false, false}, // a 2-week class
		{"2026-03-01", "2026-03-14", true, true},   // flagged for follow-up
	} {
		c := &training.Class{StartsOn: tc.starts, EndsOn: tc.ends, FollowUp: tc.flagged}
		if got := Qualifies(c, 30); got != tc.want {
			t.Errorf("%s–%s flagged=%v: %v, want %v", tc.starts, tc.ends, tc.flagged, got, tc.want)
		}
	}
}

func TestFollowupTasksOf(t *testing.T) {
	t.Parallel()
	plan := Plan{ID: 1, ClassID: 9, UserID: 5, ClassTitle: "中青班", GraduatedOn: "2026-06-30", Status: PlanActive}
	filed := time.Date(2026, 7, 20, 2, 0, 0, 0, time.UTC)
	rounds := []Round{
		{ID: 11, Year: 2027, DueOn: "2027-12-15", Status: RoundPending},
		{ID: 12, Year: 2028, DueOn: "2028-12-15", Status: RoundPending},
	}
	// Before anything is filed, on 2026-08-01: both graduation tasks overdue,
	// no self-report yet (its year has not come).
	got := tasksOf(plan, rounds, nil, nil, "2026-08-01")
	if len(got) != 2 || got[0].Kind != TaskStudyPlan || !got[0].Overdue || got[1].Kind != TaskReportBack || !got[1].Overdue || got[0].DueOn != "2026-07-30" {
		t.Fatalf("tasks before filing: %+v", got)
	}
	// Filed on time, reported late; in 2027 the self-report is due.
	got = tasksOf(plan, rounds, &StudyPlan{FiledAt: filed}, []ReportBack{{HeldOn: "2026-08-05"}}, "2027-03-01")
	if len(got) != 3 {
		t.Fatalf("tasks in 2027: %+v", got)
	}
	if !got[0].Done || got[0].Late || !got[1].Done || !got[1].Late || got[2].Kind != TaskSelfReport || got[2].RoundID != 11 || got[2].Overdue {
		t.Fatalf("tasks in 2027: %+v", got)
	}
}

func TestFollowupRoundRequestValidation(t *testing.T) {
	t.Parallel()
	score := func(v float64) *float64 { return &v }
	in := RoundRequest{Dimensions: map[string]DimensionInput{"党性教育": {Score: score(101)}, "廉政": {Score: score(80)}},
		Methods: []string{"听取汇报", "电话"}, Evidence: map[string]string{"实地查看": strings.Repeat("字", 5001)}, Conclusion: "合格"}
	f := in.normalize()
	for _, k := range []string{"dimensions.党性教育.score", "dimensions", "methods", "evidence.实地查看", "conclusion"} {
		if f[k] == "" {
			t.Errorf("no error for %s: %v", k, f)
		}
	}
	ok := RoundRequest{Dimensions: map[string]DimensionInput{}, Methods: []string{"听取汇报", "听取汇报"}, Conclusion: "良好"}
	for _, d := range Dimensions[:3] {
		ok.Dimensions[d] = DimensionInput{Score: score(90)}
	}
	if f := ok.normalize(); len(f) > 0 {
		t.Fatalf("valid draft refused: %v", f)
	}
	if len(ok.Methods) != 1 {
		t.Errorf("methods not deduplicated: %v", ok.Methods)
	}
	if m := ok.missing(); len(m) != 1 || m["dimensions.改革创新.score"] == "" {
		t.Errorf("missing: %v", m)
	}
	ok.Dimensions["改革创新"] = DimensionInput{Score: score(0)}
	if m := ok.missing(); len(m) != 0 {
		t.Errorf("a score of 0 counts as given: %v", m)
	}
}

func TestFollowupAggregate(t *testing.T) {
	t.Parallel()
	qj, _ := json.Marshal([]Question{{Text: "党性", Kind: QuestionRating}, {Text: "总体", Kind: QuestionRating}, {Text: "建议", Kind: QuestionText}})
	q := Questionnaire{ID: 3, RoundID: 7, Kind: KindDemocratic, Title: "民主评议", Questions: string(qj)}
	now := time.Now()
	answer := func(a ...string) string { b, _ := json.Marshal(a); return string(b) }
	invites := []Invite{
		{Label: "上级", RespondedAt: &now, Answers: answer("优秀", "良好", "再接再厉")},
		{Label: "同事", RespondedAt: &now, Answers: answer("良好", "良好", "")},
		{Label: "同事", RespondedAt: &now, Answers: answer("较差", "一般", "加强调研")},
		{Label: "下属"},
	}
	r := Aggregate(q, invites)
	if r.Invited != 4 || r.Responses != 3 {
		t.Fatalf("counts: %+v", r)
	}
	q0, q1, q2 := r.Questions[0], r.Questions[1], r.Questions[2]
	if q0.Grades["优秀"] != 1 || q0.Grades["良好"] != 1 || q0.Grades["一般"] != 0 || q0.Grades["较差"] != 1 || *q0.Average != 73.3 || *q0.GoodRate != 0.6667 {
		t.Errorf("question 1: %+v avg %v rate %v", q0, *q0.Average, *q0.GoodRate)
	}
	if q1.Grades["良好"] != 2 || q1.Grades["一般"] != 1 || *q1.Average != 73.3 || *q1.GoodRate != 0.6667 {
		t.Errorf("question 2: %+v", q1)
	}
	if q2.Average != nil || strings.Join(q2.Answers, "|") != "再接再厉|加强调研" && strings.Join(q2.Answers, "|") != "加强调研|再接再厉" || len(q2.Answers) != 2 {
		t.Errorf("text answers: %+v", q2)
	}
	if len(r.Respondents) != 4 || !r.Respondents[0].Responded || r.Respondents[3].Responded || r.Respondents[3].Label != "下属" {
		t.Errorf("respondents: %+v", r.Respondents)
	}
}

func TestFollowupReportRendering(t *testing.T) {
	t.Parallel()
	score := func(v float64) *float64 { return &v }
	avg := 88.8
	r := Report{RoundID: 4, Year: 2027, Status: RoundDone, StatusName: "已完成", Conclusion: "优秀", TeamMember: "王专班", CompletedOn: "2027-11-20",
		Cadre: ReportCadre{Name: "张建国", OrgName: "东城区发改委", Post: "副主任", IDNumber: "110***********4514"},
		Class: ReportClass{Title: "中青年干部培训班", HostName: "市委党校", GraduatedOn: "2026-06-30"},
		Dimensions: []ReportDimension{
			{Name: "党性教育", Score: score(92), Notes: "理想信念坚定\n廉洁自律", Indicators: []IndicatorScore{{Name: "理想信念", Score: score(95)}}},
			{Name: "理论提升", Score: score(88.5)}, {Name: "主体业绩", Score: score(90)}, {Name: "改革创新", Score: score(84.7)},
		},
		Average: &avg, Methods: []ReportMethod{{Name: "听取汇报", Evidence: "听取单位党组汇报<b>"}},
		Questionnaires: []QuestionnaireResults{{Kind: KindDemocratic, Title: "民主评议", Invited: 5, Responses: 4,
			Questions: []QuestionResult{{Text: "总体评价", Kind: QuestionRating, Grades: map[string]int{"优秀": 3, "良好": 1, "一般": 0, "较差": 0}, Average: score(95), GoodRate: score(1)}}}},
		SelfReport: "本年度完成自学计划", College: "干部网络学院"}
	doc, err := ReportDocument(r)
	if err != nil {
		t.Fatal(err)
	}
	page := string(doc)
	for _, want := range []string{"<!doctype html>", `charset="utf-8"`, "跟踪问效报告", "2027 年度", "张建国", "东城区发改委", "副主任", "110***********4514",
		"中青年干部培训班", "市委党校", "2026年6月30日", "党性教育", "理论提升", "主体业绩", "改革创新", "理想信念：95", ">92<", ">88.5<", ">84.7<", ">88.8<",
		"理想信念坚定<br>廉洁自律", "听取汇报", "听取单位党组汇报&lt;b&gt;", "民主评议：民主评议（邀请 5 人，收回 4 份）", ">95<", ">100%<", "本年度完成自学计划",
		"<strong>优秀</strong>", "王专班", "2027年11月20日", "urn:schemas-microsoft-com:office:word", "@page"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, "尚未完成") {
		t.Error("a finished report is marked as a draft")
	}
	r.Status, r.StatusName, r.Conclusion = RoundPending, "待问效", ""
	doc, _ = ReportDocument(r)
	if !strings.Contains(string(doc), "尚未完成") || !strings.Contains(string(doc), "尚未作出结论") {
		t.Error("a draft report is not marked as one")
	}
	if ReportTitle(r) != "跟踪问效报告-张建国-2027" {
		t.Errorf("title %q", ReportTitle(r))
	}
}
