package exam

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"college/modules/exam/grading"
	"college/modules/exam/item"
	"college/modules/exam/paper"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// SetAssignments replaces who grades what in an exam.
func (s *Service) SetAssignments(ctx context.Context, p *web.Principal, examID uint64, in AssignmentsRequest) error {
	if _, err := s.examFor(ctx, p, examID); err != nil {
		return err
	}
	bad := web.Fields{}
	for i, a := range in.Assignments {
		if a.GraderID == 0 || (a.QuestionID == 0) == (a.CandidateID == 0) {
			bad.Add(fmt.Sprintf("assignments[%d]", i), "须指定阅卷人，以及一道题或一名考生（二选一）")
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	return s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Where("exam_id = ?", examID).Delete(&GraderAssignment{}).Error; err != nil {
			return web.AuditEntry{}, err
		}
		for _, a := range in.Assignments {
			if err := tx.Create(&GraderAssignment{ExamID: examID, GraderID: a.GraderID, QuestionID: a.QuestionID, CandidateID: a.CandidateID}).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, "exam.graders", "exam", examID, in.Assignments), nil
	})
}

// mayGrade tells whether the caller may grade a question of a candidate:
// college administrators always; teachers as assigned, or every item when
// the exam has no assignments.
func (s *Service) mayGrade(ctx context.Context, p *web.Principal, examID, candidateID, questionID uint64) (bool, error) {
	if p.Has(web.RoleCollegeAdmin) {
		return true, nil
	}
	var all []GraderAssignment
	if err := s.db.WithContext(ctx).Where("exam_id = ?", examID).Find(&all).Error; err != nil {
		return false, err
	}
	if len(all) == 0 {
		return true, nil
	}
	for _, a := range all {
		if a.GraderID == p.UserID && ((a.QuestionID != 0 && a.QuestionID == questionID) || (a.CandidateID != 0 && a.CandidateID == candidateID)) {
			return true, nil
		}
	}
	return false, nil
}

func canGrade(p *web.Principal) bool { return p.HasAny(web.RoleCollegeAdmin, web.RoleTeacher) }

// gradableExam loads an exam of the grader's college.
func (s *Service) gradableExam(ctx context.Context, p *web.Principal, id uint64) (*Exam, error) {
	if !canGrade(p) {
		return nil, web.Forbidden()
	}
	return web.Load[Exam](s.db.WithContext(ctx).Scopes(web.OrgScope(p, "college_id")), id)
}

func (a *Attempt) frozen() ([]frozenItem, []grading.Mark, map[string]json.RawMessage) {
	var items []frozenItem
	var marks []grading.Mark
	answers := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(a.Paper), &items)
	_ = json.Unmarshal([]byte(a.Marks), &marks)
	_ = json.Unmarshal([]byte(a.Answers), &answers)
	return items, marks, answers
}

// errCandidateGrader refuses a grader who is a candidate of an exam still open.
func errCandidateGrader() *web.Error {
	return web.NewError(fiber.StatusForbidden, "grader_is_candidate", "您是本场考试的考生，考试结束后才能阅卷")
}

// candidateOfOpen reports whether the caller is a candidate of an exam that
// is still open: one who has an attempt of it or is in its audience and so
// could start one. Such a grader would see the reference answers and the
// other candidates' answers before sitting or while sitting it, so they
// grade nothing of it until it closes.
func (s *Service) candidateOfOpen(ctx context.Context, p *web.Principal, e *Exam) (bool, error) {
	if e.Status != StatusPublished || !s.now().Before(e.ClosesAt) {
		return false, nil
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Attempt{}).Where("exam_id = ? AND user_id = ?", e.ID, p.UserID).Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	return s.meantFor(ctx, e, p)
}

// reviewableExam loads an exam the caller may grade now (403 for a
// candidate of the exam while it is open).
func (s *Service) reviewableExam(ctx context.Context, p *web.Principal, id uint64) (*Exam, error) {
	e, err := s.gradableExam(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if conflict, err := s.candidateOfOpen(ctx, p, e); err != nil {
		return nil, web.Internal(err)
	} else if conflict {
		return nil, errCandidateGrader()
	}
	return e, nil
}

// ReviewQueue lists the short answers awaiting a grader in an exam. The
// grader sees the attempt, not the candidate's name, and never their own.
func (s *Service) ReviewQueue(ctx context.Context, p *web.Principal, examID uint64) ([]ReviewItem, error) {
	if _, err := s.reviewableExam(ctx, p, examID); err != nil {
		return nil, err
	}
	var atts []Attempt
	if err := s.db.WithContext(ctx).Where("exam_id = ? AND status = ?", examID, AttemptPendingReview).Order("submitted_at").Limit(500).Find(&atts).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := []ReviewItem{}
	for i := range atts {
		if atts[i].UserID == p.UserID {
			continue
		}
		items, marks, answers := atts[i].frozen()
		for j, it := range items {
			if j >= len(marks) || !marks[j].NeedsReview {
				continue
			}
			if ok, err := s.mayGrade(ctx, p, examID, atts[i].UserID, it.ID); err != nil {
				return nil, web.Internal(err)
			} else if !ok {
				continue
			}
			var text string
			_ = json.Unmarshal(answers[strconv.FormatUint(it.ID, 10)], &text)
			out = append(out, ReviewItem{AttemptID: atts[i].ID, QuestionID: it.ID, Stem: it.Q.Stem, Reference: it.Key.Reference,
				Answer: text, MaxScore: it.Q.Score, TabSwitches: atts[i].TabSwitches})
		}
	}
	return out, nil
}

// Review scores short answers; the attempt is final once none is left.
func (s *Service) Review(ctx context.Context, p *web.Principal, attemptID uint64, in ReviewRequest) (ResultResponse, error) {
	a, err := web.Load[Attempt](s.db.WithContext(ctx), attemptID)
	if err != nil {
		return ResultResponse{}, err
	}
	if a.UserID == p.UserID {
		if !canGrade(p) {
			return ResultResponse{}, web.Forbidden()
		}
		return ResultResponse{}, web.NewError(fiber.StatusForbidden, "own_attempt", "不能评阅本人的答卷")
	}
	e, err := s.reviewableExam(ctx, p, a.ExamID)
	if err != nil {
		return ResultResponse{}, err
	}
	if a.Status != AttemptPendingReview {
		return ResultResponse{}, web.Conflict("not_pending", "该答卷不需要阅卷")
	}
	items, marks, _ := a.frozen()
	bad := web.Fields{}
	for qid := range in.Scores {
		id, _ := strconv.ParseUint(qid, 10, 64)
		ok, err := s.mayGrade(ctx, p, a.ExamID, a.UserID, id)
		if err != nil {
			return ResultResponse{}, web.Internal(err)
		}
		if !ok {
			return ResultResponse{}, web.Forbidden()
		}
	}
	comments := map[string]string{}
	_ = json.Unmarshal([]byte(a.Comments), &comments)
	for qid, text := range in.Comments {
		if len([]rune(text)) > 2000 {
			bad.Add("comments."+qid, "评语不能超过 2000 字")
			continue
		}
		comments[qid] = text
	}
	for qid, score := range in.Scores {
		found := false
		for j, it := range items {
			if strconv.FormatUint(it.ID, 10) != qid || it.Q.Type != item.Short {
				continue
			}
			found = true
			if score < 0 || score > it.Q.Score || math.Abs(score*100-math.Round(score*100)) > 1e-6 {
				bad.Add("scores."+qid, "分数应在 0 到本题分值之间，最多两位小数")
				continue
			}
			marks[j] = grading.Mark{Score: score, Correct: score == it.Q.Score}
		}
		if !found {
			bad.Add("scores."+qid, "该答卷中没有这道简答题")
		}
	}
	if err := bad.Err(); err != nil {
		return ResultResponse{}, err
	}
	var total int64
	pending := false
	for _, m := range marks {
		total += int64(math.Round(m.Score * 100))
		pending = pending || m.NeedsReview
	}
	status := AttemptPendingReview
	passed := false
	if !pending {
		status, passed = AttemptGraded, total >= e.PassScore
	}
	mj, _ := json.Marshal(marks)
	cj, _ := json.Marshal(comments)
	err = s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		res := tx.Model(&Attempt{}).Where("id = ? AND status = ?", a.ID, AttemptPendingReview).
			Updates(map[string]any{"marks": string(mj), "score_x100": total, "status": status, "passed": passed, "comments": string(cj)})
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("not_pending", "该答卷已由他人完成阅卷")
		}
		if status == AttemptGraded && e.released(s.now().UTC()) {
			graded := Attempt{UserID: a.UserID, Paper: a.Paper, Marks: string(mj)}
			if err := bookWrongAnswers(tx, &graded, s.now().UTC()); err != nil {
				return web.AuditEntry{}, err
			}
		}
		if passed {
			// The credit with the grade: both or neither.
			when := s.now().UTC()
			if a.SubmittedAt != nil {
				when = *a.SubmittedAt
			}
			if err := s.creditCourseTest(ctx, tx, e, a.UserID, when); err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, "attempt.review", "attempt", a.ID, in.Scores), nil
	})
	if err != nil {
		return ResultResponse{}, err
	}
	if err := s.db.WithContext(ctx).First(a, a.ID).Error; err != nil {
		return ResultResponse{}, web.Internal(err)
	}
	return result(a), nil
}

// Stats computes an exam's score distribution, pass rate and item analysis
// over its graded attempts.
func (s *Service) Stats(ctx context.Context, p *web.Principal, examID uint64) (ExamStats, error) {
	e, err := s.gradableExam(ctx, p, examID)
	if err != nil {
		return ExamStats{}, err
	}
	var atts []Attempt
	if err := s.db.WithContext(ctx).Where("exam_id = ? AND status <> ?", examID, AttemptOpen).Find(&atts).Error; err != nil {
		return ExamStats{}, web.Internal(err)
	}
	st := ExamStats{Attempts: len(atts), Histogram: []Bin{}, Items: []ItemStat{}}
	total := float64(e.TotalScore) / 100
	for b := 0; b < 10; b++ {
		st.Histogram = append(st.Histogram, Bin{From: math.Round(total*float64(b)) / 10, To: math.Round(total*float64(b+1)) / 10})
	}
	type scored struct {
		score float64
		marks map[uint64]float64
	}
	var graded []scored
	maxOf := map[uint64]float64{}
	stemOf := map[uint64]string{}
	order := []uint64{}
	passed, sum := 0, 0.0
	for i := range atts {
		if atts[i].Status != AttemptGraded {
			st.Pending++
			continue
		}
		items, marks, _ := atts[i].frozen()
		sc := scored{score: float64(atts[i].Score) / 100, marks: map[uint64]float64{}}
		for j, it := range items {
			if _, seen := maxOf[it.ID]; !seen {
				order = append(order, it.ID)
				stemOf[it.ID] = it.Q.Stem
			}
			maxOf[it.ID] = it.Q.Score
			if j < len(marks) {
				sc.marks[it.ID] = marks[j].Score
			}
		}
		graded = append(graded, sc)
		sum += sc.score
		if atts[i].Passed {
			passed++
		}
		bin := 9
		if total > 0 {
			bin = int(sc.score / total * 10)
		}
		st.Histogram[min(max(bin, 0), 9)].Count++
	}
	st.Graded = len(graded)
	if st.Graded == 0 {
		return st, nil
	}
	st.Average = math.Round(sum/float64(st.Graded)*100) / 100
	st.PassRate = math.Round(float64(passed)/float64(st.Graded)*10000) / 10000
	sort.Slice(graded, func(i, j int) bool { return graded[i].score > graded[j].score })
	k := int(math.Ceil(float64(len(graded)) * 0.27))
	for _, qid := range order {
		is := ItemStat{QuestionID: qid, Stem: stemOf[qid]}
		var got float64
		for _, g := range graded {
			if v, ok := g.marks[qid]; ok {
				is.Answered++
				got += v
			}
		}
		max := maxOf[qid]
		if is.Answered > 0 && max > 0 {
			is.Facility = math.Round(got/float64(is.Answered)/max*10000) / 10000
			var hi, lo float64
			for i := 0; i < k; i++ {
				hi += graded[i].marks[qid]
				lo += graded[len(graded)-1-i].marks[qid]
			}
			is.Discrimination = math.Round((hi-lo)/float64(k)/max*10000) / 10000
		}
		st.Items = append(st.Items, is)
	}
	return st, nil
}

func (h *Handlers) review(c *fiber.Ctx) error {
	id, in, err := web.IDBody[ReviewRequest](c)
	if err != nil {
		return err
	}
	if len(in.Scores) == 0 {
		return web.Invalid(map[string]string{"scores": "必填"})
	}
	r, err := h.svc.Review(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (h *Handlers) assign(c *fiber.Ctx) error {
	id, in, err := web.IDBody[AssignmentsRequest](c)
	if err != nil {
		return err
	}
	if err := h.svc.SetAssignments(c.UserContext(), web.Caller(c), id, in); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"assignments": len(in.Assignments)})
}

// ReviewPaper shows the caller their submitted paper when the exam's
// results are released (403 before).
func (s *Service) ReviewPaper(ctx context.Context, p *web.Principal, attemptID uint64) (PaperReview, error) {
	a, err := s.ownAttempt(ctx, p, attemptID)
	if err != nil {
		return PaperReview{}, err
	}
	if a.Status == AttemptOpen {
		return PaperReview{}, web.Conflict("attempt_open", "交卷后才能查看答卷")
	}
	var e Exam
	if err := s.db.WithContext(ctx).First(&e, a.ExamID).Error; err != nil {
		return PaperReview{}, web.Internal(err)
	}
	if !e.released(s.now().UTC()) {
		return PaperReview{}, web.NewError(fiber.StatusForbidden, "not_released", "成绩与答案尚未公布")
	}
	if e.Release == "after_close" && !e.Released && a.Status == AttemptGraded {
		// Released by the clock, with no moment to book them before.
		if err := bookWrongAnswers(s.db.WithContext(ctx), a, s.now().UTC()); err != nil {
			return PaperReview{}, web.Internal(err)
		}
	}
	items, marks, answers := a.frozen()
	comments := map[string]string{}
	_ = json.Unmarshal([]byte(a.Comments), &comments)
	out := PaperReview{ResultResponse: result(a), Questions: make([]ReviewedQuestion, len(items))}
	for i, it := range items {
		q := it.Q
		q.Key = it.Key
		if len(it.Perm) > 0 {
			q = paper.Present(q, it.Perm) // the key in the letters the candidate saw
		}
		opts := q.Options
		if opts == nil {
			opts = []string{}
		}
		rq := ReviewedQuestion{CandidateQuestion: CandidateQuestion{ID: it.ID, Type: string(q.Type), Stem: q.Stem, Options: opts, Score: q.Score},
			Correct: q.KeyJSON(), KeyText: q.KeyText(), Analysis: q.Analysis}
		var given any
		if raw, ok := answers[strconv.FormatUint(it.ID, 10)]; ok {
			_ = json.Unmarshal(raw, &given)
		}
		rq.Given = given
		rq.Comment = comments[strconv.FormatUint(it.ID, 10)]
		if i < len(marks) {
			rq.Earned = marks[i].Score
			rq.Right = marks[i].Correct
			rq.Pending = marks[i].NeedsReview
		}
		out.Questions[i] = rq
	}
	return out, nil
}

func (h *Handlers) release(c *fiber.Ctx) error {
	_, e, err := web.WithID(c, h.svc.ReleaseResults)
	if err != nil {
		return err
	}
	return c.JSON(ExamResponse{ID: e.ID, Title: e.Title, Status: e.Status, TotalScore: float64(e.TotalScore) / 100})
}
