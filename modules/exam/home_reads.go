package exam

import (
	"context"

	"college/modules/web"
)

// OpenReview is an exam of the caller's college with short answers
// waiting for a grader.
type OpenReview struct {
	ExamID   uint64
	Title    string
	Attempts int64 // submitted attempts awaiting review
}

// OpenReviews lists the exams of the caller's college whose grading queue
// is not empty, the longest queue first, at most limit.
func (s *Service) OpenReviews(ctx context.Context, p *web.Principal, limit int) ([]OpenReview, error) {
	if !canGrade(p) {
		return nil, web.Forbidden()
	}
	var rows []OpenReview
	err := s.db.WithContext(ctx).Model(&Attempt{}).
		Select("attempts.exam_id AS exam_id, exams.title AS title, COUNT(*) AS attempts").
		Joins("JOIN exams ON exams.id = attempts.exam_id").
		Scopes(web.OrgScope(p, "exams.college_id")).
		Where("attempts.status = ?", AttemptPendingReview).
		Group("attempts.exam_id, exams.title").Order("COUNT(*) DESC, attempts.exam_id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}
