package item

import (
	"strings"
	"testing"
)

func TestNumeric(t *testing.T) {
	for _, tc := range []struct {
		alt    string
		yes    []string
		no     []string
		text   string
		errMsg string
	}{
		{alt: "#3.14", yes: []string{"3.14", "3.140", " 3.14 ", "314e-2"}, no: []string{"3.15", "3.1", "π", ""}, text: "3.14"},
		{alt: "#3.14:0.01", yes: []string{"3.13", "3.15", "3.1415"}, no: []string{"3.12", "3.16"}, text: "3.14（误差 ±0.01）"},
		{alt: "#1822:0", yes: []string{"1822"}, no: []string{"1823"}, text: "1822"},
		{alt: "#1..5", yes: []string{"1", "3", "5", "4.99"}, no: []string{"0.99", "5.01", "五"}, text: "1 到 5 之间的数"},
		{alt: "#-2..-1", yes: []string{"-1.5"}, no: []string{"1.5"}, text: "-2 到 -1 之间的数"},
		{alt: "#0.1:0", yes: []string{"0.1", "0.10000000000000001"}, no: []string{"0.11"}, text: "0.1"},
		{alt: "#x", errMsg: "数值答案「#x」中的「x」不是数字"},
		{alt: "#5..1", errMsg: "数值答案「#5..1」的范围下限大于上限"},
		{alt: "#3:-1", errMsg: "数值答案「#3:-1」的误差不能为负"},
		{alt: "#NaN", errMsg: "数值答案「#NaN」中的「NaN」不是数字"},
	} {
		n, err := ParseNumeric(tc.alt)
		if tc.errMsg != "" {
			if err == nil || err.Error() != tc.errMsg {
				t.Errorf("%s: error %v, want %q", tc.alt, err, tc.errMsg)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.alt, err)
		}
		for _, a := range tc.yes {
			if !n.Matches(a) {
				t.Errorf("%s should accept %q", tc.alt, a)
			}
		}
		for _, a := range tc.no {
			if n.Matches(a) {
				t.Errorf("%s should refuse %q", tc.alt, a)
			}
		}
		if got := NumericText(tc.alt); got != tc.text {
			t.Errorf("NumericText(%s) = %q, want %q", tc.alt, got, tc.text)
		}
	}
}

// The blanks a stem marks must match the answer's blanks, on import and on
// every edit (both go through Validate).
func TestBlankCount(t *testing.T) {
	for stem, n := range map[string]int{"为中国人民谋____，为中华民族谋____": 2, "根本制度是＿＿。": 1, "宗旨是（ ）": 1, "( )与(　)": 2, "没有空": 0, "下划线_一个": 0} {
		if got := BlankMarks(stem); got != n {
			t.Errorf("BlankMarks(%q) = %d, want %d", stem, got, n)
		}
	}
	q := func(stem string, blanks ...string) map[string]string {
		return (&Question{Type: Blank, Stem: stem, Key: Key{Blanks: blanks}, Score: 1}).Validate()
	}
	if bad := q("谋____，谋____", "幸福", "复兴"); bad != nil {
		t.Errorf("two and two: %v", bad)
	}
	if bad := q("哪一年成立？", "1921"); bad != nil {
		t.Errorf("no mark, one answer: %v", bad)
	}
	if bad := q("谋____，谋____", "幸福"); bad["answer"] != "题干中有 2 个空（____），答案有 1 个，两者应一致" {
		t.Errorf("two marks, one answer: %v", bad)
	}
	if bad := q("谋什么", "幸福", "复兴"); bad["answer"] != "答案有 2 个空，请在题干中用 ____ 标出每个空的位置" {
		t.Errorf("no mark, two answers: %v", bad)
	}
}

func TestNeedsFixedOrder(t *testing.T) {
	for opts, want := range map[string]bool{
		"甲|乙|以上都对":                  true,
		"甲|乙|以上均不正确":                true,
		"甲|乙|上述答案都正确":               true,
		"甲|乙|都对":                    true,
		"A|B|All of the above":      true,
		"甲|乙|丙":                     false,
		"以上率先垂范|乙":                  false,
		"甲|乙|None of these options": false,
	} {
		if got := NeedsFixedOrder(strings.Split(opts, "|")); got != want {
			t.Errorf("%s: %v, want %v", opts, got, want)
		}
	}
}
