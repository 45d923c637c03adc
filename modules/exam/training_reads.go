package exam

import (
	"context"
	"fmt"

	"college/modules/web"
)

// ExamTitle returns the title of an exam set by a college under hostPath
// ("" when there is none), for a training class that links it.
func (s *Service) ExamTitle(ctx context.Context, examID uint64, hostPath string) (string, error) {
	var titles []string
	cond, args := web.OrgSubtree("college_id", hostPath)
	err := s.db.WithContext(ctx).Model(&Exam{}).Where("id = ?", examID).Where(cond, args...).Limit(1).Pluck("title", &titles).Error
	if err != nil {
		return "", fmt.Errorf("exam: title: %w", err)
	}
	if len(titles) == 0 {
		return "", nil
	}
	return titles[0], nil
}

// PassedExam reports which of the users have passed the exam.
func (s *Service) PassedExam(ctx context.Context, examID uint64, userIDs []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var ids []uint64
	err := s.db.WithContext(ctx).Model(&Attempt{}).Where("exam_id = ? AND passed = ? AND user_id IN ?", examID, true, userIDs).
		Distinct("user_id").Pluck("user_id", &ids).Error
	for _, id := range ids {
		out[id] = true
	}
	if err != nil {
		return out, fmt.Errorf("exam: passes: %w", err)
	}
	return out, nil
}

// CollegeExams lists up to limit exams of the colleges in the caller's
// subtree, newest first, for a class's exam picker.
func (s *Service) CollegeExams(ctx context.Context, p *web.Principal, limit int) ([]Exam, error) {
	var exams []Exam
	err := s.db.WithContext(ctx).Select("id", "title", "status").Scopes(web.OrgScope(p, "college_id")).
		Order("id DESC").Limit(limit).Find(&exams).Error
	if err != nil {
		return nil, fmt.Errorf("exam: college exams: %w", err)
	}
	return exams, nil
}
