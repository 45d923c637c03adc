package importer

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"college/modules/exam/item"
)

// sheets builds a workbook with named sheets in order.
func sheets(t *testing.T, named ...any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i := 0; i < len(named); i += 2 {
		name, rows := named[i].(string), named[i+1].([][]string)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, cells := range rows {
			vals := make([]any, len(cells))
			for j, v := range cells {
				vals[j] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type want struct {
	typ     item.Type
	stem    string
	options []string
	key     item.Key
	score   float64
	diff    int
	tags    []string
}

func check(t *testing.T, name string, res Result, probs []Problem, wants []want) {
	t.Helper()
	if len(probs) > 0 || len(res.Questions) != len(wants) {
		t.Fatalf("%s: %d questions, problems %+v", name, len(res.Questions), probs)
	}
	for i, w := range wants {
		q := res.Questions[i]
		got := want{q.Type, q.Stem, q.Options, q.Key, q.Score, q.Difficulty, q.Tags}
		if w.score == 0 {
			w.score = 1
		}
		if w.diff == 0 {
			w.diff = 3
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s question %d:\n got %+v\nwant %+v", name, i+1, got, w)
		}
	}
}

// Layouts that Chinese exam systems publish in their code (the header rows
// of their import templates), filled in as admins fill them in.
func TestChineseExcelLayouts(t *testing.T) {
	opts := []string{"全心全意为人民服务", "实现共产主义", "发展生产力", "依法治国"}
	// github.com/6ink9/datiba SingleChoice: a sheet per type, notes in the
	// header, 正确选项; letters pasted into the options.
	res, probs := ParseExcel(sheets(t, "单选题", [][]string{
		{"题目（必填）", "选项A（必填）", "选项B（必填）", "选项C", "选项D", "正确选项（必填）", "解析"},
		{"党的根本宗旨是（ ）", "A.全心全意为人民服务", "B．实现共产主义", "C、发展生产力", "(D)依法治国", "A", "见党章"},
	}))
	check(t, "datiba", res, probs, []want{{typ: item.Single, stem: "党的根本宗旨是（ ）", options: opts, key: item.Key{Choices: "A"}}})

	// github.com/ilhaha/ted-back ImportQuestionConstant: 问题, a 题型 header
	// with a note, 答案 "A,B".
	res, probs = ParseExcel(book(t, [][]string{
		{"问题", "题型（单选、判断、多选）", "选项A", "选项B", "选项C", "选项D", "答案（多选用英文逗号分隔，如：A,B）"},
		{"“四个意识”包括", "多选", "政治意识", "大局意识", "核心意识", "看齐意识", "A,B,C,D"},
		{"党支部是党的基础组织", "判断", "", "", "", "", "√"},
	}))
	check(t, "ted-back", res, probs, []want{
		{typ: item.Multiple, stem: "“四个意识”包括", options: []string{"政治意识", "大局意识", "核心意识", "看齐意识"}, key: item.Key{Choices: "ABCD"}},
		{typ: item.Judge, stem: "党支部是党的基础组织", key: item.Key{Judge: true}},
	})

	// github.com/zzlling123/annotation SingleChoiceSheetModel: 序号, 题目分类,
	// 题目难度 in words, 试题, 知识点名称, under a title row, after an
	// instructions sheet.
	res, probs = ParseExcel(sheets(t,
		"填写说明", [][]string{{"1. 每行一道题"}, {"2. 难度填 易、中、难"}},
		"单选题", [][]string{
			{"党章知识题库"},
			{"序号", "题目分类", "题目难度", "所属范围", "试题", "选项A", "选项B", "选项C", "选项D", "答案", "知识点名称"},
			{"1", "党章", "难", "全体", "党的根本宗旨是", "全心全意为人民服务", "实现共产主义", "发展生产力", "依法治国", "A、", ""},
		}))
	check(t, "annotation", res, probs, []want{{typ: item.Single, stem: "党的根本宗旨是", options: opts, key: item.Key{Choices: "A"}, diff: 4, tags: []string{"党章"}}})
	if !strings.Contains(res.Layout, "题干=第5列") || !strings.Contains(res.Layout, "选项A=第6列") {
		t.Errorf("layout = %q", res.Layout)
	}

	// All options in one cell, 分值 "2分", type words of other systems, the
	// answer written as the option's text, 判断 with 选项 A 正确 B 错误, and
	// 不定项 with one right option.
	res, probs = ParseExcel(book(t, [][]string{
		{"题型", "题干", "选项", "正确答案", "分数", "难易程度"},
		{"单项选择题", "党的根本宗旨是", "A.全心全意为人民服务 B.实现共产主义\nC.发展生产力\nD.依法治国", "全心全意为人民服务", "2分", "较易"},
		{"是非题", "党支部是党的基础组织", "A.正确 B.错误", "A", "1", "中"},
		{"不定项选择题", "党的根本宗旨是", "A.全心全意为人民服务 B.实现共产主义 C.发展生产力 D.依法治国", "A", "3", "5"},
		{"论述题", "谈谈学习体会", "", "要点", "10", ""},
	}))
	check(t, "one cell", res, probs, []want{
		{typ: item.Single, stem: "党的根本宗旨是", options: opts, key: item.Key{Choices: "A"}, score: 2, diff: 2},
		{typ: item.Judge, stem: "党支部是党的基础组织", key: item.Key{Judge: true}},
		{typ: item.Single, stem: "党的根本宗旨是", options: opts, key: item.Key{Choices: "A"}, score: 3, diff: 5},
		{typ: item.Short, stem: "谈谈学习体会", key: item.Key{Reference: "要点"}, score: 10},
	})
}

// What a layout cannot say is refused with a reason naming the row.
func TestChineseExcelRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		rows [][]string
		msg  string
	}{
		"type code":       {[][]string{{"问题", "题型", "选项A", "选项B", "答案"}, {"题", "0", "甲", "乙", "A"}}, "题型「0」无效"},
		"options order":   {[][]string{{"题干", "题型", "选项", "答案"}, {"题", "单选", "B.乙 A.甲", "A"}}, "选项应按 A、B、C… 的顺序写"},
		"options no mark": {[][]string{{"题干", "题型", "选项", "答案"}, {"题", "单选", "甲 乙", "A"}}, "应写作 A.选项一 B.选项二"},
		"answer text":     {[][]string{{"题干", "题型", "选项A", "选项B", "答案"}, {"题", "单选", "甲", "乙", "丙"}}, "应为选项字母"},
		"difficulty":      {[][]string{{"题干", "题型", "选项A", "选项B", "答案", "难度"}, {"题", "单选", "甲", "乙", "A", "超难"}}, "难度「超难」无效"},
	} {
		_, probs := ParseExcel(book(t, tc.rows))
		if len(probs) != 1 || probs[0].Row != 2 || !strings.Contains(probs[0].Message, tc.msg) {
			t.Errorf("%s: %+v, want row 2 %q", name, probs, tc.msg)
		}
	}
}

// A .csv saved by Excel on Chinese Windows (GBK) reads like a sheet.
func TestParseCSV(t *testing.T) {
	csv := "题型,题干,选项A,选项B,答案,分值\r\n单选,党的根本宗旨是,全心全意为人民服务,实现共产主义,A,2\r\n判断,\"地球是圆的，对吗\",,,对,1\r\n"
	for name, data := range map[string][]byte{"UTF-8": []byte(csv), "GBK": encode(t, gbk(), csv)} {
		res, probs, err := Parse("题库.csv", data)
		if err != nil || res.Format != "csv" {
			t.Fatalf("%s: %v %q", name, err, res.Format)
		}
		check(t, name, res, probs, []want{
			{typ: item.Single, stem: "党的根本宗旨是", options: []string{"全心全意为人民服务", "实现共产主义"}, key: item.Key{Choices: "A"}, score: 2},
			{typ: item.Judge, stem: "地球是圆的，对吗", key: item.Key{Judge: true}},
		})
	}
}

// The admin's column choices win over the header's names: a sheet whose
// header no rule knows imports once its columns are named, and a wrongly
// guessed column can be moved.
func TestColumnChoices(t *testing.T) {
	data := book(t, [][]string{
		{"Q", "Kind", "Opt1", "Opt2", "Right", "Note"},
		{"党的根本宗旨是", "单选", "全心全意为人民服务", "实现共产主义", "A", "见党章"},
	})
	_, probs, _ := Parse("bank.xlsx", data)
	if len(probs) != 1 || probs[0].Message != headerHelp {
		t.Fatalf("unknown header: %+v", probs)
	}
	cols := Columns{"题干": 1, "题型": 2, "选项A": 3, "选项B": 4, "答案": 5, "解析": 6}
	res, probs, err := ParseWith("bank.xlsx", data, cols)
	if err != nil || len(probs) > 0 || len(res.Questions) != 1 {
		t.Fatalf("with columns: %v %+v", err, probs)
	}
	if q := res.Questions[0]; q.Stem != "党的根本宗旨是" || q.Key.Choices != "A" || len(q.Options) != 2 || q.Analysis != "见党章" {
		t.Errorf("with columns: %+v", q)
	}
	if res.Columns["答案"] != 5 || res.Columns["选项B"] != 4 || !reflect.DeepEqual(res.Header, []string{"Q", "Kind", "Opt1", "Opt2", "Right", "Note"}) {
		t.Errorf("columns %v header %v", res.Columns, res.Header)
	}
	// A recognised header with one column moved: 解析 taken as the tags.
	tpl := book(t, [][]string{Headers, row("单选", "题", abcd, "A", "1", "", "党章", "见党章")})
	res, probs, _ = ParseWith("bank.xlsx", tpl, Columns{"标签": 15, "解析": 0})
	if len(probs) > 0 || !reflect.DeepEqual(res.Questions[0].Tags, []string{"见党章"}) || res.Questions[0].Analysis != "" {
		t.Errorf("moved column: %+v %+v", res.Questions, probs)
	}
	for cols, want := range map[string]Columns{
		"列设置中没有「作者」":    {"作者": 1, "题干": 2},
		"列设置中缺少 题干 列":   {"题干": 0},
		"列号应为 1 到 1000": {"答案": -1},
	} {
		_, probs, _ := ParseWith("bank.xlsx", tpl, want)
		if len(probs) != 1 || !strings.Contains(probs[0].Message, cols) {
			t.Errorf("%s: %+v", cols, probs)
		}
	}
}

// One row per option, as some exam systems export: 题目序号 ties the rows
// of a question, 是否正确项 marks the right options.
func TestOneRowPerOption(t *testing.T) {
	res, probs := ParseExcel(book(t, [][]string{
		{"题目序号", "题型", "题干", "选项内容", "是否正确项", "分值", "解析"},
		{"1", "单选", "党的根本宗旨是", "A.全心全意为人民服务", "是", "2", "见党章"},
		{"1", "", "", "实现共产主义", "否"},
		{"1", "", "", "发展生产力", ""},
		{"2", "多选", "“四个意识”包括", "政治意识", "√", "3"},
		{"2", "", "", "大局意识", "√"},
		{"2", "", "", "忧患意识", "×"},
		{"3", "不定项选择题", "党的根本宗旨是", "全心全意为人民服务", "是", "1"},
		{"3", "", "", "实现共产主义", "否"},
	}))
	check(t, "option rows", res, probs, []want{
		{typ: item.Single, stem: "党的根本宗旨是", options: []string{"全心全意为人民服务", "实现共产主义", "发展生产力"}, key: item.Key{Choices: "A"}, score: 2},
		{typ: item.Multiple, stem: "“四个意识”包括", options: []string{"政治意识", "大局意识", "忧患意识"}, key: item.Key{Choices: "AB"}, score: 3},
		{typ: item.Single, stem: "党的根本宗旨是", options: []string{"全心全意为人民服务", "实现共产主义"}, key: item.Key{Choices: "A"}},
	})
	if res.Questions[0].Analysis != "见党章" {
		t.Errorf("analysis %q", res.Questions[0].Analysis)
	}
	// Without 题目序号 a new stem starts a question; the type follows from
	// the right options.
	res, probs = ParseExcel(book(t, [][]string{
		{"题干", "选项", "是否正确"},
		{"首都是", "北京", "1"},
		{"", "上海", "0"},
		{"包括", "甲", "1"},
		{"", "乙", "1"},
	}))
	check(t, "no seq", res, probs, []want{
		{typ: item.Single, stem: "首都是", options: []string{"北京", "上海"}, key: item.Key{Choices: "A"}},
		{typ: item.Multiple, stem: "包括", options: []string{"甲", "乙"}, key: item.Key{Choices: "AB"}},
	})
	for name, tc := range map[string]struct {
		rows [][]string
		msg  string
	}{
		"none right": {[][]string{{"题干", "选项", "是否正确"}, {"首都是", "北京", "否"}, {"", "上海", "否"}}, "没有标为正确的选项"},
		"bad mark":   {[][]string{{"题干", "选项", "是否正确"}, {"首都是", "北京", "也许"}, {"", "上海", "否"}}, "是否正确项「也许」应为 是 或 否"},
		"single two": {[][]string{{"题干", "题型", "选项", "是否正确"}, {"首都是", "单选", "北京", "是"}, {"", "", "上海", "是"}}, "单选题只能有一个正确选项"},
	} {
		_, probs := ParseExcel(book(t, tc.rows))
		if len(probs) == 0 || !strings.Contains(probs[0].Message, tc.msg) {
			t.Errorf("%s: %+v, want %q", name, probs, tc.msg)
		}
	}
}

// fillTemplate opens a shipped template, deletes the rows its instructions
// say to delete, writes rows below its header and returns the workbook.
func fillTemplate(t *testing.T, file string, drop []int, first int, rows ...[]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(fixture(t, "real/"+file)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	for i := len(drop) - 1; i >= 0; i-- {
		if err := f.RemoveRow(sheet, drop[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", first+i), &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Real templates of Chinese exam systems, filled in as their instructions
// say: every key as meant.
func TestRealTemplatesFilledIn(t *testing.T) {
	// FastAdmin: rows 2–3 deleted, options one per line, 判断 as 正确/错误.
	data := fillTemplate(t, "fastadmin_question.xlsx", []int{2, 3}, 2,
		[]any{"单选题", "1989年6月，党的十三届（\u3000）选举江泽民为中央委员会总书记。", "A、三中全会\nB、四中全会\nC、五中全会", "B"},
		[]any{"判断题", "党的基层组织是党在社会基层组织中的战斗堡垒。", "", "正确"})
	res, probs, err := Parse("question.xlsx", data)
	if err != nil || len(probs) > 0 || len(res.Questions) != 2 {
		t.Fatalf("fastadmin: %v %+v", err, probs)
	}
	if q := res.Questions[0]; q.Type != item.Single || q.Key.Choices != "B" || len(q.Options) != 3 || q.Options[1] != "四中全会" {
		t.Errorf("fastadmin single: %+v", q)
	}
	if q := res.Questions[1]; q.Type != item.Judge || !q.Key.Judge {
		t.Errorf("fastadmin judge: %+v", q)
	}
	// JNPF: options with a 是/否 column each; the type from 题型.
	data = fillTemplate(t, "jnpf_tiku_import_template.xlsx", []int{2, 3, 4}, 2,
		[]any{1, "新发展理念包括", "多选题", "理论", "", "创新", "是", "协调", "是", "封闭", "否", "绿色", "是"},
		[]any{2, "党的最高领导机关是", "单选题", "党章", "", "全国代表大会和中央委员会", "是", "中央政治局", "否"})
	res, probs, err = Parse("题库导入模板.xlsx", data)
	if err != nil || len(probs) > 0 || len(res.Questions) != 2 {
		t.Fatalf("jnpf: %v %+v", err, probs)
	}
	if q := res.Questions[0]; q.Type != item.Multiple || q.Key.Choices != "ABD" || q.Tags[0] != "理论" {
		t.Errorf("jnpf multiple: %+v", q)
	}
	if q := res.Questions[1]; q.Type != item.Single || q.Key.Choices != "A" || len(q.Options) != 2 {
		t.Errorf("jnpf single: %+v", q)
	}
	// Two options marked right on a 单选题 is refused, not read as one.
	data = fillTemplate(t, "jnpf_tiku_import_template.xlsx", []int{2, 3, 4}, 2,
		[]any{1, "党的宗旨是", "单选题", "", "", "全心全意为人民服务", "是", "为人民服务", "是"})
	if _, probs, _ = Parse("题库导入模板.xlsx", data); len(probs) != 1 || !strings.Contains(probs[0].Message, "单选题只能有一个正确选项") {
		t.Errorf("two right options on a single: %+v", probs)
	}
	// Alanosy's header, filled as the header says (with type words).
	data = fillTemplate(t, "alanosy_ImportQuestionTemplate.xlsx", []int{3, 4, 5, 6, 7, 8, 9, 10}, 3,
		[]any{"单选题", "中国共产党的根本宗旨是", "全心全意为人民服务", "实现共产主义", "", "", "", "", "党章总纲", "1", "0"})
	res, probs, err = Parse("ImportQuestionTemplate.xlsx", data)
	if err != nil || len(probs) > 0 || len(res.Questions) != 1 {
		t.Fatalf("alanosy: %v %+v", err, probs)
	}
	if q := res.Questions[0]; q.Key.Choices != "A" || q.Analysis != "党章总纲" {
		t.Errorf("alanosy: %+v", q)
	}
}
