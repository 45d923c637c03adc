package importer

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// corpusWant is what importing one public file gives, written down from
// Moodle's documented behaviour (question/format/gift/format.php,
// question/format/xml/format.php) and this importer's stated deviations:
// the type and key (in words) of every question in order, every refused
// question with its reason, every skipped one, the warnings and the number
// of media files kept.
type corpusWant struct {
	file     string
	format   string
	keys     []string // "<type> <key in words>"
	problems []string // "<at>：<message>"
	skipped  []string
	warnings []string
	media    int
}

// corpus is every file of testdata/real.
var corpus = []corpusWant{
	{file: "alanosy_ImportQuestionTemplate.xlsx", format: "excel",
		problems: []string{
			"第 3 行：题型「1」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；第 10 列（选项A是否正确）「选项3」应为 是/否 或 1/0",
			"第 4 行：题型「1」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；第 10 列（选项A是否正确）「选项3」应为 是/否 或 1/0",
			"第 5 行：题型「2」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；第 10 列（选项A是否正确）「选项3」应为 是/否 或 1/0",
			"第 6 行：题型「2」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；第 10 列（选项A是否正确）「选项3」应为 是/否 或 1/0",
			"第 7 行：题型「3」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；这道题没有标为正确的选项（是否正确 填 是 或 1）",
			"第 8 行：题型「3」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；这道题没有标为正确的选项（是否正确 填 是 或 1）",
			"第 9 行：题型「4」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；这道题没有标为正确的选项（是否正确 填 是 或 1）",
			"第 10 行：题型「4」无效，应为 单选、多选、不定项、判断、填空 或 简答（及其常见写法，如 单项选择题、是非题、问答题）；这道题没有标为正确的选项（是否正确 填 是 或 1）",
		}},
	{file: "examstack_question.xlsx", format: "excel", problems: []string{"第 2 行：分值必填"}},
	{file: "fastadmin_question.xlsx", format: "excel", skipped: []string{"第 2 行：模板的填写说明，不是试题", "第 3 行：模板的填写说明，不是试题"}},
	{file: "jnpf_tiku_import_template.xlsx", format: "excel", keys: []string{"single D", "multiple ABD", "judge 正确"}},
	{file: "amc2moodle_QCM.xml", format: "moodle_xml",
		keys:     []string{"single A", "single D", "multiple ABF", "single A", "multiple AC", "single A", "single A", "short "},
		problems: []string{"第 16 题：数值题答案「285.0」只得 50% 分：暂不支持部分得分的数值答案，请删去它或改为完全正确", "第 26 题：题目含公式、图表或矢量图，暂不能导入，请改为文字或 PNG 图片后再导入"},
		skipped:  []string{"第 20 题：不支持的题型 description", "第 22 题：不支持的题型 calculatedmulti", "第 24 题：不支持的题型 calculatedmulti"},
		warnings: []string{"第 2 题：Moodle 中选错扣分（负分）的选项，在本系统按 0 分计；含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂", "第 4 题：Moodle 中选错扣分（负分）的选项，在本系统按 0 分计；各选项的反馈未导入（本系统只保留题目解析）；含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂", "第 6 题：Moodle 中选错扣分（负分）的选项，在本系统按 0 分计；含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂", "第 8 题：Moodle 中选错扣分（负分）的选项，在本系统按 0 分计", "第 10 题：Moodle 中选错扣分（负分）的选项，在本系统按 0 分计", "第 12 题：含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂", "第 14 题：Moodle 中选错扣分（负分）的选项，在本系统按 0 分计；含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂"},
		media:    4},
	{file: "amc2moodle_moodle-bank-exemple.xml", format: "moodle_xml",
		keys:     []string{"short ", "single B", "single B", "blank 150", "blank 3.141592653589793（误差 ±0.001）", "blank 2", "single C", "single A"},
		problems: []string{"第 3 题：图片格式不支持（SVG 矢量图），可用：PNG、JPEG、GIF、WebP 图片，MP3、M4A、OGG、WAV 音频，MP4、WebM 视频", "第 11 题：数值题答案「1.4142135623730951」只得 50% 分：暂不支持部分得分的数值答案，请删去它或改为完全正确"},
		skipped:  []string{"第 6 题：不支持的题型 description", "第 13 题：不支持的题型 calculatedmulti", "第 14 题：不支持的题型 calculatedmulti"},
		warnings: []string{"第 4 题：各选项的反馈未导入（本系统只保留题目解析）；含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂", "第 5 题：各选项的反馈未导入（本系统只保留题目解析）", "第 8 题：含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂", "第 9 题：含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂", "第 10 题：各选项的反馈未导入（本系统只保留题目解析）；含 LaTeX 公式（如 \\(x^2\\)），考试页面按原文显示，请确认考生能看懂"},
		media:    0},
	{file: "giftpegjs_escapeColon.gift", format: "gift",
		keys:     []string{"single A 或 B 或 C 或 D"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{},
		media:    0},
	{file: "giftpegjs_shortAnswer2.gift", format: "gift",
		keys:     []string{"blank no one 或 nobody", "blank One"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{},
		media:    0},
	{file: "giftpegjs_shortAnswerNotMatching.gift", format: "gift",
		keys:     []string{"single B", "single C"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{},
		media:    0},
	{file: "moodle_gift_examples.txt", format: "gift",
		keys:     []string{"single C", "single B", "judge 错误", "blank no one 或 nobody", "blank 1822（误差 ±1）", "single C", "single B", "single C", "single B", "blank no one 或 nobody", "blank four 或 4", "judge 错误", "judge 正确", "blank 1822", "blank 3.1415（误差 ±0.0005）", "blank 3.141 到 3.142 之间的数", "blank 4", "blank China", "single C", "single C", "blank no one 或 nobody", "blank no one 或 nobody", "judge 错误", "single C；B 得 50% 分", "single D；B 得 25% 分；C 得 50% 分", "multiple BC", "multiple BC", "single B", "single F", "single C", "single B", "judge 错误", "blank no one 或 nobody", "blank 1822（误差 ±5）", "single B", "single C；B 得 50% 分"},
		problems: []string{"第 76 行：数值题答案「1822:2」只得 50% 分：暂不支持部分得分的数值答案，请删去它或改为完全正确", "第 123 行：填空答案「Bethlehem」只得 25% 分：暂不支持部分得分的答案，请删去它或改为完全正确", "第 195 行：填空答案「Bethlehem」只得 25% 分：暂不支持部分得分的答案，请删去它或改为完全正确", "第 202 行：数值题答案「1822:2」只得 50% 分：暂不支持部分得分的数值答案，请删去它或改为完全正确"},
		skipped:  []string{"第 55 行：不支持的题型 matching", "第 61 行：不支持的题型 matching", "第 177 行：不支持的题型 matching"},
		warnings: []string{"第 98 行：各选项的反馈未导入（本系统只保留题目解析）", "第 103 行：各选项的反馈未导入（本系统只保留题目解析）", "第 108 行：各选项的反馈未导入（本系统只保留题目解析）", "第 117 行：各选项的反馈未导入（本系统只保留题目解析）", "第 136 行：Moodle 中选错扣分（负分）的选项，在本系统按 0 分计", "第 148 行：各选项的反馈未导入（本系统只保留题目解析）", "第 184 行：各选项的反馈未导入（本系统只保留题目解析）", "第 190 行：各选项的反馈未导入（本系统只保留题目解析）"},
		media:    0},
	{file: "moodle_gift_questions.gift.txt", format: "gift",
		keys:     []string{"short ", "single A", "multiple AC", "blank 3（误差 ±2）", "judge 错误", "judge 正确", "judge 正确"},
		problems: []string{"第 34 行：填空答案「Cat」只得 50% 分：暂不支持部分得分的答案，请删去它或改为完全正确"},
		skipped:  []string{"第 5 行：不支持的题型 matching"},
		warnings: []string{"第 14 行：各选项的反馈未导入（本系统只保留题目解析）", "第 22 行：各选项的反馈未导入（本系统只保留题目解析）；Moodle 中选错扣分（负分）的选项，在本系统按 0 分计"},
		media:    0},
	{file: "moodle_gift_windows-1252.gift.txt", format: "gift",
		keys:     []string{},
		problems: []string{"文件：文件编码无法识别：请用 UTF-8 编码另存后再导入（记事本“另存为”时编码选 UTF-8）"},
		skipped:  []string{},
		warnings: []string{},
		media:    0},
	{file: "moodle_lesson_multichoice.xml", format: "moodle_xml",
		keys:     []string{"single B"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{"第 2 题：各选项的反馈未导入（本系统只保留题目解析）"},
		media:    5},
	{file: "moodle_multianswer_images.xml", format: "moodle_xml",
		keys:     []string{},
		problems: []string{},
		skipped:  []string{"第 2 题：不支持的题型 cloze"},
		warnings: []string{},
		media:    0},
	{file: "moodle_multichoice_testquestion.xml", format: "moodle_xml",
		keys:     []string{"multiple CE"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{},
		media:    0},
	{file: "moodle_nested_categories_with_questions.xml", format: "moodle_xml",
		keys:     []string{"judge 正确", "short ", "judge 正确", "judge 正确", "judge 正确"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{},
		media:    0},
	{file: "moodle_numerical_testquestion.xml", format: "moodle_xml",
		keys:     []string{"blank 6.25（误差 ±0.05）"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{},
		media:    0},
	{file: "moodle_old_image_tag.xml", format: "moodle_xml",
		keys:     []string{"single C"},
		problems: []string{},
		skipped:  []string{"第 2 题：不支持的题型 cloze"},
		warnings: []string{},
		media:    1},
	{file: "moodle_truefalse_images.xml", format: "moodle_xml",
		keys:     []string{"judge 错误", "judge 正确"},
		problems: []string{},
		skipped:  []string{},
		warnings: []string{},
		media:    2},
	{file: "pygiftparser_single.gift", format: "gift",
		keys:     []string{"single A", "single C", "single D；B 得 25% 分；C 得 50% 分"},
		problems: []string{"第 29 行：填空答案「Bethlehem」只得 25% 分：暂不支持部分得分的答案，请删去它或改为完全正确"},
		skipped:  []string{},
		warnings: []string{"第 2 行：各选项的反馈未导入（本系统只保留题目解析）", "第 15 行：各选项的反馈未导入（本系统只保留题目解析）", "第 22 行：各选项的反馈未导入（本系统只保留题目解析）"},
		media:    0},
}

// TestCorpus imports every public file of testdata/real and compares all
// of the result with what is written down; a file without an entry fails.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/real/*")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, w := range corpus {
		listed[w.file] = true
		res, probs, err := Parse(w.file, fixture(t, "real/"+w.file))
		if err != nil {
			t.Errorf("%s: %v", w.file, err)
			continue
		}
		qs := res.Questions
		if len(probs) > 0 {
			if len(res.Questions) > 0 {
				t.Errorf("%s: %d questions returned beside problems", w.file, len(res.Questions))
			}
			qs = res.Good
		}
		var keys, ps, sk, ws []string
		for _, q := range qs {
			keys = append(keys, string(q.Type)+" "+q.KeyText())
		}
		for _, p := range probs {
			ps = append(ps, p.At+"："+p.Message)
		}
		for _, s := range res.Skipped {
			sk = append(sk, s.At+"："+s.Reason)
		}
		for _, p := range res.Warnings {
			ws = append(ws, p.At+"："+p.Message)
		}
		for _, c := range []struct {
			what      string
			got, want []string
		}{{"keys", keys, w.keys}, {"problems", ps, w.problems}, {"skipped", sk, w.skipped}, {"warnings", ws, w.warnings}} {
			if !slices.Equal(c.got, c.want) && len(c.got)+len(c.want) > 0 {
				t.Errorf("%s %s:\n got  %q\n want %q", w.file, c.what, c.got, c.want)
			}
		}
		if res.Format != w.format || len(res.Media) != w.media {
			t.Errorf("%s: format %q media %d", w.file, res.Format, len(res.Media))
		}
	}
	for _, f := range files {
		switch b := filepath.Base(f); {
		case b == "SOURCES.txt" || b == "moodle.png":
		case !listed[b]:
			t.Errorf("%s has no expected result in corpus", b)
		}
	}
	if _, err := os.Stat("testdata/real/SOURCES.txt"); err != nil {
		t.Error(err)
	}
}
