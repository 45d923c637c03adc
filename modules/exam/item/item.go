// Package item defines exam questions (试题) and their answer keys as every
// part of the exam module uses them: banks, importers, papers and grading.
package item

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
)

// Type is a question type.
type Type string

// Question types (API.md: Exams).
const (
	Single   Type = "single"   // 单选
	Multiple Type = "multiple" // 多选
	Judge    Type = "judge"    // 判断
	Blank    Type = "blank"    // 填空
	Short    Type = "short"    // 简答, graded by a person
)

// TypeNames are the Chinese names of the types.
var TypeNames = map[Type]string{Single: "单选", Multiple: "多选", Judge: "判断", Blank: "填空", Short: "简答"}

// MaxOptions is the number of options a choice question may have (A–H).
const MaxOptions = 8

// Key is a question's answer key, in the shape of its type:
// single "B"; multiple "ACD" (letters in order); judge true/false;
// blank one entry per blank, alternatives joined by "|"; short a
// reference text.
//
// A single-choice key may name several letters: each of them alone earns
// full marks (Moodle's several "=" answers). Partial gives other options of
// a single-choice question a share of the score, in percent (Moodle's
// "~%50%"); every option not named earns nothing.
type Key struct {
	Choices   string             // single, multiple
	Partial   map[string]float64 `json:",omitempty"` // single: letter → percent, 0 < p < 100
	Judge     bool               // judge
	Blanks    []string           // blank
	Reference string             // short
}

// Question is one question as stored in a bank and frozen into papers.
type Question struct {
	Type       Type     `json:"type"`
	Stem       string   `json:"stem"`
	Options    []string `json:"options,omitempty"`
	Key        Key      `json:"-"`
	Score      float64  `json:"score"`      // points, up to 2 decimals
	Difficulty int      `json:"difficulty"` // 1–5
	Tags       []string `json:"tags,omitempty"`
	Analysis   string   `json:"analysis,omitempty"`
	// FixedOrder keeps the options in their order when an exam shuffles
	// (Moodle's shuffleanswers 0; options such as 以上都对).
	FixedOrder bool `json:"fixed_order,omitempty"`
}

// Letters names options A–H.
const Letters = "ABCDEFGH"

// KeyJSON returns the key in its API form (API.md): a single choice with
// several right options is "A|C".
func (q *Question) KeyJSON() any {
	switch q.Type {
	case Single:
		return strings.Join(strings.Split(q.Key.Choices, ""), "|")
	case Multiple:
		return q.Key.Choices
	case Judge:
		return q.Key.Judge
	case Blank:
		return q.Key.Blanks
	default:
		return q.Key.Reference
	}
}

// ParseKey reads an answer key in its API form for type t.
func ParseKey(t Type, raw json.RawMessage) (Key, error) {
	var k Key
	switch t {
	case Single, Multiple:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return k, fmt.Errorf("答案应为选项字母，如 \"B\" 或 \"ACD\"")
		}
		k.Choices = NormalizeChoices(s)
		if t == Single && len(k.Choices) > 1 && !strings.Contains(s, "|") {
			return k, fmt.Errorf("单选题只能有一个正确答案（几个选项单独选都算对时写作 \"A|C\"）")
		}
	case Judge:
		if err := json.Unmarshal(raw, &k.Judge); err != nil {
			return k, fmt.Errorf("判断题答案应为 true 或 false")
		}
	case Blank:
		if err := json.Unmarshal(raw, &k.Blanks); err != nil {
			return k, fmt.Errorf("填空题答案应为数组，每个空一项，多个可接受答案用 | 分隔")
		}
	case Short:
		if err := json.Unmarshal(raw, &k.Reference); err != nil {
			return k, fmt.Errorf("简答题答案应为参考答案文本")
		}
	default:
		return k, fmt.Errorf("未知题型")
	}
	return k, nil
}

// NormalizeChoices upper-cases option letters, drops separators and
// duplicates, and sorts them: "c, a" → "AC".
func NormalizeChoices(s string) string {
	var seen [MaxOptions]bool
	for _, r := range strings.ToUpper(s) {
		if i := strings.IndexRune(Letters, r); i >= 0 {
			seen[i] = true
		}
	}
	var b strings.Builder
	for i, ok := range seen {
		if ok {
			b.WriteByte(Letters[i])
		}
	}
	return b.String()
}

// blankMark is where a stem leaves a blank: a run of underscores
// ("____", "＿＿"), or empty brackets ("（ ）", "( )").
var blankMark = regexp.MustCompile(`_{2,}|＿+|（[ 　]*）|\([ 　]*\)`)

// BlankMarks counts the blanks a stem marks.
func BlankMarks(stem string) int { return len(blankMark.FindAllStringIndex(stem, -1)) }

// orderWords are options that only make sense in their place.
var orderWords = regexp.MustCompile(`^(以上|上述|前述)(都|均|全|选项都|选项均|答案都|答案均)|^(都|均)(对|正确|不对|不正确|错误)$|^(all|none) of the above`)

// NeedsFixedOrder tells whether an option refers to the others ("以上都对",
// "以上均不正确", "All of the above"), so that shuffling would change it.
func NeedsFixedOrder(options []string) bool {
	for _, o := range options {
		if orderWords.MatchString(strings.ToLower(strings.TrimSpace(o))) {
			return true
		}
	}
	return false
}

// checkPartial checks the partial credits of a choice question.
func (q *Question) checkPartial() string {
	if len(q.Key.Partial) == 0 {
		return ""
	}
	if q.Type != Single {
		return "只有单选题可以为其他选项设部分得分"
	}
	for l, p := range q.Key.Partial {
		i := strings.Index(Letters, l)
		switch {
		case len(l) != 1 || i < 0 || i >= len(q.Options):
			return "部分得分的选项 " + l + " 不在选项中"
		case strings.Contains(q.Key.Choices, l):
			return "选项 " + l + " 已是正确答案，不能再设部分得分"
		case !(p > 0 && p < 100):
			return fmt.Sprintf("选项 %s 的部分得分应在 0%% 到 100%% 之间（不含两端）", l)
		}
	}
	return ""
}

// Validate returns messages by field ("stem", "options", "answer",
// "partial", "score", "difficulty", "type") for a malformed question; nil
// when it is fine.
func (q *Question) Validate() map[string]string {
	bad := map[string]string{}
	if _, ok := TypeNames[q.Type]; !ok {
		bad["type"] = "题型应为 single、multiple、judge、blank 或 short"
		return bad
	}
	if strings.TrimSpace(q.Stem) == "" {
		bad["stem"] = "题干必填"
	}
	if len([]rune(q.Stem)) > 5000 {
		bad["stem"] = "题干不能超过 5000 字"
	}
	switch q.Type {
	case Single, Multiple:
		if len(q.Options) < 2 || len(q.Options) > MaxOptions {
			bad["options"] = "选择题应有 2 到 8 个选项"
		}
		for _, o := range q.Options {
			if strings.TrimSpace(o) == "" {
				bad["options"] = "选项不能为空"
			}
		}
		n := len(q.Key.Choices)
		switch {
		case n == 0:
			bad["answer"] = "答案必填"
		case q.Type == Multiple && n < 2:
			bad["answer"] = "多选题至少有两个正确答案"
		}
		for _, c := range q.Key.Choices {
			if i := strings.IndexRune(Letters, c); i < 0 || i >= len(q.Options) {
				bad["answer"] = "答案 " + string(c) + " 不在选项中"
			}
		}
		if msg := q.checkPartial(); msg != "" {
			bad["partial"] = msg
		}
	case Judge:
		if len(q.Options) > 0 {
			bad["options"] = "判断题不需要选项"
		}
	case Blank:
		if len(q.Key.Blanks) == 0 {
			bad["answer"] = "填空题答案必填"
		}
		if n, m := BlankMarks(q.Stem), len(q.Key.Blanks); n > 0 && m > 0 && n != m {
			bad["answer"] = fmt.Sprintf("题干中有 %d 个空（____），答案有 %d 个，两者应一致", n, m)
		} else if n == 0 && m > 1 {
			bad["answer"] = fmt.Sprintf("答案有 %d 个空，请在题干中用 ____ 标出每个空的位置", m)
		}
		for _, b := range q.Key.Blanks {
			if strings.Trim(strings.TrimSpace(b), "|") == "" {
				bad["answer"] = "填空题每个空都要有答案"
			}
			if HasMedia(b) {
				bad["answer"] = "填空题的答案只能是文字"
			}
			for alt := range strings.SplitSeq(b, "|") {
				if IsNumeric(alt) {
					if _, err := ParseNumeric(alt); err != nil {
						bad["answer"] = err.Error()
					}
				}
			}
		}
	}
	if q.Score <= 0 || q.Score > 100 {
		bad["score"] = "分值应在 0 到 100 之间"
	} else if s := q.Score * 100; math.Abs(s-math.Round(s)) > 1e-6 {
		bad["score"] = "分值最多两位小数"
	}
	if q.Difficulty == 0 {
		q.Difficulty = 3
	}
	if q.Difficulty < 1 || q.Difficulty > 5 {
		bad["difficulty"] = "难度应为 1 到 5"
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}
