package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"college/modules/exam/item"
	"college/modules/media"
)

// Headers are the columns of the Excel template, in order.
var Headers = []string{"题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H", "答案", "分值", "难度", "标签", "解析"}

const (
	colType = iota
	colStem
	colOptA
	colAnswer = colOptA + item.MaxOptions
	colScore  = colAnswer + 1
	colDiff   = colAnswer + 2
	colTags   = colAnswer + 3
	colNotes  = colAnswer + 4
)

// typeWords are the type words an admin may write in the 题型 column.
var typeWords = map[string]item.Type{
	"单选": item.Single, "单选题": item.Single, "单项选择": item.Single, "单项选择题": item.Single, "单择题": item.Single,
	"多选": item.Multiple, "多选题": item.Multiple, "多项选择": item.Multiple, "多项选择题": item.Multiple,
	"不定项": anyChoice, "不定项选择": anyChoice, "不定项选择题": anyChoice,
	"判断": item.Judge, "判断题": item.Judge, "是非题": item.Judge, "是非": item.Judge, "对错题": item.Judge,
	"填空": item.Blank, "填空题": item.Blank,
	"简答": item.Short, "简答题": item.Short, "问答题": item.Short, "论述题": item.Short, "主观题": item.Short,
	"案例分析题": item.Short, "案例分析": item.Short, "案例题": item.Short, "简述题": item.Short, "材料分析题": item.Short,
}

// anyChoice is 不定项选择: one right option makes it single choice, more
// make it multiple.
const anyChoice item.Type = "any"

func rowAt(n int) string { return fmt.Sprintf("第 %d 行", n) }

// ParseExcel reads the question sheet of an .xlsx: the first sheet with a
// header (see findLayout), its columns found by their names.
func ParseExcel(data []byte) (Result, []Problem) { return parseExcel(data, nil) }

// tableLayout finds a sheet's layout and applies the admin's column
// choices; with choices and no recognisable header, the first row is the
// header.
func tableLayout(rows [][]string, cols Columns) (layout, string, bool) {
	l, ok := findLayout(rows)
	if len(cols) == 0 {
		return l, "", ok
	}
	if !ok {
		l = layout{header: 0, cols: map[string]int{}}
	}
	if msg := l.override(cols); msg != "" {
		return l, msg, true
	}
	return l, "", true
}

func parseExcel(data []byte, cols Columns) (res Result, problems []Problem) {
	defer func() {
		if r := recover(); r != nil {
			res, problems = Result{}, []Problem{{At: "文件", Message: "无法读取 Excel 文件，请确认是 .xlsx 格式"}}
		}
	}()
	f, err := media.OpenXLSX(data, media.DefaultXLSXLimits)
	if errors.Is(err, media.ErrZipTooLarge) {
		return Result{}, []Problem{{At: "文件", Message: media.MsgZipTooLarge}}
	}
	if err != nil {
		return Result{}, []Problem{{At: "文件", Message: "无法读取 Excel 文件，请确认是 .xlsx 格式"}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Result{}, []Problem{{At: "文件", Message: "Excel 文件中没有工作表"}}
	}
	for _, sheet := range sheets {
		rows, err := f.GetRows(sheet)
		if err != nil {
			return Result{}, []Problem{{At: "文件", Message: "无法读取工作表「" + sheet + "」"}}
		}
		if l, msg, ok := tableLayout(rows, cols); ok {
			if msg != "" {
				return Result{}, []Problem{{At: "列设置", Message: msg}}
			}
			if err := placePictures(f, sheet, rows, l); err != nil {
				return Result{}, []Problem{{At: "文件", Message: "无法读取工作表「" + sheet + "」中的图片"}}
			}
			return parseTable(rows, l, sheetType(sheet))
		}
	}
	first, _ := f.GetRows(sheets[0])
	return Result{Header: firstRow(first)}, []Problem{{At: rowAt(1), Row: 1, Message: headerHelp}}
}

// placePictures writes the pictures placed on a sheet's question rows into
// their cells as media marks: a picture over the stem, an option, the
// options or the analysis column goes with that text, one anywhere else
// in the row with the stem, so that no picture of a question is dropped.
func placePictures(f *excelize.File, sheet string, rows [][]string, l layout) error {
	cells, err := f.GetPictureCells(sheet)
	if err != nil || len(cells) == 0 {
		return err
	}
	keep := map[int]bool{l.col(roleStem): true, l.col(roleOptions): true, l.col(roleNotes): true}
	for _, c := range l.options {
		keep[c] = true
	}
	for _, cell := range cells {
		col, row, err := excelize.CellNameToCoordinates(cell)
		if err != nil {
			return err
		}
		col, row = col-1, row-1
		if row <= l.header || row >= len(rows) {
			continue // a logo or a picture in the title rows
		}
		if !keep[col] {
			col = l.col(roleStem)
		}
		if col < 0 {
			continue
		}
		pics, err := f.GetPictures(sheet, cell)
		if err != nil {
			return err
		}
		for len(rows[row]) <= col {
			rows[row] = append(rows[row], "")
		}
		for _, p := range pics {
			ct, _ := item.SniffMedia(p.File)
			rows[row][col] += markMedia("img", "data:"+ct+";base64,"+base64.StdEncoding.EncodeToString(p.File))
		}
	}
	return nil
}

// firstRow is a sheet's first non-empty row: what the admin may name the
// columns of when no header is recognised.
func firstRow(rows [][]string) []string {
	for _, r := range rows {
		if !isBlank(r) {
			return r
		}
	}
	return nil
}

// ParseCSV reads a .csv table like an Excel sheet (UTF-8, or GBK as Excel
// saves it on Chinese Windows).
func ParseCSV(data []byte) (Result, []Problem) { return parseCSV(data, nil) }

func parseCSV(data []byte, cols Columns) (Result, []Problem) {
	data, msg := textUTF8(data)
	if msg != "" {
		return Result{}, []Problem{{At: "文件", Message: msg}}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		return Result{}, []Problem{{At: "文件", Message: "CSV 格式错误：" + err.Error()}}
	}
	l, msg, ok := tableLayout(rows, cols)
	if !ok {
		return Result{Header: firstRow(rows)}, []Problem{{At: rowAt(1), Row: 1, Message: headerHelp}}
	}
	if msg != "" {
		return Result{}, []Problem{{At: "列设置", Message: msg}}
	}
	return parseTable(rows, l, "")
}

// sheetType is the type a sheet's name gives its rows ("单选题").
func sheetType(name string) item.Type {
	return typeWords[strings.TrimSpace(halfWidth(name))]
}

// parseTable reads the rows below the header.
func parseTable(rows [][]string, l layout, def item.Type) (Result, []Problem) {
	if l.col(roleRight) >= 0 && l.col(roleOptions) >= 0 {
		return parseOptionRows(rows, l, def)
	}
	var c collector
	c.res.Layout, c.res.Columns = l.describe(), l.columns()
	if l.header < len(rows) {
		c.res.Header = rows[l.header]
	}
	for i := l.header + 1; i < len(rows); i++ {
		cells := rows[i]
		if isBlank(cells) {
			continue
		}
		if instructionRow(cells) {
			c.res.Skipped = append(c.res.Skipped, Skipped{At: rowAt(i + 1), Reason: "模板的填写说明，不是试题"})
			continue
		}
		q, own := excelRow(l, cells, def)
		c.add(rowAt(i+1), i+1, q, own)
	}
	return c.done()
}

// instructionWords mark a template's instruction rows below its header
// (例：… 此项不能为空; 导入前请删除第二、三行), which templates tell the
// admin to delete and admins often leave.
var instructionWords = []string{"此项不能为空", "删除第", "请删除", "导入前", "填写说明", "填写须知"}

func instructionRow(cells []string) bool {
	for _, c := range cells {
		for _, w := range instructionWords {
			if strings.Contains(c, w) {
				return true
			}
		}
	}
	return false
}

func isBlank(cells []string) bool {
	for _, s := range cells {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// excelRow turns one data row into a question and the problems the
// parser finds itself (keyed like Validate's fields).
func excelRow(l layout, cells []string, def item.Type) (item.Question, map[string]string) {
	own := map[string]string{}
	var q item.Question

	word := l.cell(cells, roleType)
	typ, ok := typeWords[strings.ReplaceAll(halfWidth(word), " ", "")]
	switch {
	case ok:
	case word == "" && def != "":
		typ = def
	case word == "":
		typ = ""
	default:
		own["type"] = "题型「" + word + "」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）"
	}
	q.Stem = l.cell(cells, roleStem)

	// Options: the 选项 columns without gaps, or one cell with them all.
	last := -1
	for k, col := range l.options {
		if col < len(cells) && strings.TrimSpace(cells[col]) != "" {
			last = k
		}
	}
	for k := 0; k <= last; k++ {
		o := stripLetter(strings.TrimSpace(cells[l.options[k]]), k)
		if o == "" {
			own["options"] = fmt.Sprintf("选项%c 为空，但后面的选项有内容", item.Letters[k])
		}
		q.Options = append(q.Options, o)
	}
	if len(q.Options) == 0 {
		opts, msg := splitOptions(l.cell(cells, roleOptions))
		if msg != "" {
			own["options"] = msg
		}
		q.Options = opts
	}
	raw := l.cell(cells, roleAnswer)
	if raw == "" && len(l.flags) > 0 && len(q.Options) > 0 {
		// The answer as the options marked right (选项一是否正确 …).
		right, msg := flaggedOptions(l, cells, len(q.Options))
		if msg != "" {
			own["answer"] = msg
		}
		switch {
		case typ == item.Judge || typ == "" && isTrueFalsePair(q.Options):
			if len(right) == 1 {
				raw = q.Options[right[0]-'A']
			}
		case typ == "" && len(right) > 1:
			typ, raw = item.Multiple, right
		case typ == "" && len(right) == 1:
			typ, raw = item.Single, right
		case typ == item.Single && len(right) > 1:
			own["answer"] = "单选题只能有一个正确选项，这道题标了 " + right
		default:
			raw = right
		}
		if len(right) == 0 && msg == "" {
			own["answer"] = "这道题没有标为正确的选项（是否正确 填 是 或 1）"
		}
	}
	if typ == "" {
		typ = guessType(q.Options, raw)
		if typ == "" {
			own["type"] = "题型必填（单选、多选、判断、填空 或 简答）"
		}
	}
	if typ == item.Judge && isTrueFalsePair(q.Options) {
		// 判断 with 选项 A 正确, B 错误: the answer may be the letter.
		if k := strings.Index(item.Letters, strings.ToUpper(strings.Trim(halfWidth(raw), " .、"))); k >= 0 && k < len(q.Options) {
			raw = q.Options[k]
		}
		q.Options = nil
	}
	if (typ == item.Blank || typ == item.Short || typ == item.Judge) && len(q.Options) > 0 {
		own["options"] = item.TypeNames[typ] + "题不需要选项"
	}
	q.Type = typ
	if typ == anyChoice {
		q.Type = item.Multiple
	}
	if typ != "" && own["type"] == "" {
		if msg := excelAnswer(&q, raw); msg != "" {
			own["answer"] = msg
		}
		if typ == anyChoice && len(q.Key.Choices) == 1 {
			q.Type = item.Single
		}
	}

	score := strings.TrimSuffix(strings.TrimSpace(halfWidth(l.cell(cells, roleScore))), "分")
	switch {
	case score == "" && l.col(roleScore) < 0:
		q.Score = 1
	case score == "":
		own["score"] = "分值必填"
	default:
		v, msg := parseScore(l.cell(cells, roleScore))
		if msg != "" {
			own["score"] = msg
		}
		q.Score = v
	}

	diff := l.cell(cells, roleDiff)
	if d, ok := difficultyWord(diff); ok {
		q.Difficulty = d
	} else {
		own["difficulty"] = "难度「" + diff + "」无效，应为 1 到 5 的整数，或 易、中、难（简单、中等、困难）"
	}

	q.Tags = splitTags(l.cell(cells, roleTags))
	q.Analysis = l.cell(cells, roleNotes)
	return q, own
}

// parseOptionRows reads the layout with one row per option: 题目序号 (or
// an empty stem) ties the rows of a question together, 选项内容 is the
// row's option and 是否正确项 (是/否, √/×, 1/0) marks the right ones; the
// question's other cells stand on its first row.
func parseOptionRows(rows [][]string, l layout, def item.Type) (Result, []Problem) {
	var c collector
	c.res.Layout, c.res.Columns = l.describe(), l.columns()
	c.res.Header = rows[l.header]
	type group struct {
		first int // row index of the question's first row
		seq   string
		opts  []string
		right string
	}
	var g *group
	flush := func() {
		if g == nil {
			return
		}
		cells := rows[g.first]
		lq := layout{header: l.header, cols: map[string]int{}}
		for role, i := range l.cols {
			if role != roleOptions && role != roleAnswer && role != roleRight {
				lq.cols[role] = i
			}
		}
		q, own := excelRow(lq, cells, def)
		q.Options = g.opts
		if typeWords[strings.ReplaceAll(halfWidth(l.cell(cells, roleType)), " ", "")] == anyChoice {
			q.Type = "" // 不定项: single or multiple by the marked options
		}
		if q.Type == "" || q.Type == item.Single || q.Type == item.Multiple {
			delete(own, "type")
			switch {
			case q.Type == "" && len(g.right) > 1:
				q.Type = item.Multiple
			case q.Type == "":
				q.Type = item.Single
			}
			delete(own, "answer")
			if k, msg := item.ParseChoiceCell(q.Type, strings.Join(strings.Split(g.right, ""), "|")); msg != "" {
				own["answer"] = msg
			} else {
				q.Key = k
			}
			if g.right == "" {
				own["answer"] = "这道题没有标为正确的选项（是否正确项 填 是）"
			}
			if q.Type == item.Single && len(g.right) > 1 {
				own["answer"] = "单选题只能有一个正确选项，这道题标了 " + g.right
			}
		} else {
			own["type"] = "一行一个选项的表格只能放选择题"
		}
		c.add(rowAt(g.first+1), g.first+1, q, own)
		g = nil
	}
	for i := l.header + 1; i < len(rows); i++ {
		cells := rows[i]
		if isBlank(cells) {
			continue
		}
		seq, stem := l.cell(cells, roleSeq), l.cell(cells, roleStem)
		if g == nil || (seq != "" && seq != g.seq) || (seq == "" && stem != "") {
			flush()
			g = &group{first: i, seq: seq}
		}
		if len(g.opts) >= item.MaxOptions {
			c.problem(rowAt(i+1), i+1, "一道题最多 8 个选项")
			continue
		}
		letter := item.Letters[len(g.opts)]
		g.opts = append(g.opts, stripLetter(l.cell(cells, roleOptions), len(g.opts)))
		right := l.cell(cells, roleRight)
		switch v, ok := yesNo(right); {
		case !ok:
			c.problem(rowAt(i+1), i+1, "是否正确项「"+right+"」应为 是 或 否")
		case v:
			g.right += string(letter)
		}
	}
	flush()
	return c.done()
}

// flaggedOptions reads the letters of the options whose 是否正确 column
// says yes, or why a cell there cannot be read.
func flaggedOptions(l layout, cells []string, n int) (string, string) {
	var right []byte
	for k := 0; k < n && k < len(l.flags); k++ {
		c := l.flags[k]
		if c < 0 || c >= len(cells) {
			continue
		}
		v, ok := yesNo(cells[c])
		if !ok {
			return "", fmt.Sprintf("第 %d 列（选项%c是否正确）「%s」应为 是/否 或 1/0", c+1, item.Letters[k], strings.TrimSpace(cells[c]))
		}
		if v {
			right = append(right, item.Letters[k])
		}
	}
	return string(right), ""
}

// yesNo reads 是否正确项: 是/否, 正确/错误, √/×, Y/N, 1/0; empty is 否.
func yesNo(s string) (bool, bool) {
	switch strings.ToUpper(strings.TrimSpace(halfWidth(s))) {
	case "", "否", "N", "NO", "0", "错误", "错", "×", "F", "FALSE":
		return false, true
	case "是", "Y", "YES", "1", "正确", "对", "√", "✓", "T", "TRUE":
		return true, true
	}
	return false, false
}

// parseScore reads a 分值 ("2", "1.5", "2分"); raw is the cell as written.
func parseScore(raw string) (float64, string) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(halfWidth(raw)), "分"))
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		return 0, "分值「" + raw + "」不是数字"
	case v <= 0 || v > 100:
		return 0, "分值应在 0 到 100 之间"
	case strings.Contains(s, ".") && len(strings.TrimRight(s[strings.IndexByte(s, '.')+1:], "0")) > 2:
		return 0, "分值最多两位小数"
	}
	return v, ""
}

// guessType tells a row's type when the sheet has no 题型: options and
// letters make a choice question, a true/false word a judge question.
func guessType(opts []string, answer string) item.Type {
	if len(opts) > 0 {
		if k, msg := item.ParseChoiceCell(item.Multiple, halfWidth(answer)); msg == "" && len(k.Choices) > 1 {
			return item.Multiple
		}
		return item.Single
	}
	if _, ok := judgeWord(answer); ok {
		return item.Judge
	}
	return ""
}

// isTrueFalsePair tells whether options are just 正确/错误 (or 对/错).
func isTrueFalsePair(opts []string) bool {
	if len(opts) != 2 {
		return false
	}
	a, okA := judgeWord(opts[0])
	b, okB := judgeWord(opts[1])
	return okA && okB && a != b
}

// difficultyWord reads 难度: 1–5, or the words Chinese templates use; an
// empty cell is the middle, 3.
func difficultyWord(s string) (int, bool) {
	s = strings.TrimSpace(halfWidth(s))
	switch s {
	case "":
		return 3, true
	case "很易", "很容易", "非常简单", "极易":
		return 1, true
	case "易", "容易", "简单", "较易", "较容易", "较简单", "低":
		return 2, true
	case "中", "中等", "一般", "适中", "普通":
		return 3, true
	case "难", "困难", "较难", "较困难", "高":
		return 4, true
	case "很难", "非常难", "极难", "很困难":
		return 5, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != float64(int(v)) || v < 1 || v > 5 {
		return 0, false
	}
	return int(v), true
}

// excelAnswer reads the 答案 column in the form of q's type.
func excelAnswer(q *item.Question, raw string) string {
	switch q.Type {
	case item.Single, item.Multiple:
		k, msg := item.ParseChoiceCell(q.Type, halfWidth(raw))
		if msg != "" {
			// The answer written as the right option's text.
			i := slices.Index(q.Options, strings.TrimSpace(raw))
			if i < 0 || i >= item.MaxOptions {
				return msg
			}
			k = item.Key{Choices: string(item.Letters[i])}
		}
		q.Key.Choices, q.Key.Partial = k.Choices, k.Partial
	case item.Judge:
		if raw == "" {
			return "答案必填"
		}
		v, ok := judgeWord(raw)
		if !ok {
			return "判断题答案「" + raw + "」无效，应为 正确/错误（或 对/错）"
		}
		q.Key.Judge = v
	case item.Blank:
		q.Key.Blanks = splitBlanks(raw)
	case item.Short:
		q.Key.Reference = raw
	}
	return ""
}

// splitBlanks splits a blank answer: blanks by ；or ;, alternatives by |.
// Empty trailing blanks (a final separator) are dropped.
func splitBlanks(raw string) []string {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	// Blanks are separated by ；or ;, alternatives by | or ｜; a backslash
	// makes the next character literal ("1\;2" is one answer "1;2").
	var blanks [][]string
	var alts []string
	var cur strings.Builder
	endAlt := func() {
		if a := strings.TrimSpace(cur.String()); a != "" {
			alts = append(alts, a)
		}
		cur.Reset()
	}
	rs := []rune(raw)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
		case r == ';' || r == '；':
			endAlt()
			blanks, alts = append(blanks, alts), nil
		case r == '|' || r == '｜':
			endAlt()
		default:
			cur.WriteRune(r)
		}
	}
	endAlt()
	blanks = append(blanks, alts)
	for len(blanks) > 1 && len(blanks[len(blanks)-1]) == 0 {
		blanks = blanks[:len(blanks)-1]
	}
	out := make([]string, len(blanks))
	for i, b := range blanks {
		out[i] = strings.Join(b, "|")
	}
	return out
}

// joinBlanks writes a blank key as the 答案 cell splitBlanks reads: the
// characters that would split it are escaped with a backslash.
func joinBlanks(blanks []string) string {
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, "；", `\；`, "｜", `\｜`)
	out := make([]string, len(blanks))
	for i, b := range blanks {
		alts := strings.Split(b, "|")
		for j, a := range alts {
			alts[j] = esc.Replace(a)
		}
		out[i] = strings.Join(alts, "|")
	}
	return strings.Join(out, "；")
}

func splitTags(raw string) []string {
	var tags []string
	seen := map[string]bool{}
	for _, t := range strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(",，、;；", r) }) {
		if t = strings.TrimSpace(t); t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	return tags
}

// templateExamples are the example rows of the template, one per type.
var templateExamples = []item.Question{
	{Type: item.Single, Stem: "中国共产党的根本宗旨是（ ）。", Options: []string{"全心全意为人民服务", "实现共产主义", "发展生产力", "依法治国"}, Key: item.Key{Choices: "A"}, Score: 2, Difficulty: 2, Tags: []string{"党章", "党的建设"}, Analysis: "见《中国共产党章程》总纲。"},
	{Type: item.Multiple, Stem: "“四个意识”包括（ ）。", Options: []string{"政治意识", "大局意识", "核心意识", "看齐意识", "忧患意识"}, Key: item.Key{Choices: "ABCD"}, Score: 3, Difficulty: 3, Tags: []string{"党的建设"}},
	{Type: item.Judge, Stem: "党的最高领导机关是党的全国代表大会和它所产生的中央委员会。", Key: item.Key{Judge: true}, Score: 1, Difficulty: 1, Tags: []string{"党章"}},
	{Type: item.Blank, Stem: "党的二十大报告指出，从现在起，中国共产党的中心任务就是团结带领全国各族人民全面建成____强国、实现第二个百年奋斗目标，以____全面推进中华民族伟大复兴。", Key: item.Key{Blanks: []string{"社会主义现代化", "中国式现代化"}}, Score: 2, Difficulty: 3, Tags: []string{"二十大"}},
	{Type: item.Blank, Stem: "我国的根本政治制度是____。", Key: item.Key{Blanks: []string{"人民代表大会制度|人大制度"}}, Score: 1, Difficulty: 2, Tags: []string{"宪法"}, Analysis: "多个可接受的答案用 | 分隔。"},
	{Type: item.Short, Stem: "结合本职工作，谈谈如何做到学思用贯通、知信行统一。", Key: item.Key{Reference: "要点：理论学习、联系实际、推动工作。"}, Score: 10, Difficulty: 4, Tags: []string{"理论学习"}},
}

var instructions = [][]string{
	{"列", "填写说明"},
	{"题型", "必填：单选、多选、判断、填空 或 简答（也可写 单项选择题、多项选择题、判断题、填空题、简答题）"},
	{"题干", "必填，不超过 5000 字；填空题用 ____ 标出空的位置"},
	{"选项A–选项H", "单选、多选题必填 2 到 8 个选项，从选项A 起依次填写，中间不能空；判断、填空、简答题不填"},
	{"答案", "单选写一个字母，如 B（几个选项单独选都算对时写 A|C；其他选项得部分分时在后面写 ；C:50%）；多选写多个字母，如 ACD 或 A,C,D；判断写 正确/错误（或 对/错）；填空题多个空的答案用 ；或 ; 分隔（题干中用 ____ 或（ ）标出每个空，个数要与答案一致；答案本身含 ; ；｜ 时在前面加 \\），同一个空有多个可接受答案用 | 分隔，如 人民代表大会制度|人大制度，按数值评分的答案以 # 开头，如 #3.14（3.140 也对）、#3.14:0.01（误差 ±0.01）、#1..5（1 到 5 之间）；简答写参考答案（可空）"},
	{"分值", "必填，大于 0、不超过 100 的数，最多两位小数"},
	{"难度", "1 到 5 的整数，1 最易；不填为 3"},
	{"标签", "可空，多个标签用 , ， 、 或 ; 分隔"},
	{"解析", "可空"},
	{"导入规则", "整份文件全部正确才会导入；有错误时不导入任何试题，并列出出错的行号和原因。空行会被忽略。"},
}

// Template writes the .xlsx template: Chinese headers, an example row
// per type on the first sheet and a 说明 sheet.
func Template(w io.Writer) error { return writeBook(w, templateExamples) }

// Export writes questions to an .xlsx in the template's format, so the
// export can be imported again.
func Export(w io.Writer, qs []item.Question) error { return writeBook(w, qs) }

func writeBook(w io.Writer, qs []item.Question) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "试题"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	widths := map[int]float64{1: 8, 2: 50, 11: 14, 12: 6, 13: 6, 14: 16, 15: 30}
	for col := 1; col <= len(Headers); col++ {
		wd, ok := widths[col]
		if !ok {
			wd = 16
		}
		if err := sw.SetColWidth(col, col, wd); err != nil {
			return err
		}
	}
	head := make([]any, len(Headers))
	for i, h := range Headers {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{}); err != nil {
		return err
	}
	for i := range qs {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, exportRow(&qs[i])); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.NewSheet("说明"); err != nil {
		return err
	}
	for i, row := range instructions {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := []any{row[0], row[1]}
		if err := f.SetSheetRow("说明", cell, &vals); err != nil {
			return err
		}
	}
	_ = f.SetColWidth("说明", "A", "A", 14)
	_ = f.SetColWidth("说明", "B", "B", 100)
	_ = f.SetCellStyle("说明", "A1", "B1", bold)
	f.SetActiveSheet(0)
	return f.Write(w)
}

func exportRow(q *item.Question) []any {
	row := make([]any, len(Headers))
	row[colType] = item.TypeNames[q.Type]
	row[colStem] = q.Stem
	for i, o := range q.Options {
		if i < item.MaxOptions {
			row[colOptA+i] = o
		}
	}
	switch q.Type {
	case item.Single, item.Multiple:
		row[colAnswer] = item.ChoiceCell(q.Type, q.Key)
	case item.Judge:
		if q.Key.Judge {
			row[colAnswer] = "正确"
		} else {
			row[colAnswer] = "错误"
		}
	case item.Blank:
		row[colAnswer] = joinBlanks(q.Key.Blanks)
	default:
		row[colAnswer] = q.Key.Reference
	}
	row[colScore] = q.Score
	row[colDiff] = q.Difficulty
	row[colTags] = strings.Join(q.Tags, "，")
	row[colNotes] = q.Analysis
	for i, v := range row {
		if v == nil {
			row[i] = ""
		}
	}
	return row
}
