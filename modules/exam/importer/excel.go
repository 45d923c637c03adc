package importer

import (
	"errors"
	"fmt"
	"io"
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
	"单选": item.Single, "单选题": item.Single, "单项选择": item.Single, "单项选择题": item.Single,
	"多选": item.Multiple, "多选题": item.Multiple, "多项选择": item.Multiple, "多项选择题": item.Multiple,
	"判断": item.Judge, "判断题": item.Judge,
	"填空": item.Blank, "填空题": item.Blank,
	"简答": item.Short, "简答题": item.Short,
}

func rowAt(n int) string { return fmt.Sprintf("第 %d 行", n) }

// ParseExcel reads the first sheet of an .xlsx in the template's format.
func ParseExcel(data []byte) (res Result, problems []Problem) {
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
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Result{}, []Problem{{At: "文件", Message: "无法读取第一个工作表"}}
	}
	defer rows.Close()
	var c collector
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns()
		if err != nil {
			c.problem(rowAt(n), n, "无法读取该行")
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if n == 1 {
			if msg := checkHeader(cells); msg != "" {
				return Result{}, []Problem{{At: rowAt(1), Row: 1, Message: msg}}
			}
			continue
		}
		if isBlank(cells) {
			continue
		}
		for len(cells) < len(Headers) {
			cells = append(cells, "")
		}
		q, own := excelRow(cells)
		c.add(rowAt(n), n, q, own)
	}
	if err := rows.Error(); err != nil {
		c.problem("文件", 0, "读取工作表出错")
	}
	if n == 0 {
		return Result{}, []Problem{{At: rowAt(1), Row: 1, Message: "表头缺失，第一行应为：" + strings.Join(Headers, "、")}}
	}
	return c.done()
}

func checkHeader(cells []string) string {
	var bad []string
	for i, h := range Headers {
		got := ""
		if i < len(cells) {
			got = cells[i]
		}
		if got != h {
			if got == "" {
				bad = append(bad, fmt.Sprintf("第 %d 列应为「%s」，实为空", i+1, h))
			} else {
				bad = append(bad, fmt.Sprintf("第 %d 列应为「%s」，实为「%s」", i+1, h, got))
			}
		}
	}
	if len(bad) == 0 {
		return ""
	}
	if len(bad) > 3 {
		bad = append(bad[:3], "…")
	}
	return "表头不符合模板（应为 " + strings.Join(Headers, "、") + "）：" + strings.Join(bad, "；")
}

func isBlank(cells []string) bool {
	for _, s := range cells {
		if s != "" {
			return false
		}
	}
	return true
}

// excelRow turns one data row into a question and the problems the
// parser finds itself (keyed like Validate's fields).
func excelRow(cells []string) (item.Question, map[string]string) {
	own := map[string]string{}
	var q item.Question

	word := cells[colType]
	if t, ok := typeWords[halfWidth(word)]; ok {
		q.Type = t
	} else if word == "" {
		own["type"] = "题型必填（单选、多选、判断、填空 或 简答）"
	} else {
		own["type"] = "题型「" + word + "」无效，应为 单选、多选、判断、填空 或 简答"
	}
	q.Stem = cells[colStem]

	// Options: the non-empty 选项 columns, without gaps.
	last := -1
	for i := 0; i < item.MaxOptions; i++ {
		if cells[colOptA+i] != "" {
			last = i
		}
	}
	for i := 0; i <= last; i++ {
		o := cells[colOptA+i]
		if o == "" {
			own["options"] = fmt.Sprintf("选项%c 为空，但后面的选项有内容", item.Letters[i])
		}
		q.Options = append(q.Options, o)
	}
	if (q.Type == item.Blank || q.Type == item.Short) && len(q.Options) > 0 {
		own["options"] = item.TypeNames[q.Type] + "题不需要选项"
	}

	if q.Type != "" {
		if msg := excelAnswer(&q, cells[colAnswer]); msg != "" {
			own["answer"] = msg
		}
	}

	score := halfWidth(cells[colScore])
	if score == "" {
		own["score"] = "分值必填"
	} else if v, err := strconv.ParseFloat(score, 64); err != nil {
		own["score"] = "分值「" + cells[colScore] + "」不是数字"
	} else if v <= 0 || v > 100 {
		own["score"] = "分值应在 0 到 100 之间"
	} else if i := strings.IndexByte(score, '.'); i >= 0 && len(strings.TrimRight(score[i+1:], "0")) > 2 {
		own["score"] = "分值最多两位小数"
	} else {
		q.Score = v
	}

	diff := halfWidth(cells[colDiff])
	if diff == "" {
		q.Difficulty = 3
	} else if v, err := strconv.ParseFloat(diff, 64); err != nil || v != float64(int(v)) || v < 1 || v > 5 {
		own["difficulty"] = "难度「" + cells[colDiff] + "」无效，应为 1 到 5 的整数"
	} else {
		q.Difficulty = int(v)
	}

	q.Tags = splitTags(cells[colTags])
	q.Analysis = cells[colNotes]
	return q, own
}

// excelAnswer reads the 答案 column in the form of q's type.
func excelAnswer(q *item.Question, raw string) string {
	switch q.Type {
	case item.Single, item.Multiple:
		k, msg := item.ParseChoiceCell(q.Type, halfWidth(raw))
		if msg != "" {
			return msg
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
