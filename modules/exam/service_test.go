package exam

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"college/modules/audit"
	"college/modules/identity"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache/cachetest"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

// env is an exam service on a fresh database, with a clock the test moves
// (from the real time: Redis expires saved answers by the wall clock).
type env struct {
	t     *testing.T
	svc   *Service
	db    *gorm.DB
	now   time.Time
	admin *web.Principal // the college's administrator
	cadre *web.Principal // a learner
	ctx   context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	gdb := dbtest.New(t, slices.Concat(settings.Migrations(), identity.Migrations(), audit.Migrations(), Migrations())...)
	// The city: root 1, the college 5, a unit 7 (their owner's table).
	for _, o := range []identity.Org{{ID: 1, Name: "市委组织部", Code: "R", Kind: "department", Path: "/1/"},
		{ID: 5, Name: "市委党校", Code: "C", Kind: "college", Path: "/1/5/"}, {ID: 7, Name: "市发改委", Code: "U", Kind: "unit", Path: "/1/7/"}} {
		if err := gdb.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	aud, err := audit.New(audit.Deps{DB: gdb, Secret: []byte("0123456789abcdef0123456789abcdef"), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: gdb, now: time.Now().UTC().Truncate(time.Second), ctx: context.Background(),
		admin: &web.Principal{UserID: 1, Username: "col", Roles: []string{web.RoleCollegeAdmin}, OrgID: 5, OrgPath: "/1/5/"},
		cadre: &web.Principal{UserID: 10, Username: "cadre", Roles: []string{web.RoleLearner}, OrgID: 7, OrgPath: "/1/7/", Level: "乡科级"},
	}
	e.svc = NewService(Deps{DB: gdb, Cache: cachetest.New(t), Settings: settings.New(gdb, nil), Audit: aud, Log: log})
	e.svc.now = func() time.Time { return e.now }
	return e
}

func (e *env) bank(name string) uint64 {
	e.t.Helper()
	b, err := e.svc.CreateBank(e.ctx, e.admin, BankRequest{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return b.ID
}

func (e *env) question(bank uint64, q QuestionRequest) uint64 {
	e.t.Helper()
	row, err := e.svc.AddQuestion(e.ctx, e.admin, bank, q)
	if err != nil {
		e.t.Fatalf("add %s question: %v", q.Type, err)
	}
	return row.ID
}

func single(stem, answer string, score float64) QuestionRequest {
	return QuestionRequest{Type: "single", Stem: stem, Options: []string{"甲", "乙", "丙", "丁"}, Answer: json.RawMessage(strconv.Quote(answer)), Score: score}
}

func judge(stem string, answer bool, score float64) QuestionRequest {
	return QuestionRequest{Type: "judge", Stem: stem, Answer: json.RawMessage(strconv.FormatBool(answer)), Score: score}
}

// exam creates and publishes an exam open from an hour ago.
func (e *env) exam(in ExamRequest) uint64 {
	e.t.Helper()
	in.OpensAt = e.now.Add(-time.Hour)
	if in.ClosesAt.IsZero() {
		in.ClosesAt = e.now.Add(2 * time.Hour)
	}
	if in.DurationMinutes == 0 {
		in.DurationMinutes = 30
	}
	in.Title = "2026 年度政治理论考试"
	r, err := e.svc.CreateExam(e.ctx, e.admin, in)
	if err != nil {
		e.t.Fatalf("create exam: %v", err)
	}
	if _, err := e.svc.Publish(e.ctx, e.admin, r.ID); err != nil {
		e.t.Fatalf("publish: %v", err)
	}
	return r.ID
}

func (e *env) auditCount(action string) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Model(&audit.Log{}).Where("action = ?", action).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) answer(attempt uint64, answers map[uint64]any) {
	e.t.Helper()
	m := map[string]json.RawMessage{}
	for id, v := range answers {
		b, _ := json.Marshal(v)
		m[strconv.FormatUint(id, 10)] = b
	}
	if err := e.svc.SaveAnswers(e.ctx, e.cadre, attempt, m); err != nil {
		e.t.Fatalf("save answers: %v", err)
	}
}

// A random paper takes, for each rule, its count of questions of its type
// from its bank, each worth the rule's score.
func TestRandomPaperIsDrawnByTheRules(t *testing.T) {
	e := newEnv(t)
	a, b := e.bank("党史题库"), e.bank("理论题库")
	var singles, judges, others []uint64
	for i := range 5 {
		singles = append(singles, e.question(a, single("党史单选 "+strconv.Itoa(i), "A", 1)))
	}
	for i := range 3 {
		judges = append(judges, e.question(a, judge("党史判断 "+strconv.Itoa(i), true, 1)))
	}
	for i := range 4 {
		others = append(others, e.question(b, single("理论单选 "+strconv.Itoa(i), "B", 1)))
	}
	in := ExamRequest{PassScore: 10, Paper: PaperRequest{Mode: ModeRandom, Rules: []RuleRequest{
		{BankID: a, Type: "single", Count: 3, Score: 2},
		{BankID: a, Type: "judge", Count: 2, Score: 1.5},
		{BankID: b, Type: "single", Count: 2, Score: 3},
	}}}
	// More than a bank holds cannot be drawn: the rule is named.
	over := in
	over.Title, over.DurationMinutes, over.OpensAt, over.ClosesAt = "超量", 30, e.now, e.now.Add(time.Hour)
	over.Paper.Rules = []RuleRequest{{BankID: a, Type: "judge", Count: 4, Score: 1}}
	if _, err := e.svc.CreateExam(e.ctx, e.admin, over); web.AsError(err).Code != "rule_unfillable" {
		t.Fatalf("a rule asking 4 of 3 judge questions: %v", err)
	}
	created, err := e.svc.CreateExam(e.ctx, e.admin, ExamRequest{Title: "随机卷", DurationMinutes: 30, OpensAt: e.now, ClosesAt: e.now.Add(time.Hour), Paper: in.Paper})
	if err != nil || created.TotalScore != 15 || !slices.Equal(created.Available, []int{5, 3, 4}) {
		t.Fatalf("create = %+v, %v; want total 3×2 + 2×1.5 + 2×3 = 15 and 5, 3, 4 available", created, err)
	}
	exam := e.exam(in)
	r, isNew, err := e.svc.StartAttempt(e.ctx, e.cadre, exam)
	if err != nil || !isNew {
		t.Fatalf("start: %v %v", isNew, err)
	}
	got := map[string][]uint64{}
	for _, q := range r.Questions {
		switch {
		case slices.Contains(singles, q.ID) && q.Type == "single" && q.Score == 2:
			got["a-single"] = append(got["a-single"], q.ID)
		case slices.Contains(judges, q.ID) && q.Type == "judge" && q.Score == 1.5:
			got["a-judge"] = append(got["a-judge"], q.ID)
		case slices.Contains(others, q.ID) && q.Type == "single" && q.Score == 3:
			got["b-single"] = append(got["b-single"], q.ID)
		default:
			t.Fatalf("question %+v matches no rule", q)
		}
	}
	if len(got["a-single"]) != 3 || len(got["a-judge"]) != 2 || len(got["b-single"]) != 2 {
		t.Fatalf("paper = %v", got)
	}
	seen := map[uint64]bool{}
	for _, q := range r.Questions {
		if seen[q.ID] {
			t.Fatalf("question %d drawn twice", q.ID)
		}
		seen[q.ID] = true
	}
}

// Each question type is graded by its own rule; short answers wait for a
// grader, and the attempt passes once they are scored.
func TestGradingOfEachQuestionType(t *testing.T) {
	e := newEnv(t)
	b := e.bank("综合题库")
	ids := map[string]uint64{
		"single":   e.question(b, single("根本宗旨", "A", 10)),
		"multiple": e.question(b, QuestionRequest{Type: "multiple", Stem: "新发展理念包括", Options: []string{"创新", "协调", "绿色", "封闭"}, Answer: json.RawMessage(`"ABC"`), Score: 10}),
		"judge":    e.question(b, judge("党的领导是最本质的特征", true, 10)),
		"blank":    e.question(b, QuestionRequest{Type: "blank", Stem: "为中国人民谋____，为中华民族谋____", Answer: json.RawMessage(`["幸福","复兴"]`), Score: 10}),
		"short":    e.question(b, QuestionRequest{Type: "short", Stem: "谈谈学习体会", Score: 10}),
	}
	exam := e.exam(ExamRequest{PassScore: 25, PartialMultiple: true, Paper: PaperRequest{Mode: ModeFixed,
		QuestionIDs: []uint64{ids["single"], ids["multiple"], ids["judge"], ids["blank"], ids["short"]}}})
	r, _, err := e.svc.StartAttempt(e.ctx, e.cadre, exam)
	if err != nil {
		t.Fatal(err)
	}
	e.answer(r.AttemptID, map[uint64]any{
		ids["single"]:   "A",                    // right: 10
		ids["multiple"]: "AB",                   // a right subset, partial credit on: 5
		ids["judge"]:    false,                  // wrong: 0
		ids["blank"]:    []string{" 幸福 ", "振兴"}, // one of two blanks: 5
		ids["short"]:    "要学深悟透",
	})
	res, err := e.svc.Submit(e.ctx, e.cadre, r.AttemptID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != AttemptPendingReview || res.Score != 20 || res.Passed != nil {
		t.Fatalf("submitted = %+v; want pending review with 20 points and no verdict", res)
	}
	// The attempt row is the submission's record; no audit entry.
	if n := e.auditCount("attempt.submit"); n != 0 {
		t.Fatalf("%d attempt.submit entries", n)
	}
	// Graders wait for the exam to close (the administrator could sit it).
	if _, err := e.svc.Review(e.ctx, e.admin, r.AttemptID, ReviewRequest{Scores: map[string]float64{strconv.FormatUint(ids["short"], 10): 7}}); web.AsError(err).Code != "grader_is_candidate" {
		t.Fatalf("review while the exam is open: %v", err)
	}
	e.now = e.now.Add(3 * time.Hour)
	// Over the question's points is refused; then the grader's score counts.
	if _, err := e.svc.Review(e.ctx, e.admin, r.AttemptID, ReviewRequest{Scores: map[string]float64{strconv.FormatUint(ids["short"], 10): 11}}); err == nil || web.AsError(err).Fields == nil {
		t.Fatalf("a short answer scored over its points: %v", err)
	}
	res, err = e.svc.Review(e.ctx, e.admin, r.AttemptID, ReviewRequest{Scores: map[string]float64{strconv.FormatUint(ids["short"], 10): 7}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != AttemptGraded || res.Score != 27 || res.Passed == nil || !*res.Passed {
		t.Fatalf("reviewed = %+v; want graded, 27 points, passed (25 to pass)", res)
	}
	if n := e.auditCount("attempt.review"); n != 1 {
		t.Fatalf("%d attempt.review entries", n)
	}
	// A candidate never grades their own paper.
	if _, err := e.svc.Review(e.ctx, e.cadre, r.AttemptID, ReviewRequest{Scores: map[string]float64{"1": 1}}); !web.IsStatus(err, 403) {
		t.Fatalf("own review: %v", err)
	}
}

// The deadline is the start plus the exam's length, or its closing time if
// sooner; past it nothing is saved and the attempt is submitted with what
// was, by the system: no entry names the candidate for it.
func TestTimeLimitSubmitsWithTheSavedAnswers(t *testing.T) {
	e := newEnv(t)
	b := e.bank("题库")
	q1, q2 := e.question(b, single("第一题", "A", 10)), e.question(b, single("第二题", "B", 10))
	long := e.exam(ExamRequest{PassScore: 10, DurationMinutes: 30, Paper: PaperRequest{Mode: ModeFixed, QuestionIDs: []uint64{q1, q2}}})
	closing := e.exam(ExamRequest{PassScore: 10, DurationMinutes: 30, ClosesAt: e.now.Add(10 * time.Minute), Paper: PaperRequest{Mode: ModeFixed, QuestionIDs: []uint64{q1, q2}}})

	r, _, err := e.svc.StartAttempt(e.ctx, e.cadre, long)
	if err != nil || !r.Deadline.Equal(e.now.Add(30*time.Minute)) {
		t.Fatalf("deadline = %v (%v), want the start plus 30 minutes", r.Deadline, err)
	}
	r2, _, err := e.svc.StartAttempt(e.ctx, e.cadre, closing)
	if err != nil || !r2.Deadline.Equal(e.now.Add(10*time.Minute)) {
		t.Fatalf("deadline = %v (%v), want the closing time", r2.Deadline, err)
	}
	e.answer(r.AttemptID, map[uint64]any{q1: "A", q2: "C"})

	e.now = e.now.Add(31 * time.Minute)
	late, _ := json.Marshal("B")
	if err := e.svc.SaveAnswers(e.ctx, e.cadre, r.AttemptID, map[string]json.RawMessage{strconv.FormatUint(q2, 10): late}); web.AsError(err).Code != "attempt_finished" {
		t.Fatalf("an answer after the deadline: %v", err)
	}
	res, err := e.svc.Result(e.ctx, e.cadre, r.AttemptID)
	if err != nil || res.Status != AttemptGraded || res.Score != 10 || res.Passed == nil || !*res.Passed {
		t.Fatalf("result past the deadline = %+v, %v; want graded on the saved answers: 10", res, err)
	}
	// The sweeper submits the other one.
	if n, err := e.svc.SweepExpired(e.ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v", n, err)
	}
	var a Attempt
	if err := e.db.First(&a, r2.AttemptID).Error; err != nil || a.Status != AttemptGraded || a.Score != 0 || a.OpenKey != nil {
		t.Fatalf("swept attempt = %+v, %v", a, err)
	}
	if n := e.auditCount("attempt.submit"); n != 0 {
		t.Fatalf("automatic submissions wrote %d attempt.submit entries", n)
	}
	// The exam has closed: no new attempt.
	if _, _, err := e.svc.StartAttempt(e.ctx, e.cadre, closing); web.AsError(err).Code != "exam_closed" {
		t.Fatalf("a start after the close: %v", err)
	}
}

// failingAuditor refuses every entry, in or out of a transaction.
type failingAuditor struct{}

func (failingAuditor) Record(context.Context, web.AuditEntry) error {
	return errors.New("audit log down")
}

func (failingAuditor) RecordTx(*gorm.DB, web.AuditEntry) error { return errors.New("audit log down") }

// An attempt's start writes no audit entry (the attempt row is its
// record), so candidates can start while the audit log is down.
func TestStartNeedsNoAuditEntry(t *testing.T) {
	e := newEnv(t)
	b := e.bank("题库")
	q := e.question(b, single("第一题", "A", 10))
	exam := e.exam(ExamRequest{Paper: PaperRequest{Mode: ModeFixed, QuestionIDs: []uint64{q}}})
	e.svc.audit = failingAuditor{}
	r, created, err := e.svc.StartAttempt(e.ctx, e.cadre, exam)
	if err != nil || !created {
		t.Fatalf("start with the audit log down: %v (created %v)", err, created)
	}
	var a Attempt
	if err := e.db.First(&a, r.AttemptID).Error; err != nil || a.UserID != e.cadre.UserID || a.Status != AttemptOpen || a.StartedAt.IsZero() {
		t.Fatalf("attempt = %+v, %v", a, err)
	}
	if n := e.auditCount("attempt.start"); n != 0 {
		t.Fatalf("%d attempt.start entries", n)
	}
}

// A save acknowledged after the submission read the answers (and before it
// closed the attempt) is graded: the close holds only on the answers it
// read, and grades again with the new ones.
func TestSaveRacingTheSubmissionIsGraded(t *testing.T) {
	e := newEnv(t)
	b := e.bank("竞态")
	first := e.question(b, judge("党的领导是最本质的特征", true, 10))
	second := e.question(b, judge("党的根本宗旨是全心全意为人民服务", true, 10))
	exam := e.exam(ExamRequest{PassScore: 10, Paper: PaperRequest{Mode: ModeFixed, QuestionIDs: []uint64{first, second}}})
	r, _, err := e.svc.StartAttempt(e.ctx, e.cadre, exam)
	if err != nil {
		t.Fatal(err)
	}
	e.answer(r.AttemptID, map[uint64]any{first: true})
	stale, err := e.svc.ownAttempt(e.ctx, e.cadre, r.AttemptID) // what the submission read
	if err != nil {
		t.Fatal(err)
	}
	e.answer(r.AttemptID, map[uint64]any{second: true}) // acknowledged in between
	res, err := e.svc.finish(e.ctx, stale)
	if err != nil || res.Score != 20 {
		t.Fatalf("graded %v (%v), want both answers: 20", res.Score, err)
	}
}

// An attempt the sweeper closes after its deadline was submitted at the
// deadline; when the sweep ran is kept beside it.
func TestSweptAttemptIsSubmittedAtItsDeadline(t *testing.T) {
	e := newEnv(t)
	b := e.bank("限时")
	q := e.question(b, judge("党的领导是最本质的特征", true, 10))
	exam := e.exam(ExamRequest{PassScore: 10, Paper: PaperRequest{Mode: ModeFixed, QuestionIDs: []uint64{q}}})
	r, _, err := e.svc.StartAttempt(e.ctx, e.cadre, exam)
	if err != nil {
		t.Fatal(err)
	}
	e.answer(r.AttemptID, map[uint64]any{q: true})
	var a Attempt
	e.db.First(&a, r.AttemptID)
	e.now = a.Deadline.Add(56 * time.Second) // the sweeper comes late
	if n, err := e.svc.SweepExpired(e.ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v", n, err)
	}
	e.db.First(&a, r.AttemptID)
	if a.SubmittedAt == nil || !a.SubmittedAt.Equal(a.Deadline) || a.ClosedAt == nil || !a.ClosedAt.Equal(e.now) || !a.Passed {
		t.Fatalf("swept: submitted %v, closed %v, deadline %v, now %v", a.SubmittedAt, a.ClosedAt, a.Deadline, e.now)
	}
}
