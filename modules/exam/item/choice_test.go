package item

import (
	"maps"
	"testing"
)

func TestChoiceCellRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		t    Type
		k    Key
		cell string
		text string
	}{
		{Single, Key{Choices: "B"}, "B", "B"},
		{Single, Key{Choices: "AC"}, "A|C", "A 或 C"},
		{Single, Key{Choices: "D", Partial: map[string]float64{"C": 50, "B": 25}}, "D；B:25%；C:50%", "D；B 得 25% 分；C 得 50% 分"},
		{Single, Key{Choices: "A", Partial: map[string]float64{"B": 33.33333}}, "A；B:33.33333%", "A；B 得 33.33333% 分"},
		{Multiple, Key{Choices: "ACD"}, "ACD", "ACD"},
	} {
		if got := ChoiceCell(tc.t, tc.k); got != tc.cell {
			t.Errorf("ChoiceCell(%v) = %q, want %q", tc.k, got, tc.cell)
		}
		if got := ChoiceText(tc.t, tc.k); got != tc.text {
			t.Errorf("ChoiceText(%v) = %q, want %q", tc.k, got, tc.text)
		}
		back, msg := ParseChoiceCell(tc.t, tc.cell)
		if msg != "" || back.Choices != tc.k.Choices || !maps.Equal(back.Partial, tc.k.Partial) {
			t.Errorf("ParseChoiceCell(%q) = %v %q, want %v", tc.cell, back, msg, tc.k)
		}
	}
}

func TestParseChoiceCellLooseAndRefused(t *testing.T) {
	for cell, want := range map[string]string{"a、c": "AC", "B．": "B", " d ": "D", "A,C": "AC", "c;": "C", "D;B": "BD"} {
		typ := Multiple
		if len(want) == 1 {
			typ = Single
		}
		if k, msg := ParseChoiceCell(typ, cell); msg != "" || k.Choices != want {
			t.Errorf("%q: %q %q, want %q", cell, k.Choices, msg, want)
		}
	}
	for _, tc := range []struct {
		t    Type
		cell string
		msg  string
	}{
		{Single, "AB", "单选题只能有一个正确答案（几个选项单独选都算对时写作 A|B）"},
		{Single, "AZ", "答案 Z 不在选项中"},
		{Single, "A；C50%", "部分得分「C50%」应写作 选项字母:百分比，如 C:50%"},
		{Single, "A;C", "单选题只能有一个正确答案（几个选项单独选都算对时写作 A|B）"},
		{Multiple, "AB；C:50%", "只有单选题可以为其他选项设部分得分"},
		{Single, "甲", "答案「甲」应为选项字母，如 B 或 ACD"},
	} {
		if _, msg := ParseChoiceCell(tc.t, tc.cell); msg != tc.msg {
			t.Errorf("%s %q: %q, want %q", tc.t, tc.cell, msg, tc.msg)
		}
	}
}

func TestValidatePartialAndAnyOf(t *testing.T) {
	base := func(k Key) *Question {
		return &Question{Type: Single, Stem: "题", Options: []string{"甲", "乙", "丙"}, Key: k, Score: 2}
	}
	if bad := base(Key{Choices: "AB"}).Validate(); bad != nil {
		t.Errorf("several right letters in a single choice: %v", bad)
	}
	if bad := base(Key{Choices: "A", Partial: map[string]float64{"C": 50}}).Validate(); bad != nil {
		t.Errorf("partial credit: %v", bad)
	}
	for k, want := range map[*Key]string{
		{Choices: "A", Partial: map[string]float64{"D": 50}}:  "部分得分的选项 D 不在选项中",
		{Choices: "A", Partial: map[string]float64{"A": 50}}:  "选项 A 已是正确答案，不能再设部分得分",
		{Choices: "A", Partial: map[string]float64{"B": 100}}: "选项 B 的部分得分应在 0% 到 100% 之间（不含两端）",
		{Choices: "A", Partial: map[string]float64{"B": -5}}:  "选项 B 的部分得分应在 0% 到 100% 之间（不含两端）",
	} {
		if bad := base(*k).Validate(); bad["partial"] != want {
			t.Errorf("%v: %v, want %q", *k, bad, want)
		}
	}
	m := &Question{Type: Multiple, Stem: "题", Options: []string{"甲", "乙", "丙"}, Key: Key{Choices: "AB", Partial: map[string]float64{"C": 50}}, Score: 2}
	if bad := m.Validate(); bad["partial"] != "只有单选题可以为其他选项设部分得分" {
		t.Errorf("multiple with partial: %v", bad)
	}
}

// In the API a single choice with several right options is written "A|C";
// "AC" is refused as a likely slip, and the key reads back as it was sent.
func TestSingleKeyJSON(t *testing.T) {
	k, err := ParseKey(Single, []byte(`"a|c"`))
	if err != nil || k.Choices != "AC" {
		t.Fatalf("a|c: %v %v", k, err)
	}
	q := Question{Type: Single, Key: k}
	if got := q.KeyJSON(); got != "A|C" {
		t.Errorf("KeyJSON = %v", got)
	}
	if _, err := ParseKey(Single, []byte(`"AC"`)); err == nil || err.Error() != "单选题只能有一个正确答案（几个选项单独选都算对时写作 \"A|C\"）" {
		t.Errorf("AC: %v", err)
	}
	if k, err := ParseKey(Multiple, []byte(`"C,A"`)); err != nil || k.Choices != "AC" {
		t.Errorf("multiple C,A: %v %v", k, err)
	}
}

func TestKeyText(t *testing.T) {
	for _, tc := range []struct {
		q    Question
		want string
	}{
		{Question{Type: Single, Key: Key{Choices: "D", Partial: map[string]float64{"B": 50}}}, "D；B 得 50% 分"},
		{Question{Type: Multiple, Key: Key{Choices: "ACD"}}, "ACD"},
		{Question{Type: Judge, Key: Key{Judge: true}}, "正确"},
		{Question{Type: Blank, Key: Key{Blanks: []string{"人民代表大会制度|人大制度", "#3.14:0.01|#1..2"}}}, "人民代表大会制度 或 人大制度；3.14（误差 ±0.01） 或 1 到 2 之间的数"},
		{Question{Type: Short, Key: Key{Reference: "要点"}}, "要点"},
	} {
		if got := tc.q.KeyText(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.q.Key, got, tc.want)
		}
	}
}
