package learning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"college/modules/catalog"
	"college/modules/hours"
	"college/modules/web"

	"gorm.io/gorm"
)

// flakyLedger fails while failing is set, as a database restarting under
// the completing heartbeat would, and credits through the real ledger
// otherwise.
type flakyLedger struct {
	Ledger
	failing atomic.Bool
}

func (l *flakyLedger) Credit(ctx context.Context, tx *gorm.DB, c hours.Credit) (bool, error) {
	if l.failing.Load() {
		return false, errors.New("injected: database connection lost")
	}
	return l.Ledger.Credit(ctx, tx, c)
}

// credits counts a learner's ledger entries and tells whether their
// enrollment is complete.
func (v *viewer) credits() (int64, *time.Time) {
	v.t.Helper()
	var n int64
	if err := v.db.Table("hour_entries").Where("user_id = ?", v.p.UserID).Count(&n).Error; err != nil {
		v.t.Fatal(err)
	}
	var e Enrollment
	if err := v.db.Where("user_id = ? AND course_id = ?", v.p.UserID, v.course.ID).First(&e).Error; err != nil {
		v.t.Fatal(err)
	}
	return n, e.CompletedAt
}

// The completing heartbeat's transaction fails (the ledger insert errors,
// as when the database restarts): the heartbeat fails, and the course is
// completed and credited once afterwards from the durable progress — by
// the next write of the lesson's progress, by the flusher, by 我的课程, or
// by the sweep — dated when the lesson was completed.
func TestFailedCompletionIsCreditedOnceLater(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"write", "my-courses", "my-hours", "sweep"} {
		t.Run(path, func(t *testing.T) {
			v := newViewer(t, 100, 21)
			flaky := &flakyLedger{Ledger: v.s.ledger}
			flaky.failing.Store(true)
			v.s.ledger = flaky
			v.playTo(10, 90)
			v.c.addSec(10)
			if _, err := v.beat(100, "playing"); err == nil {
				t.Fatal("the completing heartbeat succeeded with a failing ledger")
			}
			if n, done := v.credits(); n != 0 || done != nil {
				t.Fatalf("after the failed completion: %d credits, completed %v", n, done)
			}
			// "write": the database is back for the next beat; the other
			// paths: it fails through the next beat and the flush too.
			flaky.failing.Store(path != "write")
			// Later beats see the lesson done in Redis.
			v.c.addSec(5)
			r, err := v.beat(100, "ended")
			if err != nil || !r.Completed {
				t.Fatalf("next beat: %+v %v", r, err)
			}
			f := NewFlusher(v.db, v.cache, v.s, slog.New(slog.DiscardHandler))
			f.SweepEvery = 0
			if _, err := f.FlushOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			flaky.failing.Store(false)
			switch path {
			case "my-courses":
				cs, err := v.s.MyCourses(context.Background(), v.p, "")
				if err != nil || len(cs) != 1 || cs[0].CompletedAt == nil {
					t.Fatalf("my courses: %+v %v", cs, err)
				}
			case "my-hours":
				// What the hours module calls before it reads 我的学时.
				if err := v.s.SettleLearner(context.Background(), v.p.UserID); err != nil {
					t.Fatal(err)
				}
			case "sweep":
				if n, done := v.credits(); n != 0 || done != nil {
					t.Fatalf("credited before the sweep: %d %v", n, done)
				}
				if n, err := v.s.SettleRecent(context.Background()); err != nil || n != 1 {
					t.Fatalf("sweep settled %d: %v", n, err)
				}
			}
			// The course is dated by its last lesson's completion in SQL
			// (written when that progress first reached SQL).
			var lesson Progress
			if err := v.db.Where("user_id = ? AND lesson_id = ?", v.p.UserID, v.lesson.ID).First(&lesson).Error; err != nil || lesson.CompletedAt == nil {
				t.Fatalf("lesson progress: %+v %v", lesson, err)
			}
			n, done := v.credits()
			if n != 1 || done == nil || !done.Equal(*lesson.CompletedAt) {
				t.Fatalf("%s: %d credits, completed at %v (lesson completed %v)", path, n, done, lesson.CompletedAt)
			}
			// Every path again: still once.
			if _, err := v.s.SettleRecent(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := v.s.MyCourses(context.Background(), v.p, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := v.s.Settle(context.Background(), []Pair{{v.p.UserID, v.course.ID}}); err != nil {
				t.Fatal(err)
			}
			if n, _ := v.credits(); n != 1 {
				t.Fatalf("%s: %d credits after settling again", path, n)
			}
		})
	}
}

// failingCatalog is the catalog with its database gone.
type failingCatalog struct{ Catalog }

func (failingCatalog) LessonByID(context.Context, uint64) (*catalog.Lesson, error) {
	return nil, errors.New("injected: database connection refused")
}

// A heartbeat on an instance that has not seen the lesson yet, while the
// database is down, is an error the player retries, not a not-found that
// drops the beat; a deleted lesson is still not found.
func TestHeartbeatWithTheDatabaseDownIsNotNotFound(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 100, 22)
	cold := v.instance()
	cold.now = v.c.now
	real := cold.catalog
	cold.catalog = failingCatalog{real}
	v.c.addSec(5)
	_, err := cold.Heartbeat(context.Background(), v.p, v.play.PlayID, beat(5, "playing"))
	if we := web.AsError(err); err == nil || we.Status == 404 || we.Status < 500 {
		t.Fatalf("database down: %v", err)
	}
	cold.catalog = real
	if err := v.db.Exec("DELETE FROM lessons WHERE id = ?", v.lesson.ID).Error; err != nil {
		t.Fatal(err)
	}
	fresh := v.instance()
	fresh.now = v.c.now
	if _, err := fresh.Heartbeat(context.Background(), v.p, v.play.PlayID, beat(5, "playing")); web.AsError(err).Status != 404 {
		t.Fatalf("deleted lesson: %v", err)
	}
}

// A play Redis no longer holds (it restarted without its data) is "lost",
// not "started on another device": the player starts a new play, which
// counts on from the durable progress.
func TestLostPlayIsNotSuperseded(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 200, 23)
	v.playTo(10, 40)
	f := NewFlusher(v.db, v.cache, v.s, slog.New(slog.DiscardHandler))
	if _, err := f.FlushOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.cache.Del(context.Background(), v.s.live.playKey(v.p.UserID), v.s.live.progKey(v.p.UserID, v.lesson.ID), v.s.live.segKey(v.p.UserID, v.lesson.ID))
	v.c.addSec(10)
	if _, err := v.beat(50, "playing"); web.AsError(err).Code != "play_lost" {
		t.Fatalf("beat of a lost play: %v", err)
	}
	v.play = v.start()
	if v.play.Furthest != 40 {
		t.Fatalf("new play resumes at %v, want the flushed 40", v.play.Furthest)
	}
	v.c.addSec(10)
	if r, err := v.beat(50, "playing"); err != nil || r.WatchedSeconds != 50 {
		t.Fatalf("the new play: %+v %v", r, err)
	}
}

// The sweep's query can use the completion-time index (a province holds
// ten million progress rows).
func TestSettleSweepUsesTheCompletedAtIndex(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 100)
	since := time.Now().Add(-time.Hour)
	stmt := e.db.Session(&gorm.Session{DryRun: true}).Model(&Progress{}).Select("user_id", "course_id", "completed_at").
		Where("completed = ? AND completed_at >= ?", true, since).Order("completed_at").Limit(settleBatch).Find(&[]Progress{}).Statement
	var plan []map[string]any
	if e.db.Dialector.Name() == "mysql" {
		e.db.Raw("EXPLAIN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan)
	} else {
		e.db.Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan)
	}
	if !strings.Contains(fmt.Sprint(plan), "idx_progress_completed_at") {
		t.Fatalf("the sweep does not use idx_progress_completed_at: %v", plan)
	}
}

// Redis loses the learner's live progress between the beat that completed
// the lesson and the completion's write: the completion is answered with
// an error, nothing is completed or credited in SQL, and the new play
// counts on from what SQL holds and credits the course once.
func TestCompletionAfterLiveStateLostIsNotAcknowledged(t *testing.T) {
	t.Parallel()
	v := newViewer(t, 100, 24)
	v.playTo(10, 90)
	f := NewFlusher(v.db, v.cache, v.s, slog.New(slog.DiscardHandler))
	f.SweepEvery = 0
	if _, err := f.FlushOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.cache.Del(context.Background(), v.s.live.playKey(v.p.UserID), v.s.live.progKey(v.p.UserID, v.lesson.ID), v.s.live.segKey(v.p.UserID, v.lesson.ID))
	credited, done, err := v.s.completeLesson(context.Background(), v.p.UserID, v.lesson.ID)
	if we := web.AsError(err); !errors.Is(err, errLiveStateLost) || we.Status != 503 || we.RetryAfter == 0 {
		t.Fatalf("completion without live state: credited %v, done %v, err %v", credited, done, err)
	}
	if credited != 0 || done {
		t.Fatalf("completion without live state reported credited %v, done %v", credited, done)
	}
	var lesson Progress
	if err := v.db.Where("user_id = ? AND lesson_id = ?", v.p.UserID, v.lesson.ID).First(&lesson).Error; err != nil {
		t.Fatal(err)
	}
	if lesson.Completed || lesson.CompletedAt != nil {
		t.Fatalf("the lesson was completed in SQL without its live state: %+v", lesson)
	}
	if n, at := v.credits(); n != 0 || at != nil {
		t.Fatalf("credited without live state: %d entries, completed %v", n, at)
	}
	v.play = v.start()
	if v.play.Furthest != 90 {
		t.Fatalf("new play resumes at %v, want the flushed 90", v.play.Furthest)
	}
	v.c.addSec(10)
	r, err := v.beat(100, "ended")
	if err != nil || !r.Completed || !r.CourseComplete || r.CreditedHours == 0 {
		t.Fatalf("completing beat of the new play: %+v %v", r, err)
	}
	if n, at := v.credits(); n != 1 || at == nil {
		t.Fatalf("after the new play: %d entries, completed %v", n, at)
	}
}
