package item

import "testing"

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
