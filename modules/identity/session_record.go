package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"college/storage/cache"
	"college/storage/db"

	"gorm.io/gorm"
)

// SessionRecord is the durable copy of a login session, so that sessions
// outlive Redis losing its data. ID is the token's hash (TokenID): the
// table never holds a usable token.
type SessionRecord struct {
	ID         string    `gorm:"primaryKey;size:64"`
	UserID     uint64    `gorm:"not null;index:idx_sessions_user"`
	Principal  string    `gorm:"type:text;not null"` // web.Principal as JSON, CSRF included
	ExpiresAt  time.Time `gorm:"not null;index:idx_sessions_expires"`
	IdleSec    int64     `gorm:"not null;index:idx_sessions_idle_seen,priority:1"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null;index:idx_sessions_idle_seen,priority:2"`
}

// TableName keeps the table name stable.
func (SessionRecord) TableName() string { return "sessions" }

// live reports whether the record still stands at now: before its absolute
// end and idle for no longer than its idle timeout plus the lag of
// last_seen_at behind the last request (sqlTouchInterval).
func (r *SessionRecord) live(now time.Time) bool {
	idle := time.Duration(r.IdleSec) * time.Second
	return !now.After(r.ExpiresAt) && now.Sub(r.LastSeenAt) <= idle+sqlTouchInterval(idle)
}

// sessionMigrations add the durable session table. The (idle_sec,
// last_seen_at) index serves the purge of idle rows, one idle timeout at a
// time.
func sessionMigrations() []db.Migration {
	return []db.Migration{{
		ID: "0019_identity_sessions",
		Up: func(tx *gorm.DB) error {
			type session struct {
				ID         string    `gorm:"primaryKey;size:64"`
				UserID     uint64    `gorm:"not null;index:idx_sessions_user"`
				Principal  string    `gorm:"type:text;not null"`
				ExpiresAt  time.Time `gorm:"not null;index:idx_sessions_expires"`
				IdleSec    int64     `gorm:"not null;index:idx_sessions_idle_seen,priority:1"`
				CreatedAt  time.Time `gorm:"not null"`
				LastSeenAt time.Time `gorm:"not null;index:idx_sessions_idle_seen,priority:2"`
			}
			return tx.Table("sessions").Migrator().CreateTable(&session{})
		},
	}}
}

// sqlTouchEvery bounds how often an active session's last_seen_at is
// written: steady traffic costs one SQL write per session per interval.
const sqlTouchEvery = 5 * time.Minute

// sqlTouchInterval is how often last_seen_at is written for a session with
// this idle timeout, and so how far it may lag behind the last request.
func sqlTouchInterval(idle time.Duration) time.Duration {
	if d := idle / 4; d < sqlTouchEvery {
		return d
	}
	return sqlTouchEvery
}

// purgeBatch is how many rows one purge statement deletes.
const purgeBatch = 1000

// dbTime is t as the database keeps it: UTC, to the millisecond, so that a
// value read back compares equal to the one written on SQLite and MariaDB.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// record reads the session row of id; nil when there is none.
func (s *Sessions) record(ctx context.Context, id string) (*SessionRecord, error) {
	var r SessionRecord
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *Sessions) recordExists(ctx context.Context, id string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&SessionRecord{}).Where("id = ?", id).Count(&n).Error
	return n > 0, err
}

// touchRecord writes the session's last request time. ErrNoSession means
// the row is gone: the session was ended (or purged) while a copy in Redis
// or in this instance lived on.
func (s *Sessions) touchRecord(ctx context.Context, id string, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&SessionRecord{}).Where("id = ?", id).Update("last_seen_at", dbTime(now))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		// MariaDB counts changed rows only: make sure the row is gone
		// rather than written twice with one time.
		if ok, err := s.recordExists(ctx, id); err != nil || ok {
			return err
		}
		return ErrNoSession
	}
	return nil
}

// PurgeExpired deletes the rows of sessions that have ended by time (past
// their absolute end, or idle for longer than the idle timeout plus the
// lag of last_seen_at), a batch at a time, and returns how many it deleted.
func (s *Sessions) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	total, err := s.purgeWhere(ctx, "expires_at < ?", dbTime(now))
	if err != nil {
		return total, err
	}
	// Idle timeouts are a setting: few distinct values, each a range of
	// the (idle_sec, last_seen_at) index.
	var idles []int64
	if err := s.db.WithContext(ctx).Model(&SessionRecord{}).Distinct().Pluck("idle_sec", &idles).Error; err != nil {
		return total, fmt.Errorf("identity: purge sessions: %w", err)
	}
	for _, sec := range idles {
		idle := time.Duration(sec) * time.Second
		n, err := s.purgeWhere(ctx, "idle_sec = ? AND last_seen_at < ?", sec, dbTime(now.Add(-idle-sqlTouchInterval(idle))))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// purgeWhere deletes the rows matching cond, purgeBatch at a time: ids
// first, then a delete by id, which SQLite and MariaDB both run alike.
func (s *Sessions) purgeWhere(ctx context.Context, cond string, args ...any) (int64, error) {
	var total int64
	for {
		var ids []string
		if err := s.db.WithContext(ctx).Model(&SessionRecord{}).Where(cond, args...).Limit(purgeBatch).Pluck("id", &ids).Error; err != nil {
			return total, fmt.Errorf("identity: purge sessions: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		res := s.db.WithContext(ctx).Where("id IN ?", ids).Delete(&SessionRecord{})
		if res.Error != nil {
			return total, fmt.Errorf("identity: purge sessions: %w", res.Error)
		}
		total += res.RowsAffected
		if len(ids) < purgeBatch {
			return total, nil
		}
	}
}

// RunPurge deletes the rows of expired sessions every interval until ctx
// ends; one instance at a time does it (Redis lease).
func (s *Sessions) RunPurge(ctx context.Context, every time.Duration) {
	cache.Every(ctx, s.log, "identity: session purge", every, func(ctx context.Context) error {
		return s.cache.Leased(ctx, "session-purge", 5*time.Minute, s.purgeAndLog)
	})
}

func (s *Sessions) purgeAndLog(ctx context.Context) error {
	n, err := s.PurgeExpired(ctx, s.now())
	if n > 0 {
		s.log.Info("identity: purged expired sessions", "rows", n)
	}
	return err
}
