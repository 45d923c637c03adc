package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"college/modules/exam/item"
)

type mText struct {
	Format string  `xml:"format,attr"`
	Text   string  `xml:"text"`
	Files  []mFile `xml:"file"`
}

// mFile is a file embedded in a text (@@PLUGINFILE@@/path/name).
type mFile struct {
	Name     string `xml:"name,attr"`
	Path     string `xml:"path,attr"`
	Encoding string `xml:"encoding,attr"`
	Data     string `xml:",chardata"`
}

type mAnswer struct {
	Fraction  string  `xml:"fraction,attr"`
	Format    string  `xml:"format,attr"`
	Text      string  `xml:"text"`
	Files     []mFile `xml:"file"`
	Tolerance string  `xml:"tolerance"` // numerical
	Feedback  mText   `xml:"feedback"`
}

type mQuestion struct {
	Type            string    `xml:"type,attr"`
	Name            mText     `xml:"name"`
	QuestionText    mText     `xml:"questiontext"`
	GeneralFeedback mText     `xml:"generalfeedback"`
	DefaultGrade    string    `xml:"defaultgrade"`
	Single          string    `xml:"single"`
	Answers         []mAnswer `xml:"answer"`
	GraderInfo      mText     `xml:"graderinfo"`
	Tags            []mText   `xml:"tags>tag"`
	Units           []string  `xml:"units>unit>unit_name"` // numerical
	UseCase         string    `xml:"usecase"`              // shortanswer
	Category        mText     `xml:"category"`             // a category "question"
	ShuffleAnswers  string    `xml:"shuffleanswers"`       // multichoice: 0/false keeps the order
	Hidden          string    `xml:"hidden"`               // 1: hidden in Moodle's bank
	// Moodle 1.9's picture of a question: a name and its base64 content.
	Image       string `xml:"image"`
	ImageBase64 string `xml:"image_base64"`
}

func questionAt(n int) string { return fmt.Sprintf("第 %d 题", n) }

// text returns a Moodle text as plain text: HTML is cleaned unless the
// text is marked plain_text (encoding/xml has already handled CDATA and
// XML entities).
func (t mText) plain() string {
	if t.Format == "plain_text" {
		return tidyText(t.Text)
	}
	return withFiles(cleanHTML(t.Text), filesOf(t.Files))
}

// filesOf decodes a text's embedded files by path and name; a file that
// does not decode is left out, so the text's mark for it is refused as
// missing.
func filesOf(fs []mFile) map[string][]byte {
	if len(fs) == 0 {
		return nil
	}
	out := make(map[string][]byte, len(fs))
	for _, f := range fs {
		if !strings.EqualFold(strings.TrimSpace(f.Encoding), "base64") {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(f.Data), ""))
		if err != nil {
			continue
		}
		dir := strings.Trim(strings.TrimSpace(f.Path), "/")
		if dir != "" {
			dir += "/"
		}
		out[dir+strings.TrimSpace(f.Name)] = data
	}
	return out
}

// ParseMoodleXML reads a Moodle XML question export (<quiz><question>).
func ParseMoodleXML(data []byte) (Result, []Problem) {
	var c collector
	data, msg := xmlUTF8(data)
	if msg != "" {
		return Result{}, []Problem{{At: "文件", Message: msg}}
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = xmlCharset
	d.Strict = true
	n := 0
	depth := 0
	sawQuiz := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			c.problem(fmt.Sprintf("第 %d 行", line), line, "XML 格式错误："+err.Error())
			return Result{}, c.problems
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if t.Name.Local != "quiz" {
					return Result{}, []Problem{{At: "文件", Message: "不是 Moodle XML 文件：根元素应为 <quiz>，实为 <" + t.Name.Local + ">"}}
				}
				sawQuiz = true
				depth++
				continue
			}
			if depth == 1 && t.Name.Local == "question" {
				n++
				line, _ := d.InputPos()
				var mq mQuestion
				if err := d.DecodeElement(&mq, &t); err != nil {
					l, _ := d.InputPos()
					var se *xml.SyntaxError
					if errors.As(err, &se) {
						l = se.Line
					}
					c.problem(questionAt(n), l, "XML 格式错误："+err.Error())
					return Result{}, c.problems
				}
				moodleQuestion(&c, n, line, &mq)
				continue
			}
			if err := d.Skip(); err != nil {
				line, _ := d.InputPos()
				c.problem(fmt.Sprintf("第 %d 行", line), line, "XML 格式错误："+err.Error())
				return Result{}, c.problems
			}
		case xml.EndElement:
			depth--
		}
	}
	if !sawQuiz {
		return Result{}, []Problem{{At: "文件", Message: "不是 Moodle XML 文件：缺少 <quiz> 根元素"}}
	}
	return c.done()
}

func fraction(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0
	}
	return v
}

func isFull(f float64) bool { return math.Abs(f-100) < 0.01 }

func moodleQuestion(c *collector, n, line int, mq *mQuestion) {
	c.notes = nil
	at := questionAt(n)
	typ := strings.TrimSpace(mq.Type)
	if typ == "category" {
		c.category = categoryTag(mq.Category.plain())
		return
	}
	if strings.TrimSpace(mq.Hidden) == "1" {
		c.res.Skipped = append(c.res.Skipped, Skipped{At: at, Reason: "在 Moodle 题库中已隐藏"})
		return
	}
	text := mq.QuestionText
	if name := strings.TrimSpace(mq.Image); name != "" && strings.TrimSpace(mq.ImageBase64) != "" {
		// As Moodle imports it: the picture after the question's text.
		text.Text += `<img src="@@PLUGINFILE@@/` + html.EscapeString(name) + `">`
		text.Files = append(slices.Clip(text.Files), mFile{Name: name, Encoding: "base64", Data: mq.ImageBase64})
	}
	q := item.Question{Stem: text.plain(), Score: 1, Difficulty: 3, Analysis: mq.GeneralFeedback.plain()}
	switch strings.ToLower(strings.TrimSpace(mq.ShuffleAnswers)) {
	case "0", "false":
		q.FixedOrder = true
	}
	own := map[string]string{}
	if g := strings.TrimSpace(mq.DefaultGrade); g != "" {
		v, err := strconv.ParseFloat(g, 64)
		if err != nil {
			own["score"] = "分值（defaultgrade）「" + g + "」不是数字"
		} else {
			q.Score = math.Round(v*100) / 100
		}
	}
	// A tag with commas would split in the bank's tags column: take it as
	// several tags, as the Excel template does.
	var tags []string
	for _, t := range mq.Tags {
		tags = append(tags, strings.ReplaceAll(tidyText(t.Text), "\n", " "))
	}
	q.Tags = splitTags(strings.Join(tags, ","))
	answerText := func(a mAnswer) string { return mText{Format: a.Format, Text: a.Text, Files: a.Files}.plain() }
	for _, a := range mq.Answers {
		if typ == "multichoice" && fraction(a.Fraction) < 0 {
			c.note(noteNegative)
		}
		if typ != "truefalse" && strings.TrimSpace(cleanHTML(a.Feedback.Text)) != "" {
			c.note(noteFeedback)
		}
	}
	switch typ {
	case "multichoice":
		single := strings.TrimSpace(strings.ToLower(mq.Single))
		q.Type = item.Multiple
		if single == "" || single == "true" || single == "1" {
			q.Type = item.Single
		}
		// Single: each full-marks option alone is right, an option with a
		// smaller positive fraction earns that share. Multiple: every
		// option with a positive fraction is needed.
		var key []byte
		for i, a := range mq.Answers {
			q.Options = append(q.Options, answerText(a))
			f := fraction(a.Fraction)
			switch {
			case i >= item.MaxOptions:
			case q.Type == item.Single && isFull(f), q.Type == item.Multiple && f > 0:
				key = append(key, item.Letters[i])
			case q.Type == item.Single && f > 0:
				if q.Key.Partial == nil {
					q.Key.Partial = map[string]float64{}
				}
				q.Key.Partial[string(item.Letters[i])] = math.Round(f*1e5) / 1e5
			}
		}
		q.Key.Choices = string(key)
		if q.Type == item.Multiple && len(key) == 1 && isFull(fraction(mq.Answers[key[0]-'A'].Fraction)) {
			// Multiple response with one option worth all the marks
			// (the others negative): choosing it alone is the answer.
			q.Type = item.Single
		}
		if len(key) == 0 {
			own["answer"] = "没有正确答案（fraction=\"100\" 的选项）"
		}
	case "truefalse":
		q.Type = item.Judge
		found := false
		for _, a := range mq.Answers {
			if !isFull(fraction(a.Fraction)) {
				continue
			}
			v, ok := judgeWord(answerText(a))
			if !ok {
				own["answer"] = "判断题答案应为 true 或 false"
			}
			q.Key.Judge, found = v, true
			break
		}
		if !found {
			own["answer"] = "判断题没有正确答案（fraction=\"100\" 的答案）"
		}
	case "numerical":
		q.Type = item.Blank
		var alts []string
		for _, a := range mq.Answers {
			s, f := strings.TrimSpace(answerText(a)), fraction(a.Fraction)
			switch {
			case s == "*" || s == "" || f <= 0:
				// Moodle's "any other answer" and wrong answers.
			case !isFull(f):
				own["answer"] = fmt.Sprintf("数值题答案「%s」只得 %g%% 分：暂不支持部分得分的数值答案，请删去它或改为完全正确", s, f)
			default:
				alt := "#" + s
				if t := strings.TrimSpace(a.Tolerance); t != "" {
					alt += ":" + t
				}
				if _, err := item.ParseNumeric(alt); err != nil {
					own["answer"] = err.Error()
				}
				alts = append(alts, alt)
			}
		}
		if len(mq.Units) > 0 {
			own["answer"] = "暂不支持带单位（" + strings.Join(mq.Units, "、") + "）的数值题：请把单位写进题干，只保留数字答案后再导入"
		}
		if len(alts) == 0 && own["answer"] == "" {
			own["answer"] = "数值题没有正确答案（fraction=\"100\" 的答案）"
		} else if len(alts) > 0 {
			q.Key.Blanks = []string{strings.Join(alts, "|")}
		}
	case "shortanswer":
		q.Type = item.Blank
		if strings.TrimSpace(mq.UseCase) == "1" {
			own["answer"] = "区分大小写的填空题（usecase）暂不支持：本系统评分不区分大小写"
		}
		var alts []string
		for _, a := range mq.Answers {
			s, f := strings.TrimSpace(answerText(a)), fraction(a.Fraction)
			switch {
			case s == "" || f <= 0:
				// Wrong answers, and "*" for any other answer.
			case !isFull(f):
				own["answer"] = fmt.Sprintf("填空答案「%s」只得 %g%% 分：暂不支持部分得分的答案，请删去它或改为完全正确", s, f)
			default:
				alt, msg := shortAnswerAlt(s)
				if msg != "" {
					own["answer"] = msg
				}
				alts = append(alts, alt)
			}
		}
		if len(alts) == 0 {
			own["answer"] = "填空题没有正确答案（fraction=\"100\" 的答案）"
		} else {
			q.Key.Blanks = []string{strings.Join(alts, "|")}
		}
	case "essay":
		q.Type = item.Short
		q.Key.Reference = mq.GraderInfo.plain()
	default:
		if typ == "" {
			typ = "（未注明）"
		}
		c.res.Skipped = append(c.res.Skipped, Skipped{At: at, Reason: "不支持的题型 " + typ})
		return
	}
	c.add(at, line, q, own)
}
