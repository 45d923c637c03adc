package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"college/modules/exam/item"
)

// GIFT escapes are swapped for private-use runes while parsing and put
// back as the plain characters afterwards.
var giftEscapes = []struct {
	seq  string
	lit  string
	mark rune
}{
	{`\\`, `\`, '\uE000'},
	{`\=`, `=`, '\uE001'},
	{`\~`, `~`, '\uE002'},
	{`\#`, `#`, '\uE003'},
	{`\{`, `{`, '\uE004'},
	{`\}`, `}`, '\uE005'},
	{`\:`, `:`, '\uE006'},
	{`\n`, "\n", '\uE007'},
	{`\%`, `%`, '\uE008'},
}

func giftProtect(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			done := false
			for _, e := range giftEscapes {
				if strings.HasPrefix(s[i:], e.seq) {
					b.WriteRune(e.mark)
					i++
					done = true
					break
				}
			}
			if done {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func giftRestore(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '\uE000' && r <= '\uE008' {
			return []rune(giftEscapes[r-'\uE000'].lit)[0]
		}
		return r
	}, s)
}

func lineAt(n int) string { return fmt.Sprintf("第 %d 行", n) }

// ParseGIFT reads Moodle's GIFT text format.
func ParseGIFT(data []byte) (Result, []Problem) {
	var c collector
	data, msg := textUTF8(data)
	if msg != "" {
		return Result{}, []Problem{{At: "文件", Message: msg}}
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	var block []string
	start := 0
	flush := func() {
		if len(block) > 0 {
			giftQuestion(&c, start, strings.Join(block, "\n"))
		}
		block = block[:0]
	}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "//"):
			continue
		case t == "":
			flush()
			continue
		case len(block) == 0 && strings.HasPrefix(t, "$CATEGORY:"):
			c.category = categoryTag(strings.TrimPrefix(t, "$CATEGORY:"))
			continue
		}
		if len(block) == 0 {
			start = i + 1
		}
		block = append(block, l)
	}
	flush()
	return c.done()
}

var giftFormat = regexp.MustCompile(`^\s*\[(html|markdown|plain|moodle)\]`)

// giftFormatOf is the format a GIFT text names with its [format] prefix,
// or def.
func giftFormatOf(s, def string) string {
	if m := giftFormat.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return def
}

// giftText prepares a piece of GIFT text in its format: the one its
// [format] prefix names, else def (the question's; Moodle's own default,
// moodle auto-format, renders HTML). Escapes are restored; HTML and
// Markdown become text with their meaning kept (cleanHTML: line breaks,
// superscripts, preformatted text).
func giftText(s, def string) string {
	format := giftFormatOf(s, def)
	if m := giftFormat.FindStringSubmatch(s); m != nil {
		s = s[len(m[0]):]
	}
	s = giftRestore(s)
	switch format {
	case "plain":
		return tidyText(s)
	case "markdown":
		return cleanHTML(markdownHTML(s))
	default:
		return cleanHTML(s)
	}
}

func giftQuestion(c *collector, line int, raw string) {
	c.notes = nil
	at := lineAt(line)
	s := giftProtect(raw)
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "::") {
		end := strings.Index(s[2:], "::")
		if end < 0 {
			c.problem(at, line, "标题缺少结尾的 ::")
			return
		}
		s = strings.TrimSpace(s[2+end+2:])
	}
	open := strings.IndexByte(s, '{')
	if open < 0 {
		if strings.Contains(s, "}") {
			c.problem(at, line, "有 } 但没有对应的 {")
			return
		}
		c.res.Skipped = append(c.res.Skipped, Skipped{At: at, Reason: "不支持的题型 description（没有答案块）"})
		return
	}
	closeAt := strings.IndexByte(s[open:], '}')
	braceLine := line + strings.Count(s[:open], "\n")
	if closeAt < 0 {
		c.problem(at, line, fmt.Sprintf("第 %d 行的 { 没有对应的 }", braceLine))
		return
	}
	closeAt += open
	body := s[open+1 : closeAt]
	if strings.Contains(body, "{") {
		c.problem(at, line, fmt.Sprintf("第 %d 行的 { 没有对应的 }", braceLine))
		return
	}
	before, after := s[:open], strings.TrimSpace(s[closeAt+1:])
	if strings.ContainsAny(after, "{}") {
		c.problem(at, line, "一道题只能有一个答案块 {…}")
		return
	}
	stem := before
	if after != "" {
		stem = strings.TrimRight(before, " \t") + "____" + after
		if strings.HasSuffix(before, " ") && !strings.HasPrefix(after, " ") {
			stem = strings.TrimRight(before, " \t") + " ____ " + after
		}
	}
	q := item.Question{Score: 1, Difficulty: 3}
	own := map[string]string{}
	format := giftFormatOf(strings.TrimSpace(stem), "moodle") // answers and feedback inherit it
	if i := strings.Index(body, "####"); i >= 0 {
		q.Analysis = giftText(body[i+4:], format)
		body = body[:i]
	}
	body = strings.TrimSpace(body)
	q.Stem = giftText(stem, "moodle")

	switch up := strings.ToUpper(strings.TrimSpace(cutFeedback(body))); {
	case body == "":
		q.Type = item.Short
	case up == "T" || up == "TRUE" || up == "F" || up == "FALSE":
		q.Type = item.Judge
		q.Key.Judge = up[0] == 'T'
	case strings.HasPrefix(body, "#"):
		q.Type = item.Blank
		alts, msg := giftNumerical(body[1:])
		if msg != "" {
			own["answer"] = msg
		} else {
			q.Key.Blanks = []string{strings.Join(alts, "|")}
		}
	case !strings.ContainsAny(cutFeedback(body), "=~"):
		// "{One}": one right short answer needs no "=" (Moodle).
		q.Type = item.Blank
		alt, msg := shortAnswerAlt(giftText(cutFeedback(body), format))
		if msg != "" {
			own["answer"] = msg
		}
		q.Key.Blanks = []string{alt}
	default:
		answers, msg := giftAnswers(body, format)
		if msg != "" {
			c.problem(at, line, msg)
			return
		}
		// Moodle's order: a block with "~" is multiple choice even when an
		// option contains "->"; only "=" answers with "->" are matching.
		if !strings.Contains(body, "~") && strings.Contains(body, "->") {
			c.res.Skipped = append(c.res.Skipped, Skipped{At: at, Reason: "不支持的题型 matching"})
			return
		}
		giftChoice(&q, own, answers)
		for _, a := range answers {
			if a.weight != nil && *a.weight < 0 && q.Type != item.Blank {
				c.note(noteNegative)
			}
			if a.feedback {
				c.note(noteFeedback)
			}
		}
	}
	c.add(at, line, q, own)
}

// cutFeedback drops "#feedback" from an answer.
func cutFeedback(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

type giftAnswer struct {
	right    bool // "="
	weight   *float64
	text     string
	feedback bool // "#…" after it, which the bank does not keep
}

var giftWeight = regexp.MustCompile(`^%(-?[0-9]+(?:\.[0-9]+)?)%`)

// giftAnswers splits an answer block into its = and ~ answers.
func giftAnswers(body, format string) ([]giftAnswer, string) {
	var out []giftAnswer
	i := strings.IndexAny(body, "=~")
	if i < 0 || strings.TrimSpace(body[:i]) != "" {
		return nil, "答案块格式不对：答案应以 = 或 ~ 开头"
	}
	body = body[i:]
	for body != "" {
		a := giftAnswer{right: body[0] == '='}
		rest := body[1:]
		next := strings.IndexAny(rest, "=~")
		var piece string
		if next < 0 {
			piece, body = rest, ""
		} else {
			piece, body = rest[:next], rest[next:]
		}
		piece = strings.TrimSpace(piece)
		if m := giftWeight.FindStringSubmatch(piece); m != nil {
			w, _ := strconv.ParseFloat(m[1], 64)
			a.weight = &w
			piece = piece[len(m[0]):]
		}
		a.text = giftText(cutFeedback(piece), format)
		a.feedback = strings.TrimSpace(strings.TrimPrefix(piece, cutFeedback(piece))) != "#" && strings.Contains(piece, "#")
		out = append(out, a)
	}
	return out, ""
}

func giftChoice(q *item.Question, own map[string]string, answers []giftAnswer) {
	hasWrong := false
	for _, a := range answers {
		if !a.right {
			hasWrong = true
		}
	}
	if !hasWrong {
		// Only "=" answers: a short answer (blank) with alternatives.
		q.Type = item.Blank
		var alts []string
		for _, a := range answers {
			switch {
			case a.text == "" || (a.weight != nil && *a.weight <= 0):
				// A wrong answer with its feedback.
			case a.weight != nil && *a.weight != 100:
				own["answer"] = fmt.Sprintf("填空答案「%s」只得 %g%% 分：暂不支持部分得分的答案，请删去它或改为完全正确", a.text, *a.weight)
			default:
				alt, msg := shortAnswerAlt(a.text)
				if msg != "" {
					own["answer"] = msg
				}
				alts = append(alts, alt)
			}
		}
		if len(alts) > 0 {
			q.Key.Blanks = []string{strings.Join(alts, "|")}
		}
		return
	}
	for _, a := range answers {
		if a.right {
			giftSingle(q, own, answers)
			return
		}
	}
	// Only "~" answers with weights: Moodle's multiple response.
	var key []byte
	full := false
	for i, a := range answers {
		q.Options = append(q.Options, a.text)
		correct := (a.right && (a.weight == nil || *a.weight > 0)) || (!a.right && a.weight != nil && *a.weight > 0)
		if correct && i < item.MaxOptions {
			key = append(key, item.Letters[i])
			if a.weight == nil || *a.weight == 100 {
				full = true
			}
		}
	}
	q.Key.Choices = string(key)
	switch {
	case len(key) == 0:
		q.Type = item.Single
		own["answer"] = "没有正确答案（用 = 或正的 %权重% 标出）"
	case len(key) == 1 && full:
		q.Type = item.Single
	default:
		q.Type = item.Multiple
	}
}

// shortAnswerAlt turns a right answer of Moodle's short-answer question into
// a blank's alternative: "\*" is a literal asterisk; a bare "*" is Moodle's
// wildcard, which a blank cannot hold, so the question is refused with the
// reason rather than imported stricter.
func shortAnswerAlt(text string) (string, string) {
	if strings.Contains(strings.ReplaceAll(text, `\*`, ""), "*") {
		return "", "填空答案「" + text + "」含通配符 *：暂不支持，请写出每个可接受的答案（用 = 分开）"
	}
	return strings.ReplaceAll(strings.ReplaceAll(text, `\*`, "*"), "|", "｜"), ""
}

// giftSingle reads a choice block with "=": in Moodle it is single choice
// whatever else it holds. Every "=" (and "~%100%") option alone earns full
// marks; "~%n%" options earn n percent; the rest nothing.
func giftSingle(q *item.Question, own map[string]string, answers []giftAnswer) {
	q.Type = item.Single
	var key []byte
	for i, a := range answers {
		q.Options = append(q.Options, a.text)
		if i >= item.MaxOptions {
			continue
		}
		l := item.Letters[i]
		switch {
		case a.right && a.weight != nil && *a.weight != 100:
			own["answer"] = fmt.Sprintf("「=%%%g%%%s」：= 表示完全正确，不能再写权重；部分得分请写作 ~%%%g%%%s", *a.weight, a.text, *a.weight, a.text)
		case a.right || (a.weight != nil && *a.weight == 100):
			key = append(key, l)
		case a.weight != nil && *a.weight > 0:
			if q.Key.Partial == nil {
				q.Key.Partial = map[string]float64{}
			}
			q.Key.Partial[string(l)] = *a.weight
		}
	}
	q.Key.Choices = string(key)
}

// giftNumerical reads a numerical answer block (after "#"): "3.14",
// "3.14:0.01", "1..5", or "=3.14:0 =3.1:0.1". Each right answer becomes a
// numeric alternative of one blank ("#3.14:0.01"), graded by value. An
// answer worth part of the score (=%50%3.1) cannot be kept and refuses the
// question.
func giftNumerical(body string) ([]string, string) {
	body = strings.TrimSpace(body)
	var pieces []string
	if strings.HasPrefix(body, "=") || strings.HasPrefix(body, "~") {
		answers, msg := giftAnswers(body, "plain")
		if msg != "" {
			return nil, msg
		}
		for _, a := range answers {
			switch {
			case a.right && (a.weight == nil || *a.weight == 100):
				pieces = append(pieces, a.text)
			case a.weight != nil && *a.weight > 0:
				return nil, fmt.Sprintf("数值题答案「%s」只得 %g%% 分：暂不支持部分得分的数值答案，请删去它或改为完全正确", a.text, *a.weight)
			}
		}
	} else {
		// "3:2~#wrong": the answer, then wrong answers with feedback.
		right, _, _ := strings.Cut(body, "~")
		pieces = []string{giftText(cutFeedback(right), "plain")}
	}
	var alts []string
	for _, p := range pieces {
		alt := "#" + strings.ReplaceAll(strings.TrimSpace(p), " ", "")
		if _, err := item.ParseNumeric(alt); err != nil {
			return nil, "数值题答案「" + p + "」不是数字、数字:误差 或 下限..上限"
		}
		alts = append(alts, alt)
	}
	if len(alts) == 0 {
		return nil, "数值题没有正确答案"
	}
	return alts, ""
}
