package importer

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"
	"testing"

	"college/modules/exam/item"
)

// A paper as Chinese admins type it in Word or paste it.
const chinesePaper = `党的建设知识题库（2026 年）

一、单项选择题（每题 2 分，共 4 分）
1. 中国共产党的根本宗旨是（ ）。
A. 全心全意为人民服务
B. 实现共产主义
C. 发展生产力  D. 依法治国
答案：A
解析：见《中国共产党章程》总纲。
难度：易

2、党的最高领导机关是（ ）。A.党的全国代表大会和它所产生的中央委员会 B.中央政治局 C.中央书记处 D.中央军事委员会
【答案】A

二、多项选择题
（1）“四个意识”包括（ ）。
A．政治意识 B．大局意识
C．核心意识 D．看齐意识
答案：ABCD
知识点：党的建设

三、判断题
1. 党支部是党的基础组织。
答案：√

四、填空题
1. 为中国人民谋____，为中华民族谋____。
答案：幸福；复兴

五、简答题
1. 谈谈学习党章的体会。
参考答案：要点一，要点二。
要点三。
分值：10
`

func TestParseTextChineseLayout(t *testing.T) {
	res, probs := ParseText([]byte(chinesePaper))
	opts := []string{"全心全意为人民服务", "实现共产主义", "发展生产力", "依法治国"}
	check(t, "text", res, probs, []want{
		{typ: item.Single, stem: "中国共产党的根本宗旨是（ ）。", options: opts, key: item.Key{Choices: "A"}, diff: 2},
		{typ: item.Single, stem: "党的最高领导机关是（ ）。", options: []string{"党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处", "中央军事委员会"}, key: item.Key{Choices: "A"}},
		{typ: item.Multiple, stem: "“四个意识”包括（ ）。", options: []string{"政治意识", "大局意识", "核心意识", "看齐意识"}, key: item.Key{Choices: "ABCD"}, tags: []string{"党的建设"}},
		{typ: item.Judge, stem: "党支部是党的基础组织。", key: item.Key{Judge: true}},
		{typ: item.Blank, stem: "为中国人民谋____，为中华民族谋____。", key: item.Key{Blanks: []string{"幸福", "复兴"}}},
		{typ: item.Short, stem: "谈谈学习党章的体会。", key: item.Key{Reference: "要点一，要点二。\n要点三。"}, score: 10},
	})
	if res.Questions[0].Analysis != "见《中国共产党章程》总纲。" {
		t.Errorf("analysis %q", res.Questions[0].Analysis)
	}
}

// Without section headings the type follows from each question.
func TestParseTextGuessesTypes(t *testing.T) {
	res, probs := ParseText([]byte("1. 宗旨是\nA.甲\nB.乙\n答案：B\n\n2. 包括\nA.甲 B.乙 C.丙\n答案：A,C\n\n3. 地球是圆的\n答案：对\n\n4. 根本制度是____。\n答案：人民代表大会制度|人大制度\n\n5. 首都是（ ）A.北京B.上海C.广州\n答案：A\n"))
	check(t, "guess", res, probs, []want{
		{typ: item.Single, stem: "宗旨是", options: []string{"甲", "乙"}, key: item.Key{Choices: "B"}},
		{typ: item.Multiple, stem: "包括", options: []string{"甲", "乙", "丙"}, key: item.Key{Choices: "AC"}},
		{typ: item.Judge, stem: "地球是圆的", key: item.Key{Judge: true}},
		{typ: item.Blank, stem: "根本制度是____。", key: item.Key{Blanks: []string{"人民代表大会制度|人大制度"}}},
		// Options run together after Chinese text.
		{typ: item.Single, stem: "首都是（ ）", options: []string{"北京", "上海", "广州"}, key: item.Key{Choices: "A"}},
	})
}

func TestParseTextProblems(t *testing.T) {
	for in, want := range map[string]string{
		"1. 宗旨是\nA.甲\nB.乙\n":              "第 1 行：缺少答案",
		"前言\nA.甲\n1. 宗旨是\nA.甲\nB.乙\n答案：A": "第 2 行：这一行不属于任何一道题",
		"1. 宗旨是\nA.甲\nC.丙\n答案：A":          "第 3 行：选项应按 A、B、C… 的顺序写",
		"1. 宗旨是\nA.甲\nB.乙\n答案：E":          "第 1 行：答案 E 不在选项中",
		"一、判断题\n1. 对吗\n答案：也许":             "第 2 行：判断题答案「也许」无效",
		"1. 宗旨是\nA.甲\nB.乙\n答案：A\n难度：超难":   "第 1 行：难度「超难」无效",
	} {
		_, probs := ParseText([]byte(in))
		if len(probs) == 0 || !strings.Contains(probs[0].At+"："+probs[0].Message, want) {
			t.Errorf("%q: %+v, want %q", in, probs, want)
		}
	}
}

// docx builds a minimal Word document with one paragraph per line; a line
// "[图]" becomes a drawing with no picture (a chart or shape), and a line
// "[图:<file>]" a picture of that file under testdata/.
func docx(t testing.TB, lines ...string) []byte {
	t.Helper()
	var body, rels strings.Builder
	media := map[string][]byte{}
	for _, l := range lines {
		if l == "[图]" {
			body.WriteString(`<w:p><w:r><w:drawing><wp:inline/></w:drawing></w:r></w:p>`)
			continue
		}
		if f, ok := strings.CutPrefix(l, "[图:"); ok {
			f = strings.TrimSuffix(f, "]")
			id := fmt.Sprintf("rId%d", len(media)+10)
			name := fmt.Sprintf("media/image%d%s", len(media)+1, path.Ext(f))
			if path.IsAbs(f) {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				media["word/"+name] = b
			} else {
				media["word/"+name] = fixture(t, f)
			}
			rels.WriteString(`<Relationship Id="` + id + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="` + name + `"/>`)
			body.WriteString(`<w:p><w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="` + id + `"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`)
			continue
		}
		body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(l) + `</w:t></w:r></w:p>`)
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("word/document.xml")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>` + body.String() + `</w:body></w:document>`))
	w, _ = z.Create("word/_rels/document.xml.rels")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`))
	for name, data := range media {
		w, _ = z.Create(name)
		_, _ = w.Write(data)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseWord(t *testing.T) {
	res, probs, err := Parse("题库.docx", docx(t, strings.Split(chinesePaper, "\n")...))
	if err != nil || len(probs) > 0 || len(res.Questions) != 6 || res.Format != "word" {
		t.Fatalf("%v %+v %d %q", err, probs, len(res.Questions), res.Format)
	}
	_, probs, _ = Parse("题库.docx", docx(t, "1. 看图，这是什么？", "[图]", "A.柱状图", "B.饼图", "答案：A"))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "题目含公式、图表或矢量图") {
		t.Errorf("chart: %+v", probs)
	}
	_, probs, _ = Parse("题库.docx", []byte("PK\x03\x04 broken"))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "无法读取 Word 文件") {
		t.Errorf("broken docx: %+v", probs)
	}
}

// FuzzText fuzzes the text and Word parser.
//
//	go test ./modules/exam/importer -run '^$' -fuzz '^FuzzText$' -fuzztime 60s
func FuzzText(f *testing.F) {
	f.Add(chinesePaper)
	for _, s := range []string{"1. 题\nA.甲 B.乙\n答案：A", "一、判断题\n1. 对吗\n答案：错", "（1）填____\n【答案】甲；乙", "1、\nA.\n答案：", "A.甲"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, p := ParseText([]byte(text))
		checkImport(t, r, p)
	})
}

// Word documents written by another program (pandoc): a paper whose
// questions carry Word's automatic numbering, and one with a picture.
func TestWordFromPandoc(t *testing.T) {
	res, probs, err := Parse("numbered.docx", fixture(t, "pandoc_numbered.docx"))
	if err != nil || len(probs) > 0 || len(res.Questions) != 2 {
		t.Fatalf("%v %+v %d", err, probs, len(res.Questions))
	}
	if q := res.Questions[1]; q.Stem != "党的最高理想和最终目标是（ ）。" || q.Options[0] != "实现共产主义" || q.Key.Choices != "A" {
		t.Errorf("numbered: %q %q %q", q.Stem, q.Options, q.Key.Choices)
	}
	res, probs, err = Parse("picture.docx", fixture(t, "pandoc_picture.docx"))
	if err != nil || len(probs) > 0 || len(res.Questions) != 3 {
		t.Fatalf("%v %+v", err, probs)
	}
	if q := res.Questions[0]; q.Stem != "下图是哪个在线学习平台的标志？\n"+tokenOf(t, fixture(t, "real/moodle.png")) || q.Type != item.Single {
		t.Errorf("picture: %q", q.Stem)
	}
	if q := res.Questions[2]; q.Type != item.Judge || !q.Key.Judge {
		t.Errorf("judge: %+v", q)
	}
	checkMedia(t, "pandoc", res)
}

func TestWordNumberLabels(t *testing.T) {
	for _, c := range []struct {
		v      int
		format string
		want   string
	}{{3, "decimal", "3"}, {2, "upperLetter", "B"}, {28, "lowerLetter", "bb"}, {11, "chineseCounting", "十一"}, {40, "chineseCountingThousand", "四十"},
		{3, "decimalEnclosedCircle", "③"}, {14, "upperRoman", "XIV"}, {12, "decimalFullWidth", "１２"}} {
		if got := numberText(c.v, c.format); got != c.want {
			t.Errorf("numberText(%d, %s) = %q, want %q", c.v, c.format, got, c.want)
		}
	}
}
