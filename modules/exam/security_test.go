package exam_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"
)

// staffUser provisions an account of the city with the given roles and
// cadre level, and logs it in.
func staffUser(a *collegetest.App, username string, org uint64, level string, roles ...string) (uint64, string) {
	a.T.Helper()
	a.Provision(identity.UserRequest{Username: username, Name: "测试" + username, OrgID: org, Level: level, Roles: roles})
	return a.UserID(username), a.Login(username, collegetest.UserPassword)
}

// shortAnswerExam publishes an exam of the college with one short answer
// question, open now, for the given cadre levels (every level when none).
func shortAnswerExam(t *testing.T, a *collegetest.App, col string, levels ...string) (examID, question uint64) {
	t.Helper()
	question = a.Question(col, a.Bank(col, "阅卷题库", false), map[string]any{"type": "short", "stem": "谈谈你对调查研究的理解", "answer": "参考要点：没有调查就没有发言权", "score": 10})
	fields := map[string]any{"title": "调查研究专题考试", "duration_minutes": 30, "pass_score": 6, "max_attempts": 1}
	if len(levels) > 0 {
		fields["audience_levels"] = levels
	}
	examID = a.FixedExam(col, fields, question)
	a.PublishExam(col, examID)
	return examID, question
}

// sitShortAnswer starts, answers and submits the exam for one candidate.
func sitShortAnswer(t *testing.T, a *collegetest.App, token string, examID, question uint64, answer string) uint64 {
	t.Helper()
	att, r := a.SitExam(token, examID, map[uint64]any{question: answer})
	if r.JSON(t)["status"] != "pending_review" {
		t.Fatalf("submit: %s", r.Body)
	}
	return att
}

// A teacher who sits an exam grades neither their own answer nor, while
// the exam is open, anyone's: the queue would show the reference answer
// and the other candidates' answers.
func TestGraderWhoIsCandidate(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	const level = "乡科级"
	_, teacher := staffUser(a, "t_cand", c.College, level, "learner", "teacher")
	a.DB.Table("users").Where("username = ?", "ua_cadre").Update("level", level)
	cadre := a.Login("ua_cadre", collegetest.UserPassword)
	examID, q := shortAnswerExam(t, a, col, level)

	mine := sitShortAnswer(t, a, teacher, examID, q, "教师本人的作答")
	theirs := sitShortAnswer(t, a, cadre, examID, q, "干部的作答内容")
	queue := fmt.Sprintf("/api/v1/exams/%d/review", examID)

	// While the exam is open the candidate-grader sees no queue...
	r := a.Do("GET", queue, teacher, nil)
	collegetest.MustStatus(t, r, 403)
	for _, leak := range []string{"没有调查就没有发言权", "干部的作答内容"} {
		if strings.Contains(string(r.Body), leak) {
			t.Fatalf("queue leaks %q to a candidate: %s", leak, r.Body)
		}
	}
	// ...nor the review page...
	b := collegetest.LoginPages(a, "t_cand", collegetest.UserPassword)
	page := b.Req("GET", fmt.Sprintf("/admin/exams/%d/review", examID), nil)
	if strings.Contains(string(page.Body), "没有调查就没有发言权") || strings.Contains(string(page.Body), "干部的作答内容") {
		t.Fatalf("review page leaks to a candidate (%d):\n%s", page.Status, page.Body)
	}
	// ...and scores nothing, least of all their own answer.
	score := func(att uint64, token string) collegetest.Response {
		return a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/review", att), token, map[string]any{"scores": map[string]any{fmt.Sprint(q): 10}})
	}
	collegetest.MustStatus(t, score(mine, teacher), 403)
	collegetest.MustStatus(t, score(theirs, teacher), 403)

	// The college admin is not in this exam's audience: the queue is open.
	r = a.Do("GET", queue, col, nil)
	collegetest.MustStatus(t, r, 200)
	if strings.Count(string(r.Body), `"attempt_id"`) != 2 {
		t.Fatalf("college admin queue = %s", r.Body)
	}

	// Once the exam closes the teacher grades others, never themself.
	a.DB.Table("exams").Where("id = ?", examID).Update("closes_at", time.Now().UTC().Add(-time.Minute))
	r = a.Do("GET", queue, teacher, nil)
	collegetest.MustStatus(t, r, 200)
	if strings.Contains(string(r.Body), fmt.Sprintf(`"attempt_id":%d`, mine)) || !strings.Contains(string(r.Body), fmt.Sprintf(`"attempt_id":%d`, theirs)) {
		t.Fatalf("teacher queue after close = %s", r.Body)
	}
	collegetest.MustStatus(t, score(mine, teacher), 403)
	var status string
	a.DB.Table("attempts").Select("status").Where("id = ?", mine).Scan(&status)
	if status != "pending_review" {
		t.Fatalf("own attempt status = %s", status)
	}
	collegetest.MustStatus(t, score(theirs, teacher), 200)
}

// A college admin sitting an all-audience exam of their own college is a
// candidate too: no queue while it is open, and never their own attempt.
func TestCollegeAdminCandidateCannotGrade(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	examID, q := shortAnswerExam(t, a, col)
	mine := sitShortAnswer(t, a, col, examID, q, "管理员本人的作答")
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/review", examID), col, nil), 403)
	a.DB.Table("exams").Where("id = ?", examID).Update("closes_at", time.Now().UTC().Add(-time.Minute))
	r := a.Do("GET", fmt.Sprintf("/api/v1/exams/%d/review", examID), col, nil)
	collegetest.MustStatus(t, r, 200)
	if strings.Contains(string(r.Body), "管理员本人的作答") {
		t.Fatalf("own answer in the queue: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/review", mine), col, map[string]any{"scores": map[string]any{fmt.Sprint(q): 10}}), 403)
}

// Opening the exam page never starts an attempt: the page shows the rules
// and a 开始考试 button whose form carries the CSRF token; only that POST
// starts, and a page load afterwards resumes the same attempt.
func TestExamPageStartsOnlyOnExplicitPost(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	examID, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(c.Tokens["col"], examID)
	attempts := func() int64 {
		var n int64
		a.DB.Table("attempts").Where("exam_id = ?", examID).Count(&n)
		return n
	}
	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	take := fmt.Sprintf("/exams/%d/take", examID)
	page := collegetest.PageGet(b, take, 200)
	start := fmt.Sprintf(`action="/exams/%d/start"`, examID)
	if !strings.Contains(page, "开始考试") || !strings.Contains(page, start) || !strings.Contains(page, `method="post"`) {
		t.Fatalf("exam page without a start form:\n%s", page)
	}
	if strings.Contains(page, "data-attempt=") {
		t.Fatalf("exam page names an attempt before the start:\n%s", page)
	}
	// The instructions: questions, duration, attempts used and left, the
	// rules, and the confirmation that the start counts.
	for _, want := range []string{`id="exam-question-count">4<`, `<span class="num">30</span> 分钟`, `id="exam-attempts-used">0<`, `id="exam-attempts-left">1<`,
		"离开本页面", "自动保存", "确认开始考试", "计入一次作答机会", `id="exam-start-confirm"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("exam instructions without %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "exam/take") {
		t.Fatalf("template name shown to the candidate:\n%s", page)
	}
	if n := attempts(); n != 0 {
		t.Fatalf("loading the page made %d attempts", n)
	}
	// A cross-site form has no token: refused, nothing started.
	collegetest.MustStatus(t, b.Req("POST", fmt.Sprintf("/exams/%d/start", examID), url.Values{}), 403)
	if n := attempts(); n != 0 {
		t.Fatalf("a POST without the token made %d attempts", n)
	}
	r := collegetest.PagePost(b, page, fmt.Sprintf("/exams/%d/start", examID), nil)
	collegetest.MustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != take {
		t.Fatalf("after the start: %q", loc)
	}
	if n := attempts(); n != 1 {
		t.Fatalf("the start made %d attempts", n)
	}
	var id uint64
	a.DB.Table("attempts").Select("id").Where("exam_id = ?", examID).Scan(&id)
	// Loading the page again resumes: it names the attempt, shows no start form.
	page = collegetest.PageGet(b, take, 200)
	if !strings.Contains(page, fmt.Sprintf(`data-attempt="%d"`, id)) || strings.Contains(page, start) || !strings.Contains(page, "继续考试") ||
		!strings.Contains(page, `id="exam-attempts-used">1<`) {
		t.Fatalf("exam page with an attempt in progress:\n%s", page)
	}
	// Starting again by POST is harmless: the same attempt.
	collegetest.MustStatus(t, collegetest.PagePost(b, page, fmt.Sprintf("/exams/%d/start", examID), nil), 303)
	if n := attempts(); n != 1 {
		t.Fatalf("a second start made %d attempts", n)
	}
	// The paper of the attempt in progress is read without starting anything.
	cadre := c.Tokens["ua_cadre"]
	sheet := a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/questions", id), cadre, nil)
	collegetest.MustStatus(t, sheet, 200)
	if uint64(sheet.JSON(t)["attempt_id"].(float64)) != id || strings.Contains(string(sheet.Body), "answer_key") {
		t.Fatalf("sheet = %s", sheet.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/questions", id), c.Tokens["ub_cadre"], nil), 404)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", id), cadre, nil), 200)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/questions", id), cadre, nil), 409)
	// With no attempt left the page offers no start.
	page = collegetest.PageGet(b, take, 200)
	if strings.Contains(page, start) {
		t.Fatalf("start offered with no attempt left:\n%s", page)
	}
}

// The three system administrators do not study under those accounts: no
// exams, no practice, no answer keys.
func TestSystemAdminsDoNotSitExams(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	examID, _ := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(col, examID)
	bank := a.Bank(col, "练习题库", true)
	q := a.Question(col, bank, map[string]any{"type": "judge", "stem": "实践是检验真理的唯一标准", "answer": true, "score": 1})
	for _, who := range []string{"aud", "sec", "admin"} {
		tok := c.Tokens[who]
		collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), tok, nil), 403)
		collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/practice/banks/%d/questions", bank), tok, nil), 403)
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/me/wrong-book", tok, nil), 403)
		r := a.Do("POST", "/api/v1/practice/answers", tok, map[string]any{"question_id": q, "answer": false})
		collegetest.MustStatus(t, r, 403)
		if strings.Contains(string(r.Body), `"answer"`) {
			t.Fatalf("%s reads the practice key: %s", who, r.Body)
		}
	}
	if n := a.Count("attempts", ""); n != 0 {
		t.Fatalf("system administrators made %d attempts", n)
	}
	// A cadre still studies.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), c.Tokens["ua_cadre"], nil), 201)
}

// An acknowledged answer is in SQL before the answer comes back, with
// nothing of it in Redis, so losing Redis's data loses no answer. Answers
// an earlier version buffered in Redis are graded, moved to SQL by the next
// save, and the buffer dropped on submission and on the sweeper's alike.
func TestAcknowledgedAnswersAreDurable(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	examID, ids := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(c.Tokens["col"], examID)
	ctx := context.Background()
	buffer := func(att uint64) string { return a.Cache.Key("ans", fmt.Sprintf("{a%d}", att)) }
	inSQL := func(att uint64) string {
		var saved string
		a.DB.Table("attempts").Select("answers").Where("id = ?", att).Scan(&saved)
		return saved
	}
	att := a.StartAttempt(c.Tokens["ua_cadre"], examID)
	collegetest.MustStatus(t, a.SaveAnswers(c.Tokens["ua_cadre"], att, map[uint64]any{ids["judge"]: true}), 200)
	collegetest.MustStatus(t, a.SaveAnswers(c.Tokens["ua_cadre"], att, map[uint64]any{ids["blank"]: []string{"幸福", "复兴"}}), 200)
	var saved map[string]any
	if err := json.Unmarshal([]byte(inSQL(att)), &saved); err != nil || saved[fmt.Sprint(ids["judge"])] != true || saved[fmt.Sprint(ids["blank"])] == nil {
		t.Fatalf("acknowledged answers not merged in SQL: %s %v", inSQL(att), err)
	}
	if n, _ := a.Cache.Exists(ctx, buffer(att)).Result(); n != 0 {
		t.Fatal("answers buffered in Redis")
	}
	r := a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", att), c.Tokens["ua_cadre"], nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["score"].(float64) != 20 {
		t.Fatalf("graded on other answers: %s", r.Body)
	}
	// A save after the submission is refused, not acknowledged.
	collegetest.MustRefuse(t, a.SaveAnswers(c.Tokens["ua_cadre"], att, map[uint64]any{ids["judge"]: false}), 409, "attempt_finished")

	// An attempt whose answers an earlier version buffered in Redis.
	legacy := a.StartAttempt(c.Tokens["ub_cadre"], examID)
	a.Cache.HSet(ctx, buffer(legacy), fmt.Sprint(ids["judge"]), "true")
	collegetest.MustStatus(t, a.SaveAnswers(c.Tokens["ub_cadre"], legacy, map[uint64]any{ids["blank"]: []string{"幸福", "复兴"}}), 200)
	if s := inSQL(legacy); !strings.Contains(s, fmt.Sprint(ids["judge"])) || !strings.Contains(s, fmt.Sprint(ids["blank"])) {
		t.Fatalf("the buffered answer did not move to SQL: %s", s)
	}
	if n, _ := a.Cache.Exists(ctx, buffer(legacy)).Result(); n != 0 {
		t.Fatal("buffer left after it moved to SQL")
	}
	// One never moved (no save since) is graded, then dropped by the sweeper.
	a.Cache.HSet(ctx, buffer(legacy), fmt.Sprint(ids["judge"]), "true")
	a.DB.Exec("UPDATE attempts SET answers = '' WHERE id = ?", legacy)
	a.DB.Table("attempts").Where("id = ?", legacy).Update("deadline", time.Now().UTC().Add(-time.Second))
	if n, err := a.Exams.SweepExpired(ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v", n, err)
	}
	var score int64
	a.DB.Table("attempts").Select("score_x100").Where("id = ?", legacy).Scan(&score)
	if score != 1000 {
		t.Fatalf("legacy buffer graded %d, want the judge's 10 points", score)
	}
	if n, _ := a.Cache.Exists(ctx, buffer(legacy)).Result(); n != 0 {
		t.Fatal("answer buffer left after the sweeper's submission")
	}
}
