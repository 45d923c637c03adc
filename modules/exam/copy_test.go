package exam_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
)

// A practice set larger than the bank says so in Chinese and draws every
// question there is; the API draws them all too.
func TestPracticeAsksForMoreThanTheBankHolds(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "党章题库", true)
	for i := range 3 {
		a.Question(col, bank, map[string]any{"type": "judge", "stem": fmt.Sprintf("党章判断题 %d", i+1), "answer": true, "score": 1})
	}
	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	page := collegetest.PageGet(b, fmt.Sprintf("/practice/banks/%d?count=50", bank), 200)
	if !strings.Contains(page, "您选择练习 50 题，本题库只有 3 道可练习的题，已全部抽出。") {
		t.Fatalf("no note about the short bank:\n%s", page)
	}
	if n := strings.Count(page, `name="qid"`); n != 3 {
		t.Fatalf("%d questions drawn, want all 3", n)
	}
	page = collegetest.PageGet(b, fmt.Sprintf("/practice/banks/%d", bank), 200)
	if strings.Contains(page, "已全部抽出") || !strings.Contains(page, "<title>练习：党章题库 - ") || !strings.Contains(page, "<h1>练习：党章题库</h1>") {
		t.Fatalf("practice page of a bank:\n%s", page)
	}
	r := a.Do("GET", fmt.Sprintf("/api/v1/practice/banks/%d/questions?count=500", bank), c.Tokens["ua_cadre"], nil)
	collegetest.MustStatus(t, r, 200)
	if n := strings.Count(string(r.Body), `"stem"`); n != 3 {
		t.Fatalf("the API drew %d of 3: %s", n, r.Body)
	}
}

// The candidate's exam pages are titled after what they show and never
// show a template's name.
func TestExamPageTitles(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	id, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(col, id)
	att := a.StartAttempt(c.Tokens["ua_cadre"], id)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", att), c.Tokens["ua_cadre"], nil), 200)
	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	title := regexp.MustCompile(`<title>([^<]*)</title>`)
	h1 := regexp.MustCompile(`<h1[^>]*>([^<]*)</h1>`)
	for path, want := range map[string]string{
		"/exams":                            "我的考试",
		fmt.Sprintf("/exams/%d/take", id):   "2026 年度政治理论水平考试",
		fmt.Sprintf("/exams/%d/result", id): "2026 年度政治理论水平考试 - 考试结果",
		"/practice":                         "练习与错题本",
		"/practice/wrong-book":              "错题本",
	} {
		page := collegetest.PageGet(b, path, 200)
		if m := title.FindStringSubmatch(page); m == nil || !strings.HasPrefix(m[1], want+" - ") {
			t.Errorf("%s: title %v, want %q", path, m, want)
		}
		if m := h1.FindStringSubmatch(page); m == nil || !strings.Contains(want, strings.TrimSpace(m[1])) {
			t.Errorf("%s: heading %v does not match the title %q", path, m, want)
		}
		for _, name := range []string{"exam/take", "exam/result", "exam/list", "exam/practice"} {
			if strings.Contains(page, name) {
				t.Errorf("%s shows the template name %q", path, name)
			}
		}
	}
}
