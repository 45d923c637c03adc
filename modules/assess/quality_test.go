package assess

import (
	"strings"
	"testing"
)

// templateTree stores the default template as rows with ids.
func templateTree() []Indicator {
	var rows []Indicator
	id := uint64(0)
	var add func(nodes []IndicatorRequest, parent uint64)
	add = func(nodes []IndicatorRequest, parent uint64) {
		for i, n := range nodes {
			id++
			rows = append(rows, Indicator{ID: id, ParentID: parent, Name: n.Name, Weight: int(n.Weight), Source: n.Source, EvaluationID: n.EvaluationID, Sort: i})
			add(n.Children, id)
		}
	}
	add(DefaultTemplate(), 0)
	return rows
}

func byName(rows []Indicator, name string) uint64 {
	for _, r := range rows {
		if r.Name == name {
			return r.ID
		}
	}
	return 0
}

func TestDefaultTemplateIsValid(t *testing.T) {
	tree := DefaultTemplate()
	if f := ValidateIndicators(tree, nil); len(f) != 0 {
		t.Fatal(f)
	}
	q := BuildQuality(templateTree(), nil, nil)
	if q.Leaves != 6 || q.Scored != 0 || q.Complete || q.Total != 0 || q.Grade != "不合格" {
		t.Fatalf("empty: %+v", q)
	}
	share := 0.0
	var walk func([]IndicatorView)
	walk = func(nodes []IndicatorView) {
		for _, n := range nodes {
			if len(n.Children) == 0 {
				share += n.Share
			}
			walk(n.Children)
		}
	}
	walk(q.Indicators)
	if share != 100 {
		t.Fatalf("the leaves carry %v%% of the total", share)
	}
}

func TestBuildQuality(t *testing.T) {
	rows := templateTree()
	scores := []Score{
		{IndicatorID: byName(rows, "方案科学性"), Scorer: SourceOrg, Score: 95},
		{IndicatorID: byName(rows, "课程设置"), Scorer: SourceSelf, Score: 90},
		{IndicatorID: byName(rows, "组织管理"), Scorer: SourceSelf, Score: 80},
		{IndicatorID: byName(rows, "师资水平"), Scorer: SourceOrg, Score: 85},
		{IndicatorID: byName(rows, "学用转化"), Scorer: SourceOrg, Score: 70},
		// A score from the wrong scorer does not count.
		{IndicatorID: byName(rows, "学用转化"), Scorer: SourceSelf, Score: 100},
	}
	trainee := map[uint64]TraineeScore{0: {Score: 90, Responses: 2}}
	q := BuildQuality(rows, scores, trainee)
	// 0.3×(0.6×95+0.4×90) + 0.3×(0.5×80+0.5×85) + 0.4×(0.6×90+0.4×70) = 27.9 + 24.75 + 32.8
	if q.Total != 85.45 || q.Grade != "良好" || !q.Complete || q.Scored != 6 {
		t.Fatalf("quality: total %v grade %s complete %v scored %d", q.Total, q.Grade, q.Complete, q.Scored)
	}
	if s := q.Indicators[0].Score; s == nil || *s != 93 {
		t.Fatalf("培训设计: %v", s)
	}
	if s := q.Indicators[2].Score; s == nil || *s != 82 {
		t.Fatalf("培训效果: %v", s)
	}
	// Without trainee responses the trainee leaf is missing and counts 0.
	q = BuildQuality(rows, scores, map[uint64]TraineeScore{0: {Score: 0, Responses: 0}})
	if q.Complete || q.Scored != 5 || q.Total != 85.45-0.4*0.6*90 {
		t.Fatalf("without trainees: %v %v", q.Total, q.Complete)
	}
	// One evaluation rather than all of them.
	rows[byName(rows, "学员满意度")-1].EvaluationID = 7
	q = BuildQuality(rows, scores, map[uint64]TraineeScore{0: {Score: 90, Responses: 2}, 7: {Score: 60, Responses: 1}})
	if q.Total != 85.45-0.4*0.6*30 {
		t.Fatalf("with evaluation 7: %v", q.Total)
	}
}

func TestGrades(t *testing.T) {
	for total, want := range map[float64]string{100: "优秀", 90: "优秀", 89.99: "良好", 80: "良好", 79.99: "合格", 60: "合格", 59.99: "不合格", 0: "不合格"} {
		if got := Grade(total); got != want {
			t.Errorf("Grade(%v) = %s, want %s", total, got, want)
		}
	}
}

func TestValidateIndicators(t *testing.T) {
	leaf := func(name string, w float64, src string) IndicatorRequest {
		return IndicatorRequest{Name: name, Weight: w, Source: src}
	}
	cases := []struct {
		name  string
		tree  []IndicatorRequest
		field string
	}{
		{"roots 90", []IndicatorRequest{leaf("a", 60, SourceSelf), leaf("b", 30, SourceOrg)}, "indicators"},
		{"children 90", []IndicatorRequest{{Name: "p", Weight: 100, Children: []IndicatorRequest{leaf("a", 50, SourceSelf), leaf("b", 40, SourceOrg)}}}, "indicators[0].children"},
		{"no source", []IndicatorRequest{leaf("a", 100, "")}, "indicators[0].source"},
		{"no name", []IndicatorRequest{leaf(" ", 100, SourceOrg)}, "indicators[0].name"},
		{"weight 0", []IndicatorRequest{leaf("a", 0, SourceOrg), leaf("b", 100, SourceOrg)}, "indicators[0].weight"},
		{"other class's evaluation", []IndicatorRequest{{Name: "a", Weight: 100, Source: SourceTrainee, EvaluationID: 9}}, "indicators[0].evaluation_id"},
		{"too deep", []IndicatorRequest{{Name: "1", Weight: 100, Children: []IndicatorRequest{{Name: "2", Weight: 100, Children: []IndicatorRequest{{Name: "3", Weight: 100,
			Children: []IndicatorRequest{leaf("4", 100, SourceOrg)}}}}}}}, "indicators[0].children[0].children[0].children"},
		{"empty", nil, "indicators"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ValidateIndicators(tc.tree, map[uint64]bool{3: true})
			if f[tc.field] == "" {
				t.Fatalf("no message for %s: %v", tc.field, f)
			}
		})
	}
	ok := []IndicatorRequest{{Name: "a", Weight: 100, Source: SourceTrainee, EvaluationID: 3}}
	if f := ValidateIndicators(ok, map[uint64]bool{3: true}); len(f) != 0 {
		t.Fatal(f)
	}
}

func TestTreeTextRoundTrip(t *testing.T) {
	q := BuildQuality(templateTree(), nil, nil)
	text := TreeText(q.Indicators)
	if !strings.Contains(text, "培训设计 30\n- 方案科学性 60 组织部门评价\n") {
		t.Fatalf("text:\n%s", text)
	}
	tree, lines, problems := ParseTree(text)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if f := ValidateIndicators(tree, nil); len(f) != 0 {
		t.Fatal(f)
	}
	if len(tree) != 3 || tree[2].Name != "培训效果" || tree[2].Children[0].Source != SourceTrainee || tree[2].Children[1].Weight != 40 {
		t.Fatalf("tree: %+v", tree)
	}
	if lines["indicators[1].children[1]"] != 6 {
		t.Fatalf("lines: %v", lines)
	}

	// Indents by spaces, other words for the sources, an evaluation id, a blank line.
	tree, _, problems = ParseTree("总体 100\n  学员满意度 70 学员 #12\n\n  自评 30 主办方\n")
	if len(problems) > 0 || len(tree) != 1 || len(tree[0].Children) != 2 || tree[0].Children[0].EvaluationID != 12 || tree[0].Children[1].Source != SourceSelf || tree[0].Children[1].Name != "自评" {
		t.Fatalf("spaces: %+v %v", tree, problems)
	}
	// Lines that cannot be read are reported by number.
	_, _, problems = ParseTree("甲 50\n-- 乙 50 组织部门评价\n丙\n")
	if len(problems) != 2 || !strings.Contains(problems[0], "第 2 行") || !strings.Contains(problems[1], "第 3 行") {
		t.Fatalf("problems: %v", problems)
	}
	// Validation messages land on their lines.
	tree, lines, _ = ParseTree("甲 50 组织部门评价\n乙 40\n- 丁 100\n")
	msgs := treeMessages(ValidateIndicators(tree, nil), lines, tree)
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "第一级指标：同级指标的权重合计应为 100") || !strings.Contains(joined, "第 3 行“丁”") {
		t.Fatalf("messages: %v", msgs)
	}
}
