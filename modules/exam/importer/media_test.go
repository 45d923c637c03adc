package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	_ "image/png" // excelize reads a picture's size
	"os"
	"strings"
	"testing"

	"college/modules/exam/item"

	"github.com/xuri/excelize/v2"
)

// checkMedia checks that every token of the questions names a file the
// result holds, whose name is its content's hash and whose type is its
// extension's; and that the result holds nothing more.
func checkMedia(t *testing.T, what string, res Result) {
	t.Helper()
	used := map[string]bool{}
	for i := range res.Questions {
		for _, n := range res.Questions[i].Media() {
			used[n] = true
		}
	}
	for n := range used {
		data, ok := res.Media[n]
		if !ok {
			t.Errorf("%s: token %s without its file", what, n)
			continue
		}
		sum := sha256.Sum256(data)
		ct, _ := item.SniffMedia(data)
		if !strings.HasPrefix(n, hex.EncodeToString(sum[:])+".") || item.MediaType(n) != ct {
			t.Errorf("%s: %s holds %s", what, n, ct)
		}
	}
	if len(res.Media) != len(used) {
		t.Errorf("%s: %d files kept, %d shown", what, len(res.Media), len(used))
	}
}

// tokenOf is the token of a corpus file's bytes.
func tokenOf(t *testing.T, data []byte) string {
	t.Helper()
	ct, ok := item.SniffMedia(data)
	if !ok {
		t.Fatalf("not media: %s", ct)
	}
	return item.MediaToken(item.MediaName(data, ct))
}

// Moodle's own fixtures with embedded files: pictures in the stem, in each
// option and in the feedback, a sound linked from the stem, and Moodle
// 1.9's <image_base64> are kept where they stand.
func TestRealMoodleMedia(t *testing.T) {
	res, probs, err := Parse("moodle_lesson_multichoice.xml", fixture(t, "real/moodle_lesson_multichoice.xml"))
	if err != nil || len(probs) > 0 || len(res.Questions) != 1 {
		t.Fatalf("%v %+v", err, probs)
	}
	q := res.Questions[0]
	if q.Type != item.Single || q.Key.Choices != "B" {
		t.Errorf("greeting: %s %q", q.Type, q.Key.Choices)
	}
	if !strings.HasPrefix(q.Stem, "[音频:") || !strings.HasSuffix(q.Stem, "What language is being spoken?") || strings.Contains(q.Stem, "Listen to this") {
		t.Errorf("stem %q", q.Stem)
	}
	for i, lang := range []string{"English", "French", "German", "Danish"} {
		if !strings.HasPrefix(q.Options[i], "[图片:") || !strings.HasSuffix(q.Options[i], "] "+lang) || item.MediaType(item.MediaNames(q.Options[i])[0]) != "image/jpeg" {
			t.Errorf("option %d: %q", i, q.Options[i])
		}
	}
	if len(res.Media) != 5 || item.MediaType(item.MediaNames(q.Stem)[0]) != "audio/mpeg" {
		t.Errorf("%d files; stem %q", len(res.Media), q.Stem)
	}
	checkMedia(t, "multichoice", res)

	res, probs, err = Parse("moodle_truefalse_images.xml", fixture(t, "real/moodle_truefalse_images.xml"))
	if err != nil || len(probs) > 0 || len(res.Questions) != 2 {
		t.Fatalf("%v %+v", err, probs)
	}
	for i, want := range []bool{false, true} {
		q := res.Questions[i]
		if q.Type != item.Judge || q.Key.Judge != want || !strings.HasPrefix(q.Stem, "Moodle [图片:") || len(item.MediaNames(q.Analysis)) != 1 {
			t.Errorf("truefalse %d: %+v", i, q)
		}
	}
	// The same logo in both questions is one file.
	if len(res.Media) != 2 {
		t.Errorf("truefalse files: %d", len(res.Media))
	}
	checkMedia(t, "truefalse", res)

	res, probs, err = Parse("moodle_old_image_tag.xml", fixture(t, "real/moodle_old_image_tag.xml"))
	if err != nil || len(probs) > 0 || len(res.Questions) != 1 || len(res.Skipped) != 1 {
		t.Fatalf("%v %+v %+v", err, probs, res.Skipped)
	}
	if q := res.Questions[0]; q.Key.Choices != "C" || !strings.HasSuffix(q.Stem, tokenOf(t, fixture(t, "real/moodle.png"))) {
		t.Errorf("old image tag: %q %q", q.Key.Choices, q.Stem)
	}
	checkMedia(t, "old image tag", res)
}

// png is a data: URI of a real picture.
func pngURI(t *testing.T) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(fixture(t, "real/moodle.png"))
}

// Pictures in GIFT's HTML come as data: URIs; an option that is only a
// picture is an option. What cannot be kept refuses its question with the
// reason.
func TestGIFTMedia(t *testing.T) {
	img := `<img src\="` + strings.ReplaceAll(pngURI(t), "=", `\=`) + `">`
	tok := tokenOf(t, fixture(t, "real/moodle.png"))
	res, probs := ParseGIFT([]byte("[html]哪一个是 Moodle 的图标？{=" + img + " ~<b>甲</b> ~乙}\n\n[html]看图：" + img + "这是什么？{=图标 =标志}"))
	if len(probs) > 0 || len(res.Questions) != 2 {
		t.Fatalf("%+v", probs)
	}
	if q := res.Questions[0]; q.Options[0] != tok || q.Key.Choices != "A" {
		t.Errorf("image option: %q %q", q.Options, q.Key.Choices)
	}
	if q := res.Questions[1]; q.Stem != "看图："+tok+"这是什么？" {
		t.Errorf("image stem: %q", q.Stem)
	}
	if len(res.Media) != 1 {
		t.Errorf("files: %d", len(res.Media))
	}
	checkMedia(t, "gift", res)

	big := "data:image/png;base64," + strings.Repeat("A", item.MaxMediaBytes/3*4+8)
	for in, want := range map[string]string{
		`问<img src\="data\:image/png;base64,@@@">{=甲 ~乙}`:                                                              "base64 无法解码",
		`问<img src\="data\:image/png,rawbytes">{=甲 ~乙}`:                                                                "应为 base64",
		`问<img src\="data\:image/svg+xml;base64,PHN2Zy8+">{=甲 ~乙}`:                                                     "图片格式不支持（SVG 矢量图）",
		`问<img src\="` + strings.ReplaceAll(big, "=", `\=`) + `">{=甲 ~乙}`:                                              "图片超过 10 MB",
		`问<audio controls><source src\="@@PLUGINFILE@@/a.mp3"></audio>{=甲 ~乙}`:                                         "音频「a.mp3」不在文件中",
		`问<svg><circle r\="1"/></svg>{=甲 ~乙}`:                                                                          "题目含公式、图表或矢量图",
		`问{=<img src\="//cdn.example.com/a.png"> ~乙}`:                                                                  "题目引用了网上的图片",
		`问{=<img src\="data\:image/png;base64,` + base64.StdEncoding.EncodeToString([]byte("not an image")) + `"> ~乙}`: "图片格式不支持（text/plain）",
	} {
		res, probs := ParseGIFT([]byte(in))
		if len(res.Questions) > 0 || len(res.Media) > 0 || len(probs) != 1 || !strings.Contains(probs[0].Message, want) {
			t.Errorf("%.80q: %d %+v, want %q", in, len(res.Questions), probs, want)
		}
	}
}

// A blank's answer is text: a picture there is refused.
func TestBlankAnswerWithMedia(t *testing.T) {
	q := item.Question{Type: item.Blank, Stem: "填____", Key: item.Key{Blanks: []string{"[图片:" + strings.Repeat("a", 64) + ".png]"}}, Score: 1}
	if bad := q.Validate(); !strings.Contains(bad["answer"], "只能是文字") {
		t.Errorf("%v", bad)
	}
}

// Pictures in a .docx come with their question; an EMF picture (what
// Word's formulas often are) is refused with the reason.
func TestWordPictures(t *testing.T) {
	doc := docx(t, "一、单选题", "1. 下图是哪个平台的图标？", "[图:real/moodle.png]", "A.Moodle", "B.其他", "答案：A",
		"2. 选出图标", "A.", "[图:real/moodle.png]", "B.文字", "答案：A")
	res, probs, err := Parse("题库.docx", doc)
	if err != nil || len(probs) > 0 || len(res.Questions) != 2 {
		t.Fatalf("%v %+v", err, probs)
	}
	tok := tokenOf(t, fixture(t, "real/moodle.png"))
	if q := res.Questions[0]; q.Stem != "下图是哪个平台的图标？\n"+tok {
		t.Errorf("stem %q", q.Stem)
	}
	if q := res.Questions[1]; strings.TrimSpace(q.Options[0]) != tok {
		t.Errorf("option %q", q.Options)
	}
	checkMedia(t, "word", res)

	emf := append([]byte{1, 0, 0, 0, 0x6c, 0, 0, 0}, make([]byte, 100)...)
	doc = docxWith(t, "1. 公式 ", "emf", emf)
	_, probs, _ = Parse("题库.docx", doc)
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "EMF/WMF") {
		t.Errorf("emf: %+v", probs)
	}
}

// docxWith is a one-question document whose stem ends with a picture of
// the given bytes.
func docxWith(t *testing.T, stem, ext string, data []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir+"/p."+ext, data)
	return docx(t, stem, "[图:"+dir+"/p."+ext+"]", "A.甲", "B.乙", "答案：A")
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Pictures placed on a workbook's question rows go with the text of their
// column, or with the stem when their column holds none.
func TestExcelPictures(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	pic := fixture(t, "real/moodle.png")
	rows := [][]any{
		{"题型", "题干", "选项A", "选项B", "答案", "备注"},
		{"单选题", "下图是哪个平台的图标？", "Moodle", "其他", "A"},
		{"单选题", "选出图标", "", "文字", "A"},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	for _, cell := range []string{"F1", "F2", "C3"} { // a header picture is not a question's
		if err := f.AddPictureFromBytes("Sheet1", cell, &excelize.Picture{Extension: ".png", File: pic}); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	res, probs, err := Parse("题库.xlsx", b.Bytes())
	if err != nil || len(probs) > 0 || len(res.Questions) != 2 {
		t.Fatalf("%v %+v", err, probs)
	}
	tok := tokenOf(t, pic)
	if q := res.Questions[0]; q.Stem != "下图是哪个平台的图标？"+tok || q.Options[0] != "Moodle" {
		t.Errorf("picture beside the row: %q %q", q.Stem, q.Options)
	}
	if q := res.Questions[1]; q.Options[0] != tok || q.Key.Choices != "A" {
		t.Errorf("picture option: %q", q.Options)
	}
	checkMedia(t, "excel", res)
}
