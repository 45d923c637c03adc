package exam

import (
	"context"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// MyExams lists the published exams with the caller's attempts.
func (s *Service) MyExams(ctx context.Context, p *web.Principal) ([]MyExam, error) {
	if p.IsSystemAdmin() {
		return []MyExam{}, nil // they never sit exams
	}
	var exams []Exam
	if err := s.db.WithContext(ctx).Where("status = ?", StatusPublished).Order("opens_at DESC").Limit(200).Find(&exams).Error; err != nil {
		return nil, web.Internal(err)
	}
	var attempts []Attempt
	if err := s.db.WithContext(ctx).Select("id, exam_id, user_id, no, status, started_at, deadline, submitted_at, score_x100, passed").
		Where("user_id = ?", p.UserID).Order("started_at").Find(&attempts).Error; err != nil {
		return nil, web.Internal(err)
	}
	by := map[uint64][]Attempt{}
	for _, a := range attempts {
		by[a.ExamID] = append(by[a.ExamID], a)
	}
	now := s.now().UTC()
	exemptYears, err := s.exemptYears(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]MyExam, 0, len(exams))
	for _, e := range exams {
		if ok, err := s.meantFor(ctx, &e, p); err != nil {
			return nil, web.Internal(err)
		} else if !ok {
			continue
		}
		m := MyExam{ID: e.ID, Title: e.Title, DurationMinutes: e.DurationMinutes, TotalScore: float64(e.TotalScore) / 100, PassScore: float64(e.PassScore) / 100,
			OpensAt: e.OpensAt, ClosesAt: e.ClosesAt, AttemptsLeft: e.MaxAttempts - len(by[e.ID]), LeaveLimit: e.LeaveLimit,
			Exempt: e.Annual && exemptYears[e.OpensAt.In(web.Shanghai).Year()-1]}
		for i := range by[e.ID] {
			a := by[e.ID][i]
			r := result(&a)
			if a.Status == AttemptOpen && now.Before(a.Deadline) {
				m.Open = &r
			} else {
				m.Last = &r
			}
		}
		switch {
		case m.Open != nil:
			m.State = "open"
		case now.Before(e.OpensAt):
			m.State = "upcoming"
		case !now.Before(e.ClosesAt):
			m.State = "closed"
		case m.AttemptsLeft <= 0:
			m.State = "done"
		default:
			m.State = "open"
		}
		out = append(out, m)
	}
	return out, nil
}

// exemptYears are the years in which the candidate's annual theory exam
// reached the exemption score (a setting, default 90), which exempts them
// from the next year's.
func (s *Service) exemptYears(ctx context.Context, userID uint64) (map[int]bool, error) {
	line := int64(s.settings.Float(ctx, SetExemptScore) * 100)
	type row struct {
		OpensAt time.Time
		Best    int64
	}
	var rows []row
	err := s.db.WithContext(ctx).Table("attempts").Select("exams.opens_at AS opens_at, MAX(attempts.score_x100) AS best").
		Joins("JOIN exams ON exams.id = attempts.exam_id").
		Where("attempts.user_id = ? AND attempts.status = ? AND exams.annual = ?", userID, AttemptGraded, true).
		Group("exams.id, exams.opens_at").Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	out := map[int]bool{}
	for _, r := range rows {
		if r.Best >= line {
			out[r.OpensAt.In(web.Shanghai).Year()] = true
		}
	}
	return out, nil
}

// RecordLeave counts a candidate leaving the exam page; the count is shown
// to graders.
// Past the exam's limit the attempt is submitted with what was saved.
func (s *Service) RecordLeave(ctx context.Context, p *web.Principal, id uint64) (int, bool, error) {
	a, err := s.ownAttempt(ctx, p, id)
	if err != nil {
		return 0, false, err
	}
	if a.Status != AttemptOpen {
		return a.TabSwitches, false, web.Conflict("attempt_finished", "考试已结束")
	}
	res := s.db.WithContext(ctx).Model(&Attempt{}).Where("id = ? AND status = ?", a.ID, AttemptOpen).UpdateColumn("tab_switches", gorm.Expr("tab_switches + 1"))
	if res.Error != nil {
		return 0, false, web.Internal(res.Error)
	}
	n := a.TabSwitches + 1
	var e Exam
	if err := s.db.WithContext(ctx).Select("id", "leave_limit").First(&e, a.ExamID).Error; err != nil {
		return n, false, web.Internal(err)
	}
	if e.LeaveLimit > 0 && n > e.LeaveLimit {
		a.TabSwitches = n
		if _, err := s.finish(ctx, a); err != nil {
			return n, false, err
		}
		return n, true, nil
	}
	return n, false, nil
}

func (h *Handlers) event(c *fiber.Ctx) error {
	id, in, err := web.IDBody[EventRequest](c)
	if err != nil {
		return err
	}
	if in.Type != "leave" {
		return web.Invalid(map[string]string{"type": "应为 leave"})
	}
	n, submitted, err := h.svc.RecordLeave(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tab_switches": n, "submitted": submitted})
}
