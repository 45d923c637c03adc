package learning

import (
	"context"

	"college/modules/catalog"
	"college/modules/web"
)

// MyCourses lists the caller's enrollments with their progress. A course
// whose lessons are all complete but which is not yet (its completing
// heartbeat's settlement failed) is settled first, so the learner never
// sees a finished course without its hours.
func (s *Service) MyCourses(ctx context.Context, p *web.Principal, status string) ([]MyCourse, error) {
	out, unsettled, err := s.myCourses(ctx, p, status)
	if err != nil || len(unsettled) == 0 {
		return out, err
	}
	if n, err := s.Settle(ctx, unsettled); err != nil || n == 0 {
		if err != nil {
			s.log.Warn("learning: settle on my courses", "err", err)
		}
		return out, nil
	}
	out, _, err = s.myCourses(ctx, p, status)
	return out, err
}

// SettleLearner completes and credits the learner's courses whose lessons
// are all complete but which are not yet (see Settle); the hours module
// calls it before it reads a learner's hours.
func (s *Service) SettleLearner(ctx context.Context, uid uint64) error {
	_, unsettled, err := s.myCourses(ctx, &web.Principal{UserID: uid}, "in_progress")
	if err != nil || len(unsettled) == 0 {
		return err
	}
	_, err = s.Settle(ctx, unsettled)
	return err
}

func (s *Service) myCourses(ctx context.Context, p *web.Principal, status string) ([]MyCourse, []Pair, error) {
	q := s.db.WithContext(ctx).Where("user_id = ?", p.UserID)
	switch status {
	case "completed":
		q = q.Where("completed_at IS NOT NULL")
	case "in_progress":
		q = q.Where("completed_at IS NULL")
	}
	var ens []Enrollment
	if err := q.Order("enrolled_at DESC").Limit(500).Find(&ens).Error; err != nil {
		return nil, nil, web.Internal(err)
	}
	var unsettled []Pair
	out := make([]MyCourse, 0, len(ens))
	for _, e := range ens {
		c, err := s.catalog.CourseByID(ctx, e.CourseID)
		if err != nil {
			return nil, nil, web.Internal(err)
		}
		if c == nil {
			continue
		}
		lessons, err := s.catalog.Lessons(ctx, c.ID)
		if err != nil {
			return nil, nil, web.Internal(err)
		}
		var done int64
		if err := s.db.WithContext(ctx).Model(&Progress{}).Where("user_id = ? AND course_id = ? AND completed = ?", p.UserID, c.ID, true).Count(&done).Error; err != nil {
			return nil, nil, web.Internal(err)
		}
		if e.CompletedAt == nil && len(lessons) > 0 && int(done) >= len(lessons) {
			unsettled = append(unsettled, Pair{p.UserID, c.ID})
		}
		out = append(out, MyCourse{CourseID: c.ID, Title: c.Title, Kind: c.Kind, Hours: c.Hours, Lessons: len(lessons), LessonsCompleted: int(done),
			EnrolledAt: e.EnrolledAt, CompletedAt: e.CompletedAt})
	}
	return out, unsettled, nil
}

// LessonStates returns the caller's durable progress on the lessons of a
// course, by lesson id (for the course page).
func (s *Service) LessonStates(ctx context.Context, uid uint64, lessons []catalog.Lesson) (map[uint64]Progress, error) {
	ids := make([]uint64, len(lessons))
	for i, l := range lessons {
		ids[i] = l.ID
	}
	var rows []Progress
	if err := s.db.WithContext(ctx).Where("user_id = ? AND lesson_id IN ?", uid, ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[uint64]Progress, len(rows))
	for _, r := range rows {
		out[r.LessonID] = r
	}
	// Redis may be ahead of SQL for lessons being studied right now.
	for _, l := range lessons {
		st, ok, err := s.live.Load(ctx, uid, l.ID)
		if err != nil || !ok || st.Version != l.MediaVersion {
			continue
		}
		r := out[l.ID]
		if st.Coverage > r.Coverage {
			r.Coverage = st.Coverage
		}
		r.Completed = r.Completed || st.Completed
		r.Position = st.Position
		out[l.ID] = r
	}
	return out, nil
}
