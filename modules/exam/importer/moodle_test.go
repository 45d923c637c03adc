package importer

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"college/modules/exam/item"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const moodleGood = `<?xml version="1.0"?><quiz>
<question type="multichoice"><questiontext><text>a</text></questiontext><answer fraction="100"><text>x</text></answer><answer fraction="0"><text>y</text></answer></question>
<question type="truefalse"><questiontext><text>b</text></questiontext><answer fraction="100"><text>true</text></answer></question>
<question type="shortanswer"><questiontext><text>c</text></questiontext><answer fraction="100"><text>z</text></answer></question>
<question type="numerical"><questiontext><text>d</text></questiontext><answer fraction="100"><text>1.5</text></answer></question>
<question type="essay"><questiontext><text>e</text></questiontext></question>
<question type="essay"><questiontext><text>f</text></questiontext></question>
</quiz>`

func TestParseMoodleXML(t *testing.T) {
	res, probs := ParseMoodleXML(fixture(t, "moodle.xml"))
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	// The category ($course$/top/政治理论) becomes a tag of its questions.
	cat := []string{"政治理论"}
	want := []item.Question{
		{Type: item.Single, Stem: "习近平新时代 中国", Options: []string{"甲", "乙 & 丙", "丁"}, Key: item.Key{Choices: "B"}, Score: 2, Difficulty: 3, Tags: []string{"党史", "理论", "政治理论"}, Analysis: "解析&说明"},
		{Type: item.Multiple, Stem: "第一行\n第二行\n第三行", Options: []string{"A1", "B1", "C1"}, Key: item.Key{Choices: "AC"}, Score: 3, Difficulty: 3, Tags: cat},
		{Type: item.Judge, Stem: "地球是圆的", Key: item.Key{Judge: false}, Score: 1, Difficulty: 3, Tags: cat},
		{Type: item.Blank, Stem: "我国的根本政治制度是 ____。", Key: item.Key{Blanks: []string{"人民代表大会制度|人大制度"}}, Score: 1, Difficulty: 3, Tags: cat},
		{Type: item.Blank, Stem: "1 + 1 = ?", Key: item.Key{Blanks: []string{"#2:0"}}, Score: 1, Difficulty: 3, Tags: cat},
		{Type: item.Short, Stem: "谈谈体会。", Key: item.Key{Reference: "要点一\n要点二"}, Score: 10, Difficulty: 3, Tags: cat},
	}
	if !reflect.DeepEqual(res.Questions, want) {
		t.Fatalf("got\n%#v\nwant\n%#v", res.Questions, want)
	}
	wantSkip := []Skipped{{At: "第 6 题", Reason: "不支持的题型 matching"}}
	if !reflect.DeepEqual(res.Skipped, wantSkip) {
		t.Errorf("skipped %+v", res.Skipped)
	}
}

func TestParseMoodleXMLProblems(t *testing.T) {
	cases := []struct {
		name, xml string
		at        string
		row       int
		want      string
	}{
		{"malformed", "<quiz>\n<question type=\"essay\">\n<questiontext><text>a</text>\n</quiz>", "", 4, "XML 格式错误"},
		{"unclosed", "<quiz>\n<question type=\"essay\"><questiontext><text>a", "", 0, "XML 格式错误"},
		{"not quiz", "<html><body/></html>", "文件", 0, "<quiz>"},
		{"not xml", "hello", "文件", 0, "<quiz>"},
		{"single without answer", "<quiz>\n<question type=\"category\"/>\n<question type=\"multichoice\">\n<questiontext><text>a</text></questiontext><answer fraction=\"0\"><text>x</text></answer><answer fraction=\"0\"><text>y</text></answer></question></quiz>", "第 2 题", 3, "没有正确答案"},
		{"empty stem", "<quiz><question type=\"essay\"><questiontext><text><![CDATA[<p> </p>]]></text></questiontext></question></quiz>", "第 1 题", 1, "题干必填"},
		{"truefalse without answer", "<quiz><question type=\"truefalse\"><questiontext><text>a</text></questiontext></question></quiz>", "第 1 题", 1, "判断题没有正确答案"},
		{"bad grade", "<quiz><question type=\"essay\"><questiontext><text>a</text></questiontext><defaultgrade>x</defaultgrade></question></quiz>", "第 1 题", 1, "defaultgrade"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Put a good question before so that all-or-nothing is visible.
			res, probs := ParseMoodleXML([]byte(c.xml))
			if len(res.Questions) != 0 || len(probs) != 1 {
				t.Fatalf("%+v %+v", res, probs)
			}
			p := probs[0]
			if !strings.Contains(p.Message, c.want) || (c.at != "" && p.At != c.at) || (c.row != 0 && p.Row != c.row) {
				t.Errorf("got %+v, want at %q row %d %q", p, c.at, c.row, c.want)
			}
		})
	}
}

func TestParseMoodleXMLAllOrNothing(t *testing.T) {
	bad := strings.Replace(moodleGood, `<question type="essay"><questiontext><text>f</text>`, `<question type="essay"><questiontext><text></text>`, 1)
	res, probs := ParseMoodleXML([]byte(bad))
	if len(res.Questions) != 0 || len(probs) != 1 || probs[0].At != "第 6 题" || probs[0].Row != 7 {
		t.Fatalf("%+v %+v", res, probs)
	}
}

func TestCleanHTML(t *testing.T) {
	cases := map[string]string{
		"<p>习近平新时代&nbsp;<b>中国</b></p>": "习近平新时代 中国",
		"a<br>b<br/>c":                "a\nb\nc",
		"<p>x</p><p>y</p>":            "x\ny",
		"&lt;不是标签&gt; &amp; &#20013;": "<不是标签> & 中",
		"a < b":                       "a < b",
		"plain   text ":               "plain text",
		"<style>p{}</style>文字":        "文字",
		// Superscripts and subscripts keep their meaning.
		"10<sup>2</sup> 米":              "10² 米",
		"H<sub>2</sub>O":                "H₂O",
		"e<sup>-i</sup>":                "e⁻ⁱ",
		"x<sup>ab</sup>, y<sub>k</sub>": "x^(ab), y_k",
		"2<sup>":                        "2",
		// Preformatted text keeps its spaces and lines.
		"<p>代码：</p><pre>if a {\n    b()\n}</pre><p>完</p>": "代码：\nif a {\n    b()\n}\n完",
		// Media leave a mark with their source, for collector.add.
		"看图<img src=\"@@PLUGINFILE@@/a.png\">":              "看图\uFFFCimg\x1f@@PLUGINFILE@@/a.png\uFFFC",
		"听<audio controls><source src=\"b.mp3\"></audio>":   "听\uFFFCaudio\x1fb.mp3\uFFFC",
		"<video src=\"c.mp4\"></video>":                     "\uFFFCvideo\x1fc.mp4\uFFFC",
		"<audio></audio>":                                   "\uFFFCaudio\x1f\uFFFC",
		"<a href=\"@@PLUGINFILE@@/d%20e.mp3\">Listen</a> 问": "\uFFFCaudio\x1f@@PLUGINFILE@@/d%20e.mp3\uFFFC 问",
		"<a href=\"https://example.com/x.pdf\">讲义</a>":      "讲义",
		"式<math><mi>x</mi></math>":                          "式\uFFFCmath\x1f\uFFFCx",
	}
	for in, want := range cases {
		if got := cleanHTML(in); got != want {
			t.Errorf("cleanHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

// A numerical question keeps its tolerance; one with units or with an
// answer worth part of the score is refused with the reason, never imported
// narrower than Moodle grades it.
func TestMoodleNumericalForms(t *testing.T) {
	num := func(answers, extra string) string {
		return `<quiz><question type="numerical"><questiontext><text>平均数是多少？</text></questiontext>` + answers + extra + `</question></quiz>`
	}
	res, probs := ParseMoodleXML([]byte(num(`<answer fraction="100"><text>6.25</text><tolerance>0.05</tolerance></answer><answer fraction="0"><text>*</text></answer>`, "")))
	if len(probs) > 0 || len(res.Questions) != 1 || !reflect.DeepEqual(res.Questions[0].Key.Blanks, []string{"#6.25:0.05"}) {
		t.Fatalf("tolerance: %+v %+v", res, probs)
	}
	for _, tc := range []struct{ xml, want string }{
		{num(`<answer fraction="100"><text>42</text><tolerance>0</tolerance></answer>`, `<units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit><unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit></units>`), "暂不支持带单位（m、cm）的数值题"},
		{num(`<answer fraction="100"><text>3.14</text></answer><answer fraction="50"><text>3.1</text></answer>`, ""), "数值题答案「3.1」只得 50% 分"},
		{num(`<answer fraction="100"><text>三</text></answer>`, ""), "不是数字"},
	} {
		_, probs := ParseMoodleXML([]byte(tc.xml))
		if len(probs) != 1 || !strings.Contains(probs[0].Message, tc.want) {
			t.Errorf("%s: %+v, want %q", tc.want, probs, tc.want)
		}
	}
}

// Short answers keep their right answers; a partial-credit answer, a "*"
// wildcard or case-sensitive matching (usecase) refuses the question with
// the reason, and "\*" is a literal asterisk.
func TestMoodleShortAnswerForms(t *testing.T) {
	sa := func(usecase, answers string) string {
		return `<quiz><question type="shortanswer"><questiontext><text>最好的动物？</text></questiontext><usecase>` + usecase + `</usecase>` + answers + `</question></quiz>`
	}
	res, probs := ParseMoodleXML([]byte(sa("0", `<answer fraction="100"><text>Frog</text></answer><answer fraction="100"><text>5\*</text></answer><answer fraction="0"><text>*</text></answer>`)))
	if len(probs) > 0 || len(res.Questions) != 1 || !reflect.DeepEqual(res.Questions[0].Key.Blanks, []string{"Frog|5*"}) {
		t.Fatalf("short answer: %+v %+v", res, probs)
	}
	for _, tc := range []struct{ xml, want string }{
		{sa("0", `<answer fraction="100"><text>Frog</text></answer><answer fraction="50"><text>Cat</text></answer>`), "填空答案「Cat」只得 50% 分"},
		{sa("0", `<answer fraction="100"><text>Fr*g</text></answer>`), "含通配符 *"},
		{sa("1", `<answer fraction="100"><text>Co</text></answer>`), "区分大小写的填空题（usecase）暂不支持"},
	} {
		_, probs := ParseMoodleXML([]byte(tc.xml))
		if len(probs) != 1 || !strings.Contains(probs[0].Message, tc.want) {
			t.Errorf("%s: %+v", tc.want, probs)
		}
	}
}

// shuffleanswers 0 and options such as 以上都对 keep their order; a question
// hidden in Moodle's bank is skipped with the reason.
func TestMoodleOrderAndHidden(t *testing.T) {
	mc := func(extra, last string) string {
		return `<question type="multichoice"><questiontext><text>题</text></questiontext><single>true</single>` + extra +
			`<answer fraction="100"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer><answer fraction="0"><text>` + last + `</text></answer></question>`
	}
	res, probs := ParseMoodleXML([]byte(`<quiz>` + mc("<shuffleanswers>0</shuffleanswers>", "丙") + mc("<shuffleanswers>1</shuffleanswers>", "丙") +
		mc("", "以上都不对") + mc("<hidden>1</hidden>", "丙") + `</quiz>`))
	if len(probs) > 0 || len(res.Questions) != 3 {
		t.Fatalf("%+v %+v", res, probs)
	}
	for i, want := range []bool{true, false, true} {
		if res.Questions[i].FixedOrder != want {
			t.Errorf("question %d: fixed order %v, want %v", i+1, res.Questions[i].FixedOrder, want)
		}
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Reason != "在 Moodle 题库中已隐藏" {
		t.Errorf("skipped %+v", res.Skipped)
	}
	g, probs := ParseGIFT([]byte("问{=甲 ~乙 ~以上都对}"))
	if len(probs) > 0 || !g.Questions[0].FixedOrder {
		t.Errorf("GIFT 以上都对: %+v %+v", g, probs)
	}
}
