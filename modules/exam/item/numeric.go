package item

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A blank's alternative that starts with "#" is a number, graded by value:
// "#3.14" (3.140 and 3.14 are the same answer), "#3.14:0.01" (3.13 to
// 3.15), "#1..5" (1 to 5). This is how Moodle's numerical questions
// ({#3.14:0.01}, {#1..5}, <tolerance>) are kept.

// Numeric is a numeric answer: the values from Min to Max are right.
type Numeric struct {
	Min, Max float64
}

// IsNumeric tells whether a blank alternative is numeric.
func IsNumeric(alt string) bool { return strings.HasPrefix(strings.TrimSpace(alt), "#") }

// ParseNumeric reads a numeric alternative ("#3.14", "#3.14:0.01",
// "#1..5").
func ParseNumeric(alt string) (Numeric, error) {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(alt), "#"))
	num := func(v string) (float64, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, fmt.Errorf("数值答案「%s」中的「%s」不是数字", alt, strings.TrimSpace(v))
		}
		return f, nil
	}
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		a, err := num(lo)
		if err != nil {
			return Numeric{}, err
		}
		b, err := num(hi)
		if err != nil {
			return Numeric{}, err
		}
		if a > b {
			return Numeric{}, fmt.Errorf("数值答案「%s」的范围下限大于上限", alt)
		}
		return Numeric{Min: a, Max: b}, nil
	}
	v, tol, hasTol := strings.Cut(s, ":")
	x, err := num(v)
	if err != nil {
		return Numeric{}, err
	}
	t := 0.0
	if hasTol {
		if t, err = num(tol); err != nil {
			return Numeric{}, err
		}
		if t < 0 {
			return Numeric{}, fmt.Errorf("数值答案「%s」的误差不能为负", alt)
		}
	}
	return Numeric{Min: x - t, Max: x + t}, nil
}

// Matches tells whether the answer, read as a number, lies in the range
// (allowing for the rounding of decimal fractions).
func (n Numeric) Matches(answer string) bool {
	x, err := strconv.ParseFloat(strings.TrimSpace(answer), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	eps := 1e-9 * math.Max(1, math.Max(math.Abs(n.Min), math.Abs(n.Max)))
	return x >= n.Min-eps && x <= n.Max+eps
}

// NumericText shows a numeric alternative in words: "3.14（误差 ±0.01）",
// "1 到 5".
func NumericText(alt string) string {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(alt), "#"))
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		return strings.TrimSpace(lo) + " 到 " + strings.TrimSpace(hi) + " 之间的数"
	}
	if v, tol, ok := strings.Cut(s, ":"); ok {
		if t, err := strconv.ParseFloat(strings.TrimSpace(tol), 64); err == nil && t == 0 {
			return strings.TrimSpace(v)
		}
		return strings.TrimSpace(v) + "（误差 ±" + strings.TrimSpace(tol) + "）"
	}
	return s
}
