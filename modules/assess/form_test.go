package assess

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func rating(text string, w float64) Item { return Item{Kind: KindRating, Text: text, Weight: w} }

func TestValidateForm(t *testing.T) {
	no, yes := false, true
	cases := []struct {
		name  string
		in    FormRequest
		field string // "" when valid
	}{
		{"default card", DefaultCard(), ""},
		{"weights 90", FormRequest{Title: "t", Items: []Item{rating("a", 50), rating("b", 40)}}, "items"},
		{"weights 110", FormRequest{Title: "t", Items: []Item{rating("a", 60), rating("b", 50)}}, "items"},
		{"fractional weight", FormRequest{Title: "t", Items: []Item{rating("a", 50.5), rating("b", 49.5)}}, "items[0].weight"},
		{"zero weight", FormRequest{Title: "t", Items: []Item{rating("a", 0), rating("b", 100)}}, "items[0].weight"},
		{"no title", FormRequest{Title: " ", Items: []Item{rating("a", 100)}}, "title"},
		{"no items", FormRequest{Title: "t"}, "items"},
		{"blank text", FormRequest{Title: "t", Items: []Item{rating("a", 100), {Kind: KindText, Text: "  "}}}, "items[1].text"},
		{"bad kind", FormRequest{Title: "t", Items: []Item{{Kind: "stars", Text: "x"}}}, "items[0].kind"},
		{"one option", FormRequest{Title: "t", Items: []Item{{Kind: KindChoice, Text: "x", Options: []string{"只有一个"}}}}, "items[0].options"},
		{"blank option", FormRequest{Title: "t", Items: []Item{{Kind: KindChoice, Text: "x", Options: []string{"A", " "}}}}, "items[0].options"},
		{"repeated option", FormRequest{Title: "t", Items: []Item{{Kind: KindChoice, Text: "x", Options: []string{"A", "A"}}}}, "items[0].options"},
		{"no ratings is fine", FormRequest{Title: "t", Items: []Item{{Kind: KindChoice, Text: "x", Options: []string{"A", "B"}}, {Kind: KindText, Text: "y", Required: &yes}}}, ""},
		{"optional rating stays required", FormRequest{Title: "t", Items: []Item{{Kind: KindRating, Text: "a", Weight: 100, Required: &no}}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ValidateForm(&tc.in)
			if tc.field == "" {
				if len(f) != 0 {
					t.Fatalf("refused: %v", f)
				}
				for _, it := range tc.in.Items {
					if it.Required == nil {
						t.Fatalf("required not set on %q", it.Text)
					}
				}
				return
			}
			if f[tc.field] == "" {
				t.Fatalf("no message for %s: %v", tc.field, f)
			}
		})
	}
	many := FormRequest{Title: "t"}
	for i := 0; i < MaxItems+1; i++ {
		many.Items = append(many.Items, Item{Kind: KindText, Text: "x"})
	}
	if f := ValidateForm(&many); f["items"] == "" {
		t.Fatalf("%d items accepted", len(many.Items))
	}
}

func TestRequiredDefaults(t *testing.T) {
	in := FormRequest{Title: "t", Items: []Item{rating("a", 100), {Kind: KindChoice, Text: "c", Options: []string{"A", "B"}}, {Kind: KindText, Text: "x"}}}
	if f := ValidateForm(&in); len(f) != 0 {
		t.Fatal(f)
	}
	want := []bool{true, true, false}
	for i, it := range in.Items {
		if *it.Required != want[i] || it.IsRequired() != want[i] {
			t.Errorf("item %d (%s): required %v, want %v", i, it.Kind, *it.Required, want[i])
		}
	}
	card := DefaultCard()
	if len(card.Items) != 6 || card.Title != DefaultFormTitle {
		t.Fatalf("default card: %+v", card)
	}
	for i, name := range []string{"现实针对性", "理论性", "信息量", "语言表达", "教风教态"} {
		if card.Items[i].Text != name || card.Items[i].Weight != 20 || card.Items[i].Kind != KindRating {
			t.Errorf("item %d: %+v", i, card.Items[i])
		}
	}
}

func raw(vals ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(vals))
	for i, v := range vals {
		out[i] = json.RawMessage(v)
	}
	return out
}

func TestValidateAnswers(t *testing.T) {
	no := false
	items := []Item{rating("a", 60), rating("b", 40),
		{Kind: KindChoice, Text: "单选", Options: []string{"A", "B", "C"}},
		{Kind: KindChoice, Text: "多选", Options: []string{"A", "B", "C"}, Multiple: true, Required: &no},
		{Kind: KindText, Text: "意见", Required: &no}}
	if f := ValidateForm(&FormRequest{Title: "t", Items: items}); len(f) != 0 {
		t.Fatal(f)
	}
	cases := []struct {
		name   string
		in     []json.RawMessage
		field  string
		stored string
	}{
		{"all", raw(`"非常满意"`, `"不满意"`, `[1]`, `[0,2]`, `" 很好 "`), "", `["非常满意","不满意",[1],[0,2],"很好"]`},
		{"optional left out", raw(`"满意"`, `"合格"`, `[2]`, `null`, `""`), "", `["满意","合格",[2],null,null]`},
		{"empty multiple", raw(`"满意"`, `"合格"`, `[2]`, `[]`, `null`), "", `["满意","合格",[2],null,null]`},
		{"unknown grade", raw(`"很好"`, `"合格"`, `[2]`, `null`, `null`), "answers[0]", ""},
		{"grade as number", raw(`5`, `"合格"`, `[2]`, `null`, `null`), "answers[0]", ""},
		{"rating missing", raw(`"满意"`, `null`, `[2]`, `null`, `null`), "answers[1]", ""},
		{"rating blank", raw(`"满意"`, `" "`, `[2]`, `null`, `null`), "answers[1]", ""},
		{"required choice missing", raw(`"满意"`, `"满意"`, `[]`, `null`, `null`), "answers[2]", ""},
		{"two picks on single", raw(`"满意"`, `"满意"`, `[0,1]`, `null`, `null`), "answers[2]", ""},
		{"option out of range", raw(`"满意"`, `"满意"`, `[3]`, `null`, `null`), "answers[2]", ""},
		{"negative option", raw(`"满意"`, `"满意"`, `[-1]`, `null`, `null`), "answers[2]", ""},
		{"repeated option", raw(`"满意"`, `"满意"`, `[0]`, `[1,1]`, `null`), "answers[3]", ""},
		{"choice as text", raw(`"满意"`, `"满意"`, `"A"`, `null`, `null`), "answers[2]", ""},
		{"text as number", raw(`"满意"`, `"满意"`, `[0]`, `null`, `12`), "answers[4]", ""},
		{"too long", raw(`"满意"`, `"满意"`, `[0]`, `null`, `"`+strings.Repeat("长", MaxTextAnswer+1)+`"`), "answers[4]", ""},
		{"too few", raw(`"满意"`, `"满意"`), "answers", ""},
		{"too many", raw(`"满意"`, `"满意"`, `[0]`, `null`, `null`, `null`), "answers", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, f := ValidateAnswers(items, tc.in)
			if tc.field != "" {
				if f[tc.field] == "" {
					t.Fatalf("no message for %s: %v", tc.field, f)
				}
				return
			}
			if len(f) != 0 {
				t.Fatalf("refused: %v", f)
			}
			b, _ := json.Marshal(out)
			if string(b) != tc.stored {
				t.Fatalf("stored %s, want %s", b, tc.stored)
			}
		})
	}
	// A text item may be required.
	yes := true
	_, f := ValidateAnswers([]Item{{Kind: KindText, Text: "x", Required: &yes}}, raw(`"  "`))
	if f["answers[0]"] == "" {
		t.Fatal("a required text item was left blank")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The arithmetic of results: points per grade, item averages, per-response
// totals, satisfaction rates and the bar.
func TestTally(t *testing.T) {
	card := DefaultCard()
	tl := newTally(card.Items)
	for _, r := range []string{
		`["非常满意","非常满意","非常满意","非常满意","非常满意","讲得很好"]`, // 100
		`["满意","满意","满意","合格","不满意",null]`,            // 16*3+12+4 = 64
		`["满意","满意","满意","满意","满意",null]`,             // 80
	} {
		if _, err := tl.add(r); err != nil {
			t.Fatal(err)
		}
	}
	if tl.responses != 3 || tl.scored != 3 || tl.top2 != 13 || tl.ratings != 15 {
		t.Fatalf("counts: %+v", tl)
	}
	score, rate := totals(tl.scoreSum, tl.scored, tl.top2, tl.ratings)
	if score != 81.33 || !near(rate, 13.0/15) {
		t.Fatalf("score %v, rate %v", score, rate)
	}
	wantAvg := []float64{17.33, 17.33, 17.33, 16, 13.33}
	wantRate := []float64{1, 1, 1, 0.6667, 0.6667}
	sum := 0.0
	for i := 0; i < 5; i++ {
		r := tl.items[i].result(0.85)
		if r.Average != wantAvg[i] || r.SatisfactionRate != wantRate[i] || r.MeetsBar != (wantRate[i] >= 0.85) {
			t.Errorf("item %d: %+v", i, r)
		}
		sum += tl.items[i].points / float64(tl.items[i].answers)
		if n := r.Grades[GradeExcellent] + r.Grades[GradeGood] + r.Grades[GradePass] + r.Grades[GradePoor]; n != 3 {
			t.Errorf("item %d: %d grades", i, n)
		}
	}
	if !near(round(sum, 2), score) {
		t.Errorf("sum of averages %v differs from the score %v", sum, score)
	}
	if r := tl.items[4].result(0.85); r.Grades[GradePoor] != 1 || r.Grades[GradeGood] != 1 || r.Grades[GradeExcellent] != 1 {
		t.Errorf("教风教态 grades: %v", r.Grades)
	}
	if len(tl.comments) != 1 || tl.comments[0].Text != "讲得很好" || tl.comments[0].Item != "意见和建议" {
		t.Fatalf("comments: %+v", tl.comments)
	}
	// Exactly at the bar meets it; a hair below does not.
	if !meets(17.0/20, 0.85) || meets(0.8499, 0.85) {
		t.Fatal("the bar comparison")
	}
}

func TestTallyChoices(t *testing.T) {
	items := []Item{{Kind: KindChoice, Text: "收获", Options: []string{"A", "B", "C"}, Multiple: true}}
	tl := newTally(items)
	for _, r := range []string{`[[0,2]]`, `[[2]]`, `[null]`} {
		if _, err := tl.add(r); err != nil {
			t.Fatal(err)
		}
	}
	r := tl.items[0].result(0.85)
	if r.Answers != 2 || len(r.Options) != 3 || r.Options[0] != 1 || r.Options[1] != 0 || r.Options[2] != 2 {
		t.Fatalf("choice counts: %+v", r)
	}
	score, rate := totals(tl.scoreSum, tl.scored, tl.top2, tl.ratings)
	if score != 0 || rate != 0 || tl.scored != 0 {
		t.Fatalf("a form without ratings has no score: %v %v", score, rate)
	}
}
