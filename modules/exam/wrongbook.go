package exam

import (
	"context"
	"time"

	"college/modules/exam/item"
	"college/modules/web"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// bookWrongAnswers puts the objective questions a graded attempt got wrong
// into its candidate's wrong-answer book (错题本). A question already there
// stays as it is; a right answer in practice takes it out.
func bookWrongAnswers(tx *gorm.DB, a *Attempt, now time.Time) error {
	items, marks, _ := a.frozen()
	var rows []WrongAnswer
	for i, it := range items {
		if i >= len(marks) || marks[i].Correct || marks[i].NeedsReview || it.Q.Type == item.Short {
			continue
		}
		rows = append(rows, WrongAnswer{UserID: a.UserID, QuestionID: it.ID, Times: 1, LastAt: now})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
}

// bookReleasedExam books the wrong answers of every graded attempt of an
// exam whose answers were just released.
func (s *Service) bookReleasedExam(ctx context.Context, examID uint64) error {
	now := s.now().UTC()
	var batch []Attempt
	res := s.db.WithContext(ctx).Select("id", "user_id", "paper", "marks").Where("exam_id = ? AND status = ?", examID, AttemptGraded).
		FindInBatches(&batch, 200, func(tx *gorm.DB, _ int) error {
			for i := range batch {
				if err := bookWrongAnswers(s.db.WithContext(ctx), &batch[i], now); err != nil {
					return err
				}
			}
			return nil
		})
	if res.Error != nil {
		return web.Internal(res.Error)
	}
	return nil
}
