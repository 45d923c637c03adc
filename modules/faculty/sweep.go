package faculty

import (
	"context"
	"fmt"
	"time"

	"college/modules/web"
	"college/storage/cache"
)

// sweepBatch is how many teachers one pass of the sweep loads at a time.
const sweepBatch = 200

// RunCorrectionSweep opens the corrections the ratings call for every
// interval until ctx ends, so that a task does not wait for someone to read
// the teacher's record. With several instances a Redis lease lets one of
// them do each pass; the unique key keeps each task to one copy anyway.
func (s *Service) RunCorrectionSweep(ctx context.Context, every time.Duration) {
	cache.EveryFromNow(ctx, s.deps.Log, "faculty: correction sweep", every, func(ctx context.Context) error {
		return s.deps.Cache.Leased(ctx, "faculty-corrections", 30*time.Minute, func(ctx context.Context) error {
			n, err := s.SweepCorrections(ctx)
			if err == nil && n > 0 {
				s.deps.Log.Info("faculty: corrections opened", "corrections", n)
			}
			return err
		})
	})
}

// SweepCorrections reads the evaluations of every active teacher and opens
// a correction for each evaluation under the bar that has none yet; it
// returns how many it opened. A second pass over the same ratings opens
// nothing.
func (s *Service) SweepCorrections(ctx context.Context) (int, error) {
	opened := 0
	var after uint64
	for {
		var batch []Teacher
		err := s.db.WithContext(ctx).Select("id", "owner_org_id", "user_id").
			Where("status = ? AND id > ?", StatusActive, after).Order("id").Limit(sweepBatch).Find(&batch).Error
		if err != nil {
			return opened, web.Internal(fmt.Errorf("faculty: sweep: %w", err))
		}
		if len(batch) == 0 {
			return opened, nil
		}
		for i := range batch {
			n, err := s.sweepTeacher(ctx, &batch[i])
			opened += n
			if err != nil {
				return opened, err
			}
		}
		after = batch[len(batch)-1].ID
	}
}

// sweepTeacher opens the corrections one teacher's ratings call for.
func (s *Service) sweepTeacher(ctx context.Context, t *Teacher) (int, error) {
	taught, err := s.deps.Timetable.SessionsTaughtBy(ctx, t.ID, recordLimit)
	if err != nil {
		return 0, err
	}
	if len(taught) == 0 && t.UserID == 0 {
		return 0, nil
	}
	ids := make([]uint64, len(taught))
	for i, x := range taught {
		ids[i] = x.ID
	}
	ev, err := s.deps.Evaluations.TeacherEvaluation(ctx, ids, t.UserID)
	if err != nil {
		return 0, err
	}
	return s.openCorrections(ctx, t, ev)
}
