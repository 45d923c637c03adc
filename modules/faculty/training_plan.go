package faculty

import (
	"context"
	"time"

	"college/modules/web"
)

// TeacherTrainings is what the faculty reads of the training module's
// graduations from teacher-training classes (师资培训).
type TeacherTrainings interface {
	// TeacherClassGraduations lists the accounts' graduations from
	// teacher-training classes that graduated in [from, to).
	TeacherClassGraduations(ctx context.Context, userIDs []uint64, from, to time.Time) ([]TrainingCompletion, error)
}

// TrainingCompletion is an account's graduation from a teacher-training class.
type TrainingCompletion struct {
	UserID      uint64
	ClassID     uint64
	Title       string
	GraduatedAt time.Time
}

// DefaultPlanYears and MaxPlanYears bound the span of the 师资提能计划 report.
const (
	DefaultPlanYears = 3
	MaxPlanYears     = 10
)

// TrainingPlan reports the 师资提能计划 over the last years (this one
// included): which active internal teachers graduated from a
// teacher-training class through their linked account, those not yet
// trained first, and the share of teachers covered.
func (s *Service) TrainingPlan(ctx context.Context, p *web.Principal, years int) (TrainingPlan, error) {
	if !canManage(p) {
		return TrainingPlan{}, web.Forbidden()
	}
	if years < 1 || years > MaxPlanYears {
		years = DefaultPlanYears
	}
	to := s.now().In(web.Shanghai).Year()
	out := TrainingPlan{FromYear: to - years + 1, ToYear: to, Items: []PlanTeacher{}}
	ts, _, err := s.store.list(ctx, p, Filter{Kind: KindInternal, Status: StatusActive}, web.Page{Page: 1, PageSize: leaderLimit})
	if err != nil {
		return out, web.Internal(err)
	}
	var users []uint64
	for _, t := range ts {
		if t.UserID != 0 {
			users = append(users, t.UserID)
		}
	}
	done := map[uint64][]PlanClass{}
	if len(users) > 0 {
		from := time.Date(out.FromYear, 1, 1, 0, 0, 0, 0, web.Shanghai)
		gs, err := s.deps.Trainings.TeacherClassGraduations(ctx, users, from, time.Date(to+1, 1, 1, 0, 0, 0, 0, web.Shanghai))
		if err != nil {
			return out, err
		}
		for _, g := range gs {
			done[g.UserID] = append(done[g.UserID], PlanClass{ClassID: g.ClassID, Title: g.Title, Year: g.GraduatedAt.In(web.Shanghai).Year()})
		}
	}
	var trained []PlanTeacher
	for _, t := range ts {
		it := PlanTeacher{TeacherID: t.ID, Name: t.Name, Linked: t.UserID != 0, Classes: []PlanClass{}}
		if t.UserID != 0 && len(done[t.UserID]) > 0 {
			it.Classes = done[t.UserID]
			trained = append(trained, it)
			continue
		}
		out.Items = append(out.Items, it)
	}
	out.Items = append(out.Items, trained...)
	out.Teachers, out.Covered = len(ts), len(trained)
	if out.Teachers > 0 {
		out.Rate = float64(out.Covered) / float64(out.Teachers)
	}
	return out, nil
}
