package audit

import (
	"context"
	"fmt"
	"time"

	"college/storage/cache"
	"college/storage/db"

	"gorm.io/gorm"
)

// purgeBatch is how many rows one purge transaction deletes.
const purgeBatch = 1000

// RetentionDays is the configured retention, never below the minimum.
func (s *Service) RetentionDays(ctx context.Context) int {
	days := MinRetentionDays
	if s.settings != nil {
		days = max(days, s.settings.Int(ctx, SetRetentionDays))
	}
	return days
}

// Purge deletes the sealed rows older than the retention, oldest seq first,
// and records a checkpoint (last purged seq and link, sealed with the chain
// key) in the same transaction as each batch, so verification goes on from
// there. Only this job deletes audit rows; it returns how many.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	now := s.now().UTC().Truncate(time.Millisecond) // as stored on MySQL, for the seal
	cutoff := now.AddDate(0, 0, -s.RetentionDays(ctx))
	var run *Checkpoint
	var total int64
	for {
		n, err := s.purgeOnce(ctx, now, cutoff, &run)
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

func (s *Service) purgeOnce(ctx context.Context, now, cutoff time.Time, run **Checkpoint) (int64, error) {
	var n int64
	err := db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		n = 0
		// Taking the head orders the purge with the sealers.
		if _, err := lockHead(tx); err != nil {
			return err
		}
		var from uint64
		var last []Checkpoint
		if err := tx.Order("seq DESC").Limit(1).Find(&last).Error; err != nil {
			return fmt.Errorf("audit: checkpoint: %w", err)
		}
		if len(last) == 1 {
			from = last[0].Seq
		}
		var rows []Log
		if err := tx.Select("id", "seq", "mac", "at").Where("seq > ?", from).Order("seq").Limit(purgeBatch).Find(&rows).Error; err != nil {
			return fmt.Errorf("audit: purge: %w", err)
		}
		// The oldest rows in seq order, up to the first one still kept.
		ids := make([]uint64, 0, len(rows))
		var end *Log
		for i := range rows {
			if !rows[i].At.Before(cutoff) || *rows[i].Seq != from+uint64(len(ids))+1 {
				break
			}
			ids = append(ids, rows[i].ID)
			end = &rows[i]
		}
		if end == nil {
			return nil
		}
		if err := tx.Where("id IN ?", ids).Delete(&Log{}).Error; err != nil {
			return fmt.Errorf("audit: purge: %w", err)
		}
		cp := Checkpoint{Seq: *end.Seq, MAC: end.MAC, Cutoff: cutoff, PurgedAt: now, KeyID: s.chain.active}
		if *run != nil {
			cp.ID, cp.Rows = (*run).ID, (*run).Rows
		}
		cp.Rows += int64(len(ids))
		seal, err := s.chain.checkpointSeal(cp.KeyID, &cp)
		if err != nil {
			return err
		}
		cp.Seal = seal
		if err := tx.Save(&cp).Error; err != nil {
			return fmt.Errorf("audit: checkpoint: %w", err)
		}
		*run = &cp
		n = int64(len(ids))
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// RunRetention purges expired rows every interval until ctx ends; one
// instance at a time does it (Redis lease).
func (s *Service) RunRetention(ctx context.Context, every time.Duration) {
	cache.Every(ctx, s.log, "audit: retention", every, func(ctx context.Context) error {
		return s.cache.Leased(ctx, "audit-retention", 10*time.Minute, s.purgeAndLog)
	})
}

func (s *Service) purgeAndLog(ctx context.Context) error {
	n, err := s.Purge(ctx)
	if n > 0 {
		s.log.Info("audit: purged rows past retention", "rows", n, "days", s.RetentionDays(ctx))
	}
	return err
}
