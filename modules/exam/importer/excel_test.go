package importer

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"college/modules/exam/item"
)

// book builds an .xlsx whose first sheet holds rows (row 1 = rows[0]).
func book(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// row makes a template row: type, stem, options (up to 8), answer, score, difficulty, tags, analysis.
func row(typ, stem string, opts []string, answer, score, diff, tags, analysis string) []string {
	r := make([]string, len(Headers))
	r[colType], r[colStem] = typ, stem
	copy(r[colOptA:colOptA+item.MaxOptions], opts)
	r[colAnswer], r[colScore], r[colDiff], r[colTags], r[colNotes] = answer, score, diff, tags, analysis
	return r
}

var abcd = []string{"甲", "乙", "丙", "丁"}

func goodRows() [][]string {
	return [][]string{
		Headers,
		row("单选", "单选题干", abcd, " ｂ ", "2", "1", "党章,党的建设", "单选解析"),
		row("多项选择题", "多选题干", []string{"一", "二", "三", "四", "五"}, "A、C、D", "3.5", "", "理论，二十大", ""),
		row("判断", "判断对", nil, "对", "1", "2", "", ""),
		{},
		row("判断题", "判断错", nil, "错", "1", "5", "", ""),
		row("填空", "填空 ____ 和 ____", nil, "人民代表大会制度 | 人大制度；中国式现代化", "2", "4", "宪法;二十大；宪法", "两个空"),
		row("简答", "简答题干", nil, "参考答案要点", "10", "3", "", "人工阅卷"),
		row("简答题", "无参考答案的简答", nil, "", "5", "", "", ""),
	}
}

func TestParseExcelGood(t *testing.T) {
	res, probs := ParseExcel(book(t, goodRows()))
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	want := []item.Question{
		{Type: item.Single, Stem: "单选题干", Options: abcd, Key: item.Key{Choices: "B"}, Score: 2, Difficulty: 1, Tags: []string{"党章", "党的建设"}, Analysis: "单选解析"},
		{Type: item.Multiple, Stem: "多选题干", Options: []string{"一", "二", "三", "四", "五"}, Key: item.Key{Choices: "ACD"}, Score: 3.5, Difficulty: 3, Tags: []string{"理论", "二十大"}},
		{Type: item.Judge, Stem: "判断对", Key: item.Key{Judge: true}, Score: 1, Difficulty: 2},
		{Type: item.Judge, Stem: "判断错", Key: item.Key{Judge: false}, Score: 1, Difficulty: 5},
		{Type: item.Blank, Stem: "填空 ____ 和 ____", Key: item.Key{Blanks: []string{"人民代表大会制度|人大制度", "中国式现代化"}}, Score: 2, Difficulty: 4, Tags: []string{"宪法", "二十大"}, Analysis: "两个空"},
		{Type: item.Short, Stem: "简答题干", Key: item.Key{Reference: "参考答案要点"}, Score: 10, Difficulty: 3, Analysis: "人工阅卷"},
		{Type: item.Short, Stem: "无参考答案的简答", Score: 5, Difficulty: 3},
	}
	if !reflect.DeepEqual(res.Questions, want) {
		t.Fatalf("got\n%#v\nwant\n%#v", res.Questions, want)
	}
}

func TestParseExcelAnswerForms(t *testing.T) {
	cases := []struct {
		typ, answer string
		want        item.Key
	}{
		{"多选", "ACD", item.Key{Choices: "ACD"}},
		{"多选", "a,c,d", item.Key{Choices: "ACD"}},
		{"多选", "ＡＣ", item.Key{Choices: "AC"}},
		{"多选", "D;B", item.Key{Choices: "BD"}},
		{"判断", "正确", item.Key{Judge: true}},
		{"判断", "错误", item.Key{Judge: false}},
		{"判断", "√", item.Key{Judge: true}},
		{"判断", "×", item.Key{Judge: false}},
		{"判断", "T", item.Key{Judge: true}},
		{"判断", "false", item.Key{Judge: false}},
		{"填空", "甲;乙|丙；丁", item.Key{Blanks: []string{"甲", "乙|丙", "丁"}}},
		{"填空", "甲；", item.Key{Blanks: []string{"甲"}}},
	}
	for _, c := range cases {
		var opts []string
		if c.typ == "多选" {
			opts = abcd
		}
		stem := "题"
		if c.typ == "填空" {
			stem = strings.Repeat("____，", len(c.want.Blanks))
		}
		res, probs := ParseExcel(book(t, [][]string{Headers, row(c.typ, stem, opts, c.answer, "1", "", "", "")}))
		if len(probs) > 0 || len(res.Questions) != 1 {
			t.Errorf("%s %q: problems %+v", c.typ, c.answer, probs)
			continue
		}
		if got := res.Questions[0].Key; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: key %#v, want %#v", c.typ, c.answer, got, c.want)
		}
	}
}

func TestParseExcelBroken(t *testing.T) {
	good := row("单选", "好题", abcd, "A", "1", "", "", "")
	cases := []struct {
		name string
		bad  []string
		want string // part of the message
	}{
		{"missing answer", row("单选", "题", abcd, "", "1", "", "", ""), "答案必填"},
		{"answer not among options", row("单选", "题", abcd, "E", "1", "", "", ""), "答案 E 不在选项中"},
		{"answer not a letter", row("多选", "题", abcd, "A和B", "1", "", "", ""), "应为选项字母"},
		{"single with two answers", row("单选", "题", abcd, "AB", "1", "", "", ""), "单选题只能有一个正确答案"},
		{"bad type", row("论述", "题", nil, "x", "1", "", "", ""), "题型「论述」无效"},
		{"gap in options", row("单选", "题", []string{"一", "二", "", "四"}, "A", "1", "", "", ""), "选项C 为空"},
		{"bad score", row("单选", "题", abcd, "A", "两分", "", "", ""), "分值「两分」不是数字"},
		{"missing score", row("单选", "题", abcd, "A", "", "", "", ""), "分值必填"},
		{"zero score", row("单选", "题", abcd, "A", "0", "", "", ""), "分值应在 0 到 100 之间"},
		{"three decimals", row("单选", "题", abcd, "A", "1.125", "", "", ""), "分值最多两位小数"},
		{"bad difficulty", row("单选", "题", abcd, "A", "1", "6", "", ""), "难度「6」无效"},
		{"fractional difficulty", row("单选", "题", abcd, "A", "1", "2.5", "", ""), "难度「2.5」无效"},
		{"bad judge word", row("判断", "题", nil, "也许", "1", "", "", ""), "判断题答案「也许」无效"},
		{"judge with options", row("判断", "题", abcd, "对", "1", "", "", ""), "判断题不需要选项"},
		{"blank with options", row("填空", "题", abcd, "甲", "1", "", "", ""), "填空题不需要选项"},
		{"empty blank", row("填空", "题", nil, "甲;;乙", "1", "", "", ""), "填空题每个空都要有答案"},
		{"missing stem", row("单选", "", abcd, "A", "1", "", "", ""), "题干必填"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Good row 2, blank row 3, bad row 4, good row 5.
			res, probs := ParseExcel(book(t, [][]string{Headers, good, {}, c.bad, good}))
			if len(res.Questions) != 0 {
				t.Errorf("questions returned despite a bad row: %d", len(res.Questions))
			}
			if len(probs) != 1 {
				t.Fatalf("want 1 problem, got %+v", probs)
			}
			p := probs[0]
			if p.Row != 4 || p.At != "第 4 行" || !strings.Contains(p.Message, c.want) {
				t.Errorf("got %+v, want row 4 with %q", p, c.want)
			}
		})
	}
}

func TestParseExcelSeveralBadRows(t *testing.T) {
	rows := [][]string{Headers}
	for i := 0; i < 250; i++ {
		rows = append(rows, row("单选", "题", abcd, "Z", "1", "", "", ""))
	}
	rows[3] = row("单选", "题", abcd, "A", "x", "9", "", "")
	res, probs := ParseExcel(book(t, rows))
	if len(res.Questions) != 0 || len(probs) != MaxProblems {
		t.Fatalf("questions %d problems %d", len(res.Questions), len(probs))
	}
	if probs[0].Row != 2 || probs[2].Row != 4 || !strings.Contains(probs[2].Message, "分值") || !strings.Contains(probs[2].Message, "难度") {
		t.Errorf("problems: %+v", probs[:3])
	}
}

// Columns are found by their names and synonyms below any title rows; a
// sheet without a recognisable header is refused with what it should hold.
func TestParseExcelHeader(t *testing.T) {
	renamed := append([]string(nil), Headers...)
	renamed[1], renamed[10], renamed[11], renamed[13] = "题目", "正确答案", "分数", "知识点"
	res, probs := ParseExcel(book(t, [][]string{{"2026 年党章题库（请勿修改表头）"}, {}, renamed, row("单选题", "题", abcd, "A．", "2分", "易", "党章", "")}))
	if len(probs) > 0 || len(res.Questions) != 1 {
		t.Fatalf("renamed header under a title: %+v %+v", res, probs)
	}
	if q := res.Questions[0]; q.Type != item.Single || q.Key.Choices != "A" || q.Score != 2 || q.Difficulty != 2 || q.Tags[0] != "党章" {
		t.Errorf("renamed header: %+v", q)
	}
	for name, rows := range map[string][][]string{
		"empty":   {},
		"no stem": {{"题型", "选项A", "答案"}, {"单选", "甲", "A"}},
		"prose":   {{"说明：请按模板填写"}, {"第二行"}},
	} {
		res, probs := ParseExcel(book(t, rows))
		if len(res.Questions) != 0 || len(probs) != 1 || probs[0].Message != headerHelp {
			t.Errorf("%s: %+v %+v", name, res, probs)
		}
	}
}

func TestParseExcelNoRows(t *testing.T) {
	res, probs := ParseExcel(book(t, [][]string{Headers}))
	if len(res.Questions) != 0 || len(probs) != 1 || !strings.Contains(probs[0].Message, "没有找到试题") {
		t.Errorf("%+v %+v", res, probs)
	}
}

func TestParseExcelCorrupt(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("not a zip"), []byte("PK\x03\x04garbage"), book(t, goodRows())[:500]} {
		res, probs := ParseExcel(data)
		if len(res.Questions) != 0 || len(probs) != 1 || probs[0].At != "文件" {
			t.Errorf("%q: %+v %+v", data[:min(len(data), 10)], res, probs)
		}
	}
}

// parsedBack writes a workbook with write and parses it back, failing on
// a write error or on any problem; it returns the workbook and the
// questions read from it.
func parsedBack(t *testing.T, write func(io.Writer) error) ([]byte, []item.Question) {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	res, probs := ParseExcel(b.Bytes())
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	return b.Bytes(), res.Questions
}

func TestTemplateParsesBack(t *testing.T) {
	data, got := parsedBack(t, Template)
	if !reflect.DeepEqual(got, templateExamples) {
		t.Fatalf("got %#v\nwant %#v", got, templateExamples)
	}
	types := map[item.Type]bool{}
	for _, q := range got {
		types[q.Type] = true
	}
	if len(types) != len(item.TypeNames) {
		t.Errorf("template lacks an example of some type: %v", types)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"试题", "说明"}) {
		t.Errorf("sheets %v", got)
	}
	if v, _ := f.GetCellValue("说明", "A2"); v != "题型" {
		t.Errorf("说明!A2 = %q", v)
	}
}

func TestExportRoundTrip(t *testing.T) {
	qs := []item.Question{
		{Type: item.Single, Stem: "=SUM(A1)", Options: []string{"8 个", "x", "y", "z", "e", "f", "g", "h"}, Key: item.Key{Choices: "H"}, Score: 0.5, Difficulty: 1, Tags: []string{"a", "b"}, Analysis: "多行\n解析"},
		{Type: item.Multiple, Stem: "多选\n第二行", Options: []string{"1", "2"}, Key: item.Key{Choices: "AB"}, Score: 1.25, Difficulty: 5},
		{Type: item.Single, Stem: "任一", Options: []string{"春", "夏", "秋"}, Key: item.Key{Choices: "AC"}, Score: 1, Difficulty: 3},
		{Type: item.Single, Stem: "部分得分", Options: []string{"甲", "乙", "丙", "丁"}, Key: item.Key{Choices: "D", Partial: map[string]float64{"B": 25, "C": 50}}, Score: 2, Difficulty: 3},
		{Type: item.Judge, Stem: "判断", Key: item.Key{Judge: false}, Score: 100, Difficulty: 3},
		{Type: item.Judge, Stem: "判断2", Key: item.Key{Judge: true}, Score: 2, Difficulty: 3},
		{Type: item.Blank, Stem: "____，____，____", Key: item.Key{Blanks: []string{"甲|乙", "0.30", "007"}}, Score: 3, Difficulty: 2},
		// Answers that hold the separators themselves survive the round trip.
		{Type: item.Blank, Stem: "____ 与 ____ 及（ ）", Key: item.Key{Blanks: []string{"1;2|一；二", `a｜b|C:\dir`, "#3.14:0.01"}}, Score: 3, Difficulty: 2},
		{Type: item.Short, Stem: "简答", Key: item.Key{Reference: "参考\n答案"}, Score: 20, Difficulty: 4, Tags: []string{"理论"}},
	}
	_, got := parsedBack(t, func(w io.Writer) error { return Export(w, qs) })
	if !reflect.DeepEqual(got, qs) {
		t.Fatalf("got  %#v\nwant %#v", got, qs)
	}
}

func TestParseExcel10000(t *testing.T) {
	qs := make([]item.Question, 10000)
	for i := range qs {
		switch i % 5 {
		case 0:
			qs[i] = item.Question{Type: item.Single, Stem: fmt.Sprintf("第 %d 题：习近平新时代中国特色社会主义思想的核心内容是什么？", i), Options: abcd, Key: item.Key{Choices: "C"}, Score: 1, Difficulty: 3, Tags: []string{"理论"}}
		case 1:
			qs[i] = item.Question{Type: item.Multiple, Stem: fmt.Sprintf("多选 %d", i), Options: abcd, Key: item.Key{Choices: "ABD"}, Score: 2, Difficulty: 2}
		case 2:
			qs[i] = item.Question{Type: item.Judge, Stem: fmt.Sprintf("判断 %d", i), Key: item.Key{Judge: i%2 == 0}, Score: 1, Difficulty: 1}
		case 3:
			qs[i] = item.Question{Type: item.Blank, Stem: fmt.Sprintf("填空 %d ____ ____", i), Key: item.Key{Blanks: []string{"甲|乙", "丙"}}, Score: 1, Difficulty: 4}
		default:
			qs[i] = item.Question{Type: item.Short, Stem: fmt.Sprintf("简答 %d", i), Key: item.Key{Reference: "要点"}, Score: 5, Difficulty: 5, Analysis: "解析"}
		}
	}
	var b bytes.Buffer
	start := time.Now()
	if err := Export(&b, qs); err != nil {
		t.Fatal(err)
	}
	t.Logf("export of 10000 questions: %v, %d bytes", time.Since(start), b.Len())
	start = time.Now()
	res, probs := ParseExcel(b.Bytes())
	t.Logf("parse of 10000 rows: %v", time.Since(start))
	if len(probs) > 0 || len(res.Questions) != 10000 {
		t.Fatalf("questions %d problems %+v", len(res.Questions), probs[:min(len(probs), 3)])
	}
	if !reflect.DeepEqual(res.Questions, qs) {
		t.Fatal("round trip of 10000 questions differs")
	}
}

func TestParseDetects(t *testing.T) {
	xlsx := book(t, goodRows())
	cases := []struct {
		name string
		data []byte
		n    int
	}{
		{"bank.XLSX", xlsx, 7},
		{"noext", xlsx, 7},
		{"bank.xml", []byte(moodleGood), 6},
		{"bank.txt", []byte(moodleGood), 6},
		{"bank.gift", []byte("Q {T}"), 1},
		{"bank.txt", []byte("Q {F}"), 1},
	}
	for _, c := range cases {
		res, probs, err := Parse(c.name, c.data)
		if err != nil || len(probs) > 0 || len(res.Questions) != c.n {
			t.Errorf("%s: %d questions, %+v, %v", c.name, len(res.Questions), probs, err)
		}
	}
	for _, name := range []string{"bank.doc", "bank.xls"} {
		if _, _, err := Parse(name, []byte("a,b")); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	// A broken xlsx is a problem, not an unsupported type.
	if _, probs, err := Parse("bank.xlsx", []byte("junk")); err != nil || len(probs) != 1 {
		t.Errorf("junk xlsx: %+v %v", probs, err)
	}
}
