// Package importer reads exam questions from the files admins bring —
// the Chinese Excel template, Moodle XML and GIFT — and writes a bank back
// to the Excel template. Imports are all-or-nothing: either every question
// of the file is returned, or none and the list of problems with the row
// or line where each one is.
package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"college/modules/exam/item"
)

// MaxProblems is the number of problems a parse reports at most.
const MaxProblems = 200

// Limits of what the bank can store: a tag (as the question form keeps
// it), the tags column (",甲,乙,") and a TEXT column on MySQL.
const (
	MaxTagLen    = 30
	MaxTagsLen   = 500
	MaxTextBytes = 65535
)

// Problem points at a bad row (Excel, 1-based sheet row) or line (GIFT,
// Moodle XML) with a Chinese message. For Moodle XML At names the question
// ("第 3 题") and Row holds the line where its <question> element starts.
type Problem struct {
	At      string `json:"at"`
	Row     int    `json:"row"`
	Message string `json:"message"`
}

// Skipped is a question left out on purpose (an unsupported Moodle type),
// with the reason in Chinese.
type Skipped struct {
	At     string `json:"at"`
	Reason string `json:"reason"`
}

// Result is what an import yields.
type Result struct {
	Questions []item.Question
	Skipped   []Skipped
	// Format names the format Parse read: "excel", "csv", "moodle_xml" or
	// "gift"; Layout, for a table, which column was read as what.
	Format string
	Layout string
	// Header and Columns, for a table: the header row's cells, and which
	// column (from 1) was read as what.
	Header  []string
	Columns map[string]int
	// Good holds, when the file has problems and Questions is empty, the
	// questions that had none: what a preview shows beside the problems.
	Good []item.Question
	// Warnings are what the import changes without refusing: each with the
	// question it concerns, shown before the admin confirms.
	Warnings []Problem
	// Media holds the pictures, sounds and videos the questions show, by
	// their stored name (item.MediaName); a token whose file is not here
	// names one the store should already hold.
	Media map[string][]byte
}

// looksText tells a pasted Chinese paper from GIFT: no answer blocks in
// braces, and a numbered question.
func looksText(data []byte) bool {
	return !bytes.ContainsRune(data, '{') && textQuestionLine.Match(data)
}

var textQuestionLine = regexp.MustCompile(`(?m)^\s*(?:\d{1,4}\s*[.、．]|[（(]\d{1,4}[）)])`)

// ErrUnsupported is returned by Parse for a file type it cannot read.
var ErrUnsupported = errors.New("不支持的文件类型，请上传 Excel（.xlsx）、CSV（.csv）、Word（.docx）、Moodle XML（.xml）、GIFT（.gift）或文本（.txt）文件")

// Parse detects the format from the file name extension (.xlsx, .xml,
// .gift, .txt) and the content, and returns every question, or every
// problem found (up to MaxProblems) and no questions. The error is only
// for an unsupported file type.
func Parse(filename string, data []byte) (Result, []Problem, error) {
	return ParseWith(filename, data, nil)
}

// ParseWith is Parse with the admin's column choices for a table file.
func ParseWith(filename string, data []byte, cols Columns) (Result, []Problem, error) {
	r, p, format, err := parse(filename, data, cols)
	r.Format = format
	return r, p, err
}

func parse(filename string, data []byte, cols Columns) (Result, []Problem, string, error) {
	ext := strings.ToLower(filepath.Ext(filename))
	head := data
	if u, ok, _ := fromUTF16(data); ok {
		head = u
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	looksXML := bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<quiz"))
	looksZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	switch {
	case ext == ".xlsx":
		r, p := parseExcel(data, cols)
		return r, p, "excel", nil
	case ext == ".xls" || bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return Result{}, nil, "", fmt.Errorf("%w（旧版 .xls 请另存为 .xlsx）", ErrUnsupported)
	case ext == ".xml":
		r, p := ParseMoodleXML(data)
		return r, p, "moodle_xml", nil
	case ext == ".docx" || looksZip && bytes.Contains(data, []byte("word/document.xml")):
		r, p := ParseWord(data)
		return r, p, "word", nil
	case ext == ".doc":
		return Result{}, nil, "", fmt.Errorf("%w（旧版 .doc 请另存为 .docx）", ErrUnsupported)
	case ext == ".txt" && !looksXML && looksText(data):
		r, p := ParseText(data)
		return r, p, "text", nil
	case ext == ".csv":
		r, p := parseCSV(data, cols)
		return r, p, "csv", nil
	case ext == ".gift" || ext == ".txt":
		if looksXML {
			r, p := ParseMoodleXML(data)
			return r, p, "moodle_xml", nil
		}
		r, p := ParseGIFT(data)
		return r, p, "gift", nil
	case looksZip:
		r, p := parseExcel(data, cols)
		return r, p, "excel", nil
	case looksXML:
		r, p := ParseMoodleXML(data)
		return r, p, "moodle_xml", nil
	}
	return Result{}, nil, "", ErrUnsupported
}

// collector gathers questions and problems and enforces all-or-nothing.
type collector struct {
	res      Result
	problems []Problem
	category string   // the tag of the file's current category
	notes    []string // warnings about the question being read
}

// What an import changes without refusing the question.
const (
	noteNegative = "Moodle 中选错扣分（负分）的选项，在本系统按 0 分计"
	noteFeedback = "各选项的反馈未导入（本系统只保留题目解析）"
	noteTeX      = "含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂"
)

// note records a warning for the question being read; add attaches the
// warnings to it, once each.
func (c *collector) note(msg string) {
	if !slices.Contains(c.notes, msg) {
		c.notes = append(c.notes, msg)
	}
}

// categoryTag turns a Moodle category path ("$course$/top/政治理论/党史")
// into the tag its questions get: its last segment, unless that is only
// Moodle's default or top category.
func categoryTag(path string) string {
	segs := strings.Split(strings.TrimSpace(path), "/")
	last := strings.TrimSpace(segs[len(segs)-1])
	switch l := strings.ToLower(last); {
	case l == "" || l == "top" || l == "$course$" || l == "$system$" || l == "$module$" || l == "$cat1$" ||
		strings.HasPrefix(l, "default for ") || strings.HasPrefix(last, "默认"):
		return ""
	}
	return last
}

func (c *collector) problem(at string, row int, msg string) {
	if len(c.problems) < MaxProblems {
		c.problems = append(c.problems, Problem{At: at, Row: row, Message: msg})
	}
}

// add validates q; own holds messages the parser found itself, by the
// field names Validate uses. Any message becomes one Problem.
func (c *collector) add(at string, row int, q item.Question, own map[string]string) {
	if c.category != "" && !slices.Contains(q.Tags, c.category) {
		q.Tags = splitTags(strings.Join(append(q.Tags, c.category), ","))
	}
	if len(q.Options) > 0 && item.NeedsFixedOrder(q.Options) {
		q.FixedOrder = true
	}
	if why := c.resolve(&q); len(why) > 0 {
		if own == nil {
			own = map[string]string{}
		}
		own["media"] = strings.Join(slices.Compact(why), "；")
	}
	bad := q.Validate()
	for f, msg := range storageProblems(&q) {
		if bad == nil {
			bad = map[string]string{}
		}
		if _, ok := bad[f]; !ok {
			bad[f] = msg
		}
	}
	msgs := joinMessages(own, bad)
	notes := c.notes
	c.notes = nil
	if msgs != "" {
		c.problem(at, row, msgs)
		return
	}
	texts := append([]string{q.Stem, q.Analysis}, q.Options...)
	if slices.ContainsFunc(texts, hasTeX) {
		notes = append(notes, noteTeX)
	}
	if len(notes) > 0 && len(c.res.Warnings) < MaxProblems {
		c.res.Warnings = append(c.res.Warnings, Problem{At: at, Row: row, Message: strings.Join(notes, "；")})
	}
	c.res.Questions = append(c.res.Questions, q)
}

// resolve turns the media marks of a question's texts into tokens, keeping
// the files in the result, and says what could not be kept.
func (c *collector) resolve(q *item.Question) []string {
	var why []string
	media := map[string][]byte{}
	fix := func(t *string) { *t = resolveMedia(*t, media, &why) }
	fix(&q.Stem)
	fix(&q.Analysis)
	fix(&q.Key.Reference)
	for i := range q.Options {
		fix(&q.Options[i])
	}
	for i := range q.Key.Blanks {
		fix(&q.Key.Blanks[i])
	}
	if len(why) == 0 && len(media) > 0 {
		if c.res.Media == nil {
			c.res.Media = map[string][]byte{}
		}
		for name, data := range media {
			c.res.Media[name] = data
		}
	}
	return why
}

// hasTeX tells whether a text holds TeX math as MathJax reads it.
func hasTeX(s string) bool {
	return strings.Contains(s, `\(`) && strings.Contains(s, `\)`) || strings.Count(s, "$$") >= 2 || strings.Contains(s, `\[`) && strings.Contains(s, `\]`)
}

// storageProblems finds what the bank could not store as it is: tags
// longer than the question form allows or too many for the tags column,
// and text over a MySQL TEXT column.
func storageProblems(q *item.Question) map[string]string {
	bad := map[string]string{}
	column := 1
	for _, t := range q.Tags {
		if utf8.RuneCountInString(t) > MaxTagLen {
			bad["tags"] = fmt.Sprintf("标签「%s」超过 %d 字", t, MaxTagLen)
		}
		column += utf8.RuneCountInString(t) + 1
	}
	if _, ok := bad["tags"]; !ok && column > MaxTagsLen {
		bad["tags"] = fmt.Sprintf("标签合计超过 %d 字", MaxTagsLen)
	}
	if opts, _ := json.Marshal(q.Options); len(opts) > MaxTextBytes {
		bad["options"] = "选项内容过长"
	}
	if key, _ := json.Marshal(q.Key); len(key) > MaxTextBytes {
		bad["answer"] = "答案内容过长"
	}
	if len(q.Analysis) > MaxTextBytes {
		bad["analysis"] = "解析内容过长"
	}
	return bad
}

func (c *collector) done() (Result, []Problem) {
	if len(c.problems) > 0 {
		return Result{Skipped: c.res.Skipped, Good: c.res.Questions, Layout: c.res.Layout, Header: c.res.Header, Columns: c.res.Columns, Media: c.res.Media, Warnings: c.res.Warnings}, c.problems
	}
	if len(c.res.Questions) == 0 && len(c.res.Skipped) == 0 {
		return Result{}, []Problem{{At: "文件", Message: "文件中没有找到试题"}}
	}
	return c.res, nil
}

var fieldOrder = []string{"type", "stem", "options", "answer", "score", "difficulty", "tags", "analysis"}

// joinMessages merges the parser's own messages with Validate's (the
// parser's win for the same field) in a fixed field order.
func joinMessages(own, validated map[string]string) string {
	var parts []string
	seen := map[string]bool{}
	for _, f := range fieldOrder {
		if m, ok := own[f]; ok {
			parts = append(parts, m)
			seen[f] = true
		} else if m, ok := validated[f]; ok {
			parts = append(parts, m)
			seen[f] = true
		}
	}
	for _, m := range []map[string]string{own, validated} {
		for f, msg := range m {
			if !seen[f] {
				parts = append(parts, msg)
				seen[f] = true
			}
		}
	}
	return strings.Join(parts, "；")
}

// halfWidth maps full-width ASCII (Ａ, １, ，…) to ASCII and the
// ideographic space to a space.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// judgeWord reads a true/false answer word.
func judgeWord(s string) (value, ok bool) {
	switch strings.ToUpper(strings.TrimSpace(halfWidth(s))) {
	case "正确", "对", "√", "✓", "✔", "T", "TRUE", "是":
		return true, true
	case "错误", "错", "×", "✗", "✘", "X", "F", "FALSE", "否":
		return false, true
	}
	return false, false
}
