package learning

import (
	"context"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Stats computes a course's statistics from SQL (the flusher keeps it
// within seconds of the live state).
func (s *Service) Stats(ctx context.Context, p *web.Principal, courseID uint64) (CourseStats, error) {
	if !p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin) {
		return CourseStats{}, web.Forbidden()
	}
	c, err := s.catalog.CourseForManager(ctx, p, courseID)
	if err != nil {
		return CourseStats{}, web.Internal(err)
	}
	if c == nil {
		return CourseStats{}, web.NotFound()
	}
	lessons, err := s.catalog.Lessons(ctx, c.ID)
	if err != nil {
		return CourseStats{}, web.Internal(err)
	}
	out := CourseStats{CourseID: c.ID, Title: c.Title, Lessons: make([]LessonStats, 0, len(lessons))}
	q := s.db.WithContext(ctx)
	if err := q.Model(&Enrollment{}).Where("course_id = ?", c.ID).Count(&out.Enrolled).Error; err != nil {
		return CourseStats{}, web.Internal(err)
	}
	if err := q.Model(&Enrollment{}).Where("course_id = ? AND completed_at IS NOT NULL", c.ID).Count(&out.Completed).Error; err != nil {
		return CourseStats{}, web.Internal(err)
	}
	if err := q.Model(&Progress{}).Where("course_id = ?", c.ID).Distinct("user_id").Count(&out.Started).Error; err != nil {
		return CourseStats{}, web.Internal(err)
	}
	type agg struct {
		LessonID  uint64
		Started   int64
		Completed int64
		Coverage  float64
	}
	var rows []agg
	err = q.Model(&Progress{}).Select("lesson_id, COUNT(*) AS started, SUM(CASE WHEN completed THEN 1 ELSE 0 END) AS completed, AVG(coverage) AS coverage").
		Where("course_id = ?", c.ID).Group("lesson_id").Scan(&rows).Error
	if err != nil {
		return CourseStats{}, web.Internal(err)
	}
	by := map[uint64]agg{}
	for _, r := range rows {
		by[r.LessonID] = r
	}
	total := 0.0
	for _, l := range lessons {
		a := by[l.ID]
		// Learners who enrolled but never opened a lesson count as 0 coverage.
		avg := 0.0
		if out.Enrolled > 0 {
			avg = a.Coverage * float64(a.Started) / float64(out.Enrolled)
		}
		total += avg
		out.Lessons = append(out.Lessons, LessonStats{ID: l.ID, Title: l.Title, Started: a.Started, Completed: a.Completed, AverageCoverage: round4(avg)})
	}
	if len(lessons) > 0 {
		out.AverageCoverage = round4(total / float64(len(lessons)))
	}
	return out, nil
}

func (h *Handlers) statsPage(c *fiber.Ctx) error {
	_, st, err := web.WithID(c, h.svc.Stats)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "learning/stats", "学习统计："+st.Title, map[string]any{"Stats": st})
}
