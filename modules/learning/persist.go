package learning

import (
	"context"
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// persister makes accepted heartbeats durable in SQL before they are
// answered (embedded mode), committing those of concurrent requests
// together: one statement and one fsync for many heartbeats.
type persister struct {
	s     *Service
	group *db.Group[persistCall]
}

type persistCall struct{ uid, lesson uint64 }

func newPersister(s *Service) *persister {
	p := &persister{s: s}
	p.group = db.NewGroup(500, func(ctx context.Context, batch []persistCall) []error {
		return db.Each(p.write(ctx, batch), len(batch))
	})
	return p
}

// persist waits until the learner's live state of the lesson is in SQL.
func (p *persister) persist(ctx context.Context, uid, lesson uint64) error {
	return p.group.Do(ctx, persistCall{uid: uid, lesson: lesson})
}

func (p *persister) write(ctx context.Context, batch []persistCall) error {
	// One row per learner and lesson, even if a learner sent two beats.
	seen := map[[2]uint64]bool{}
	var dirty []Dirty
	for _, c := range batch {
		k := [2]uint64{c.uid, c.lesson}
		if !seen[k] {
			seen[k] = true
			dirty = append(dirty, Dirty{UserID: c.uid, LessonID: c.lesson})
		}
	}
	states, ok, err := p.s.live.LoadMany(ctx, dirty)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	rows := make([]progressRow, 0, len(dirty))
	for i, d := range dirty {
		if !ok[i] {
			continue
		}
		course, err := p.s.CourseOfLesson(ctx, d.LessonID)
		if err != nil {
			return err
		}
		rows = append(rows, progressRow{UserID: d.UserID, LessonID: d.LessonID, CourseID: course, State: states[i], UpdatedAt: now})
	}
	if err := db.Retry(ctx, func() error { return upsertProgress(p.s.db.WithContext(ctx).Session(&gorm.Session{}), rows) }); err != nil {
		return err
	}
	// As the flusher does: a completed lesson completes its course if the
	// completing heartbeat's settlement failed.
	var done []Pair
	for _, r := range rows {
		if r.State.Completed {
			done = append(done, Pair{r.UserID, r.CourseID})
		}
	}
	if _, err := p.s.Settle(ctx, done); err != nil {
		p.s.log.Warn("learning: settle persisted completions", "err", err)
	}
	return nil
}
