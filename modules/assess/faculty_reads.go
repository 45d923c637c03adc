package assess

import (
	"context"
)

// TeacherRecord joins the evaluations of a teacher of the faculty: those of
// the sessions linked to them and those naming their account. The faculty
// module has already checked that the caller may read the teacher.
func (s *Service) TeacherRecord(ctx context.Context, sessionIDs []uint64, userID uint64) (Aggregate, error) {
	if len(sessionIDs) == 0 && userID == 0 {
		return Aggregate{Bar: s.Bar(ctx), Items: []ItemResult{}, Trend: []TrendPoint{}, Evaluations: []EvaluationScore{}, Comments: []Comment{}}, nil
	}
	q := s.db.WithContext(ctx)
	switch {
	case len(sessionIDs) > 0 && userID != 0:
		q = q.Where("(target_type IN ? AND target_id IN ?) OR teacher_user_id = ?", []string{TargetSession, TargetTeacher}, sessionIDs, userID)
	case len(sessionIDs) > 0:
		q = q.Where("target_type IN ? AND target_id IN ?", []string{TargetSession, TargetTeacher}, sessionIDs)
	default:
		q = q.Where("teacher_user_id = ?", userID)
	}
	return s.aggregate(ctx, q, "")
}
