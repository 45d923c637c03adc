package reports

import (
	"context"
	"fmt"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
)

// store holds the queries of report_jobs. Every change of a running job is
// conditional on the run's token, so a run that lost its job (its lease
// lapsed and another instance took it over) changes nothing.
type store struct{ db *gorm.DB }

// mine lists a user's jobs, newest first (idx_report_jobs_mine).
func (s store) mine(ctx context.Context, userID uint64, pg web.Page) ([]Job, int64, error) {
	q := s.db.WithContext(ctx).Model(&Job{}).Where("requested_by = ?", userID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("reports store: count jobs: %w", err)
	}
	var jobs []Job
	if err := q.Order("created_at DESC, id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&jobs).Error; err != nil {
		return nil, 0, fmt.Errorf("reports store: list jobs: %w", err)
	}
	return jobs, total, nil
}

// runnable lists the ids of jobs waiting to run or left running, oldest
// first (idx_report_jobs_state).
func (s store) runnable(ctx context.Context, limit int) ([]uint64, error) {
	var ids []uint64
	err := s.db.WithContext(ctx).Model(&Job{}).Where("state IN ?", []string{StateQueued, StateRunning}).
		Order("created_at, id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("reports store: runnable jobs: %w", err)
	}
	return ids, nil
}

// claim makes the job running under token unless it has finished; ok is
// false when it has.
func (s store) claim(ctx context.Context, id uint64, token string, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Job{}).Where("id = ? AND state IN ?", id, []string{StateQueued, StateRunning}).
		Updates(map[string]any{"state": StateRunning, "runner": token, "started_at": now, "attempts": gorm.Expr("attempts + 1"),
			"progress_done": 0, "progress_total": 0, "error": ""})
	if res.Error != nil {
		return false, fmt.Errorf("reports store: claim job %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// running is the job of a run.
func (s store) running(ctx context.Context, id uint64, token string) (*Job, error) {
	var j Job
	if err := s.db.WithContext(ctx).Where("id = ? AND runner = ? AND state = ?", id, token, StateRunning).First(&j).Error; err != nil {
		return nil, fmt.Errorf("reports store: job %d: %w", id, err)
	}
	return &j, nil
}

// progress records how far a run has come.
func (s store) progress(ctx context.Context, id uint64, token string, done, total int) error {
	err := s.db.WithContext(ctx).Model(&Job{}).Where("id = ? AND runner = ? AND state = ?", id, token, StateRunning).
		Updates(map[string]any{"progress_done": done, "progress_total": total}).Error
	if err != nil {
		return fmt.Errorf("reports store: progress of job %d: %w", id, err)
	}
	return nil
}

// finish ends a run: done with its file, or failed with a message. ok is
// false when the job is no longer this run's.
func (s store) finish(ctx context.Context, id uint64, token string, change map[string]any) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Job{}).Where("id = ? AND runner = ? AND state = ?", id, token, StateRunning).Updates(change)
	if res.Error != nil {
		return false, fmt.Errorf("reports store: finish job %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}
