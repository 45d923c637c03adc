package exam_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"college/app/collegetest"

	"github.com/chromedp/chromedp"
)

// An admin uploads a Word paper with a picture on a phone: a paper with a
// mistake shows the problem by line beside the good questions and their
// picture, and cannot be imported; the corrected paper shows every question
// with its key and picture, and only after 确认导入 is it in the bank, where
// the picture shows, and in an exam paper a cadre opens. Then a table from
// another system: the admin fixes its column mapping.
func TestBrowserImportPreview(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "党章题库", false)
	base := a.Start()
	// Word documents another program wrote (pandoc): a paper with a
	// picture, and the same paper with a wrong answer letter.
	bad, err := filepath.Abs("importer/testdata/pandoc_picture_mistake.docx")
	if err != nil {
		t.Fatal(err)
	}
	good, _ := filepath.Abs("importer/testdata/pandoc_picture.docx")
	pictureShown := func(box, what string) {
		t.Helper()
		collegetest.WaitTrue(t, ctx, `Array.prototype.some.call(document.querySelectorAll('`+box+` img.q-media'), function (i) { return i.complete && i.naturalWidth > 0; })`,
			15*time.Second, what)
	}

	collegetest.ChromeLogin(t, ctx, base, "col", collegetest.UserPassword)
	page := fmt.Sprintf("%s/admin/exams/banks/%d", base, bank)
	collegetest.Visit(t, ctx, page, "批量导入")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#import-file-input`), []string{bad})); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "答案 E 不在选项中")
	pictureShown("#import-preview", "the preview of a paper with a problem never showed its picture")
	collegetest.Screenshot(t, ctx, "60-import-preview-problem")
	confirm, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#import-confirm").length`))
	if err != nil || confirm != 0 {
		t.Fatalf("a paper with a problem offers 确认导入: %d %v", confirm, err)
	}

	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#import-file-input`), []string{good})); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "识别为 Word 文档，共 3 题（单选 2，判断 1）")
	collegetest.WaitText(t, ctx, "答案：正确")
	pictureShown("#import-preview", "the preview never showed the paper's picture")
	collegetest.Screenshot(t, ctx, "61-import-preview")
	if n := a.Count("questions", "bank_id = ?", bank); n != 0 {
		t.Fatalf("the preview saved %d questions", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#import-confirm`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "已导入 3 题")
	collegetest.Screenshot(t, ctx, "62-import-done")
	if n := a.Count("questions", "bank_id = ?", bank); n != 3 {
		t.Fatalf("bank has %d questions after 确认导入, want 3", n)
	}
	// The bank shows the picture from the college's store.
	collegetest.Navigate(t, ctx, page)
	pictureShown(".q-stem-cell", "the bank never showed the imported picture")

	// A cadre sees the picture in the exam paper.
	var qs struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, nil).Body, &qs); err != nil || len(qs.Items) != 3 {
		t.Fatalf("bank questions: %v %d", err, len(qs.Items))
	}
	now := time.Now().UTC()
	r := a.Do("POST", "/api/v1/exams", col, map[string]any{"title": "看图答题", "duration_minutes": 30, "max_attempts": 1,
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(time.Hour),
		"paper": map[string]any{"mode": "fixed", "question_ids": []uint64{qs.Items[0].ID, qs.Items[1].ID, qs.Items[2].ID}}})
	collegetest.MustStatus(t, r, 201)
	examID := r.ID(t)
	a.PublishExam(col, examID)
	cadre := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, cadre, base, "ua_cadre", collegetest.UserPassword)
	collegetest.Navigate(t, cadre, fmt.Sprintf("%s/exams/%d/take", base, examID))
	if err := chromedp.Do(cadre, chromedp.Click(chromedp.CSS(`#exam-start`)), chromedp.WaitVisible(chromedp.CSS(`#exam-start-confirm`)), chromedp.Click(chromedp.CSS(`#exam-start-confirm`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitTrue(t, cadre, `Array.prototype.some.call(document.querySelectorAll('#exam-paper img.q-media'), function (i) { return i.complete && i.naturalWidth > 0; })`,
		15*time.Second, "the exam paper never showed the question's picture")
	collegetest.Screenshot(t, cadre, "64-exam-picture")

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
