package importer

import (
	"reflect"
	"strings"
	"testing"

	"college/modules/exam/item"
)

func TestParseGIFT(t *testing.T) {
	res, probs := ParseGIFT(fixture(t, "sample.gift"))
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	q := func(typ item.Type, stem string, opts []string, key item.Key, analysis string) item.Question {
		// $CATEGORY: $course$/政治理论 tags the questions after it.
		return item.Question{Type: typ, Stem: stem, Options: opts, Key: key, Score: 1, Difficulty: 3, Tags: []string{"政治理论"}, Analysis: analysis}
	}
	want := []item.Question{
		q(item.Single, "党的根本宗旨是", []string{"全心全意为人民服务", "实现共产主义", "发展生产力"}, item.Key{Choices: "A"}, ""),
		q(item.Multiple, "“四个意识”包括", []string{"政治意识", "大局意识", "忧患意识"}, item.Key{Choices: "AB"}, "四个意识是政治意识、大局意识、核心意识、看齐意识。"),
		// Several "=" with a "~": single choice, each "=" alone is right (Moodle).
		q(item.Single, "下列属于宪法规定的", []string{"国家机构", "公民权利", "外交辞令"}, item.Key{Choices: "AB"}, ""),
		q(item.Judge, "地球是圆的", nil, item.Key{Judge: true}, ""),
		q(item.Judge, "太阳从西边升起", nil, item.Key{Judge: false}, ""),
		q(item.Blank, "我国的根本政治制度是____。", nil, item.Key{Blanks: []string{"人民代表大会制度|人大制度"}}, ""),
		q(item.Blank, "____是中国的首都", nil, item.Key{Blanks: []string{"北京"}}, ""),
		q(item.Single, "1 = 1，集合 {a}，比例 50%，标题: 无", []string{"a~b", "c#d"}, item.Key{Choices: "A"}, ""),
		q(item.Short, "谈谈体会", nil, item.Key{}, ""),
		// {#3.14:0.01}: a number with its tolerance, graded by value.
		q(item.Blank, "圆周率约为多少？", nil, item.Key{Blanks: []string{"#3.14:0.01"}}, ""),
	}
	if !reflect.DeepEqual(res.Questions, want) {
		for i := range max(len(want), len(res.Questions)) {
			var g, w item.Question
			if i < len(res.Questions) {
				g = res.Questions[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("question %d:\n got %#v\nwant %#v", i, g, w)
			}
		}
	}
	wantSkip := []Skipped{{At: "第 30 行", Reason: "不支持的题型 matching"}}
	if !reflect.DeepEqual(res.Skipped, wantSkip) {
		t.Errorf("skipped %+v", res.Skipped)
	}
}

func TestParseGIFTForms(t *testing.T) {
	cases := []struct {
		in   string
		want item.Question
	}{
		{"问{~%100%对的 ~错的}", item.Question{Type: item.Single, Stem: "问", Options: []string{"对的", "错的"}, Key: item.Key{Choices: "A"}}},
		{"问{~甲 ~%33.3%乙 ~%33.3%丙 ~%33.4%丁}", item.Question{Type: item.Multiple, Stem: "问", Options: []string{"甲", "乙", "丙", "丁"}, Key: item.Key{Choices: "BCD"}}},
		// "->" in an option of a block with "~" is text, not matching (Moodle's order).
		{"箭头{=A -> B ~B -> A}", item.Question{Type: item.Single, Stem: "箭头", Options: []string{"A -> B", "B -> A"}, Key: item.Key{Choices: "A"}}},
		// Text without a format prefix is Moodle's default, which renders HTML;
		// [markdown] is rendered; [plain] keeps what looks like tags.
		{"问{=<b>甲</b> ~乙<br>丙}", item.Question{Type: item.Single, Stem: "问", Options: []string{"甲", "乙\n丙"}, Key: item.Key{Choices: "A"}}},
		{"[markdown]谁在 **格兰特** 墓里？{=没有人 ~格兰特}", item.Question{Type: item.Single, Stem: "谁在 格兰特 墓里？", Options: []string{"没有人", "格兰特"}, Key: item.Key{Choices: "A"}}},
		{"[plain]a <b> 与 b{T}", item.Question{Type: item.Judge, Stem: "a <b> 与 b", Key: item.Key{Judge: true}}},
		{"[html]10<sup>2</sup> 等于{=100 ~102}", item.Question{Type: item.Single, Stem: "10² 等于", Options: []string{"100", "102"}, Key: item.Key{Choices: "A"}}},
		{"问{TRUE}", item.Question{Type: item.Judge, Stem: "问", Key: item.Key{Judge: true}}},
		{"问{t}", item.Question{Type: item.Judge, Stem: "问", Key: item.Key{Judge: true}}},
		{"问{F}", item.Question{Type: item.Judge, Stem: "问", Key: item.Key{Judge: false}}},
		{"问{#=2:0 =3}", item.Question{Type: item.Blank, Stem: "问", Key: item.Key{Blanks: []string{"#2:0|#3"}}}},
		{"问{#1..5}", item.Question{Type: item.Blank, Stem: "问", Key: item.Key{Blanks: []string{"#1..5"}}}},
		{"问{# =1822:0 ~#不对}", item.Question{Type: item.Blank, Stem: "问", Key: item.Key{Blanks: []string{"#1822:0"}}}},
		{"问{=甲 =%0%乙 =\\*号}", item.Question{Type: item.Blank, Stem: "问", Key: item.Key{Blanks: []string{"甲|*号"}}}},
		{"写一篇文章{\n####写作要点\n}", item.Question{Type: item.Short, Stem: "写一篇文章", Analysis: "写作要点"}},
		{"[markdown]问\\{x\\}{T}", item.Question{Type: item.Judge, Stem: "问{x}", Key: item.Key{Judge: true}}},
		{"::长标题 \\: 有冒号::问{T}", item.Question{Type: item.Judge, Stem: "问", Key: item.Key{Judge: true}}},
		{"多行\n题干{\n=甲\n~乙\n}", item.Question{Type: item.Single, Stem: "多行\n题干", Options: []string{"甲", "乙"}, Key: item.Key{Choices: "A"}}},
	}
	for _, c := range cases {
		res, probs := ParseGIFT([]byte(c.in))
		c.want.Score, c.want.Difficulty = 1, 3
		if len(probs) > 0 || len(res.Questions) != 1 {
			t.Errorf("%q: %+v %+v", c.in, res, probs)
			continue
		}
		if !reflect.DeepEqual(res.Questions[0], c.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", c.in, res.Questions[0], c.want)
		}
	}
}

func TestParseGIFTProblems(t *testing.T) {
	cases := []struct {
		in   string
		row  int
		want string
	}{
		{"好题{T}\n\n// 注释\n坏题\n继续 {=甲 ~乙\n\n好题2{F}", 4, "第 5 行的 { 没有对应的 }"},
		{"好题{T}\n\n::标题 没有结尾 {T}", 3, "标题缺少结尾"},
		{"好题{T}\n\n\n问{~甲 ~乙}", 4, "没有正确答案"},
		{"好题{T}\n\n问{甲 =乙}", 3, "答案应以 = 或 ~ 开头"},
		{"好题{T}\n\n问{#=2:0 =%50%2.1 =3}", 3, "数值题答案「2.1」只得 50% 分：暂不支持部分得分的数值答案"},
		{"好题{T}\n\n问{#abc}", 3, "不是数字"},
		{"好题{T}\n\n问{=甲 =%50%乙}", 3, "填空答案「乙」只得 50% 分"},
		{"好题{T}\n\n问{=photo*}", 3, "填空答案「photo*」含通配符 *"},
		{"好题{T}\n\n看图<img src=\"a.png\">{=甲 ~乙}", 3, "图片「a.png」不在文件中"},
		{"好题{T}\n\n哪一面是国旗？{=<img src\\=\"https\\://example.com/a.png\"> ~乙}", 3, "题目引用了网上的图片"},
		{"好题{T}\n\n问{T} 又{F}", 3, "只能有一个答案块"},
		{"好题{T}\n\n问 } 题", 3, "没有对应的 {"},
		{"好题{T}\n\n{=甲 ~乙}", 3, "题干必填"},
		{"好题{T}\n\n问{=a ~b ~c ~d ~e ~f ~g ~h ~i}", 3, "2 到 8 个选项"},
	}
	for _, c := range cases {
		res, probs := ParseGIFT([]byte(c.in))
		if len(res.Questions) != 0 || len(probs) != 1 {
			t.Errorf("%q: %+v %+v", c.in, res, probs)
			continue
		}
		p := probs[0]
		if p.Row != c.row || p.At != lineAt(c.row) || !strings.Contains(p.Message, c.want) {
			t.Errorf("%q: got %+v, want line %d %q", c.in, p, c.row, c.want)
		}
	}
}

func TestParseGIFTEmpty(t *testing.T) {
	res, probs := ParseGIFT([]byte("// 只有注释\n$CATEGORY: x\n\n"))
	if len(res.Questions) != 0 || len(probs) != 1 {
		t.Errorf("%+v %+v", res, probs)
	}
}
