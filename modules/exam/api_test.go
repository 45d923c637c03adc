package exam_test

import (
	"bytes"
	"college/app/collegetest"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExamAttemptLifecycle(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	cadre := c.Tokens["ua_cadre"]
	examID, ids := collegetest.ExamSetup(t, a, c, time.Hour)

	// Malformed questions name the field.
	r := a.Do("POST", "/api/v1/banks", col, map[string]any{"name": ""})
	collegetest.MustStatus(t, r, 400)
	r = a.Do("POST", "/api/v1/banks/1/questions", col, map[string]any{"type": "single", "stem": "x", "options": []string{"a", "b"}, "answer": "E", "score": 1})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["answer"] == nil {
		t.Fatalf("answer not among options: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/banks", cadre, map[string]any{"name": "x"}), 403)
	// A rule that cannot be filled is refused, naming it.
	now := time.Now().UTC()
	r = a.Do("POST", "/api/v1/exams", col, map[string]any{"title": "随机卷", "duration_minutes": 10, "opens_at": now, "closes_at": now.Add(time.Hour),
		"paper": map[string]any{"mode": "random", "rules": []map[string]any{{"bank_id": 1, "type": "single", "count": 5, "score": 2}}}})
	collegetest.MustBody(t, r, 422, "第 1 条规则")

	// Not published yet: not visible.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil), 404)
	a.PublishExam(col, examID)
	r = a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil)
	collegetest.MustStatus(t, r, 201)
	start := r.JSON(t)
	body := string(r.Body)
	for _, leak := range []string{`"answer"`, `"k"`, "analysis", `"Choices"`} {
		if strings.Contains(body, leak) {
			t.Fatalf("answer key in the candidate's paper (%s): %s", leak, body)
		}
	}
	attempt := collegetest.AttemptID(t, r)
	// Starting again returns the same attempt.
	r = a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil)
	collegetest.MustStatus(t, r, 200)
	if collegetest.AttemptID(t, r) != attempt {
		t.Fatal("a second start made a new attempt")
	}
	// Answers: the single and judge right, multiple partly, blank right.
	// Options are shuffled: find the displayed letter of each option text.
	letter := func(qid uint64, text string) string {
		for _, q := range start["questions"].([]any) {
			m := q.(map[string]any)
			if uint64(m["id"].(float64)) == qid {
				for i, o := range m["options"].([]any) {
					if o == text {
						return string(rune('A' + i))
					}
				}
			}
		}
		t.Fatalf("option %q not found", text)
		return ""
	}
	answers := map[uint64]any{
		ids["single"]:   letter(ids["single"], "为人民服务"),
		ids["multiple"]: letter(ids["multiple"], "创新") + letter(ids["multiple"], "封闭"),
		ids["judge"]:    true,
	}
	for _, s := range []struct {
		token   string
		answers map[uint64]any
		want    int
	}{
		{cadre, answers, 200},
		{cadre, map[uint64]any{ids["blank"]: []string{" 幸福 ", "复兴"}}, 200},
		{cadre, map[uint64]any{ids["judge"]: "yes"}, 400},
		{cadre, map[uint64]any{999999: "A"}, 400},
		{c.Tokens["ub_cadre"], answers, 404},
	} {
		collegetest.MustStatus(t, a.SaveAnswers(s.token, attempt, s.answers), s.want)
	}
	// Leaving the page is recorded.
	ev := a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/events", attempt), cadre, map[string]any{"type": "leave"})
	collegetest.MustStatus(t, ev, 200)
	if ev.JSON(t)["tab_switches"].(float64) != 1 {
		t.Fatalf("events = %s", ev.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/events", attempt), cadre, map[string]any{"type": "dance"}), 400)
	mine := a.Do("GET", "/api/v1/me/exams", cadre, nil)
	collegetest.MustBody(t, mine, 200, `"state":"open"`, fmt.Sprintf(`"id":%d`, attempt))
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d", attempt), c.Tokens["ub_cadre"], nil), 404)
	// A restart (another instance on the same stores) resumes with the answers.
	b := collegetest.NewOn(t, a, nil)
	r = b.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil)
	collegetest.MustStatus(t, r, 200)
	if saved := r.JSON(t)["answers"].(map[string]any); len(saved) != 4 {
		t.Fatalf("answers after restart: %v", saved)
	}
	// Editing a question now changes nothing in this attempt: it froze its copy.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/questions/%d", ids["judge"]), col, map[string]any{"type": "judge", "stem": "改过的题干", "answer": false, "score": 10}), 200)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/questions/%d", ids["judge"]), cadre, map[string]any{"type": "judge", "stem": "x", "answer": false, "score": 10}), 403)
	// Submit: 10 + 0 (a wrong letter) + 10 + 10 = 30 ≥ 25.
	r = a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), cadre, nil)
	collegetest.MustStatus(t, r, 200)
	res := r.JSON(t)
	if res["status"] != "graded" || res["score"].(float64) != 30 || res["passed"] != true {
		t.Fatalf("result = %v", res)
	}
	again := a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), cadre, nil)
	collegetest.MustStatus(t, again, 200)
	if again.JSON(t)["score"] != res["score"] || again.JSON(t)["submitted_at"] != res["submitted_at"] {
		t.Fatal("second submit changed the result")
	}
	collegetest.MustStatus(t, a.SaveAnswers(cadre, attempt, answers), 409)
	// The result page says 合格 (a passed *bool must not read as "set").
	b2 := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	page := collegetest.PageGet(b2, fmt.Sprintf("/exams/%d/result?attempt=%d", examID, attempt), 200)
	if !strings.Contains(page, "合格") || strings.Contains(page, "不合格") {
		t.Fatalf("result page of a pass:\n%s", page)
	}
	collegetest.MustRefuse(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), cadre, nil), 409, "no_attempts_left")
}

func TestExpiredAttemptIsSubmittedWithSavedAnswers(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	examID, ids := collegetest.ExamSetup(t, a, c, 2*time.Second)
	a.PublishExam(c.Tokens["col"], examID)
	cadre := c.Tokens["ua_cadre"]
	attempt := a.StartAttempt(cadre, examID)
	collegetest.MustStatus(t, a.SaveAnswers(cadre, attempt, map[uint64]any{ids["judge"]: true}), 200)
	time.Sleep(2200 * time.Millisecond)
	// The deadline passed (the window closed): answering is refused...
	collegetest.MustStatus(t, a.SaveAnswers(cadre, attempt, map[uint64]any{ids["judge"]: false}), 409)
	// ...and the sweeper submits what was saved.
	n, err := a.Exams.SweepExpired(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v", n, err)
	}
	if res := a.Attempt(cadre, attempt); res["status"] != "graded" || res["score"].(float64) != 10 || res["passed"] != false {
		t.Fatalf("swept result = %v", res)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), c.Tokens["ub_cadre"], nil), 422)
}

func TestShortAnswerReviewAndStats(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "简答题库", false)
	short := a.Question(col, bank, map[string]any{"type": "short", "stem": "谈谈你对学用结合的理解", "answer": "要点：理论联系实际", "score": 20})
	judge := a.Question(col, bank, map[string]any{"type": "judge", "stem": "学习要联系实际", "answer": true, "score": 10})
	examID := a.FixedExam(col, map[string]any{"title": "学习体会", "duration_minutes": 20, "pass_score": 18, "max_attempts": 1,
		"audience_org_ids": []uint64{c.UnitA, c.UnitB}}, short, judge)
	a.PublishExam(col, examID)
	var attempts []uint64
	for i, who := range []string{"ua_cadre", "ub_cadre"} {
		id, r := a.SitExam(c.Tokens[who], examID, map[uint64]any{short: "学以致用，知行合一", judge: i == 0})
		attempts = append(attempts, id)
		if r.JSON(t)["status"] != "pending_review" {
			t.Fatalf("with a short answer: %s", r.Body)
		}
	}
	q := a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/review", examID), col, nil)
	collegetest.MustStatus(t, q, 200)
	if !strings.Contains(string(q.Body), "学以致用") || strings.Count(string(q.Body), `"attempt_id"`) != 2 || strings.Contains(string(q.Body), "测试ua_cadre") {
		t.Fatalf("review queue = %s", q.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/review", examID), c.Tokens["ua_cadre"], nil), 403)
	path := fmt.Sprintf("/api/v1/attempts/%d/review", attempts[0])
	collegetest.MustStatus(t, a.Do("PUT", path, col, map[string]any{"scores": map[string]any{fmt.Sprint(short): 25}}), 400)
	collegetest.MustStatus(t, a.Do("PUT", path, col, map[string]any{"scores": map[string]any{fmt.Sprint(judge): 5}}), 400)
	r := a.Do("PUT", path, col, map[string]any{"scores": map[string]any{fmt.Sprint(short): 16}})
	collegetest.MustStatus(t, r, 200)
	if res := r.JSON(t); res["status"] != "graded" || res["score"].(float64) != 26 || res["passed"] != true {
		t.Fatalf("after review: %v", res)
	}
	collegetest.MustStatus(t, a.Do("PUT", path, col, map[string]any{"scores": map[string]any{fmt.Sprint(short): 10}}), 409)
	r = a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/review", attempts[1]), col, map[string]any{"scores": map[string]any{fmt.Sprint(short): 5}})
	collegetest.MustStatus(t, r, 200)
	if res := r.JSON(t); res["score"].(float64) != 5 || res["passed"] != false {
		t.Fatalf("second review: %v", res)
	}
	st := a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/stats", examID), col, nil)
	collegetest.MustStatus(t, st, 200)
	s := st.JSON(t)
	if s["graded"].(float64) != 2 || s["average"].(float64) != 15.5 || s["pass_rate"].(float64) != 0.5 {
		t.Fatalf("stats = %s", st.Body)
	}
	items := s["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("items = %v", items)
	}
}

func TestQuestionImportAndExport(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "导入题库", false)
	tpl := a.Do("GET", "/api/v1/banks/import-template", col, nil)
	collegetest.MustStatus(t, tpl, 200)
	path := fmt.Sprintf("/api/v1/banks/%d/import", bank)
	r := a.Upload(path, col, "template.xlsx", tpl.Body, nil)
	collegetest.MustStatus(t, r, 200)
	n := int(r.JSON(t)["imported"].(float64))
	if n < 5 {
		t.Fatalf("template examples imported: %s", r.Body)
	}
	r = a.Upload(path, col, "broken.xlsx", []byte("PK\x03\x04 not a workbook"), nil)
	collegetest.MustStatus(t, r, 422)
	r = a.Upload(path, col, "notes.pdf", []byte("%PDF-1.4"), nil)
	if r.Status != 415 && r.Status != 422 {
		t.Fatalf("a pdf: %d %s", r.Status, r.Body)
	}
	gift := "::q1:: 党的根本宗旨是 {=全心全意为人民服务 ~发展经济 ~对外开放}\n\n党的领导是最本质的特征 {T}\n"
	r = a.Upload(path, col, "q.gift", []byte(gift), nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["imported"].(float64) != 2 {
		t.Fatalf("gift import: %s", r.Body)
	}
	l := a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/questions?page_size=200", bank), col, nil)
	collegetest.MustStatus(t, l, 200)
	if int(l.JSON(t)["total"].(float64)) != n+2 {
		t.Fatalf("bank holds %v, want %d", l.JSON(t)["total"], n+2)
	}
	ex := a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/export", bank), col, nil)
	collegetest.MustStatus(t, ex, 200)
	copyBank := a.Bank(col, "副本", false)
	r = a.Upload(fmt.Sprintf("/api/v1/banks/%d/import", copyBank), col, "export.xlsx", ex.Body, nil)
	collegetest.MustStatus(t, r, 200)
	if int(r.JSON(t)["imported"].(float64)) != n+2 {
		t.Fatalf("export re-imported %s", r.Body)
	}
	collegetest.MustStatus(t, a.Upload(path, c.Tokens["ua_cadre"], "t.xlsx", tpl.Body, nil), 403)
}

func TestPaperReviewAfterRelease(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "公布题库", false)
	q := a.Question(col, bank, map[string]any{"type": "single", "stem": "题", "options": []string{"甲", "乙", "丙"}, "answer": "B", "score": 5, "analysis": "乙是对的"})
	examID := a.FixedExam(col, map[string]any{"title": "人工公布", "duration_minutes": 5, "pass_score": 5, "release": "manual", "shuffle": true}, q)
	now := time.Now().UTC()
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/exams", col, map[string]any{"title": "x", "duration_minutes": 5, "release": "someday",
		"opens_at": now, "closes_at": now.Add(time.Hour), "paper": map[string]any{"mode": "fixed", "question_ids": []uint64{q}}}), 400)
	a.PublishExam(col, examID)
	cadre := c.Tokens["ua_cadre"]
	att := a.StartAttempt(cadre, examID)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/paper", att), cadre, nil), 409)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", att), cadre, nil), 200)
	collegetest.MustRefuse(t, a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/paper", att), cadre, nil), 403, "not_released")
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/release", examID), col, nil), 200)
	r := a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/paper", att), cadre, nil)
	collegetest.MustStatus(t, r, 200)
	qs := r.JSON(t)["questions"].([]any)
	rq := qs[0].(map[string]any)
	// The right answer is given in the letters this candidate saw.
	opts := rq["options"].([]any)
	correct := rq["correct"].(string)
	if opts[correct[0]-'A'] != "乙" || rq["correct_text"] != correct || rq["analysis"] != "乙是对的" || rq["given"] != nil {
		t.Fatalf("reviewed question = %v", rq)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/paper", att), c.Tokens["ub_cadre"], nil), 404)
}

func TestPracticeAndWrongBook(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "练习题库", true)
	closed := a.Bank(col, "考试专用", false)
	q := a.Question(col, bank, map[string]any{"type": "judge", "stem": "学而不思则罔", "answer": true, "score": 1, "analysis": "出自《论语》"})
	cadre := c.Tokens["ua_cadre"]
	l := a.Do("GET", "/api/v1/practice/banks", cadre, nil)
	collegetest.MustStatus(t, l, 200)
	if !strings.Contains(string(l.Body), "练习题库") || strings.Contains(string(l.Body), "考试专用") {
		t.Fatalf("practice banks = %s", l.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/practice/banks/%d/questions", closed), cadre, nil), 404)
	set := a.Do("GET", fmt.Sprintf("/api/v1/practice/banks/%d/questions?count=5", bank), cadre, nil)
	collegetest.MustStatus(t, set, 200)
	if strings.Contains(string(set.Body), "answer") || !strings.Contains(string(set.Body), "学而不思则罔") {
		t.Fatalf("practice set = %s", set.Body)
	}
	r := a.Do("POST", "/api/v1/practice/answers", cadre, map[string]any{"question_id": q, "answer": false})
	collegetest.MustStatus(t, r, 200)
	if fb := r.JSON(t); fb["correct"] != false || fb["answer"] != true || fb["analysis"] != "出自《论语》" {
		t.Fatalf("feedback = %v", fb)
	}
	a.Do("POST", "/api/v1/practice/answers", cadre, map[string]any{"question_id": q, "answer": false})
	wb := a.Do("GET", "/api/v1/me/wrong-book", cadre, nil)
	collegetest.MustBody(t, wb, 200, "学而不思则罔")
	var times int
	a.DB.Table("wrong_answers").Select("times").Where("question_id = ?", q).Scan(&times)
	if times != 2 {
		t.Fatalf("times = %d", times)
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/practice/answers", cadre, map[string]any{"question_id": q, "answer": "yes"}), 400)
	r = a.Do("POST", "/api/v1/practice/answers", cadre, map[string]any{"question_id": q, "answer": true})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["correct"] != true {
		t.Fatalf("right answer = %s", r.Body)
	}
	if wb := a.Do("GET", "/api/v1/me/wrong-book", cadre, nil); string(wb.Body) != "[]" {
		t.Fatalf("wrong book after a right answer = %s", wb.Body)
	}
}

func TestExamAudienceAndLeaveLimit(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	q := a.Question(col, a.Bank(col, "题库", false), map[string]any{"type": "judge", "stem": "题", "answer": true, "score": 10})
	examID := a.FixedExam(col, map[string]any{"title": "单位 A 专场", "leave_limit": 2, "audience_org_ids": []uint64{c.UnitA}}, q)
	a.PublishExam(col, examID)
	// Unit B's cadre is not in the audience: the exam does not exist for them.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), c.Tokens["ub_cadre"], nil), 404)
	if strings.Contains(string(a.Do("GET", "/api/v1/me/exams", c.Tokens["ub_cadre"], nil).Body), "单位 A 专场") {
		t.Fatal("exam listed outside its audience")
	}
	cadre := c.Tokens["ua_cadre"]
	att := a.StartAttempt(cadre, examID)
	collegetest.MustStatus(t, a.SaveAnswers(cadre, att, map[uint64]any{q: true}), 200)
	// The limit is 2: the third leave submits.
	for i, want := range []bool{false, false, true} {
		ev := a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/events", att), cadre, map[string]any{"type": "leave"})
		collegetest.MustStatus(t, ev, 200)
		if ev.JSON(t)["submitted"] != want {
			t.Fatalf("leave %d of a limit of 2: submitted is not %v: %s", i+1, want, ev.Body)
		}
	}
	res := a.Attempt(cadre, att)
	if res["status"] != "graded" || res["score"].(float64) != 10 {
		t.Fatalf("auto-submitted attempt = %v", res)
	}
}

func TestResultsExportAndRegrade(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	q := a.Question(col, a.Bank(col, "题库", false), map[string]any{"type": "single", "stem": "题", "options": []string{"甲", "乙", "丙"}, "answer": "B", "score": 10})
	examID := a.FixedExam(col, map[string]any{"title": "重评", "pass_score": 10}, q)
	a.PublishExam(col, examID)
	for _, who := range []string{"ua_cadre", "ub_cadre"} {
		a.SitExam(c.Tokens[who], examID, map[uint64]any{q: "B"})
	}
	res := a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/results", examID), col, nil)
	collegetest.MustStatus(t, res, 200)
	body := string(res.Body)
	if !strings.Contains(body, "测试ua_cadre") || !strings.Contains(body, "东城区教育局") || !strings.Contains(body, `"pass_rate":1`) {
		t.Fatalf("results = %s", body)
	}
	x := a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/results.xlsx", examID), col, nil)
	collegetest.MustStatus(t, x, 200)
	if !bytes.HasPrefix(x.Body, []byte("PK")) {
		t.Fatal("results export is not an xlsx")
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/results", examID), c.Tokens["ua_cadre"], nil), 403)
	// The key was wrong: fix it and regrade; both candidates now fail.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/questions/%d", q), col, map[string]any{"type": "single", "stem": "题", "options": []string{"甲", "乙", "丙"}, "answer": "C", "score": 10}), 200)
	rg := a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/regrade", examID), col, nil)
	collegetest.MustStatus(t, rg, 200)
	if rg.JSON(t)["changed"].(float64) != 2 {
		t.Fatalf("regrade = %s", rg.Body)
	}
	res = a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/results", examID), col, nil)
	if strings.Contains(string(res.Body), `"passed":true`) || !strings.Contains(string(res.Body), `"pass_rate":0`) {
		t.Fatalf("after regrade = %s", res.Body)
	}
	rg = a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/regrade", examID), col, nil)
	if rg.JSON(t)["changed"].(float64) != 0 {
		t.Fatalf("second regrade changed %s", rg.Body)
	}
}

func TestPassingACourseTestCreditsHoursOnce(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, _, _ := collegetest.PublishedCourse(a, c)
	col := c.Tokens["col"]
	q := a.Question(col, a.Bank(col, "课程测试", false), map[string]any{"type": "judge", "stem": "题", "answer": true, "score": 10})
	examID := a.FixedExam(col, map[string]any{"title": "课程测试：新时代思想", "pass_score": 6, "max_attempts": 3, "course_id": course}, q)
	a.PublishExam(col, examID)
	cadre := c.Tokens["ua_cadre"]
	for i := 0; i < 2; i++ { // passing twice credits once
		a.SitExam(cadre, examID, map[uint64]any{q: true})
	}
	h := a.Do("GET", "/api/v1/me/hours", cadre, nil).JSON(t)
	if h["total"].(float64) != 0.5 || len(h["entries"].([]any)) != 1 || h["entries"].([]any)[0].(map[string]any)["source"] != "exam" {
		t.Fatalf("hours = %v", h)
	}
}

func TestPracticePages(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "党史练习", true)
	q := a.Question(col, bank, map[string]any{"type": "judge", "stem": "中国共产党成立于1921年", "answer": true, "score": 1, "analysis": "1921 年 7 月"})
	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	// The practice bank is listed.
	collegetest.MustContain(t, collegetest.PageGet(b, "/practice", 200), "党史练习")
	page := b.Req("GET", fmt.Sprintf("/practice/banks/%d", bank), nil)
	collegetest.MustStatus(t, page, 200)
	if !strings.Contains(string(page.Body), "中国共产党成立于1921年") || strings.Contains(string(page.Body), "1921 年 7 月") {
		t.Fatalf("practice page shows the question without its analysis: %s", page.Body)
	}
	res := b.Req("POST", "/practice/check", url.Values{"_csrf": {b.CSRF(page)}, "qid": {fmt.Sprint(q)}, fmt.Sprintf("q-%d", q): {"false"}, "back": {fmt.Sprintf("/practice/banks/%d", bank)}})
	collegetest.MustBody(t, res, 200, "回答错误", "1921 年 7 月")
	wb := b.Req("GET", "/practice/wrong-book", nil)
	if !strings.Contains(string(wb.Body), "中国共产党成立于1921年") {
		t.Fatal("wrong answer not in the wrong-answer book page")
	}
}

func TestExamAdminPagesRender(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	examID, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	var bank uint64
	a.DB.Table("banks").Select("id").Limit(1).Scan(&bank)
	admin := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	stats := admin.Req("GET", fmt.Sprintf("/admin/exams/%d/stats", examID), nil)
	if !strings.Contains(string(stats.Body), "导出成绩") || !strings.Contains(string(stats.Body), "各单位合格率") {
		t.Fatal("stats page lacks results and unit pass rates")
	}
	for _, path := range []string{"/admin/exams", fmt.Sprintf("/admin/exams/banks/%d", bank), "/admin/exams/new", fmt.Sprintf("/admin/exams/%d/review", examID), fmt.Sprintf("/admin/exams/%d/stats", examID)} {
		res := admin.Req("GET", path, nil)
		if res.Status != 200 || !strings.Contains(string(res.Body), "考试") && !strings.Contains(string(res.Body), "题库") {
			t.Errorf("%s: %d", path, res.Status)
		}
	}
	cadre := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.MustStatus(t, cadre.Req("GET", "/admin/exams", nil), 403)
	collegetest.MustStatus(t, cadre.Req("GET", "/exams", nil), 200)
	collegetest.MustStatus(t, cadre.Req("GET", "/practice", nil), 200)
}

func TestGraderAssignmentsAndComments(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	t1 := a.CreateUser(c.Tokens["admin"], "t1", c.College, "teacher")
	t2 := a.CreateUser(c.Tokens["admin"], "t2", c.College, "teacher")
	tok1, tok2 := a.Login("t1", collegetest.UserPassword), a.Login("t2", collegetest.UserPassword)
	q := a.Question(col, a.Bank(col, "简答", false), map[string]any{"type": "short", "stem": "谈体会", "answer": "", "score": 10})
	examID := a.FixedExam(col, map[string]any{"title": "体会", "duration_minutes": 5, "pass_score": 6, "release": "immediately",
		"audience_org_ids": []uint64{c.UnitA, c.UnitB}}, q)
	a.PublishExam(col, examID)
	atts := map[string]uint64{}
	for _, who := range []string{"ua_cadre", "ub_cadre"} {
		atts[who], _ = a.SitExam(c.Tokens[who], examID, map[uint64]any{q: "学习体会"})
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/exams/%d/graders", examID), col, map[string]any{"assignments": []map[string]any{{"grader_id": t1, "question_id": q, "candidate_id": c.IDs["ua_cadre"]}}}), 400)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/exams/%d/graders", examID), col, map[string]any{"assignments": []map[string]any{{"grader_id": t2, "candidate_id": c.IDs["ub_cadre"]}}}), 200)
	// t1 has nothing assigned: an empty queue, and no scoring.
	if body := string(a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/review", examID), tok1, nil).Body); body != "[]" {
		t.Fatalf("t1 queue = %s", body)
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/review", atts["ua_cadre"]), tok1, map[string]any{"scores": map[string]any{fmt.Sprint(q): 8}}), 403)
	q2 := a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/review", examID), tok2, nil)
	if strings.Count(string(q2.Body), `"attempt_id"`) != 1 || !strings.Contains(string(q2.Body), fmt.Sprintf(`"attempt_id":%d`, atts["ub_cadre"])) {
		t.Fatalf("t2 queue = %s", q2.Body)
	}
	r := a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/review", atts["ub_cadre"]), tok2, map[string]any{"scores": map[string]any{fmt.Sprint(q): 7}, "comments": map[string]any{fmt.Sprint(q): "联系实际不够"}})
	collegetest.MustStatus(t, r, 200)
	p := a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/paper", atts["ub_cadre"]), c.Tokens["ub_cadre"], nil)
	collegetest.MustBody(t, p, 200, "联系实际不够")
	// The college administrator grades the rest.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/review", atts["ua_cadre"]), col, map[string]any{"scores": map[string]any{fmt.Sprint(q): 9}}), 200)
}

func TestAnnualExamExemption(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	q := a.Question(col, a.Bank(col, "年度", false), map[string]any{"type": "judge", "stem": "题", "answer": true, "score": 100})
	now := time.Now().UTC()
	mk := func(title string, opens time.Time) uint64 {
		id := a.FixedExam(col, map[string]any{"title": title, "duration_minutes": 5, "pass_score": 60, "annual": true, "opens_at": opens}, q)
		a.PublishExam(col, id)
		return id
	}
	// A full-screen exam says so to the candidate's page.
	fs := a.FixedExam(col, map[string]any{"title": "全屏", "duration_minutes": 5, "fullscreen": true}, q)
	a.PublishExam(col, fs)
	st := a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", fs), c.Tokens["ua_cadre"], nil)
	collegetest.MustStatus(t, st, 201)
	if st.JSON(t)["fullscreen"] != true {
		t.Fatalf("fullscreen flag: %s", st.Body)
	}
	last := mk("去年年度考试", now.AddDate(-1, 0, 0))
	this := mk("今年年度考试", now.Add(-time.Minute))
	// Last year ua_cadre answered right, ub_cadre not at all.
	a.SitExam(c.Tokens["ua_cadre"], last, map[uint64]any{q: true})
	a.SitExam(c.Tokens["ub_cadre"], last, nil)
	exempt := func(who string) bool {
		var list []map[string]any
		_ = json.Unmarshal(a.Do("GET", "/api/v1/me/exams", c.Tokens[who], nil).Body, &list)
		for _, e := range list {
			if uint64(e["id"].(float64)) == this {
				return e["exempt"] == true
			}
		}
		t.Fatalf("%s does not see this year's exam", who)
		return false
	}
	if !exempt("ua_cadre") || exempt("ub_cadre") {
		t.Fatal("exemption: 100 last year exempts, 0 does not")
	}
}

// A single choice may have several options that are each right alone, and
// options worth part of the score (as Moodle's GIFT and XML questions do);
// both survive the API and grade in an exam.
func TestSingleChoiceAnyOfAndPartialCredit(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "题库", false)
	opts := []string{"甲", "乙", "丙", "丁"}
	anyOf := a.Question(col, bank, map[string]any{"type": "single", "stem": "哪一项正确", "options": opts, "answer": "A|C", "score": 10})
	partial := a.Question(col, bank, map[string]any{"type": "single", "stem": "最准确的是", "options": opts, "answer": "D", "partial": map[string]float64{"b": 50}, "score": 10})
	got := a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, nil)
	collegetest.MustStatus(t, got, 200)
	if !strings.Contains(string(got.Body), `"answer":"D","partial":{"B":50}`) || !strings.Contains(string(got.Body), `"answer":"A|C"`) {
		t.Fatalf("question read back = %s", got.Body)
	}
	bad := a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{"type": "single", "stem": "题", "options": opts, "answer": "D", "partial": map[string]float64{"D": 50}, "score": 10})
	collegetest.MustRefuse(t, bad, 400, "invalid")
	if f := bad.Fields(t); f["partial"] != "选项 D 已是正确答案，不能再设部分得分" {
		t.Fatalf("partial on the right option: %s", bad.Body)
	}
	// Two letters without "|" are more likely a slip: refused as before.
	slip := a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{"type": "single", "stem": "题", "options": opts, "answer": "AC", "score": 10})
	collegetest.MustRefuse(t, slip, 400, "invalid")
	examID := a.FixedExam(col, map[string]any{"title": "部分得分", "pass_score": 10}, anyOf, partial)
	a.PublishExam(col, examID)
	for who, want := range map[string]struct {
		answers map[uint64]any
		score   float64
	}{
		"ua_cadre": {map[uint64]any{anyOf: "C", partial: "B"}, 15},
		"ub_cadre": {map[uint64]any{anyOf: "B", partial: "D"}, 10},
	} {
		_, r := a.SitExam(c.Tokens[who], examID, want.answers)
		if s := r.JSON(t)["score"].(float64); s != want.score {
			t.Errorf("%s: score %v, want %v (%s)", who, s, want.score, r.Body)
		}
	}
}

// ?dry_run=1 answers what an import would do, saving nothing: the format,
// each question with its key in words, every problem by line, and the
// questions that had none.
func TestImportDryRun(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "预览", false)
	path := fmt.Sprintf("/api/v1/banks/%d/import?dry_run=1", bank)
	good := "$CATEGORY: $course$/党史\n\n党的宗旨{=全心全意为人民服务 ~%50%为人民服务 ~发展经济}\n\n圆周率{#3.14:0.01}\n"
	r := a.Upload(path, col, "bank.gift", []byte(good), nil)
	collegetest.MustStatus(t, r, 200)
	var p struct {
		Format    string         `json:"format"`
		Counts    map[string]int `json:"counts"`
		Problems  []any          `json:"problems"`
		Questions []struct {
			Type    string   `json:"type"`
			KeyText string   `json:"key_text"`
			Tags    []string `json:"tags"`
		} `json:"questions"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Format != "gift" || p.Counts["single"] != 1 || p.Counts["blank"] != 1 || len(p.Problems) != 0 || len(p.Questions) != 2 ||
		p.Questions[0].KeyText != "A；B 得 50% 分" || p.Questions[1].KeyText != "3.14（误差 ±0.01）" || p.Questions[0].Tags[0] != "党史" {
		t.Fatalf("preview = %s", r.Body)
	}
	list := a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, nil)
	if !strings.Contains(string(list.Body), `"total":0`) {
		t.Fatalf("a dry run saved questions: %s", list.Body)
	}
	bad := good + "\n坏题{=photo*}\n"
	r = a.Upload(path, col, "bank.gift", []byte(bad), nil)
	collegetest.MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "含通配符") || !strings.Contains(string(r.Body), `"row":7`) || !strings.Contains(string(r.Body), `"single":1`) {
		t.Fatalf("preview of a file with a problem = %s", r.Body)
	}
	// The same file imported for real is refused as a whole.
	collegetest.MustRefuse(t, a.Upload(fmt.Sprintf("/api/v1/banks/%d/import", bank), col, "bank.gift", []byte(bad), nil), 422, "import_invalid")
	collegetest.MustStatus(t, a.Upload(path, c.Tokens["ua_cadre"], "bank.gift", []byte(good), nil), 403)
	// An old .xls is refused with the exact way out, not a generic 415.
	xls := a.Upload(fmt.Sprintf("/api/v1/banks/%d/import", bank), col, "旧题库.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), nil)
	collegetest.MustRefuse(t, xls, 415, "unsupported_media_type")
	if !strings.Contains(string(xls.Body), "旧版 .xls 请另存为 .xlsx") {
		t.Fatalf(".xls refusal = %s", xls.Body)
	}
}

// A table whose header the importer does not know is previewed with its
// header cells, and imports once the admin names its columns.
func TestImportColumnChoices(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "其他系统", false)
	csv := []byte("Q,Kind,Opt1,Opt2,Right\r\n党的根本宗旨是,单选,全心全意为人民服务,实现共产主义,A\r\n")
	path := fmt.Sprintf("/api/v1/banks/%d/import", bank)
	r := a.Upload(path+"?dry_run=1", col, "other.csv", csv, nil)
	collegetest.MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "没有找到表头") {
		t.Fatalf("unknown header preview = %s", r.Body)
	}
	cols := "?columns=" + url.QueryEscape("题干=1,题型=2,选项A=3,选项B=4,答案=5")
	r = a.Upload(path+cols+"&dry_run=1", col, "other.csv", csv, nil)
	collegetest.MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), `"header":["Q","Kind","Opt1","Opt2","Right"]`) || !strings.Contains(string(r.Body), `"答案":5`) || !strings.Contains(string(r.Body), `"problems":[]`) {
		t.Fatalf("preview with columns = %s", r.Body)
	}
	r = a.Upload(path+cols, col, "other.csv", csv, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["imported"].(float64) != 1 {
		t.Fatalf("import with columns = %s", r.Body)
	}
	collegetest.MustRefuse(t, a.Upload(path+"?columns=答案", col, "other.csv", csv, nil), 400, "invalid")
}

// Options such as 以上都对 keep their place when the exam shuffles; the
// other questions' options are shuffled.
func TestFixedOrderSurvivesShuffle(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "顺序", false)
	fixedOpts := []string{"坚持党的领导", "坚持人民至上", "坚持自我革命", "以上都对"}
	fixed := a.Question(col, bank, map[string]any{"type": "single", "stem": "下列正确的是", "options": fixedOpts, "answer": "D", "score": 5})
	free := a.Question(col, bank, map[string]any{"type": "single", "stem": "首都是", "options": []string{"北京", "上海", "广州", "深圳"}, "answer": "A", "score": 5})
	list := a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, nil)
	if strings.Count(string(list.Body), `"fixed_order":true`) != 1 {
		t.Fatalf("fixed_order in the bank = %s", list.Body)
	}
	examID := a.FixedExam(col, map[string]any{"title": "乱序", "pass_score": 5, "shuffle": true}, fixed, free)
	a.PublishExam(col, examID)
	cadres := append([]uint64{}, a.Cadres("order", c.UnitA, "乡科级", 6)...)
	freeOrders := map[string]bool{}
	for i, id := range cadres {
		r := a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), a.TokenFor(id), nil)
		collegetest.MustStatus(t, r, 201)
		var att struct {
			Questions []struct {
				ID      uint64   `json:"id"`
				Options []string `json:"options"`
			} `json:"questions"`
		}
		if err := json.Unmarshal(r.Body, &att); err != nil {
			t.Fatal(err)
		}
		for _, q := range att.Questions {
			switch q.ID {
			case fixed:
				if !slices.Equal(q.Options, fixedOpts) {
					t.Fatalf("candidate %d: fixed options shown as %v", i, q.Options)
				}
			case free:
				freeOrders[strings.Join(q.Options, ",")] = true
			}
		}
	}
	if len(freeOrders) < 2 {
		t.Errorf("six candidates all saw the other question's options in one order: %v", freeOrders)
	}
}
