package learning

import (
	"context"
	"sync"
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// persister makes accepted heartbeats durable in SQL before they are
// answered (embedded mode), committing those of concurrent requests
// together: one statement and one fsync for many heartbeats.
type persister struct {
	s    *Service
	in   chan *persistCall
	once sync.Once
}

type persistCall struct {
	uid, lesson uint64
	err         error
	done        chan struct{}
}

func newPersister(s *Service) *persister {
	return &persister{s: s, in: make(chan *persistCall, 1024)}
}

// persist waits until the learner's live state of the lesson is in SQL.
func (p *persister) persist(ctx context.Context, uid, lesson uint64) error {
	p.once.Do(func() { go p.work() })
	call := &persistCall{uid: uid, lesson: lesson, done: make(chan struct{})}
	select {
	case p.in <- call:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *persister) work() {
	ctx := context.Background()
	for first := range p.in {
		batch := []*persistCall{first}
	drain:
		for len(batch) < 500 {
			select {
			case c := <-p.in:
				batch = append(batch, c)
			default:
				break drain
			}
		}
		err := p.write(ctx, batch)
		for _, c := range batch {
			c.err = err
			close(c.done)
		}
	}
}

func (p *persister) write(ctx context.Context, batch []*persistCall) error {
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
