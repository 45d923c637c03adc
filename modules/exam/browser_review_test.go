package exam_test

import (
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"

	"github.com/chromedp/chromedp"
)

// On a 390 px phone a cadre reads the exam instructions, confirms 开始考试
// (nothing starts before), answers with the opaque navigator, submits, and
// once the college releases the answers reviews each question.
func TestBrowserExamInstructionsToReview(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "党章题库", false)
	judge := a.Question(col, bank, map[string]any{"type": "judge", "stem": "党的领导是中国特色社会主义最本质的特征", "answer": true, "score": 10, "analysis": "出自党章总纲"})
	single := a.Question(col, bank, map[string]any{"type": "single", "stem": "党的最高领导机关是", "options": []string{"党的全国代表大会和它所产生的中央委员会", "中央书记处"}, "answer": "A", "score": 10, "analysis": "党章第十条"})
	examID := a.FixedExam(col, map[string]any{"title": "党章知识测试", "duration_minutes": 20, "pass_score": 10, "release": "manual", "max_attempts": 2, "leave_limit": 3}, judge, single)
	a.PublishExam(col, examID)
	base := a.Start()
	collegetest.ChromeLogin(t, ctx, base, "ua_cadre", collegetest.UserPassword)

	collegetest.PhonePage(t, ctx, fmt.Sprintf("%s/exams/%d/take", base, examID), "考试须知", "70-exam-instructions")
	collegetest.WaitText(t, ctx, "已用 0 次，剩余 2 次")
	collegetest.WaitText(t, ctx, "超过 3 次将自动交卷")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#exam-start`)), chromedp.WaitVisible(chromedp.CSS(`#exam-start-confirm`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "开始后计入一次作答机会")
	collegetest.Screenshot(t, ctx, "71-exam-start-confirm")
	if n := a.Count("attempts", "exam_id = ?", examID); n != 0 {
		t.Fatalf("%d attempts before the confirmation", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#exam-start-confirm`))); err != nil {
		t.Fatal(err)
	}
	judgeTrue := fmt.Sprintf(`input[name="q-%d"][value="true"]`, judge)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(judgeTrue)), chromedp.Click(chromedp.CSS(judgeTrue))); err != nil {
		t.Fatal(err)
	}
	if n := a.Count("attempts", "exam_id = ?", examID); n != 1 {
		t.Fatalf("%d attempts after the confirmation", n)
	}
	collegetest.WaitText(t, ctx, "已保存")
	// The navigator is opaque and its buttons are a thumb wide.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#nav-toggle-btn`)), chromedp.WaitVisible(chromedp.CSS(`#nav-grid .nav-item`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitTrue(t, ctx, `(function () {
		var bar = getComputedStyle(document.getElementById("exam-bar")).backgroundColor;
		var items = document.querySelectorAll("#nav-grid .nav-item");
		var ok = bar === "rgb(255, 255, 255)";
		items.forEach(function (b) { var r = b.getBoundingClientRect(); ok = ok && r.height >= 44 && r.width >= 44; });
		var submit = document.getElementById("exam-submit").getBoundingClientRect();
		return ok && submit.height >= 44;
	})()`, 5*time.Second, "the navigator is see-through or its tap targets are under 44 px")
	collegetest.Screenshot(t, ctx, "72-exam-navigator")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#nav-toggle-btn`)),
		chromedp.Click(chromedp.CSS(`#exam-submit`)), chromedp.WaitVisible(chromedp.CSS(`#exam-confirm`)), chromedp.Click(chromedp.CSS(`#exam-confirm`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "正确答案和解析将在考试管理员公布后显示")
	collegetest.Screenshot(t, ctx, "73-exam-result-before-release")

	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/release", examID), col, nil), 200)
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "答卷回顾")
	collegetest.WaitText(t, ctx, "党章第十条")
	for _, want := range []string{"✓ 答对", "✗ 答错", "我的答案", "未作答", "正确答案", "出自党章总纲", "错题本"} {
		collegetest.WaitText(t, ctx, want)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 390 {
		t.Fatalf("the review is %d px wide on a 390 px phone (%v)", width, err)
	}
	collegetest.Screenshot(t, ctx, "74-exam-review")
	if n := a.Count("wrong_answers", "user_id = ? AND question_id = ?", c.IDs["ua_cadre"], single); n != 1 {
		t.Fatalf("the wrong answer is in the 错题本 %d times", n)
	}
}
