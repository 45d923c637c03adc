package assess

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"college/modules/training"
	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// The trainee's side of evaluations: what there is to fill, the questions,
// and the anonymous answers.

// openFor tells whether trainees may answer now, and if not, why.
func (s *Service) openFor(c *training.Class, e *Evaluation) (bool, string) {
	now := s.now()
	switch {
	case c.Status != training.StatusInSession && c.Status != training.StatusGraduated:
		return false, "班次开班后才能填写评估"
	case e.OpensAt != nil && now.Before(*e.OpensAt):
		return false, "评估尚未开始，开始时间：" + e.OpensAt.In(web.Shanghai).Format("2006-01-02 15:04")
	case e.ClosesAt != nil && !now.Before(*e.ClosesAt):
		return false, "评估已截止"
	}
	return true, ""
}

// traineeStatuses are the registrations that make a trainee.
var traineeStatuses = []string{training.RegApproved, training.RegGraduated, training.RegIncomplete}

// MyEvaluations lists the evaluations of the classes the caller is a
// trainee of, newest class first, in the order they were published.
func (s *Service) MyEvaluations(ctx context.Context, p *web.Principal) ([]MyEvaluation, error) {
	regs, err := s.classes.MyRegistrations(ctx, p)
	if err != nil {
		return nil, err
	}
	var classIDs []uint64
	titles := map[uint64]string{}
	for _, r := range regs {
		if slices.Contains(traineeStatuses, r.Status) && !slices.Contains(classIDs, r.ClassID) {
			classIDs = append(classIDs, r.ClassID)
			titles[r.ClassID] = r.Class.Title
		}
	}
	out := []MyEvaluation{}
	if len(classIDs) == 0 {
		return out, nil
	}
	var rows []Evaluation
	if err := s.db.WithContext(ctx).Where("class_id IN ?", classIDs).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	done, err := s.doneBy(ctx, p.UserID, rows)
	if err != nil {
		return nil, err
	}
	forms, err := s.formTitles(ctx, rows)
	if err != nil {
		return nil, err
	}
	classes := map[uint64]*training.Class{}
	for _, id := range classIDs {
		c, err := s.classes.ClassByID(ctx, id)
		if err != nil {
			return nil, err
		}
		classes[id] = c
	}
	for _, cid := range classIDs {
		for i := range rows {
			e := &rows[i]
			if e.ClassID != cid {
				continue
			}
			m := MyEvaluation{ID: e.ID, Title: forms[e.FormID], Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel},
				ClassID: e.ClassID, ClassTitle: titles[e.ClassID], Done: done[e.ID], Required: e.Required, ClosesAt: e.ClosesAt}
			m.Open, m.Reason = s.openFor(classes[cid], e)
			if m.Done {
				m.Open, m.Reason = false, ""
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *Service) doneBy(ctx context.Context, userID uint64, rows []Evaluation) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(rows))
	for i, e := range rows {
		ids[i] = e.ID
	}
	var got []uint64
	if err := s.db.WithContext(ctx).Model(&Submission{}).Where("user_id = ? AND evaluation_id IN ?", userID, ids).Pluck("evaluation_id", &got).Error; err != nil {
		return nil, web.Internal(err)
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// Evaluation returns an evaluation with its questions to a trainee of the
// class, its host, the org department or its teacher.
func (s *Service) Evaluation(ctx context.Context, p *web.Principal, id uint64) (EvaluationDetail, error) {
	var d EvaluationDetail
	e, err := s.evaluation(ctx, id)
	if err != nil {
		return d, err
	}
	trainee, err := s.classes.IsTrainee(ctx, e.ClassID, p.UserID)
	if err != nil {
		return d, web.Internal(err)
	}
	if !trainee && !(e.TeacherUserID != 0 && e.TeacherUserID == p.UserID) {
		if ok, err := s.classes.Manages(ctx, p, e.ClassID); err != nil || !ok {
			return d, errOr(err, web.NotFound())
		}
	}
	c, err := s.classes.ClassByID(ctx, e.ClassID)
	if err != nil {
		return d, err
	}
	f, items, err := s.formByID(ctx, e.FormID)
	if err != nil {
		return d, err
	}
	d = EvaluationDetail{MyEvaluation: MyEvaluation{ID: e.ID, Title: f.Title, Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel},
		ClassID: c.ID, ClassTitle: c.Title, Required: e.Required, ClosesAt: e.ClosesAt}, Trainee: trainee, Questions: items}
	if trainee {
		done, err := s.doneBy(ctx, p.UserID, []Evaluation{*e})
		if err != nil {
			return d, err
		}
		d.Done = done[e.ID]
		if !d.Done {
			d.Open, d.Reason = s.openFor(c, e)
		}
	}
	return d, nil
}

// Respond records a trainee's answers: who answered in one table, what was
// answered in another, in one transaction. A second answer is refused.
func (s *Service) Respond(ctx context.Context, p *web.Principal, id uint64, in ResponseRequest) error {
	if err := web.MayStudy(p); err != nil {
		return err
	}
	e, err := s.evaluation(ctx, id)
	if err != nil {
		return err
	}
	trainee, err := s.classes.IsTrainee(ctx, e.ClassID, p.UserID)
	if err != nil {
		return web.Internal(err)
	}
	if !trainee {
		return web.NewError(403, "not_trainee", "只有本班次的学员可以填写评估")
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Submission{}).Where("evaluation_id = ? AND user_id = ?", id, p.UserID).Count(&n).Error; err != nil {
		return web.Internal(err)
	}
	if n > 0 {
		return errAnswered()
	}
	c, err := s.classes.ClassByID(ctx, e.ClassID)
	if err != nil {
		return err
	}
	if open, why := s.openFor(c, e); !open {
		return web.Unprocessable("evaluation_closed", why)
	}
	_, items, err := s.formByID(ctx, e.FormID)
	if err != nil {
		return err
	}
	answers, fields := ValidateAnswers(items, in.Answers)
	if err := fields.Err(); err != nil {
		return err
	}
	raw, err := json.Marshal(answers)
	if err != nil {
		return web.Internal(err)
	}
	now := s.now()
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&Submission{EvaluationID: id, UserID: p.UserID, SubmittedAt: now.UTC()}).Error; err != nil {
			return err
		}
		return tx.Create(&Response{ID: randomID(), EvaluationID: id, Answers: string(raw), Period: now.In(web.Shanghai).Format("2006-01")}).Error
	})
	if db.IsDuplicate(err) {
		return errAnswered()
	}
	if err != nil {
		return web.Internal(fmt.Errorf("assess: save response: %w", err))
	}
	return nil
}

func errAnswered() error {
	return web.Conflict("already_answered", "您已提交过这份评估，每人只能提交一次")
}

// randomID is a response key that says nothing of when it was made.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Missing counts, per user, the class's required evaluations they have not
// submitted (users with none missing are left out): the graduation rule.
func (s *Service) Missing(ctx context.Context, classID uint64, userIDs []uint64) (map[uint64]int, error) {
	out := map[uint64]int{}
	var required []uint64
	if err := s.db.WithContext(ctx).Model(&Evaluation{}).Where("class_id = ? AND required = ?", classID, true).Pluck("id", &required).Error; err != nil {
		return nil, fmt.Errorf("assess: required evaluations: %w", err)
	}
	if len(required) == 0 || len(userIDs) == 0 {
		return out, nil
	}
	done := map[uint64]int{}
	for i := 0; i < len(userIDs); i += 1000 {
		var rows []struct {
			UserID uint64
			N      int
		}
		if err := s.db.WithContext(ctx).Model(&Submission{}).Select("user_id, COUNT(*) AS n").
			Where("evaluation_id IN ? AND user_id IN ?", required, userIDs[i:min(i+1000, len(userIDs))]).Group("user_id").Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("assess: submissions: %w", err)
		}
		for _, r := range rows {
			done[r.UserID] = r.N
		}
	}
	for _, u := range userIDs {
		if n := len(required) - done[u]; n > 0 {
			out[u] = n
		}
	}
	return out, nil
}
