package exam_test

import (
	"fmt"
	"strings"
	"testing"

	"college/app/collegetest"
)

// After the college releases the answers, the result page reviews each
// question (the candidate's answer, the key, right or wrong, the analysis)
// and the questions answered wrong are in the candidate's 错题本; before
// the release neither the key nor the book shows them.
func TestReleasedPaperReviewAndWrongBook(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "公布题库", false)
	right := a.Question(col, bank, map[string]any{"type": "judge", "stem": "实事求是是党的思想路线的核心", "answer": true, "score": 5, "analysis": "出自党章总纲"})
	wrong := a.Question(col, bank, map[string]any{"type": "single", "stem": "党的最高领导机关是", "options": []string{"全国代表大会", "中央书记处"}, "answer": "A", "score": 5, "analysis": "党章第十条"})
	blank := a.Question(col, bank, map[string]any{"type": "blank", "stem": "不忘____，牢记使命", "answer": []string{"初心"}, "score": 5})
	examID := a.FixedExam(col, map[string]any{"title": "人工公布", "duration_minutes": 5, "pass_score": 5, "release": "manual"}, right, wrong, blank)
	a.PublishExam(col, examID)
	cadre := c.Tokens["ua_cadre"]
	att := a.StartAttempt(cadre, examID)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers", att), cadre, map[string]any{"answers": map[string]any{
		fmt.Sprint(right): true, fmt.Sprint(wrong): "B"}}), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", att), cadre, nil), 200)

	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	result := fmt.Sprintf("/exams/%d/result?attempt=%d", examID, att)
	page := collegetest.PageGet(b, result, 200)
	if !strings.Contains(page, "正确答案和解析将在考试管理员公布后显示") || strings.Contains(page, "党章第十条") || strings.Contains(page, "答卷回顾") {
		t.Fatalf("result page before the release:\n%s", page)
	}
	if n := a.Count("wrong_answers", "user_id = ?", c.IDs["ua_cadre"]); n != 0 {
		t.Fatalf("%d questions in the 错题本 before the release", n)
	}

	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/release", examID), col, nil), 200)
	page = collegetest.PageGet(b, result, 200)
	for _, want := range []string{"答卷回顾", "党的最高领导机关是", "<dd class=\"review-given\">B</dd>", "<dd class=\"review-key\">A</dd>", "党章第十条", "出自党章总纲",
		"✓ 答对", "✗ 答错", "<dd class=\"review-given\">未作答</dd>", "错题本"} {
		if !strings.Contains(page, want) {
			t.Fatalf("released result page without %q:\n%s", want, page)
		}
	}
	if strings.Count(page, "✗ 答错") != 2 || strings.Count(page, "✓ 答对") != 1 {
		t.Fatalf("right and wrong marks:\n%s", page)
	}
	// The two wrong questions, and only those, are in the 错题本.
	if n := a.Count("wrong_answers", "user_id = ?", c.IDs["ua_cadre"]); n != 2 {
		t.Fatalf("%d questions in the 错题本, want 2", n)
	}
	for _, q := range []uint64{wrong, blank} {
		if a.Count("wrong_answers", "user_id = ? AND question_id = ?", c.IDs["ua_cadre"], q) != 1 {
			t.Fatalf("question %d not in the 错题本", q)
		}
	}
	book := a.Do("GET", "/api/v1/me/wrong-book", cadre, nil)
	collegetest.MustStatus(t, book, 200)
	if !strings.Contains(string(book.Body), "党的最高领导机关是") || strings.Contains(string(book.Body), "实事求是") {
		t.Fatalf("wrong book = %s", book.Body)
	}
	// Another candidate's result is not theirs to see.
	other := collegetest.LoginPages(a, "ub_cadre", collegetest.UserPassword)
	collegetest.PageGet(other, result, 404)
}

// An exam that releases at once books the wrong answers when it is graded.
func TestImmediateReleaseBooksWrongAnswers(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "即时题库", false)
	q := a.Question(col, bank, map[string]any{"type": "judge", "stem": "发展是第一要务", "answer": true, "score": 5})
	examID := a.FixedExam(col, map[string]any{"title": "即时公布", "duration_minutes": 5, "pass_score": 5, "release": "immediately"}, q)
	a.PublishExam(col, examID)
	cadre := c.Tokens["ua_cadre"]
	att := a.StartAttempt(cadre, examID)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers", att), cadre, map[string]any{"answers": map[string]any{fmt.Sprint(q): false}}), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", att), cadre, nil), 200)
	if n := a.Count("wrong_answers", "user_id = ? AND question_id = ?", c.IDs["ua_cadre"], q); n != 1 {
		t.Fatalf("the wrong answer booked %d times", n)
	}
}
