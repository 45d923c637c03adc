package learning

// Measurements of the heartbeat path's stores: the Redis script of one
// heartbeat, one 500-row flush batch, and 10,000 learners' progress moving
// from Redis to SQL. They run on whatever the environment gives
// (COLLEGE_TEST_MYSQL_DSN, COLLEGE_TEST_REDIS_ADDR; SQLite and the embedded
// Redis otherwise):
//
//	COLLEGE_BENCH_FLUSH=1 go test ./modules/learning -run TestFlushTenThousandLearners -v
//	go test ./modules/learning -run '^$' -bench 'UpsertProgress500|HeartbeatScript'

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"college/modules/catalog"
	"college/storage/cache"
	"college/storage/cache/cachetest"
	"college/storage/db"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

// flushEnv is a course of several video lessons and a learning service over
// fresh stores.
type flushEnv struct {
	db      *gorm.DB
	cache   *cache.Cache
	course  *catalog.Course
	lessons []*catalog.Lesson
	svc     *Service
}

func newFlushEnv(tb testing.TB, lessons int, duration float64) *flushEnv {
	tb.Helper()
	e := &flushEnv{db: dbtest.New(tb, migrations()...), cache: cachetest.New(tb)}
	e.course, e.lessons = publishedCourse(tb, e.db, "压测课程", lessons, duration)
	e.svc = newService(tb, e.db, e.cache)
	return e
}

// fanOut runs f(0..n-1) on workers goroutines and returns the errors it met
// (at most 10 of them, and how many in all).
func fanOut(n, workers int, f func(i int) error) ([]error, int) {
	var (
		next  atomic.Int64
		mu    sync.Mutex
		errs  []error
		count int
		wg    sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					count++
					if len(errs) < 10 {
						errs = append(errs, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs, count
}

func (e *flushEnv) dirtyLeft(tb testing.TB) int64 {
	tb.Helper()
	var left int64
	for sh := uint64(0); sh < dirtyShards; sh++ {
		n, err := e.cache.ZCard(context.Background(), e.svc.live.dirtyKey(sh)).Result()
		if err != nil {
			tb.Fatal(err)
		}
		left += n
	}
	return left
}

// The target (issue): 100,000 heartbeats from 10,000 learners reach SQL
// within two flush intervals, none lost, none doubled, the flusher writing
// at least 50,000 rows/s. Figures are logged; lost or doubled progress
// fails the test.
func TestFlushTenThousandLearners(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_FLUSH") != "1" {
		t.Skip("a measurement: set COLLEGE_BENCH_FLUSH=1 to run it")
	}
	const (
		learners = 10000
		beats    = 10 // per learner, one every 15 s of its play
		every    = 15.0
		lessons  = 10
		duration = 600.0
		workers  = 64
		firstUID = 100000
	)
	e := newFlushEnv(t, lessons, duration)
	s := e.svc
	cl := &syncClock{t: time.Now()}
	s.now = cl.now
	ctx := context.Background()
	// With the embedded Redis the service also writes every accepted
	// heartbeat through to SQL: the flush then rewrites rows SQL has.
	t.Logf("stores: %s, redis %s; heartbeats written through to SQL: %v", e.db.Dialector.Name(),
		map[bool]string{true: "embedded", false: "real"}[e.cache.Embedded()], s.writeThrough)

	// Learner i watches lesson i%10 (one play each, every lesson in use).
	lessonOf := func(i int) *catalog.Lesson { return e.lessons[i%lessons] }
	plays := make([]string, learners)
	began := time.Now()
	errs, nerr := fanOut(learners, workers, func(i int) error {
		r, err := s.StartPlay(ctx, learner(uint64(firstUID+i)), lessonOf(i).ID)
		plays[i] = r.PlayID
		return err
	})
	if nerr > 0 {
		t.Fatalf("%d plays failed to start, e.g. %v", nerr, errs)
	}
	t.Logf("started %d plays in %.2fs", learners, time.Since(began).Seconds())

	// send plays beats rounds: the clock moves 15 s, every learner reports
	// its honest position; each answer must credit exactly that much.
	var sent atomic.Int64
	send := func(from, rounds int) time.Duration {
		began := time.Now()
		for k := from; k < from+rounds; k++ {
			cl.addSec(every)
			pos := every * float64(k)
			errs, nerr := fanOut(learners, workers, func(i int) error {
				r, err := s.Heartbeat(ctx, learner(uint64(firstUID+i)), plays[i], beat(pos, "playing"))
				sent.Add(1)
				if err != nil {
					return err
				}
				if r.WatchedSeconds != pos || r.Position != pos {
					return fmt.Errorf("learner %d at %v s: answer %+v", firstUID+i, pos, r)
				}
				return nil
			})
			if nerr > 0 {
				t.Fatalf("round %d: %d heartbeats failed, e.g. %v", k, nerr, errs)
			}
		}
		return time.Since(began)
	}
	took := send(1, beats)
	t.Logf("heartbeats: %d in %.2fs (%.0f/s, %d goroutines)", sent.Load(), took.Seconds(), float64(sent.Load())/took.Seconds(), workers)
	if sent.Load() != learners*beats {
		t.Fatalf("sent %d heartbeats, want %d", sent.Load(), learners*beats)
	}
	if left := e.dirtyLeft(t); left != learners {
		t.Fatalf("%d dirty entries after %d heartbeats of %d learners, want one per learner", left, sent.Load(), learners)
	}

	// Where a flush's time goes: its Redis reads alone (the dirty sets and
	// the states, 500 at a time), which change nothing.
	f := NewFlusher(e.db, e.cache, s, slog.New(slog.DiscardHandler))
	began = time.Now()
	read := 0
	for sh := uint64(0); sh < dirtyShards; sh++ {
		all, err := s.live.DirtyBatch(ctx, sh, learners)
		if err != nil {
			t.Fatal(err)
		}
		for len(all) > 0 {
			part := all[:min(len(all), f.Batch)]
			all = all[len(part):]
			if _, _, err := s.live.LoadMany(ctx, part); err != nil {
				t.Fatal(err)
			}
			read += len(part)
		}
	}
	t.Logf("the flush's Redis reads alone: %d states in %.3fs", read, time.Since(began).Seconds())

	// One flush of everything, timed.
	began = time.Now()
	n, err := f.FlushOnce(ctx)
	secs := time.Since(began).Seconds()
	if err != nil {
		t.Fatalf("flush: %v (after %d rows)", err, n)
	}
	rate := float64(n) / secs
	t.Logf("FLUSH %s: %d rows in %.3fs = %.0f rows/s (batch %d; target >= 50000 rows/s: %s); a flush of all of it fits in one interval of %s: %v",
		e.db.Dialector.Name(), n, secs, rate, f.Batch, verdict(rate >= 50000), f.Interval, secs < f.Interval.Seconds())
	if n != learners {
		t.Errorf("flushed %d rows, want %d", n, learners)
	}
	e.verify(t, learners, firstUID, lessonOf, every*beats)

	// The same load again with the flusher running on its own clock: from
	// the last heartbeat to the last row in SQL within two flush intervals.
	fctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.Run(fctx); close(done) }()
	sent.Store(0)
	took = send(beats+1, beats)
	last := time.Now()
	want := every * 2 * beats
	var lag time.Duration
	for {
		left := e.dirtyLeft(t)
		var behind int64
		if err := e.db.Model(&Progress{}).Where("watched < ?", want).Count(&behind).Error; err != nil {
			t.Fatal(err)
		}
		if left == 0 && behind == 0 {
			lag = time.Since(last)
			break
		}
		if time.Since(last) > 30*time.Second {
			t.Fatalf("30 s after the last heartbeat: %d dirty, %d rows behind", left, behind)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	t.Logf("LIVE %s: %d more heartbeats in %.2fs with the flusher running; last row in SQL %.3fs after the last heartbeat (target <= 2 intervals = %s: %s)",
		e.db.Dialector.Name(), sent.Load(), took.Seconds(), lag.Seconds(), 2*f.Interval, verdict(lag <= 2*f.Interval))
	e.verify(t, learners, firstUID, lessonOf, want)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

// verify checks SQL against Redis and against the honest truth: one row per
// learner, with the watched time, coverage, furthest point and bitmap Redis
// has, which is what the learner watched; and nothing left dirty.
func (e *flushEnv) verify(t *testing.T, learners, firstUID int, lessonOf func(int) *catalog.Lesson, watched float64) {
	t.Helper()
	ctx := context.Background()
	var total, distinct int64
	if err := e.db.Model(&Progress{}).Count(&total).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Table("(?) AS d", e.db.Model(&Progress{}).Select("user_id, lesson_id").Group("user_id, lesson_id")).Count(&distinct).Error; err != nil {
		t.Fatal(err)
	}
	if total != int64(learners) || distinct != total {
		t.Errorf("lesson_progress has %d rows for %d (user, lesson) pairs, want %d and %d (doubled or lost)", total, distinct, learners, learners)
	}
	var rows []Progress
	if err := e.db.Order("user_id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	byUser := make(map[uint64]Progress, len(rows))
	for _, r := range rows {
		byUser[r.UserID] = r
	}
	batch := make([]Dirty, 0, 500)
	bad := 0
	check := func() {
		states, ok, err := e.svc.live.LoadMany(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		for j, d := range batch {
			r, inSQL := byUser[d.UserID]
			st := states[j]
			var why string
			switch {
			case !ok[j]:
				why = "no live state in Redis"
			case !inSQL:
				why = "no row in SQL (lost)"
			case r.LessonID != d.LessonID || r.CourseID != e.course.ID:
				why = fmt.Sprintf("row for lesson %d course %d", r.LessonID, r.CourseID)
			case r.Watched != st.Watched || r.Coverage != st.Coverage || r.Furthest != st.Furthest || r.Position != st.Position ||
				r.Segments != encodeSegments(st.Segments) || r.MediaVersion != st.Version:
				why = fmt.Sprintf("SQL %+v differs from Redis %+v", r, st)
			case st.Watched != watched || st.Coverage != watched/st.Duration || st.Furthest != watched:
				why = fmt.Sprintf("Redis has %+v, the learner watched %v s", st, watched)
			}
			if why != "" {
				bad++
				if bad <= 10 {
					t.Errorf("learner %d lesson %d: %s", d.UserID, d.LessonID, why)
				}
			}
		}
		batch = batch[:0]
	}
	for i := 0; i < learners; i++ {
		batch = append(batch, Dirty{UserID: uint64(firstUID + i), LessonID: lessonOf(i).ID})
		if len(batch) == cap(batch) {
			check()
		}
	}
	if len(batch) > 0 {
		check()
	}
	if bad > 0 {
		t.Errorf("%d of %d learners wrong", bad, learners)
	}
	if left := e.dirtyLeft(t); left != 0 {
		t.Errorf("%d entries still dirty after the flush", left)
	}
}

// BenchmarkUpsertProgress500 times one flush batch of 500 rows in its
// transaction, as the flusher writes it: new rows (first flush of 500
// learner-lessons) and updates of existing rows moving forward.
func BenchmarkUpsertProgress500(b *testing.B) {
	const size = 500
	e := newFlushEnv(b, 1, 600)
	lesson := e.lessons[0].ID
	ctx := context.Background()
	rowsFor := func(firstUID uint64, watched float64) []progressRow {
		rows := make([]progressRow, size)
		segs := make([]byte, 75) // 600 s of bitmap
		for i := range segs[:int(watched)/8] {
			segs[i] = 0xff
		}
		for i := range rows {
			rows[i] = progressRow{UserID: firstUID + uint64(i), LessonID: lesson, CourseID: e.course.ID, UpdatedAt: time.Now().UTC(),
				State: State{Version: 1, Duration: 600, Position: watched, Furthest: watched, Watched: watched, Coverage: watched / 600, Segments: segs}}
		}
		return rows
	}
	write := func(rows []progressRow) {
		if err := db.Transaction(ctx, e.db, func(tx *gorm.DB) error { return upsertProgress(tx, rows) }); err != nil {
			b.Fatal(err)
		}
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("insert", func(b *testing.B) {
		uid := uint64(1)
		for b.Loop() {
			b.StopTimer()
			rows := rowsFor(uid, 15)
			uid += size
			b.StartTimer()
			write(rows)
		}
		report(b)
	})
	b.Run("update", func(b *testing.B) {
		const base = 1 << 40 // apart from the inserted ones
		write(rowsFor(base, 15))
		watched := 15.0
		for b.Loop() {
			b.StopTimer()
			watched = min(watched+0.01, 600) // every row moves forward
			rows := rowsFor(base, watched)
			b.StartTimer()
			write(rows)
		}
		report(b)
	})
}

// BenchmarkHeartbeatScript runs Live.Heartbeat, the one round trip of a
// heartbeat (the script plus the dirty mark), on the configured Redis:
// serially (the latency of one) and from many goroutines (the cost of one
// when Redis is busy). Every beat is honest and credited, so the script
// does its full work.
func BenchmarkHeartbeatScript(b *testing.B) {
	c := cachetest.New(b)
	live := NewLive(c)
	ctx := context.Background()
	const (
		lesson   = 7
		duration = 600.0
	)
	rules := Rules{Rate: 1, Tolerance: 2, Threshold: 0.95, AnswerSeconds: 60}
	var nextUID atomic.Uint64
	base := time.Now()
	// watcher is one learner with a play, advancing 1 s per beat.
	type watcher struct {
		uid  uint64
		play Play
		pos  float64
		now  time.Time
	}
	fresh := func(w *watcher) error {
		w.uid = nextUID.Add(1)
		w.pos, w.now = 0, base
		w.play = Play{ID: NewPlayID(lesson), LessonID: lesson, StartMS: base.UnixMilli(), PresenceDue: base.Add(24 * time.Hour).UnixMilli()}
		if err := live.Seed(ctx, w.uid, lesson, State{Version: 1, Duration: duration}); err != nil {
			return err
		}
		return live.StartPlay(ctx, w.uid, w.play, 0)
	}
	step := func(w *watcher) error {
		if w.pos >= duration {
			if err := fresh(w); err != nil {
				return err
			}
		}
		w.pos++
		w.now = w.now.Add(time.Second)
		r, err := live.Heartbeat(ctx, w.uid, w.play.ID, lesson, w.pos, w.now, rules)
		if err != nil {
			return err
		}
		if r.Superseded || r.Watched != w.pos {
			return fmt.Errorf("beat at %v s: %+v", w.pos, r)
		}
		return nil
	}
	// Load the script once, outside the timing.
	var warm watcher
	if err := fresh(&warm); err != nil {
		b.Fatal(err)
	}
	if err := step(&warm); err != nil {
		b.Fatal(err)
	}

	b.Run("serial", func(b *testing.B) {
		var w watcher
		if err := fresh(&w); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := step(&w); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "beats/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16) // 16 × GOMAXPROCS goroutines, like many requests at once
		b.RunParallel(func(pb *testing.PB) {
			var w watcher
			err := fresh(&w)
			for err == nil && pb.Next() {
				err = step(&w)
			}
			if err != nil {
				b.Error(err) // (not Fatal: this is not the benchmark's goroutine)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "beats/s")
	})
}
