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
	ctx := context.Background()
	now := time.Now().UTC()
	e.course = &catalog.Course{CollegeID: 1, Title: "新时代党的创新理论", Kind: catalog.KindRequired, Hours: 100, HoursManual: true, Status: catalog.StatusPublished, PublishedAt: &now}
	st := catalog.NewStore(e.db)
	if err := st.SaveCourse(ctx, e.course, []uint64{}); err != nil {
		t.Fatal(err)
	}
	e.lesson = &catalog.Lesson{CourseID: e.course.ID, Seq: 1, Title: "第一讲", Type: catalog.LessonVideo, MediaKey: "lessons/1/v1.mp4", ContentType: "video/mp4", DurationSeconds: duration, MediaVersion: 1}
	if err := st.SaveLesson(ctx, e.lesson); err != nil {
		t.Fatal(err)
	}
	return e
}

// instance builds one app instance's learning service over the shared stores.
func (e *env) instance() *Service {
	log := slog.New(slog.DiscardHandler)
	set := settings.New(e.db, e.cache)
	cat := catalog.NewService(catalog.Deps{DB: e.db, Objects: objectstest.Local(e.t), Settings: set, SignKey: []byte("0123456789abcdef0123456789abcdef"), Log: log})
	led := hours.New(e.db, set, noLevels{})
	return NewService(Deps{DB: e.db, Cache: e.cache, Catalog: cat, Ledger: led, Settings: set, Log: log})
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

func TestClaimBeyondTheClockIsCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1200)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(7)
	play := startAt(t, s, c, p, e.lesson.ID)
	c.addSec(15)
	r, err := s.Heartbeat(context.Background(), p, play.PlayID, beat(15, "playing"))
	if err != nil || r.WatchedSeconds != 15 {
		t.Fatalf("honest first beat: %+v, %v", r, err)
	}
	c.addSec(15)
	r, err = s.Heartbeat(context.Background(), p, play.PlayID, beat(615, "playing"))
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
	e := newEnv(t, 300)
	s := e.instance()
	rng := rand.New(rand.NewSource(42))
	c := &clock{t: time.Now()}
	p := learner(8)
	play := startAt(t, s, c, p, e.lesson.ID)
	start := c.t
	// The player sends a heartbeat every 15 s of playback; each arrives
	// after a random delay of up to a second.
	var last HeartbeatResponse
	var credited web.Hours
	for sent := 15.0; ; sent += 15 {
		pos := sent
		if pos > 300 {
			pos = 300
		}
		c.t = start.Add(time.Duration((sent + rng.Float64()) * float64(time.Second)))
		r, err := s.Heartbeat(context.Background(), p, play.PlayID, beat(pos, "playing"))
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
	e := newEnv(t, 200)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(9)
	play := startAt(t, s, c, p, e.lesson.ID)
	c.addSec(15)
	if _, err := s.Heartbeat(context.Background(), p, play.PlayID, beat(15, "playing")); err != nil {
		t.Fatal(err)
	}
	// Seek to 150 s and keep "watching" from there, each beat within the clock.
	c.addSec(1)
	r, _ := s.Heartbeat(context.Background(), p, play.PlayID, beat(150, "playing"))
	if r.WatchedSeconds != 15 {
		t.Fatalf("jump credited: %+v", r)
	}
	c.addSec(15)
	r, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(165, "playing"))
	if r.WatchedSeconds != 15 || r.Position != 15 {
		t.Fatalf("watching after a forbidden jump was credited: %+v", r)
	}
	// Seeking back inside the watched part is fine and costs nothing.
	c.addSec(1)
	r, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(5, "playing"))
	if r.Position != 5 || r.WatchedSeconds != 15 {
		t.Fatalf("seek back: %+v", r)
	}
}

func TestNewerPlaySupersedesOlder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 200)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(10)
	first := startAt(t, s, c, p, e.lesson.ID)
	second := startAt(t, s, c, p, e.lesson.ID)
	c.addSec(10)
	_, err := s.Heartbeat(context.Background(), p, first.PlayID, beat(10, "playing"))
	if we := web.AsError(err); err == nil || we.Status != 409 || we.Code != "play_superseded" {
		t.Fatalf("old play: %v", err)
	}
	if _, err := s.Heartbeat(context.Background(), p, second.PlayID, beat(10, "playing")); err != nil {
		t.Fatalf("new play: %v", err)
	}
	// Another learner cannot use this play id: it is not their play.
	if _, err := s.Heartbeat(context.Background(), learner(11), second.PlayID, beat(10, "playing")); web.AsError(err).Status != 409 {
		t.Fatalf("someone else's play: %v", err)
	}
}

func TestDuplicateHeartbeatCountsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 200)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(12)
	play := startAt(t, s, c, p, e.lesson.ID)
	c.addSec(15)
	a, _ := s.Heartbeat(context.Background(), p, play.PlayID, beat(15, "playing"))
	b, _ := s.Heartbeat(context.Background(), p, play.PlayID, beat(15, "playing"))
	c.addSec(1)
	d, _ := s.Heartbeat(context.Background(), p, play.PlayID, beat(15, "paused"))
	if a.WatchedSeconds != 15 || b.WatchedSeconds != 15 || d.WatchedSeconds != 15 {
		t.Fatalf("repeated heartbeat counted again: %v %v %v", a, b, d)
	}
}

func TestCompletionThreshold(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 100)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(13)
	play := startAt(t, s, c, p, e.lesson.ID)
	var r HeartbeatResponse
	for pos := 10.0; pos <= 94; pos += 10 {
		c.addSec(10)
		r, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(pos, "playing"))
	}
	c.addSec(4)
	r, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(94, "playing"))
	if r.Completed || r.Coverage != 0.94 {
		t.Fatalf("94%% counted as complete: %+v", r)
	}
	c.addSec(1)
	r, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(95, "playing"))
	if !r.Completed || r.Coverage != 0.95 || r.CreditedHours != 100 {
		t.Fatalf("95%% not complete: %+v", r)
	}
	// Completion is durable in SQL at once, and credited once.
	var n int64
	e.db.Table("hour_entries").Where("user_id = ?", 13).Count(&n)
	if n != 1 {
		t.Fatalf("ledger rows = %d", n)
	}
	c.addSec(5)
	r, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(100, "ended"))
	if r.CreditedHours != 0 {
		t.Fatalf("credited again: %+v", r)
	}
}

// Browsers end a video a few milliseconds before its container's duration:
// reaching the end still covers the last second.
func TestEndOfVideoCoversTheLastSecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40.003)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(16)
	play := startAt(t, s, c, p, e.lesson.ID)
	var r HeartbeatResponse
	for pos := 10.0; pos <= 40; pos += 10 {
		c.addSec(10)
		r, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(pos, "playing"))
	}
	if r.Coverage != 1 {
		t.Fatalf("coverage at the end = %v, want 1", r.Coverage)
	}
}

func TestIdleCheckStopsCrediting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3600)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(14)
	play := startAt(t, s, c, p, e.lesson.ID)
	// Past the check time plus the answer window, heartbeats credit nothing.
	pos := 0.0
	elapsed := float64(play.IdleCheckSeconds + play.IdleAnswer + 30)
	for t2 := 15.0; t2 <= elapsed; t2 += 15 {
		c.addSec(15)
		pos += 15
		_, _ = s.Heartbeat(context.Background(), p, play.PlayID, beat(pos, "playing"))
	}
	r, _ := s.Heartbeat(context.Background(), p, play.PlayID, beat(pos, "playing"))
	if !r.PresenceDue {
		t.Fatalf("presence not asked for: %+v", r)
	}
	c.addSec(15)
	stuck, _ := s.Heartbeat(context.Background(), p, play.PlayID, beat(pos+15, "playing"))
	if stuck.WatchedSeconds != r.WatchedSeconds {
		t.Fatalf("credited while the idle check was unanswered: %v -> %v", r.WatchedSeconds, stuck.WatchedSeconds)
	}
	if _, err := s.ConfirmPresence(context.Background(), p, play.PlayID); err != nil {
		t.Fatal(err)
	}
	c.addSec(15)
	after, _ := s.Heartbeat(context.Background(), p, play.PlayID, beat(stuck.Position+15, "playing"))
	if after.WatchedSeconds != stuck.WatchedSeconds+15 || after.PresenceDue {
		t.Fatalf("after answering: %+v (was %+v)", after, stuck)
	}
}

func TestFlushMovesProgressForwardOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 200)
	s := e.instance()
	f := NewFlusher(e.db, e.cache, s, slog.New(slog.DiscardHandler))
	c := &clock{t: time.Now()}
	p := learner(15)
	play := startAt(t, s, c, p, e.lesson.ID)
	for pos := 15.0; pos <= 60; pos += 15 {
		c.addSec(15)
		if _, err := s.Heartbeat(context.Background(), p, play.PlayID, beat(pos, "playing")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.FlushOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("flush = %d, %v", n, err)
	}
	var row Progress
	e.db.Where("user_id = ? AND lesson_id = ?", 15, e.lesson.ID).First(&row)
	if row.Watched != 60 || row.Furthest != 60 || row.Coverage != 0.3 || row.Position != 60 || row.Segments == "" {
		t.Fatalf("flushed row = %+v", row)
	}
	// Nothing dirty: nothing written.
	if n, _ := f.FlushOnce(context.Background()); n != 0 {
		t.Fatalf("second flush wrote %d", n)
	}
	// An older state (say a stale instance) never moves SQL backwards.
	stale := progressRow{UserID: 15, LessonID: e.lesson.ID, CourseID: e.course.ID, UpdatedAt: time.Now(), State: State{Version: 1, Duration: 200, Position: 10, Furthest: 10, Watched: 10, Coverage: 0.05}}
	if err := upsertProgress(e.db, []progressRow{stale}); err != nil {
		t.Fatal(err)
	}
	e.db.Where("user_id = ? AND lesson_id = ?", 15, e.lesson.ID).First(&row)
	if row.Watched != 60 || row.Furthest != 60 || row.Coverage != 0.3 {
		t.Fatalf("progress moved backwards: %+v", row)
	}
	// Losing the live state (restart of the embedded server, eviction)
	// resumes from SQL. Only this learner's keys go: the Redis is shared.
	e.cache.Del(context.Background(), s.live.progKey(15, e.lesson.ID), s.live.segKey(15, e.lesson.ID), s.live.playKey(15))
	again := startAt(t, s, c, p, e.lesson.ID)
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
	e := newEnv(t, 100)
	s := e.instance()
	c := &clock{t: time.Now()}
	p := learner(17)
	play := startAt(t, s, c, p, e.lesson.ID)
	c.addSec(10)
	if _, err := s.Heartbeat(context.Background(), p, play.PlayID, beat(10, "playing")); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{s.live.playKey(17), s.live.progKey(17, e.lesson.ID), s.live.segKey(17, e.lesson.ID)} {
		ttl, err := e.cache.TTL(context.Background(), k).Result()
		if err != nil || ttl <= 0 {
			t.Errorf("%s: ttl %v, %v", k, ttl, err)
		}
	}
}
