package grading

import (
	"encoding/json"
	"fmt"
	"testing"

	"college/modules/exam/item"
)

func single(key string, score float64) *item.Question {
	return &item.Question{Type: item.Single, Stem: "s", Options: []string{"a", "b", "c", "d"}, Key: item.Key{Choices: key}, Score: score}
}

func withPartial(q *item.Question, letter string, percent float64) *item.Question {
	q.Key.Partial = map[string]float64{letter: percent}
	return q
}

func multiple(key string, score float64) *item.Question {
	return &item.Question{Type: item.Multiple, Stem: "m", Options: []string{"a", "b", "c", "d", "e"}, Key: item.Key{Choices: key}, Score: score}
}

func judge(key bool, score float64) *item.Question {
	return &item.Question{Type: item.Judge, Stem: "j", Key: item.Key{Judge: key}, Score: score}
}

func blank(score float64, keys ...string) *item.Question {
	return &item.Question{Type: item.Blank, Stem: "b", Key: item.Key{Blanks: keys}, Score: score}
}

func short(score float64) *item.Question {
	return &item.Question{Type: item.Short, Stem: "q", Key: item.Key{Reference: "参考答案"}, Score: score}
}

// parse reads raw JSON as an answer of q's type, failing the test on error.
func parse(t *testing.T, q *item.Question, raw string) Answer {
	t.Helper()
	a, err := ParseAnswer(q.Type, json.RawMessage(raw))
	if err != nil {
		t.Fatalf("ParseAnswer(%s, %s): %v", q.Type, raw, err)
	}
	return a
}

func TestGrade(t *testing.T) {
	partial := Rules{PartialMultiple: true}
	none := Rules{}
	cases := []struct {
		name string
		q    *item.Question
		raw  string // answer JSON; "" = missing
		r    Rules
		want Mark
	}{
		// single
		{"single right", single("B", 2), `"B"`, none, Mark{Score: 2, Correct: true}},
		{"single lower case", single("B", 2), `"b"`, none, Mark{Score: 2, Correct: true}},
		{"single wrong", single("B", 2), `"C"`, none, Mark{}},
		{"single two letters", single("B", 2), `"BC"`, partial, Mark{}},
		{"single empty string", single("B", 2), `""`, none, Mark{}},
		{"single missing", single("B", 2), ``, none, Mark{}},
		{"single null", single("B", 2), `null`, none, Mark{}},
		{"single junk", single("B", 2), `"Z"`, none, Mark{}},
		// numeric blanks (Moodle's numerical questions)
		{"numeric exact other form", blank(2, "#3.14"), `["3.140"]`, none, Mark{Score: 2, Correct: true}},
		{"numeric full-width digits", blank(2, "#3.14"), `["３．１４"]`, none, Mark{Score: 2, Correct: true}},
		{"numeric tolerance inside", blank(2, "#3.14:0.01"), `["3.1415"]`, none, Mark{Score: 2, Correct: true}},
		{"numeric tolerance outside", blank(2, "#3.14:0.01"), `["3.16"]`, none, Mark{}},
		{"numeric range", blank(2, "#1..5"), `["4.5"]`, none, Mark{Score: 2, Correct: true}},
		{"numeric range outside", blank(2, "#1..5"), `["6"]`, none, Mark{}},
		{"numeric not a number", blank(2, "#3.14"), `["三点一四"]`, none, Mark{}},
		{"numeric or text", blank(2, "#4|four"), `["Four"]`, none, Mark{Score: 2, Correct: true}},
		// single with several right options (Moodle's {=spring =summer ~easter}): any one alone is right
		{"any-of first", single("AC", 2), `"A"`, none, Mark{Score: 2, Correct: true}},
		{"any-of second", single("AC", 2), `"C"`, none, Mark{Score: 2, Correct: true}},
		{"any-of both", single("AC", 2), `"AC"`, partial, Mark{}},
		{"any-of wrong", single("AC", 2), `"B"`, none, Mark{}},
		// single with partial credit (Moodle's {~wrong ~%50%half =right})
		{"partial right", withPartial(single("C", 3), "B", 50), `"C"`, none, Mark{Score: 3, Correct: true}},
		{"partial half", withPartial(single("C", 3), "B", 50), `"B"`, none, Mark{Score: 1.5}},
		{"partial third rounds", withPartial(single("C", 1), "A", 33.33333), `"A"`, none, Mark{Score: 0.33}},
		{"partial wrong", withPartial(single("C", 3), "B", 50), `"A"`, none, Mark{}},
		{"partial with right too", withPartial(single("C", 3), "B", 50), `"BC"`, partial, Mark{}},

		// multiple
		{"multiple exact", multiple("ACD", 3), `"ACD"`, none, Mark{Score: 3, Correct: true}},
		{"multiple exact unsorted", multiple("ACD", 3), `"DCA"`, none, Mark{Score: 3, Correct: true}},
		{"multiple lower case", multiple("ACD", 3), `"acd"`, none, Mark{Score: 3, Correct: true}},
		{"multiple comma", multiple("AC", 3), `"a,c"`, none, Mark{Score: 3, Correct: true}},
		{"multiple comma spaces", multiple("AC", 3), `"c, a"`, partial, Mark{Score: 3, Correct: true}},
		{"multiple subset no partial", multiple("ACD", 3), `"AC"`, none, Mark{}},
		{"multiple subset partial", multiple("ACD", 3), `"AC"`, partial, Mark{Score: 1.5}},
		{"multiple one of three partial", multiple("ACD", 3), `"D"`, partial, Mark{Score: 1.5}},
		{"multiple subset partial rounding", multiple("ACD", 1.25), `"AC"`, partial, Mark{Score: 0.63}},
		{"multiple subset partial odd cents", multiple("AB", 0.01), `"A"`, partial, Mark{Score: 0.01}},
		{"multiple superset", multiple("ACD", 3), `"ABCD"`, partial, Mark{}},
		{"multiple superset no partial", multiple("ACD", 3), `"ABCD"`, none, Mark{}},
		{"multiple wrong letter", multiple("ACD", 3), `"AB"`, partial, Mark{}},
		{"multiple all wrong", multiple("ACD", 3), `"BE"`, partial, Mark{}},
		{"multiple empty partial", multiple("ACD", 3), `""`, partial, Mark{}},
		{"multiple missing partial", multiple("ACD", 3), ``, partial, Mark{}},

		// judge
		{"judge true right", judge(true, 1), `true`, none, Mark{Score: 1, Correct: true}},
		{"judge true wrong", judge(true, 1), `false`, none, Mark{}},
		{"judge false right", judge(false, 1), `false`, none, Mark{Score: 1, Correct: true}},
		{"judge false wrong", judge(false, 1), `true`, none, Mark{}},
		{"judge missing", judge(false, 1), ``, none, Mark{}},
		{"judge null", judge(true, 1), `null`, none, Mark{}},

		// blank
		{"blank exact", blank(2, "习近平"), `["习近平"]`, none, Mark{Score: 2, Correct: true}},
		{"blank spaces", blank(2, "new era"), `["  new   era "]`, none, Mark{Score: 2, Correct: true}},
		{"blank ideographic space", blank(2, "new era"), `["new　era"]`, none, Mark{Score: 2, Correct: true}},
		{"blank full-width", blank(2, "ABC123"), `["ＡＢＣ１２３"]`, none, Mark{Score: 2, Correct: true}},
		{"blank full-width key", blank(2, "ＡＢＣ１２３"), `["abc123"]`, none, Mark{Score: 2, Correct: true}},
		{"blank full-width brackets", blank(2, "(一)"), `["（一）"]`, none, Mark{Score: 2, Correct: true}},
		{"blank case", blank(2, "GDP"), `["gdp"]`, none, Mark{Score: 2, Correct: true}},
		{"blank alternative 1", blank(2, "中国共产党|党"), `["中国共产党"]`, none, Mark{Score: 2, Correct: true}},
		{"blank alternative 2", blank(2, "中国共产党|党"), `["党"]`, none, Mark{Score: 2, Correct: true}},
		{"blank alternative spaced", blank(2, "中国共产党 | 党"), `[" 党 "]`, none, Mark{Score: 2, Correct: true}},
		{"blank not an alternative", blank(2, "中国共产党|党"), `["共产党"]`, none, Mark{}},
		{"blank wrong", blank(2, "习近平"), `["毛泽东"]`, none, Mark{}},
		{"blank two of three", blank(3, "一", "二", "三"), `["一","x","三"]`, none, Mark{Score: 2}},
		{"blank one of three", blank(1, "一", "二", "三"), `["一","x","y"]`, none, Mark{Score: 0.33}},
		{"blank two of three rounding", blank(1, "一", "二", "三"), `["一","二","y"]`, none, Mark{Score: 0.67}},
		{"blank fewer answers", blank(4, "一", "二"), `["一"]`, none, Mark{Score: 2}},
		{"blank extra answers ignored", blank(4, "一", "二"), `["一","二","三"]`, none, Mark{Score: 4, Correct: true}},
		{"blank order matters", blank(4, "一", "二"), `["二","一"]`, none, Mark{}},
		{"blank empty entries", blank(4, "一", "二"), `["",""]`, none, Mark{}},
		{"blank empty alternative never matches", blank(4, "一|"), `[""]`, none, Mark{}},
		{"blank missing", blank(4, "一", "二"), ``, none, Mark{}},
		{"blank null entry", blank(4, "一", "二"), `[null,"二"]`, none, Mark{Score: 2}},

		// short
		{"short given", short(10), `"我的理解是……"`, none, Mark{NeedsReview: true}},
		{"short blank text", short(10), `"   "`, none, Mark{}},
		{"short not given", short(10), ``, none, Mark{}},
		{"short null", short(10), `null`, none, Mark{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := parse(t, c.q, c.raw)
			if got := Grade(c.q, a, c.r); got != c.want {
				t.Errorf("Grade(%q) = %+v, want %+v", c.raw, got, c.want)
			}
		})
	}
}

func TestGradeUnnormalizedAnswer(t *testing.T) {
	// An Answer built in code rather than by ParseAnswer.
	m := Grade(multiple("ACD", 3), Answer{Choices: "d,a,c", Given: true}, Rules{})
	if m != (Mark{Score: 3, Correct: true}) {
		t.Errorf("got %+v", m)
	}
	if m := Grade(single("B", 2), Answer{Choices: "B"}, Rules{}); m != (Mark{}) {
		t.Errorf("not given scored %+v", m)
	}
}

func TestParseAnswer(t *testing.T) {
	ok := []struct {
		t    item.Type
		raw  string
		want Answer
	}{
		{item.Single, `"b"`, Answer{Choices: "B", Given: true}},
		{item.Multiple, `" c, a "`, Answer{Choices: "AC", Given: true}},
		{item.Multiple, `""`, Answer{}},
		{item.Blank, `[" ",""]`, Answer{Blanks: []string{" ", ""}}},
		{item.Short, `"文本"`, Answer{Text: "文本", Given: true}},
		{item.Short, ` null `, Answer{}},
	}
	for _, c := range ok {
		a, err := ParseAnswer(c.t, json.RawMessage(c.raw))
		if err != nil {
			t.Errorf("%s %s: %v", c.t, c.raw, err)
			continue
		}
		if fmt.Sprint(a) != fmt.Sprint(c.want) {
			t.Errorf("%s %s = %+v, want %+v", c.t, c.raw, a, c.want)
		}
	}
	a, err := ParseAnswer(item.Judge, json.RawMessage(`false`))
	if err != nil || !a.Given || a.Judge == nil || *a.Judge {
		t.Errorf("judge false = %+v, %v", a, err)
	}

	bad := []struct {
		t   item.Type
		raw string
	}{
		{item.Single, `2`},
		{item.Single, `["B"]`},
		{item.Multiple, `["A","C"]`},
		{item.Multiple, `true`},
		{item.Judge, `"true"`},
		{item.Judge, `"正确"`},
		{item.Judge, `1`},
		{item.Blank, `"答案"`},
		{item.Blank, `[1,2]`},
		{item.Blank, `{"0":"x"}`},
		{item.Short, `42`},
		{item.Short, `["x"]`},
		{item.Type("essay"), `"x"`},
		{item.Type("essay"), `null`},
		{item.Single, `"B`},
	}
	for _, c := range bad {
		_, err := ParseAnswer(c.t, json.RawMessage(c.raw))
		if err == nil {
			t.Errorf("ParseAnswer(%s, %s): no error", c.t, c.raw)
			continue
		}
		if msg := err.Error(); msg == "" || msg[0] < 0x80 {
			t.Errorf("ParseAnswer(%s, %s): message %q is not Chinese", c.t, c.raw, msg)
		}
	}
}

func TestNormalizeBlank(t *testing.T) {
	cases := map[string]string{
		"":                "",
		"   ":             "",
		" a  b\t\nc ":     "a b c",
		"ＡＢＣ１２３":          "abc123",
		"（一）":             "(一)",
		"甲，乙":             "甲,乙",
		"　全角　空格　":         "全角 空格",
		"句号。顿号、":          "句号。顿号、",
		"Ｈｅｌｌｏ　Ｗｏｒｌｄ！":    "hello world!",
		"中国共产党":           "中国共产党",
		"ÄÖ":              "äö",
		"\u3000\u3000x\t": "x",
	}
	for in, want := range cases {
		if got := NormalizeBlank(in); got != want {
			t.Errorf("NormalizeBlank(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGradeAll(t *testing.T) {
	qs := []item.Question{
		*single("B", 1.1),
		*multiple("ACD", 2.2),
		*judge(true, 3.3),
		*blank(0.1, "一", "二", "三"),
		*short(10),
	}
	as := []Answer{
		{Choices: "B", Given: true},
		{Choices: "AC", Given: true}, // half of 2.2 with partial credit
		{Judge: new(true), Given: true},
		{Blanks: []string{"一", "二", "x"}, Given: true}, // 0.1 × 2/3 = 0.07
	}
	marks, total, pending := GradeAll(qs, as, Rules{PartialMultiple: true})
	if len(marks) != len(qs) {
		t.Fatalf("%d marks for %d questions", len(marks), len(qs))
	}
	if total != 5.57 { // 1.1 + 1.1 + 3.3 + 0.07, exactly, summed in hundredths
		t.Errorf("total = %v, want 5.57", total)
	}
	if pending {
		t.Error("pending without a short answer given")
	}
	if marks[4] != (Mark{}) {
		t.Errorf("missing short answer = %+v", marks[4])
	}

	as = append(as, Answer{Text: "...", Given: true})
	_, total, pending = GradeAll(qs, as, Rules{})
	if total != 4.47 || !pending { // no half credit for the multiple
		t.Errorf("total %v pending %v, want 4.47 true", total, pending)
	}

	// Many small scores add up exactly.
	var many []item.Question
	var ans []Answer
	for range 1000 {
		many = append(many, *judge(true, 0.1))
		ans = append(ans, Answer{Judge: new(true), Given: true})
	}
	if _, total, _ := GradeAll(many, ans, Rules{}); total != 100 {
		t.Errorf("1000 × 0.1 = %v", total)
	}
}

// attempt100 is a 100-question paper of mixed types with answers, some right,
// some wrong.
func attempt100() ([]item.Question, []Answer) {
	var qs []item.Question
	var as []Answer
	for i := range 100 {
		switch i % 5 {
		case 0:
			qs = append(qs, *single("B", 1))
			as = append(as, Answer{Choices: string("ABCD"[i%4]), Given: true})
		case 1:
			qs = append(qs, *multiple("ACD", 2))
			as = append(as, Answer{Choices: []string{"ACD", "AC", "AB", "ACDE"}[i%4], Given: true})
		case 2:
			qs = append(qs, *judge(i%2 == 0, 1))
			as = append(as, Answer{Judge: new(i%3 == 0), Given: true})
		case 3:
			qs = append(qs, *blank(2, "中国共产党|党", "ＡＢＣ１２３", "new era"))
			as = append(as, Answer{Blanks: []string{" 党 ", "abc123", "New  Era"}, Given: true})
		case 4:
			qs = append(qs, *short(10))
			as = append(as, Answer{Text: "答案", Given: i%2 == 0})
		}
	}
	return qs, as
}

func BenchmarkGrade100(b *testing.B) {
	qs, as := attempt100()
	r := Rules{PartialMultiple: true}
	b.ReportAllocs()
	for b.Loop() {
		GradeAll(qs, as, r)
	}
}
