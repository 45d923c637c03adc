package exam_test

import (
	"college/app/collegetest"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"college/modules/exam"
	"college/modules/hours"

	"gorm.io/gorm"
)

// flakyLedger fails its first calls, as the database failing under the
// credit would, then credits through the college's ledger.
type flakyLedger struct {
	exam.Ledger
	fails atomic.Int32
}

func (l *flakyLedger) Credit(ctx context.Context, tx *gorm.DB, c hours.Credit) (bool, error) {
	if l.fails.Add(-1) >= 0 {
		return false, errors.New("injected: database connection lost")
	}
	return l.Ledger.Credit(ctx, tx, c)
}

// A passed course test whose credit fails is not graded passed without its
// hours: the submission fails and the attempt stays open with its answers;
// submitting again grades it and credits once.
func TestFailedCourseTestCreditIsNotLost(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course, _, _ := collegetest.PublishedCourse(a, c)
	col := c.Tokens["col"]
	q := a.Question(col, a.Bank(col, "课程测试", false), map[string]any{"type": "judge", "stem": "题", "answer": true, "score": 10})
	examID := a.FixedExam(col, map[string]any{"title": "课程测试：新时代思想", "pass_score": 6, "max_attempts": 1, "course_id": course}, q)
	a.PublishExam(col, examID)
	flaky := &flakyLedger{Ledger: a.Hours}
	flaky.fails.Store(1)
	a.Exams.SetLedger(flaky)
	cadre := c.Tokens["ua_cadre"]
	att := a.StartAttempt(cadre, examID)
	collegetest.MustStatus(t, a.SaveAnswers(cadre, att, map[uint64]any{q: true}), 200)
	submit := fmt.Sprintf("/api/v1/attempts/%d/submit", att)
	if r := a.Do("POST", submit, cadre, nil); r.Status < 500 {
		t.Fatalf("submission with a failing credit = %d %s", r.Status, r.Body)
	}
	if n := a.Count("attempts", "id = ? AND status = ?", att, exam.AttemptOpen); n != 1 {
		t.Fatalf("the attempt was closed without its credit")
	}
	r := a.Do("POST", submit, cadre, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["passed"] != true {
		t.Fatalf("resubmission = %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", submit, cadre, nil), 200)
	h := a.Do("GET", "/api/v1/me/hours", cadre, nil).JSON(t)
	if h["total"].(float64) != 0.5 || len(h["entries"].([]any)) != 1 {
		t.Fatalf("hours = %v", h)
	}
}
