package importer

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"college/modules/exam/item"
	"college/modules/media"
)

// The text importer reads questions as Chinese admins write them in Word or
// paste them: numbered questions ("1." "1、" "（1）"), options "A." "A、"
// "A．" on their own lines or inline, then "答案：" "解析：" "难度："
// "分值：" lines (or 【答案】…), under section headings that set the type
// ("一、单选题"). Without a heading the type follows from the question:
// options make a choice question, a true/false answer a judge question, a
// stem with blanks a blank question, anything else a short answer.

var (
	textSection   = regexp.MustCompile(`^[一二三四五六七八九十]+[、.．]\s*(.+?)\s*(?:[（(].*[）)])?\s*$`)
	textQuestion  = regexp.MustCompile(`^(?:\d{1,4}\s*[.、．]|[（(]\d{1,4}[）)])\s*`)
	textOption    = regexp.MustCompile(`^[(（]?[A-H][)）]?\s*[.．、:：]`)
	inlineOptionA = regexp.MustCompile(`(?:^|\s|[）)。？?])([(（]?A[)）]?\s*[.．、])`)
	textField     = regexp.MustCompile(`^(?:【\s*(答案|正确答案|参考答案|解析|答案解析|难度|分值|分数|知识点|标签)\s*】|(答案|正确答案|参考答案|解析|答案解析|难度|分值|分数|知识点|标签)\s*[:：])\s*`)
)

// sectionType reads a heading's type words: 单项选择题（每题 2 分） → single.
func sectionType(title string) (item.Type, bool) {
	t := strings.TrimSpace(halfWidth(title))
	if typ, ok := typeWords[t]; ok {
		return typ, true
	}
	for word, typ := range typeWords {
		if len([]rune(word)) >= 3 && strings.HasPrefix(t, word) {
			return typ, true
		}
	}
	return "", false
}

type textQ struct {
	line    int
	stem    []string
	options []string
	fields  map[string]string
	typ     item.Type
}

// ParseText reads questions from plain text (pasted, or a Word document's
// paragraphs).
func ParseText(data []byte) (Result, []Problem) {
	data, msg := textUTF8(data)
	if msg != "" {
		return Result{}, []Problem{{At: "文件", Message: msg}}
	}
	var c collector
	var section item.Type
	var cur *textQ
	lastField := ""
	flush := func() {
		if cur != nil {
			textQuestionDone(&c, cur)
		}
		cur, lastField = nil, ""
	}
	lines := strings.Split(strings.ReplaceAll(strings.TrimPrefix(string(data), "\ufeff"), "\r\n", "\n"), "\n")
	for i, raw := range lines {
		line := strings.TrimSpace(strings.ReplaceAll(raw, "\u3000", " "))
		n := i + 1
		switch {
		case line == "":
			continue
		case textSection.MatchString(line) && cur == nil || textSection.MatchString(line) && !textOption.MatchString(line) && lastField != "":
			if typ, ok := sectionType(textSection.FindStringSubmatch(line)[1]); ok {
				flush()
				section = typ
				continue
			}
		}
		if m := textQuestion.FindString(line); m != "" && !textOption.MatchString(line) {
			flush()
			stem := strings.TrimSpace(line[len(m):])
			cur = &textQ{line: n, stem: []string{stem}, fields: map[string]string{}, typ: section}
			// Options written on the question's own line: "…是（ ）。A.甲 B.乙".
			if at := inlineOptionA.FindStringSubmatchIndex(stem); at != nil {
				if opts, msg := splitOptions(stem[at[2]:]); msg == "" && len(opts) >= 2 {
					cur.stem[0], cur.options = strings.TrimSpace(stem[:at[2]]), opts
				}
			}
			continue
		}
		if cur == nil {
			if textField.MatchString(line) || textOption.MatchString(line) {
				c.problem(lineAt(n), n, "这一行不属于任何一道题：题目应以题号开头，如 1. 或 1、")
			}
			// Otherwise a title or a note before the questions.
			continue
		}
		if m := textField.FindStringSubmatch(line); m != nil {
			name := m[1] + m[2]
			value := strings.TrimSpace(line[len(m[0]):])
			switch name {
			case "正确答案", "参考答案":
				name = "答案"
			case "答案解析":
				name = "解析"
			case "分数":
				name = "分值"
			case "标签":
				name = "知识点"
			}
			cur.fields[name] = value
			lastField = name
			continue
		}
		if textOption.MatchString(line) && lastField == "" {
			// Options may go on across lines: "A.甲 B.乙" then "C.丙 D.丁".
			opts, msg := splitOptionsFrom(line, len(cur.options))
			if msg != "" {
				c.problem(lineAt(n), n, msg)
				continue
			}
			cur.options = append(cur.options, opts...)
			continue
		}
		if lastField != "" {
			// A field that goes on over several lines (a long 解析).
			cur.fields[lastField] += "\n" + line
			continue
		}
		if len(cur.options) > 0 {
			cur.options[len(cur.options)-1] += "\n" + line
			continue
		}
		cur.stem = append(cur.stem, line)
	}
	flush()
	return c.done()
}

// textQuestionDone turns a gathered question into an item.
func textQuestionDone(c *collector, t *textQ) {
	own := map[string]string{}
	q := item.Question{Stem: strings.Join(t.stem, "\n"), Options: t.options, Score: 1, Tags: splitTags(t.fields["知识点"]), Analysis: t.fields["解析"]}
	answer, hasAnswer := t.fields["答案"]
	typ := t.typ
	if typ == "" {
		typ = guessType(q.Options, answer)
		if typ == "" {
			typ = item.Short
			if item.BlankMarks(q.Stem) > 0 && hasAnswer {
				typ = item.Blank
			}
		}
	}
	if typ == item.Judge && isTrueFalsePair(q.Options) {
		if k := strings.Index(item.Letters, strings.ToUpper(strings.Trim(halfWidth(answer), " .、"))); k >= 0 && k < len(q.Options) {
			answer = q.Options[k]
		}
		q.Options = nil
	}
	q.Type = typ
	if typ == anyChoice {
		q.Type = item.Multiple
	}
	if !hasAnswer && typ != item.Short {
		own["answer"] = "缺少答案：在题目后写一行 答案：…"
	} else if msg := excelAnswer(&q, answer); msg != "" {
		own["answer"] = msg
	}
	if typ == anyChoice && len(q.Key.Choices) == 1 {
		q.Type = item.Single
	}
	d, ok := difficultyWord(t.fields["难度"])
	if !ok {
		own["difficulty"] = "难度「" + t.fields["难度"] + "」无效，应为 1 到 5 的整数，或 易、中、难"
	}
	q.Difficulty = d
	if s := strings.TrimSpace(t.fields["分值"]); s != "" {
		v, err := parseScore(s)
		if err != "" {
			own["score"] = err
		}
		q.Score = v
	}
	c.add(lineAt(t.line), t.line, q, own)
}

// ParseWord reads the questions of a .docx as ParseText reads text: one
// line per paragraph. Pictures come with their question (see
// resolveMedia); formulas and charts refuse theirs.
func ParseWord(data []byte) (Result, []Problem) {
	text, err := docxText(data)
	if errors.Is(err, media.ErrZipTooLarge) {
		return Result{}, []Problem{{At: "文件", Message: media.MsgZipTooLarge}}
	}
	if err != nil {
		return Result{}, []Problem{{At: "文件", Message: "无法读取 Word 文件，请确认是 .docx 格式（旧版 .doc 请另存为 .docx）"}}
	}
	return ParseText([]byte(text))
}

// docxText is the text of word/document.xml, a line per paragraph, with
// each picture's mark holding its content as a data: URI.
func docxText(data []byte) (string, error) {
	if err := media.CheckZip(data, media.DefaultXLSXLimits.Zip); err != nil {
		return "", err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	read := func(name string) ([]byte, error) {
		for _, f := range zr.File {
			if f.Name == name {
				rc, err := f.Open()
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				return io.ReadAll(io.LimitReader(rc, media.DefaultXLSXLimits.Zip.MaxEntrySize))
			}
		}
		return nil, fs.ErrNotExist
	}
	doc, err := read("word/document.xml")
	if err != nil {
		return "", err
	}
	numbers, _ := read("word/numbering.xml")
	text, err := wordParagraphs(bytes.NewReader(doc), readNumbering(numbers))
	if err != nil || !strings.ContainsRune(text, mediaMark) {
		return text, err
	}
	rels := wordRels(read)
	return mediaMarks.ReplaceAllStringFunc(text, func(m string) string {
		sub := mediaMarks.FindStringSubmatch(m)
		id, ok := strings.CutPrefix(sub[2], "docx:")
		if !ok {
			return m
		}
		target, ok := rels[id]
		if !ok {
			return markMedia(sub[1], "")
		}
		if strings.Contains(target, "://") { // a linked, not embedded, picture
			return markMedia(sub[1], target)
		}
		b, err := read(path.Clean(path.Join("word", target)))
		if err != nil {
			return markMedia(sub[1], target)
		}
		ct, _ := item.SniffMedia(b)
		return markMedia(sub[1], "data:"+ct+";base64,"+base64.StdEncoding.EncodeToString(b))
	}), nil
}

// wordRels maps the relationship ids of word/document.xml to their targets.
func wordRels(read func(string) ([]byte, error)) map[string]string {
	out := map[string]string{}
	b, err := read("word/_rels/document.xml.rels")
	if err != nil {
		return out
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(b, &rels) == nil {
		for _, r := range rels.Rel {
			out[r.ID] = r.Target
		}
	}
	return out
}

// wordParagraphs writes a line per paragraph. A picture (<w:drawing> or
// VML <w:pict> with its relationship id) leaves a mark with "docx:<id>";
// a drawing without a picture (a chart, a shape), an embedded object and
// a formula leave a mark with no source.
func wordParagraphs(r io.Reader, nums *numbering) (string, error) {
	d := xml.NewDecoder(r)
	var b strings.Builder
	inText := false
	numID, ilvl, inPPr := "", 0, false // the paragraph's list, from its properties
	drawing, found := 0, false         // inside a drawing; its picture written
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = drawing == 0
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			case "drawing", "pict", "object":
				if drawing == 0 {
					found = false
				}
				drawing++
			case "blip", "imagedata":
				if drawing > 0 && !found {
					for _, a := range t.Attr {
						if a.Name.Local == "embed" || a.Name.Local == "id" {
							b.WriteString(markMedia("img", "docx:"+a.Value))
							found = true
							break
						}
					}
				}
			case "oMath":
				b.WriteString(markMedia("oMath", ""))
			case "pPr":
				inPPr, numID, ilvl = true, "", 0
			case "numId", "ilvl":
				if inPPr {
					for _, a := range t.Attr {
						if a.Name.Local == "val" {
							if t.Name.Local == "numId" {
								numID = a.Value
							} else if v, err := strconv.Atoi(a.Value); err == nil {
								ilvl = v
							}
						}
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "pPr":
				inPPr = false
				if l := nums.label(numID, ilvl); numID != "" && l != "" {
					b.WriteString(l + " ")
				}
			case "p":
				b.WriteByte('\n')
			case "drawing", "pict", "object":
				if drawing > 0 {
					drawing--
					if drawing == 0 && !found {
						b.WriteString(markMedia(t.Name.Local, ""))
					}
				}
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
	}
}
