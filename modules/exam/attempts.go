package exam

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"college/modules/exam/grading"
	"college/modules/exam/item"
	"college/modules/exam/paper"
	"college/modules/hours"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/db"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// Attempt statuses.
const (
	AttemptOpen          = "in_progress"
	AttemptGraded        = "graded"
	AttemptPendingReview = "pending_review"
)

// frozenItem is one question as the candidate's paper froze it: a snapshot
// of the question at the start (later edits never change an attempt) and
// its option permutation.
type frozenItem struct {
	ID   uint64        `json:"id"`
	Q    item.Question `json:"q"`
	Key  item.Key      `json:"k"`
	Perm []int         `json:"p,omitempty"`
}

func openKey(examID, userID uint64) *string {
	k := strconv.FormatUint(examID, 10) + ":" + strconv.FormatUint(userID, 10)
	return &k
}

func (s *Service) answersKey(attemptID uint64) string {
	return s.cache.Key("ans", "{a"+strconv.FormatUint(attemptID, 10)+"}")
}

// StartAttempt returns the caller's open attempt or starts a new one with
// its own frozen paper. created is false when an open attempt is returned.
func (s *Service) StartAttempt(ctx context.Context, p *web.Principal, examID uint64) (AttemptResponse, bool, error) {
	if err := web.MayStudy(p); err != nil {
		return AttemptResponse{}, false, err
	}
	e, err := web.Load[Exam](s.db.WithContext(ctx).Where("status = ?", StatusPublished), examID)
	if err != nil {
		return AttemptResponse{}, false, err
	}
	if ok, err := s.meantFor(ctx, e, p); err != nil {
		return AttemptResponse{}, false, web.Internal(err)
	} else if !ok {
		return AttemptResponse{}, false, web.NotFound()
	}
	now := s.now().UTC()
	// An open attempt is returned as it is (resume); one past its deadline is
	// submitted first.
	var open Attempt
	err = s.db.WithContext(ctx).Where("open_key = ?", *openKey(e.ID, p.UserID)).First(&open).Error
	if err == nil {
		if now.Before(open.Deadline) {
			return s.resume(ctx, &open)
		}
		if _, err := s.finish(ctx, &open); err != nil {
			return AttemptResponse{}, false, err
		}
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return AttemptResponse{}, false, web.Internal(err)
	}
	if now.Before(e.OpensAt) || !now.Before(e.ClosesAt) {
		return AttemptResponse{}, false, web.Unprocessable("exam_closed", "不在考试时间内")
	}
	var used int64
	if err := s.db.WithContext(ctx).Model(&Attempt{}).Where("exam_id = ? AND user_id = ?", e.ID, p.UserID).Count(&used).Error; err != nil {
		return AttemptResponse{}, false, web.Internal(err)
	}
	if int(used) >= e.MaxAttempts {
		return AttemptResponse{}, false, web.Conflict("no_attempts_left", "考试次数已用完")
	}
	ep, err := s.examPool(ctx, e)
	if err != nil {
		return AttemptResponse{}, false, web.Internal(err)
	}
	rng := newRand()
	chosen := ep.fixed
	if e.PaperMode == ModeRandom {
		chosen, err = paper.Draw(ep.rules, ep.pool, rng)
		if err != nil {
			return AttemptResponse{}, false, web.Unprocessable("rule_unfillable", "题库中的试题已不足以组卷，请联系考试管理员")
		}
	}
	counts, fixed := make([]int, len(chosen)), make([]bool, len(chosen))
	for i, c := range chosen {
		counts[i], fixed[i] = len(c.Q.Options), c.Q.FixedOrder
	}
	order := paper.Shuffle(len(chosen), counts, fixed, e.Shuffle, rng)
	items := make([]frozenItem, len(chosen))
	for i, qi := range order.Questions {
		c := chosen[qi]
		items[i] = frozenItem{ID: c.ID, Q: c.Q, Key: c.Q.Key, Perm: order.Options[qi]}
	}
	frozen, _ := json.Marshal(items)
	deadline := now.Add(time.Duration(e.DurationMinutes) * time.Minute)
	if e.ClosesAt.Before(deadline) {
		deadline = e.ClosesAt
	}
	a := &Attempt{ExamID: e.ID, UserID: p.UserID, No: int(used) + 1, OpenKey: openKey(e.ID, p.UserID), Status: AttemptOpen,
		StartedAt: now, Deadline: deadline, Paper: string(frozen), Answers: "{}"}
	if err := s.db.WithContext(ctx).Create(a).Error; err != nil {
		if db.IsDuplicate(err) {
			// A second start raced this one: answer with the attempt it made.
			if err := s.db.WithContext(ctx).Where("open_key = ?", *openKey(e.ID, p.UserID)).First(&open).Error; err == nil {
				return s.resume(ctx, &open)
			}
		}
		return AttemptResponse{}, false, web.Internal(err)
	}
	r, err := s.attemptView(ctx, a)
	return r, true, err
}

// resume answers a start with the caller's attempt in progress.
func (s *Service) resume(ctx context.Context, a *Attempt) (AttemptResponse, bool, error) {
	r, err := s.attemptView(ctx, a)
	return r, false, err
}

func (s *Service) attemptView(ctx context.Context, a *Attempt) (AttemptResponse, error) {
	var items []frozenItem
	if err := json.Unmarshal([]byte(a.Paper), &items); err != nil {
		return AttemptResponse{}, web.Internal(err)
	}
	r := AttemptResponse{AttemptID: a.ID, Deadline: a.Deadline, Questions: make([]CandidateQuestion, len(items)), Answers: map[string]any{}}
	var e Exam
	if err := s.db.WithContext(ctx).Select("id", "leave_limit", "fullscreen").First(&e, a.ExamID).Error; err == nil {
		r.LeaveLimit, r.Fullscreen = e.LeaveLimit, e.Fullscreen
	}
	for i, it := range items {
		shown := it.Q
		if len(it.Perm) > 0 {
			shown = paper.Present(it.Q, it.Perm)
		}
		opts := shown.Options
		if opts == nil {
			opts = []string{}
		}
		r.Questions[i] = CandidateQuestion{ID: it.ID, Type: string(shown.Type), Stem: shown.Stem, Options: opts, Score: shown.Score}
	}
	saved, err := s.savedAnswers(ctx, a)
	if err != nil {
		return AttemptResponse{}, err
	}
	for k, v := range saved {
		var x any
		if json.Unmarshal(v, &x) == nil {
			r.Answers[k] = x
		}
	}
	return r, nil
}

// savedAnswers is an attempt's answers: those in SQL, and those an earlier
// version buffered in Redis and no save has moved to SQL since.
func (s *Service) savedAnswers(ctx context.Context, a *Attempt) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(a.Answers), &out)
	m, err := s.cache.HGetAll(ctx, s.answersKey(a.ID)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, web.Internal(err)
	}
	for k, v := range m {
		out[k] = json.RawMessage(v)
	}
	return out, nil
}

// AttemptSheet returns the paper and the saved answers of the caller's
// attempt in progress, for the exam page to resume; it never starts one.
func (s *Service) AttemptSheet(ctx context.Context, p *web.Principal, id uint64) (AttemptResponse, error) {
	a, err := s.ownAttempt(ctx, p, id)
	if err != nil {
		return AttemptResponse{}, err
	}
	if a.Status == AttemptOpen && !s.now().Before(a.Deadline) {
		if _, err := s.finish(ctx, a); err != nil {
			return AttemptResponse{}, err
		}
	}
	if a.Status != AttemptOpen {
		return AttemptResponse{}, web.Conflict("attempt_finished", "本次考试已结束，答卷已提交")
	}
	return s.attemptView(ctx, a)
}

// ownAttempt loads an attempt of the caller (404 for anyone else's).
func (s *Service) ownAttempt(ctx context.Context, p *web.Principal, id uint64) (*Attempt, error) {
	return web.Load[Attempt](s.db.WithContext(ctx).Where("user_id = ?", p.UserID), id)
}

// SaveAnswers merges answers into the attempt's answers in SQL before it
// answers: an acknowledged answer survives Redis losing its data and the
// process dying. The merge (JSON_MERGE_PATCH on MySQL, json_patch on
// SQLite) happens only while the attempt is open, so a save racing the
// submission is either in the graded answers or refused; concurrent saves
// are committed together (saver).
func (s *Service) SaveAnswers(ctx context.Context, p *web.Principal, id uint64, answers map[string]json.RawMessage) error {
	a, err := s.ownAttempt(ctx, p, id)
	if err != nil {
		return err
	}
	if a.Status != AttemptOpen || !s.now().Before(a.Deadline) {
		return errAttemptFinished
	}
	var items []frozenItem
	if err := json.Unmarshal([]byte(a.Paper), &items); err != nil {
		return web.Internal(err)
	}
	types := map[string]item.Type{}
	for _, it := range items {
		types[strconv.FormatUint(it.ID, 10)] = it.Q.Type
	}
	bad := web.Fields{}
	patch := make(map[string]json.RawMessage, len(answers))
	for k, raw := range answers {
		t, ok := types[k]
		if !ok {
			bad.Add("answers."+k, "试卷中没有这道题")
			continue
		}
		if _, err := grading.ParseAnswer(t, raw); err != nil {
			bad.Add("answers."+k, err.Error())
			continue
		}
		patch[k] = raw
	}
	if err := bad.Err(); err != nil {
		return err
	}
	if len(patch) == 0 {
		return nil
	}
	// Answers an earlier version buffered in Redis go to SQL with these
	// (these win), once.
	legacy := s.answersKey(a.ID)
	buffered, err := s.cache.HGetAll(ctx, legacy).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return web.Internal(err)
	}
	for k, v := range buffered {
		if _, ok := patch[k]; !ok && json.Valid([]byte(v)) {
			patch[k] = json.RawMessage(v)
		}
	}
	if err := s.saver.save(ctx, a.ID, patch); err != nil {
		if err == errAttemptFinished {
			return err
		}
		return web.Internal(err)
	}
	if len(buffered) > 0 {
		s.cache.Del(ctx, legacy)
	}
	return nil
}

var errAttemptFinished = web.Conflict("attempt_finished", "考试已结束，答案未保存")

// Submit grades and closes the attempt; calling it again answers the same.
func (s *Service) Submit(ctx context.Context, p *web.Principal, id uint64) (ResultResponse, error) {
	a, err := s.ownAttempt(ctx, p, id)
	if err != nil {
		return ResultResponse{}, err
	}
	if a.Status != AttemptOpen {
		return result(a), nil
	}
	return s.finish(ctx, a)
}

// finish grades an open attempt with its saved answers and closes it with
// a conditional update, so that a submission and the sweeper racing close
// it once. Like the start, a submission writes no audit entry: the attempt
// row is its record (who, when, the answers, the score), and exam day's
// spike of starts and submissions keeps the database to one write each.
func (s *Service) finish(ctx context.Context, a *Attempt) (ResultResponse, error) {
	var e Exam
	if err := s.db.WithContext(ctx).First(&e, a.ExamID).Error; err != nil {
		return ResultResponse{}, web.Internal(err)
	}
	// The close holds only if no save came in since the answers were read
	// (answers_rev); one that did is graded with them on the next turn.
	for turn := 0; ; turn++ {
		closed, err := s.closeAttempt(ctx, &e, a)
		if err != nil {
			return ResultResponse{}, err
		}
		if err := s.db.WithContext(ctx).First(a, a.ID).Error; err != nil {
			return ResultResponse{}, web.Internal(err)
		}
		if closed || a.Status != AttemptOpen {
			break
		}
		if turn == 9 {
			return ResultResponse{}, web.Unavailable("答案正在保存，请稍后再交卷")
		}
	}
	// The answers are in SQL (committed here or by a racing submission):
	// a buffer an earlier version left can go.
	s.cache.Del(ctx, s.answersKey(a.ID))
	return result(a), nil
}

// closeAttempt grades the answers a holds and closes it if it is open and
// no answer was saved since a was read; it tells whether it closed it.
func (s *Service) closeAttempt(ctx context.Context, e *Exam, a *Attempt) (bool, error) {
	var items []frozenItem
	if err := json.Unmarshal([]byte(a.Paper), &items); err != nil {
		return false, web.Internal(err)
	}
	saved, err := s.savedAnswers(ctx, a)
	if err != nil {
		return false, err
	}
	qs := make([]item.Question, len(items))
	as := make([]grading.Answer, len(items))
	for i, it := range items {
		q := it.Q
		q.Key = it.Key
		qs[i] = q
		if raw, ok := saved[strconv.FormatUint(it.ID, 10)]; ok {
			ans, err := grading.ParseAnswer(q.Type, raw)
			if err == nil {
				if len(it.Perm) > 0 && (q.Type == item.Single || q.Type == item.Multiple) {
					ans.Choices = paper.MapBack(ans.Choices, it.Perm)
				}
				as[i] = ans
			}
		}
	}
	marks, total, pending := grading.GradeAll(qs, as, grading.Rules{PartialMultiple: e.PartialMultiple})
	score := int64(math.Round(total * 100))
	status := AttemptGraded
	if pending {
		status = AttemptPendingReview
	}
	answersJSON, _ := json.Marshal(saved)
	marksJSON, _ := json.Marshal(marks)
	now := s.now().UTC()
	// An attempt closed after its deadline (by the sweeper, or when its
	// candidate comes back) was submitted at the deadline, whenever the
	// college got to it.
	submitted := now
	if now.After(a.Deadline) {
		submitted = a.Deadline.UTC()
	}
	passed := !pending && score >= e.PassScore
	// The grade and a passed course test's credit are one transaction: an
	// attempt is never graded passed without its hours, and a failed credit
	// leaves it open for the next submission or the sweeper to grade again.
	closed := false
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&Attempt{}).Where("id = ? AND status = ? AND answers_rev = ?", a.ID, AttemptOpen, a.AnswersRev).Updates(map[string]any{
			"status": status, "score_x100": score, "passed": passed, "answers": string(answersJSON), "marks": string(marksJSON),
			"submitted_at": submitted, "closed_at": now, "open_key": nil,
		})
		if res.Error != nil {
			return res.Error
		}
		closed = res.RowsAffected == 1
		if closed && status == AttemptGraded && e.released(now) {
			graded := Attempt{UserID: a.UserID, Paper: a.Paper, Marks: string(marksJSON)}
			if err := bookWrongAnswers(tx, &graded, now); err != nil {
				return err
			}
		}
		if closed && passed {
			return s.creditCourseTest(ctx, tx, e, a.UserID, submitted)
		}
		return nil
	})
	if err != nil {
		return false, web.Internal(fmt.Errorf("exam: submit %d: %w", a.ID, err))
	}
	return closed, nil
}

// creditCourseTest credits, in tx, the study hours of a course test passed
// at when, once per candidate and exam (the ledger's unique key).
func (s *Service) creditCourseTest(ctx context.Context, tx *gorm.DB, e *Exam, userID uint64, when time.Time) error {
	if e.CourseID == 0 || s.ledger == nil {
		return nil
	}
	h := web.HoursFromFloat(s.settings.Float(ctx, SetCourseTestHours))
	if h <= 0 {
		return nil
	}
	_, err := s.ledger.Credit(ctx, tx, hours.Credit{UserID: userID, Hours: h, Category: hours.CategoryOnline, Kind: hours.KindRequired,
		SourceType: hours.SourceExam, SourceID: e.ID, Title: e.Title, EarnedAt: when})
	return err
}

func result(a *Attempt) ResultResponse {
	r := ResultResponse{ID: a.ID, ExamID: a.ExamID, Status: a.Status, Score: float64(a.Score) / 100, SubmittedAt: a.SubmittedAt, Deadline: a.Deadline}
	if a.Status == AttemptGraded {
		passed := a.Passed
		r.Passed = &passed
	}
	return r
}

// Result returns the caller's attempt status and score.
func (s *Service) Result(ctx context.Context, p *web.Principal, id uint64) (ResultResponse, error) {
	a, err := s.ownAttempt(ctx, p, id)
	if err != nil {
		return ResultResponse{}, err
	}
	if a.Status == AttemptOpen && !s.now().Before(a.Deadline) {
		return s.finish(ctx, a)
	}
	return result(a), nil
}

// SweepExpired submits open attempts past their deadline with their saved
// answers; one instance at a time does it (Redis lease).
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	n := 0
	err := s.cache.Leased(ctx, "exam-sweep", 15*time.Second, func(ctx context.Context) error {
		var due []Attempt
		if err := s.db.WithContext(ctx).Where("status = ? AND deadline <= ?", AttemptOpen, s.now().UTC()).Limit(500).Find(&due).Error; err != nil {
			return err
		}
		// One attempt that cannot be closed (its credit failing) does not
		// hold up the others; it is tried again on the next sweep.
		var first error
		for i := range due {
			if _, err := s.finish(ctx, &due[i]); err != nil {
				first = cmp.Or(first, err)
				continue
			}
			n++
		}
		return first
	})
	return n, err
}

// RunSweeper submits expired attempts every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration) {
	cache.Every(ctx, s.log, "exam: sweep", every, func(ctx context.Context) error {
		_, err := s.SweepExpired(ctx)
		return err
	})
}
