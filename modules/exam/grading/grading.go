// Package grading marks a candidate's answers against the answer keys of
// exam questions (DOMAIN.md: Theory exams): single, multiple, judge and
// blank questions automatically, short answers left for a person.
//
// Scores are kept in hundredths (integers) while they are computed, so that
// partial credit and totals never drift: every Mark.Score and every total
// has at most two decimals.
package grading

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"college/modules/exam/item"
)

// Answer is a candidate's answer in its API form: single "B", multiple "ACD",
// judge true/false, blank ["x","y"], short "text". Missing = not answered.
type Answer struct {
	Choices string   // single, multiple: normalized letters, e.g. "ACD"
	Judge   *bool    // judge
	Blanks  []string // blank: one entry per blank
	Text    string   // short
	Given   bool     // false when the candidate did not answer
}

// ParseAnswer reads an answer in its API form for a question of type t.
// An absent answer (empty raw) or JSON null is "not given"; an answer of the
// wrong shape is an error with a message for the candidate.
func ParseAnswer(t item.Type, raw json.RawMessage) (Answer, error) {
	var a Answer
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		if _, ok := item.TypeNames[t]; !ok {
			return a, fmt.Errorf("未知题型")
		}
		return a, nil
	}
	switch t {
	case item.Single, item.Multiple:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			if t == item.Single {
				return a, fmt.Errorf("单选题答案应为一个选项字母，如 \"B\"")
			}
			return a, fmt.Errorf("多选题答案应为选项字母，如 \"ACD\"")
		}
		a.Choices = item.NormalizeChoices(s)
		a.Given = strings.TrimSpace(s) != ""
	case item.Judge:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return a, fmt.Errorf("判断题答案应为 true 或 false")
		}
		a.Judge = &b
		a.Given = true
	case item.Blank:
		if err := json.Unmarshal(raw, &a.Blanks); err != nil {
			return a, fmt.Errorf("填空题答案应为数组，每个空一项，如 [\"答案1\",\"答案2\"]")
		}
		for _, b := range a.Blanks {
			if strings.TrimSpace(b) != "" {
				a.Given = true
				break
			}
		}
	case item.Short:
		if err := json.Unmarshal(raw, &a.Text); err != nil {
			return a, fmt.Errorf("简答题答案应为文本")
		}
		a.Given = strings.TrimSpace(a.Text) != ""
	default:
		return a, fmt.Errorf("未知题型")
	}
	return a, nil
}

// Rules are an exam's grading rules.
type Rules struct {
	// PartialMultiple: 少选得一半分，错选不得分 — a multiple-choice answer
	// that picks some but not all of the right letters and no wrong one
	// earns half the score.
	PartialMultiple bool
}

// Mark is the result of grading one answer.
type Mark struct {
	Score       float64 // points earned, at most two decimals
	Correct     bool    // fully right
	NeedsReview bool    // a short answer waiting for a person
}

// Grade marks answer a to question q under rules r.
func Grade(q *item.Question, a Answer, r Rules) Mark {
	m, _ := grade(q, a, r)
	return m
}

// grade returns the mark and its score in hundredths.
func grade(q *item.Question, a Answer, r Rules) (Mark, int64) {
	full := cents(q.Score)
	switch q.Type {
	case item.Single:
		key := letterMask(q.Key.Choices)
		ans := letterMask(a.Choices)
		if !a.Given || key == 0 || bits.OnesCount16(ans) != 1 {
			return Mark{}, 0
		}
		if ans&key != 0 {
			// Any one of the right options (usually there is one).
			return Mark{Score: hundredths(full), Correct: true}, full
		}
		if p := q.Key.Partial[string(rune('A'+bits.TrailingZeros16(ans)))]; p > 0 && p < 100 {
			h := int64(math.Round(float64(full) * p / 100))
			return Mark{Score: hundredths(h)}, h
		}
		return Mark{}, 0
	case item.Multiple:
		key := letterMask(q.Key.Choices)
		ans := letterMask(a.Choices)
		if !a.Given || key == 0 || ans == 0 {
			return Mark{}, 0
		}
		if ans == key {
			return Mark{Score: hundredths(full), Correct: true}, full
		}
		if r.PartialMultiple && ans&^key == 0 {
			// A strict, non-empty subset of the right letters.
			h := (full + 1) / 2 // half, rounded half up
			return Mark{Score: hundredths(h)}, h
		}
		return Mark{}, 0
	case item.Judge:
		if a.Given && a.Judge != nil && *a.Judge == q.Key.Judge {
			return Mark{Score: hundredths(full), Correct: true}, full
		}
		return Mark{}, 0
	case item.Blank:
		n := int64(len(q.Key.Blanks))
		if !a.Given || n == 0 {
			return Mark{}, 0
		}
		var right int64
		for i, k := range q.Key.Blanks {
			if i < len(a.Blanks) && blankMatches(k, a.Blanks[i]) {
				right++
			}
		}
		if right == n {
			return Mark{Score: hundredths(full), Correct: true}, full
		}
		s := (2*full*right + n) / (2 * n) // full × right / n, rounded half up
		return Mark{Score: hundredths(s)}, s
	case item.Short:
		if !a.Given {
			return Mark{}, 0
		}
		return Mark{NeedsReview: true}, 0
	}
	return Mark{}, 0
}

// GradeAll grades a paper; Total is the sum of the automatic marks; Pending
// tells whether short answers await a person. as[i] answers qs[i]; answers
// missing at the end count as not given.
func GradeAll(qs []item.Question, as []Answer, r Rules) (marks []Mark, total float64, pending bool) {
	marks = make([]Mark, len(qs))
	var sum int64
	for i := range qs {
		var a Answer
		if i < len(as) {
			a = as[i]
		}
		m, c := grade(&qs[i], a, r)
		marks[i] = m
		sum += c
		pending = pending || m.NeedsReview
	}
	return marks, hundredths(sum), pending
}

// cents turns points into hundredths of a point.
func cents(score float64) int64 {
	if score <= 0 || math.IsNaN(score) {
		return 0
	}
	return int64(math.Round(score * 100))
}

func hundredths(c int64) float64 { return float64(c) / 100 }

// letterMask is the set of option letters A–H in s (either case) as bits;
// other characters are ignored, as item.NormalizeChoices does.
func letterMask(s string) uint16 {
	var m uint16
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c < 'A'+item.MaxOptions:
			m |= 1 << (c - 'A')
		case c >= 'a' && c < 'a'+item.MaxOptions:
			m |= 1 << (c - 'a')
		}
	}
	return m
}

// blankMatches tells whether answer matches one of the alternatives of key
// ("中国共产党|党"); a numeric alternative ("#3.14:0.01") matches by value.
func blankMatches(key, answer string) bool {
	ans := NormalizeBlank(answer)
	if ans == "" {
		return false
	}
	for alt := range strings.SplitSeq(key, "|") {
		if item.IsNumeric(alt) {
			// A number, graded by value ("#3.14:0.01").
			if n, err := item.ParseNumeric(alt); err == nil && n.Matches(ans) {
				return true
			}
			continue
		}
		if a := NormalizeBlank(alt); a != "" && a == ans {
			return true
		}
	}
	return false
}

// NormalizeBlank prepares a blank's answer for comparison: full-width forms
// of ASCII characters (U+FF01–U+FF5E: "ＡＢＣ１２３", "（）", "，") become
// ASCII, every run of white space (including the ideographic space U+3000)
// becomes one space, leading and trailing space is dropped, and letters are
// lower-cased. Characters without an ASCII equivalent ("。", "、") stay.
func NormalizeBlank(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending before the next character
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
