package learning

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"sync"
	"testing"
	"time"

	"college/modules/catalog"
	"college/modules/hours"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/cache/cachetest"
	"college/storage/db"
	"college/storage/db/dbtest"
	"college/storage/objects/objectstest"

	"gorm.io/gorm"
)

// env is one or more college instances over one database and one Redis.
type env struct {
	t      *testing.T
	db     *gorm.DB
	cache  *cache.Cache
	course *catalog.Course
	lesson *catalog.Lesson
}

type noLevels struct{}

func (noLevels) Level(context.Context, uint64) (string, error) { return "", nil }

func migrations() []db.Migration {
	var all []db.Migration
	all = append(all, settings.Migrations()...)
	all = append(all, hours.Migrations()...)
	all = append(all, catalog.Migrations()...)
	all = append(all, Migrations()...)
	return all
}

// newEnv makes a published course with one video lesson of the given length.
func newEnv(t *testing.T, duration float64) *env {
	t.Helper()
	e := &env{t: t, db: dbtest.New(t, migrations()...), cache: cachetest.New(t)}
	var lessons []*catalog.Lesson
	e.course, lessons = publishedCourse(t, e.db, "新时代党的创新理论", 1, duration)
	e.lesson = lessons[0]
	return e
}

// publishedCourse saves a published course of 100 hours with n video
// lessons of the given length.
func publishedCourse(tb testing.TB, gdb *gorm.DB, title string, n int, duration float64) (*catalog.Course, []*catalog.Lesson) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	course := &catalog.Course{CollegeID: 1, Title: title, Kind: catalog.KindRequired, Hours: 100, HoursManual: true, Status: catalog.StatusPublished, PublishedAt: &now}
	st := catalog.NewStore(gdb)
	if err := st.SaveCourse(ctx, course, []uint64{}); err != nil {
		tb.Fatal(err)
	}
	var lessons []*catalog.Lesson
	for i := 0; i < n; i++ {
		l := &catalog.Lesson{CourseID: course.ID, Seq: i + 1, Title: fmt.Sprintf("第%d讲", i+1), Type: catalog.LessonVideo,
			MediaKey: fmt.Sprintf("lessons/%d/v1.mp4", i+1), ContentType: "video/mp4", DurationSeconds: duration, MediaVersion: 1}
		if err := st.SaveLesson(ctx, l); err != nil {
			tb.Fatal(err)
		}
		lessons = append(lessons, l)
	}
	return course, lessons
}

// instance builds one app instance's learning service over the shared stores.
func (e *env) instance() *Service { return newService(e.t, e.db, e.cache) }

// newService builds a learning service, with the catalog and the ledger it
// needs, over the given stores.
func newService(tb testing.TB, gdb *gorm.DB, c *cache.Cache) *Service {
	log := slog.New(slog.DiscardHandler)
	set := settings.New(gdb, c)
	cat := catalog.NewService(catalog.Deps{DB: gdb, Objects: objectstest.Local(tb), Settings: set, SignKey: []byte("0123456789abcdef0123456789abcdef"), Log: log})
	return NewService(Deps{DB: gdb, Cache: c, Catalog: cat, Ledger: hours.New(gdb, set, noLevels{}), Settings: set, Log: log})
}

func learner(uid uint64) *web.Principal {
	return &web.Principal{UserID: uid, Username: fmt.Sprint("u", uid), Roles: []string{web.RoleLearner}, OrgID: 1, OrgPath: "/1/"}
}

// clock lets a test move the service's time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func (c *clock) addSec(s float64)    { c.add(time.Duration(s * float64(time.Second))) }
func beat(pos float64, state string) HeartbeatRequest {
	return HeartbeatRequest{Position: &pos, State: state}
}

func startAt(t *testing.T, s *Service, c *clock, p *web.Principal, lesson uint64) PlayResponse {
	t.Helper()
	s.now = c.now
	r, err := s.StartPlay(context.Background(), p, lesson)
	if err != nil {
		t.Fatalf("start play: %v", err)
	}
	return r
}

// viewer is a learner playing the env's lesson on one instance, whose time
// the test moves.
type viewer struct {
	*env
	s    *Service
	c    *clock
	p    *web.Principal
	play PlayResponse
}

// newViewer makes an env with a lesson of the given length and starts the
// play of learner uid on one instance.
func newViewer(t *testing.T, duration float64, uid uint64) *viewer {
	t.Helper()
	e := newEnv(t, duration)
	v := &viewer{env: e, s: e.instance(), c: &clock{t: time.Now()}, p: learner(uid)}
	v.play = v.start()
	return v
}

// start starts another play of the viewer's lesson.
func (v *viewer) start() PlayResponse {
	v.t.Helper()
	return startAt(v.t, v.s, v.c, v.p, v.lesson.ID)
}

// beat sends a heartbeat of the viewer's play.
func (v *viewer) beat(pos float64, state string) (HeartbeatResponse, error) {
	return v.s.Heartbeat(context.Background(), v.p, v.play.PlayID, beat(pos, state))
}

// playTo plays on in steps: every step seconds the clock moves and a
// heartbeat reports the position one step further, up to until; it fails
// the test on an error and returns the last answer.
func (v *viewer) playTo(step, until float64) HeartbeatResponse {
	v.t.Helper()
	var r HeartbeatResponse
	for pos := step; pos <= until; pos += step {
		v.c.addSec(step)
		var err error
		if r, err = v.beat(pos, "playing"); err != nil {
			v.t.Fatalf("heartbeat at %v s: %v", pos, err)
		}
	}
	return r
}

func TestClaimBeyondTheClockIsCapped(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 1200, 7)
	if r := v.playTo(15, 15); r.WatchedSeconds != 15 {
		t.Fatalf("honest first beat: %+v", r)
	}
	v.c.addSec(15)
	r, err := v.beat(615, "playing")
	if err != nil {
		t.Fatal(err)
	}
	// 600 s claimed 15 s later: at most 15 s × rate + tolerance, here nothing
	// (it is a jump past the furthest point, not playback).
	if r.WatchedSeconds > 15+15+2 {
		t.Fatalf("credited %v s after claiming 600 s in 15 s", r.WatchedSeconds)
	}
	if r.Coverage > 0.03 {
		t.Fatalf("coverage %v after a jump", r.Coverage)
	}
}

func TestHonestJitteryClientCompletes(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 300, 8)
	rng := rand.New(rand.NewSource(42))
	start := v.c.t
	// The player sends a heartbeat every 15 s of playback; each arrives
	// after a random delay of up to a second.
	var last HeartbeatResponse
	var credited web.Hours
	for sent := 15.0; ; sent += 15 {
		pos := sent
		if pos > 300 {
			pos = 300
		}
		v.c.t = start.Add(time.Duration((sent + rng.Float64()) * float64(time.Second)))
		r, err := v.beat(pos, "playing")
		if err != nil {
			t.Fatal(err)
		}
		last = r
		credited += r.CreditedHours
		if pos >= 300 {
			break
		}
	}
	if !last.Completed || last.WatchedSeconds < 299.9 || last.Coverage < 0.999 {
		t.Fatalf("honest viewer did not get full credit: %+v", last)
	}
	if credited != 100 {
		t.Fatalf("course credited %v hours over the play, want 100 once", credited)
	}
}

func TestJumpPastFurthestIsNotCredited(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 200, 9)
	v.playTo(15, 15)
	// Seek to 150 s and keep "watching" from there, each beat within the clock.
	v.c.addSec(1)
	r, _ := v.beat(150, "playing")
	if r.WatchedSeconds != 15 {
		t.Fatalf("jump credited: %+v", r)
	}
	v.c.addSec(15)
	r, _ = v.beat(165, "playing")
	if r.WatchedSeconds != 15 || r.Position != 15 {
		t.Fatalf("watching after a forbidden jump was credited: %+v", r)
	}
	// Seeking back inside the watched part is fine and costs nothing.
	v.c.addSec(1)
	r, _ = v.beat(5, "playing")
	if r.Position != 5 || r.WatchedSeconds != 15 {
		t.Fatalf("seek back: %+v", r)
	}
}

func TestNewerPlaySupersedesOlder(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 200, 10)
	first := v.play
	v.play = v.start()
	v.c.addSec(10)
	_, err := v.s.Heartbeat(context.Background(), v.p, first.PlayID, beat(10, "playing"))
	if we := web.AsError(err); err == nil || we.Status != 409 || we.Code != "play_superseded" {
		t.Fatalf("old play: %v", err)
	}
	if _, err := v.beat(10, "playing"); err != nil {
		t.Fatalf("new play: %v", err)
	}
	// Another learner cannot use this play id: it is not their play.
	if _, err := v.s.Heartbeat(context.Background(), learner(11), v.play.PlayID, beat(10, "playing")); web.AsError(err).Status != 409 {
		t.Fatalf("someone else's play: %v", err)
	}
}

func TestDuplicateHeartbeatCountsOnce(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 200, 12)
	v.c.addSec(15)
	a, _ := v.beat(15, "playing")
	b, _ := v.beat(15, "playing")
	v.c.addSec(1)
	d, _ := v.beat(15, "paused")
	if a.WatchedSeconds != 15 || b.WatchedSeconds != 15 || d.WatchedSeconds != 15 {
		t.Fatalf("repeated heartbeat counted again: %v %v %v", a, b, d)
	}
}

func TestCompletionThreshold(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 100, 13)
	v.playTo(10, 94)
	v.c.addSec(4)
	var r HeartbeatResponse
	r, _ = v.beat(94, "playing")
	if r.Completed || r.Coverage != 0.94 {
		t.Fatalf("94%% counted as complete: %+v", r)
	}
	v.c.addSec(1)
	r, _ = v.beat(95, "playing")
	if !r.Completed || r.Coverage != 0.95 || r.CreditedHours != 100 {
		t.Fatalf("95%% not complete: %+v", r)
	}
	// Completion is durable in SQL at once, and credited once.
	var n int64
	v.db.Table("hour_entries").Where("user_id = ?", 13).Count(&n)
	if n != 1 {
		t.Fatalf("ledger rows = %d", n)
	}
	v.c.addSec(5)
	r, _ = v.beat(100, "ended")
	if r.CreditedHours != 0 {
		t.Fatalf("credited again: %+v", r)
	}
}

// Browsers end a video a few milliseconds before its container's duration:
// reaching the end still covers the last second.
func TestEndOfVideoCoversTheLastSecond(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 40.003, 16)
	if r := v.playTo(10, 40); r.Coverage != 1 {
		t.Fatalf("coverage at the end = %v, want 1", r.Coverage)
	}
}

func TestIdleCheckStopsCrediting(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 3600, 14)
	// Past the check time plus the answer window, heartbeats credit nothing.
	pos := 0.0
	elapsed := float64(v.play.IdleCheckSeconds + v.play.IdleAnswer + 30)
	for t2 := 15.0; t2 <= elapsed; t2 += 15 {
		v.c.addSec(15)
		pos += 15
		_, _ = v.beat(pos, "playing")
	}
	r, _ := v.beat(pos, "playing")
	if !r.PresenceDue {
		t.Fatalf("presence not asked for: %+v", r)
	}
	v.c.addSec(15)
	stuck, _ := v.beat(pos+15, "playing")
	if stuck.WatchedSeconds != r.WatchedSeconds {
		t.Fatalf("credited while the idle check was unanswered: %v -> %v", r.WatchedSeconds, stuck.WatchedSeconds)
	}
	if _, err := v.s.ConfirmPresence(context.Background(), v.p, v.play.PlayID); err != nil {
		t.Fatal(err)
	}
	v.c.addSec(15)
	after, _ := v.beat(stuck.Position+15, "playing")
	if after.WatchedSeconds != stuck.WatchedSeconds+15 || after.PresenceDue {
		t.Fatalf("after answering: %+v (was %+v)", after, stuck)
	}
}

func TestFlushMovesProgressForwardOnly(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 200, 15)
	f := NewFlusher(v.db, v.cache, v.s, slog.New(slog.DiscardHandler))
	v.playTo(15, 60)
	if n, err := f.FlushOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("flush = %d, %v", n, err)
	}
	var row Progress
	v.db.Where("user_id = ? AND lesson_id = ?", 15, v.lesson.ID).First(&row)
	if row.Watched != 60 || row.Furthest != 60 || row.Coverage != 0.3 || row.Position != 60 || row.Segments == "" {
		t.Fatalf("flushed row = %+v", row)
	}
	// Nothing dirty: nothing written.
	if n, _ := f.FlushOnce(context.Background()); n != 0 {
		t.Fatalf("second flush wrote %d", n)
	}
	// An older state (say a stale instance) never moves SQL backwards.
	stale := progressRow{UserID: 15, LessonID: v.lesson.ID, CourseID: v.course.ID, UpdatedAt: time.Now(), State: State{Version: 1, Duration: 200, Position: 10, Furthest: 10, Watched: 10, Coverage: 0.05}}
	if err := upsertProgress(v.db, []progressRow{stale}); err != nil {
		t.Fatal(err)
	}
	v.db.Where("user_id = ? AND lesson_id = ?", 15, v.lesson.ID).First(&row)
	if row.Watched != 60 || row.Furthest != 60 || row.Coverage != 0.3 {
		t.Fatalf("progress moved backwards: %+v", row)
	}
	// Losing the live state (restart of the embedded server, eviction)
	// resumes from SQL. Only this learner's keys go: the Redis is shared.
	v.cache.Del(context.Background(), v.s.live.progKey(15, v.lesson.ID), v.s.live.segKey(15, v.lesson.ID), v.s.live.playKey(15))
	again := v.start()
	if again.ResumeAt != 10 || again.Furthest != 60 || again.Coverage != 0.3 {
		t.Fatalf("resume after losing Redis: %+v", again)
	}
}

var plays []PlayResponse

// syncClock is a clock shared by goroutines.
type syncClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *syncClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *syncClock) addSec(s float64) {
	c.mu.Lock()
	c.t = c.t.Add(time.Duration(s * float64(time.Second)))
	c.mu.Unlock()
}

// Two instances, each with its flusher, serve 1,000 learners completing a
// course, with the final heartbeat of each learner sent to both instances
// at once: every learner is credited exactly once.
func TestTwoInstancesCreditEachLearnerOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("race of 1,000 learners skipped in -short mode")
	}
	t.Parallel()
	e := newEnv(t, 30)
	a, b := e.instance(), e.instance()
	log := slog.New(slog.DiscardHandler)
	fa, fb := NewFlusher(e.db, e.cache, a, log), NewFlusher(e.db, e.cache, b, log)
	fa.Interval, fb.Interval = 20*time.Millisecond, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var flushers sync.WaitGroup
	flushers.Add(2)
	go func() { defer flushers.Done(); fa.Run(ctx) }()
	go func() { defer flushers.Done(); fb.Run(ctx) }()

	const n = 1000
	cl := &syncClock{t: time.Now()}
	a.now, b.now = cl.now, cl.now
	errs := make(chan error, 4*n)
	// each runs f for every learner, 16 at a time.
	each := func(f func(p *web.Principal, play *PlayResponse)) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				f(learner(uint64(1000+i)), &plays[i])
			}(i)
		}
		wg.Wait()
	}
	plays = make([]PlayResponse, n)
	each(func(p *web.Principal, play *PlayResponse) {
		r, err := a.StartPlay(ctx, p, e.lesson.ID)
		if err != nil {
			errs <- err
		}
		*play = r
	})
	for pos := 10.0; pos < 30; pos += 10 {
		cl.addSec(10)
		each(func(p *web.Principal, play *PlayResponse) {
			if _, err := a.Heartbeat(ctx, p, play.PlayID, beat(pos, "playing")); err != nil {
				errs <- fmt.Errorf("at %v s: %w", pos, err)
			}
		})
	}
	cl.addSec(10)
	each(func(p *web.Principal, play *PlayResponse) {
		var both sync.WaitGroup
		for _, s := range []*Service{a, b} {
			both.Add(2)
			go func(s *Service) {
				defer both.Done()
				if _, err := s.Heartbeat(ctx, p, play.PlayID, beat(30, "ended")); err != nil {
					errs <- fmt.Errorf("final: %w", err)
				}
			}(s)
			// And a completion racing at the SQL level on both instances.
			go func(s *Service) { defer both.Done(); _, _, _ = s.completeLesson(ctx, p.UserID, e.lesson.ID) }(s)
		}
		both.Wait()
	})
	close(errs)
	seen := map[string]int{}
	for err := range errs {
		seen[err.Error()]++
	}
	for msg, k := range seen {
		t.Errorf("%d× %s", k, msg)
	}
	if len(seen) > 0 {
		t.FailNow()
	}
	// Let the flushers drain, then stop them (they flush once more).
	deadline := time.Now().Add(10 * time.Second)
	for {
		var left int64
		for sh := uint64(0); sh < dirtyShards; sh++ {
			left += e.cache.ZCard(context.Background(), a.live.dirtyKey(sh)).Val()
		}
		if left == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	flushers.Wait()

	var entries, users int64
	e.db.Table("hour_entries").Count(&entries)
	e.db.Table("hour_entries").Distinct("user_id").Count(&users)
	if entries != n || users != n {
		t.Fatalf("ledger has %d entries for %d users, want %d each", entries, users, n)
	}
	var completed int64
	e.db.Model(&Progress{}).Where("completed = ? AND watched >= ?", true, 29.9).Count(&completed)
	if completed != n {
		t.Fatalf("%d completed progress rows in SQL, want %d", completed, n)
	}
}

// Nothing a play creates in Redis is kept forever.
func TestLiveKeysExpire(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 100, 17)
	v.playTo(10, 10)
	for _, k := range []string{v.s.live.playKey(17), v.s.live.progKey(17, v.lesson.ID), v.s.live.segKey(17, v.lesson.ID)} {
		ttl, err := v.cache.TTL(context.Background(), k).Result()
		if err != nil || ttl <= 0 {
			t.Errorf("%s: ttl %v, %v", k, ttl, err)
		}
	}
}
