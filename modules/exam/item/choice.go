package item

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ChoiceCell writes a choice key as the 答案 cell of the Excel template:
// multiple "ACD"; single "B", or "A|B" when each of A and B alone is right,
// then the options that earn part of the score after "；", as "C:50%".
func ChoiceCell(t Type, k Key) string {
	if t != Single {
		return k.Choices
	}
	parts := []string{strings.Join(strings.Split(k.Choices, ""), "|")}
	for _, l := range partialLetters(k) {
		parts = append(parts, l+":"+strconv.FormatFloat(k.Partial[l], 'f', -1, 64)+"%")
	}
	return strings.Join(parts, "；")
}

// ChoiceText shows a choice key in words: "A 或 B；C 得 50% 分".
func ChoiceText(t Type, k Key) string {
	if t != Single {
		return k.Choices
	}
	parts := []string{strings.Join(strings.Split(k.Choices, ""), " 或 ")}
	for _, l := range partialLetters(k) {
		parts = append(parts, fmt.Sprintf("%s 得 %s%% 分", l, strconv.FormatFloat(k.Partial[l], 'f', -1, 64)))
	}
	return strings.Join(parts, "；")
}

func partialLetters(k Key) []string {
	out := make([]string, 0, len(k.Partial))
	for l := range k.Partial {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// ParseChoiceCell reads a 答案 cell of a choice question as ChoiceCell
// writes it, and the looser forms admins type ("A、C", "a,c", "A．"). A
// single-choice answer of several letters without "|" is refused: it is
// more often a slip than meant.
func ParseChoiceCell(t Type, raw string) (Key, string) {
	var k Key
	s := strings.ToUpper(strings.TrimSpace(raw))
	// Segments after ；or ; that carry ":" or "%" are partial credits; the
	// others are letters ("D;B" is D and B).
	var main, partial []string
	for _, seg := range strings.Split(strings.ReplaceAll(s, ";", "；"), "；") {
		if strings.ContainsAny(seg, ":：%") {
			partial = append(partial, seg)
		} else {
			main = append(main, seg)
		}
	}
	letters := strings.Join(main, ",")
	anyOf := strings.Contains(letters, "|")
	for _, r := range letters {
		switch {
		case r >= 'A' && r <= 'H':
		case r >= 'I' && r <= 'Z':
			return k, "答案 " + string(r) + " 不在选项中"
		case strings.ContainsRune(" ,、，.．|", r):
		default:
			return k, "答案「" + raw + "」应为选项字母，如 B 或 ACD"
		}
	}
	k.Choices = NormalizeChoices(letters)
	if t == Single && len(k.Choices) > 1 && !anyOf {
		return k, "单选题只能有一个正确答案（几个选项单独选都算对时写作 A|B）"
	}
	if len(partial) == 0 {
		return k, ""
	}
	if t != Single {
		return k, "只有单选题可以为其他选项设部分得分"
	}
	k.Partial = map[string]float64{}
	for _, p := range partial {
		p = strings.TrimSpace(p)
		l, v, ok := strings.Cut(p, ":")
		if !ok {
			l, v, ok = strings.Cut(p, "：")
		}
		l = strings.TrimSpace(l)
		f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "%"), 64)
		if !ok || len(l) != 1 || l[0] < 'A' || l[0] > 'H' || err != nil {
			return k, "部分得分「" + p + "」应写作 选项字母:百分比，如 C:50%"
		}
		k.Partial[l] = f
	}
	return k, ""
}

// KeyText shows the key in words, as admins and candidates read it:
// "A 或 C；B 得 50% 分", 正确/错误, blanks separated by "；" with their
// alternatives by "或" and numbers as "3.14（误差 ±0.01）".
func (q *Question) KeyText() string {
	switch q.Type {
	case Single, Multiple:
		return ChoiceText(q.Type, q.Key)
	case Judge:
		if q.Key.Judge {
			return "正确"
		}
		return "错误"
	case Blank:
		blanks := make([]string, len(q.Key.Blanks))
		for i, b := range q.Key.Blanks {
			alts := strings.Split(b, "|")
			for j, a := range alts {
				if IsNumeric(a) {
					alts[j] = NumericText(a)
				}
			}
			blanks[i] = strings.Join(alts, " 或 ")
		}
		return strings.Join(blanks, "；")
	default:
		return q.Key.Reference
	}
}
