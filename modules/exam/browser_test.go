package exam_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"college/app/collegetest"

	"github.com/chromedp/chromedp"
)

// wordFile writes a .docx whose paragraphs are the lines.
func wordFile(t *testing.T, name string, lines ...string) string {
	t.Helper()
	var body strings.Builder
	for _, l := range lines {
		body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(l) + `</w:t></w:r></w:p>`)
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("word/document.xml")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// An admin uploads a Word paper on a phone: a paper with a mistake shows
// the problem by line and cannot be imported; the corrected paper shows
// every question with its key, and only after 确认导入 is it in the bank.
// Then a table from another system: the admin fixes its column mapping.
func TestBrowserImportPreview(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "党章题库", false)
	base := a.Start()
	paper := []string{"一、单项选择题（每题 2 分）", "1. 中国共产党的根本宗旨是（ ）。", "A. 全心全意为人民服务", "B. 实现共产主义", "答案：A",
		"二、判断题", "1. 党支部是党的基础组织。", "答案：对"}
	bad := wordFile(t, "有误.docx", append(append([]string{}, paper[:4]...), append([]string{"答案：E"}, paper[5:]...)...)...)
	good := wordFile(t, "党章题库.docx", paper...)

	collegetest.ChromeLogin(t, ctx, base, "col", collegetest.UserPassword)
	page := fmt.Sprintf("%s/admin/exams/banks/%d", base, bank)
	collegetest.Visit(t, ctx, page, "批量导入")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#import-file-input`), []string{bad})); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "答案 E 不在选项中")
	collegetest.Screenshot(t, ctx, "60-import-preview-problem")
	confirm, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#import-confirm").length`))
	if err != nil || confirm != 0 {
		t.Fatalf("a paper with a problem offers 确认导入: %d %v", confirm, err)
	}

	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#import-file-input`), []string{good})); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "识别为 Word 文档，共 2 题（单选 1，判断 1）")
	collegetest.WaitText(t, ctx, "答案：正确")
	collegetest.Screenshot(t, ctx, "61-import-preview")
	if n := a.Count("questions", "bank_id = ?", bank); n != 0 {
		t.Fatalf("the preview saved %d questions", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#import-confirm`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "已导入 2 题")
	collegetest.Screenshot(t, ctx, "62-import-done")
	if n := a.Count("questions", "bank_id = ?", bank); n != 2 {
		t.Fatalf("bank has %d questions after 确认导入, want 2", n)
	}

	// A table from another system whose header no rule knows: the admin
	// names its columns, sees the questions and imports them.
	other := filepath.Join(t.TempDir(), "其他系统.csv")
	if err := os.WriteFile(other, []byte("Q,Kind,Opt1,Opt2,Right\r\n党的最高领导机关是,单选,党的全国代表大会和它所产生的中央委员会,中央政治局,A\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	collegetest.Navigate(t, ctx, page)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#import-file-input`), []string{other})); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "没有找到表头")
	for role, col := range map[string]string{"题干": "1", "题型": "2", "选项A": "3", "选项B": "4", "答案": "5"} {
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#import-col-`+role), col)); err != nil {
			t.Fatalf("%s: %v", role, err)
		}
	}
	collegetest.Screenshot(t, ctx, "63-import-columns")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#import-columns-apply`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "识别为 CSV 表格，共 1 题（单选 1）")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#import-confirm`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "已导入 1 题")
	if n := a.Count("questions", "bank_id = ? AND stem = ?", bank, "党的最高领导机关是"); n != 1 {
		t.Fatalf("the table's question imported %d times", n)
	}
}
