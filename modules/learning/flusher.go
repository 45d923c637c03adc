package learning

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"college/storage/cache"
	"college/storage/db"

	"gorm.io/gorm"
)

// progressRow is one row of a flush batch.
type progressRow struct {
	UserID, LessonID, CourseID uint64
	State                      State
	UpdatedAt                  time.Time
}

// upsertProgress writes a batch in one statement. Values only move forward
// (watched time, furthest point, coverage, completion) for the same media
// version; a newer media version replaces the row; an older one is ignored.
// The position itself follows the learner, who may seek back.
func upsertProgress(tx *gorm.DB, rows []progressRow) error {
	if len(rows) == 0 {
		return nil
	}
	mysql := tx.Dialector.Name() == "mysql"
	var sb strings.Builder
	sb.WriteString("INSERT INTO lesson_progress (user_id, lesson_id, course_id, media_version, position, furthest, watched, coverage, segments, completed, completed_at, updated_at) VALUES ")
	args := make([]any, 0, len(rows)*12)
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?)")
		var completedAt *time.Time
		if r.State.Completed {
			t := r.UpdatedAt
			completedAt = &t
		}
		args = append(args, r.UserID, r.LessonID, r.CourseID, r.State.Version, r.State.Position, r.State.Furthest, r.State.Watched,
			r.State.Coverage, encodeSegments(r.State.Segments), r.State.Completed, completedAt, r.UpdatedAt)
	}
	ex := func(c string) string {
		if mysql {
			return "VALUES(" + c + ")"
		}
		return "excluded." + c
	}
	greatest := "MAX"
	if mysql {
		greatest = "GREATEST"
	}
	// newer: the incoming row is for a newer file; same: for the same file.
	newer := ex("media_version") + " > lesson_progress.media_version"
	same := ex("media_version") + " = lesson_progress.media_version"
	fwd := func(c string) string {
		return fmt.Sprintf("%s = CASE WHEN %s THEN %s WHEN %s THEN %s(lesson_progress.%s, %s) ELSE lesson_progress.%s END", c, newer, ex(c), same, greatest, c, ex(c), c)
	}
	follow := func(c string) string {
		return fmt.Sprintf("%s = CASE WHEN %s OR %s THEN %s ELSE lesson_progress.%s END", c, newer, same, ex(c), c)
	}
	segs := fmt.Sprintf("segments = CASE WHEN %s OR (%s AND %s >= lesson_progress.coverage) THEN %s ELSE lesson_progress.segments END", newer, same, ex("coverage"), ex("segments"))
	sets := []string{
		segs, // before coverage changes, for MySQL's left-to-right updates
		fwd("furthest"), fwd("watched"), fwd("coverage"), follow("position"),
		"completed = CASE WHEN lesson_progress.completed THEN lesson_progress.completed ELSE " + ex("completed") + " END",
		"completed_at = CASE WHEN lesson_progress.completed_at IS NOT NULL THEN lesson_progress.completed_at ELSE " + ex("completed_at") + " END",
		"updated_at = " + ex("updated_at"),
		// Last: MySQL evaluates assignments in order and the ones above
		// must compare against the old version.
		fmt.Sprintf("media_version = %s(lesson_progress.media_version, %s)", greatest, ex("media_version")),
	}
	if mysql {
		sb.WriteString(" ON DUPLICATE KEY UPDATE ")
	} else {
		sb.WriteString(" ON CONFLICT (user_id, lesson_id) DO UPDATE SET ")
	}
	sb.WriteString(strings.Join(sets, ", "))
	return tx.Exec(sb.String(), args...).Error
}

// Flusher moves dirty progress from Redis to SQL in batches. Every instance
// runs one; a Redis lease lets one at a time do the work.
type Flusher struct {
	db       *gorm.DB
	cache    *cache.Cache
	live     *Live
	catalog  courseOf
	settle   func(ctx context.Context, pairs []Pair) (int, error)
	sweep    func(ctx context.Context) (int, error)
	log      *slog.Logger
	Interval time.Duration
	Batch    int
	Workers  int // shards flushed at once (each shard's rows are its own)
	// SweepEvery is how often the flusher also settles the courses whose
	// lessons were completed lately (Service.SettleRecent).
	SweepEvery time.Duration
	lastSweep  time.Time
}

// courseOf finds the course of a lesson (for the course_id column).
type courseOf interface {
	CourseOfLesson(ctx context.Context, lessonID uint64) (uint64, error)
}

// NewFlusher builds a flusher; call Run in a goroutine.
func NewFlusher(gdb *gorm.DB, c *cache.Cache, s *Service, log *slog.Logger) *Flusher {
	return &Flusher{db: gdb, cache: c, live: s.live, catalog: s, settle: s.Settle, sweep: s.SettleRecent, log: log,
		Interval: 2 * time.Second, Batch: 500, Workers: 2, SweepEvery: time.Minute}
}

// CourseOfLesson returns the course id of a lesson, remembered after the first look-up.
func (s *Service) CourseOfLesson(ctx context.Context, lessonID uint64) (uint64, error) {
	if v, ok := s.courses.get(lessonID); ok {
		return v, nil
	}
	l, err := s.catalog.LessonByID(ctx, lessonID)
	if err != nil {
		return 0, err
	}
	if l == nil {
		return 0, nil
	}
	s.courses.put(lessonID, l.CourseID)
	return l.CourseID, nil
}

// Run flushes every Interval until ctx ends, then once more.
func (f *Flusher) Run(ctx context.Context) {
	cache.Every(ctx, f.log, "learning: flush", f.Interval, func(ctx context.Context) error {
		_, err := f.FlushOnce(ctx)
		return err
	})
	fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := f.FlushOnce(fctx); err != nil {
		f.log.Warn("learning: final flush", "err", err)
	}
}

const leaseName = "learning-flush"

// leaseTTL is how long an instance that dies mid-flush holds up the
// others; the lease is renewed after every batch and released after every
// run.
const leaseTTL = 10 * time.Second

// FlushOnce drains the dirty sets if this instance gets the lease; it
// returns how many rows it wrote.
func (f *Flusher) FlushOnce(ctx context.Context) (int, error) {
	lease, err := f.cache.Acquire(ctx, leaseName, leaseTTL)
	if err != nil {
		return 0, err
	}
	if lease == nil {
		return 0, nil // another instance is flushing
	}
	defer func() { _ = lease.Release(context.WithoutCancel(ctx)) }()
	workers := max(f.Workers, 1)
	shards := make(chan uint64, dirtyShards)
	for shard := uint64(0); shard < dirtyShards; shard++ {
		shards <- shard
	}
	close(shards)
	var (
		mu       sync.Mutex
		total    int
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for shard := range shards {
				for {
					n, err := f.flushShard(ctx, shard)
					mu.Lock()
					total += n
					if err != nil && firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					if err != nil || n < f.Batch {
						break
					}
					if err := lease.Renew(ctx, leaseTTL); err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && f.SweepEvery > 0 && time.Since(f.lastSweep) >= f.SweepEvery {
		if err := lease.Renew(ctx, leaseTTL); err != nil {
			return total, err
		}
		if _, err := f.sweep(ctx); err != nil {
			f.log.Warn("learning: settle recent completions", "err", err)
		} else {
			f.lastSweep = time.Now()
		}
	}
	return total, firstErr
}

func (f *Flusher) flushShard(ctx context.Context, shard uint64) (int, error) {
	batch, err := f.live.DirtyBatch(ctx, shard, int64(f.Batch))
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	states, ok, err := f.live.LoadMany(ctx, batch)
	if err != nil {
		return 0, err
	}
	now := time.Now().UTC()
	rows := make([]progressRow, 0, len(batch))
	for i, d := range batch {
		if !ok[i] {
			continue // expired from Redis: nothing newer than SQL
		}
		course, err := f.catalog.CourseOfLesson(ctx, d.LessonID)
		if err != nil {
			return 0, err
		}
		if course == 0 {
			continue // lesson deleted
		}
		rows = append(rows, progressRow{UserID: d.UserID, LessonID: d.LessonID, CourseID: course, State: states[i], UpdatedAt: now})
	}
	// One statement is atomic by itself: no explicit transaction, one round trip.
	if err := db.Retry(ctx, func() error { return upsertProgress(f.db.WithContext(ctx), rows) }); err != nil {
		return 0, fmt.Errorf("learning: flush shard %d: %w", shard, err)
	}
	// Only now that SQL has them may the marks go; newer marks stay.
	if err := f.live.Clean(ctx, shard, batch); err != nil {
		return len(rows), err
	}
	// A completed lesson in SQL completes its course if its heartbeat's
	// own settlement failed; a failure here is retried by the sweep.
	var done []Pair
	for _, r := range rows {
		if r.State.Completed {
			done = append(done, Pair{r.UserID, r.CourseID})
		}
	}
	if _, err := f.settle(ctx, done); err != nil {
		f.log.Warn("learning: settle flushed completions", "err", err)
	}
	return len(batch), nil
}
