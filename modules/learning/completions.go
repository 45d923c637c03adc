package learning

import (
	"context"
	"fmt"
)

// Completed reports, per user, which of the courses they have completed.
func (s *Service) Completed(ctx context.Context, userIDs, courseIDs []uint64) (map[uint64]map[uint64]bool, error) {
	out := map[uint64]map[uint64]bool{}
	if len(userIDs) == 0 || len(courseIDs) == 0 {
		return out, nil
	}
	for i := 0; i < len(userIDs); i += 1000 {
		var rows []Enrollment
		err := s.db.WithContext(ctx).Select("user_id", "course_id").
			Where("user_id IN ? AND course_id IN ? AND completed_at IS NOT NULL", userIDs[i:min(i+1000, len(userIDs))], courseIDs).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("learning: completions: %w", err)
		}
		for _, r := range rows {
			if out[r.UserID] == nil {
				out[r.UserID] = map[uint64]bool{}
			}
			out[r.UserID][r.CourseID] = true
		}
	}
	return out, nil
}
