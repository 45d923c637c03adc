package cache_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"college/storage/cache"
	"college/storage/cache/cachetest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestEveryRunsUntilCancelAndLogsFailuresByName(t *testing.T) {
	t.Parallel()
	for _, fromNow := range []bool{false, true} {
		var buf lockedBuffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		ctx, cancel := context.WithCancel(context.Background())
		var runs atomic.Int32
		first := make(chan time.Duration, 1)
		start := time.Now()
		job := func(context.Context) error {
			if runs.Add(1) == 1 {
				first <- time.Since(start)
			}
			if runs.Load() == 3 {
				cancel()
			}
			return errors.New("boom")
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if fromNow {
				cache.EveryFromNow(ctx, log, "test: job", 50*time.Millisecond, job)
			} else {
				cache.Every(ctx, log, "test: job", 50*time.Millisecond, job)
			}
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Every did not return after cancel")
		}
		if d := <-first; fromNow != (d < 40*time.Millisecond) {
			t.Fatalf("fromNow=%v: first run after %v", fromNow, d)
		}
		// The third run ends ctx: its failure is not logged.
		if n := strings.Count(buf.String(), `msg="test: job" err=boom`); n != 2 {
			t.Fatalf("fromNow=%v: %d failures logged, want 2:\n%s", fromNow, n, buf.String())
		}
	}
}

func TestLeasedRunsOneHolderAtATime(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	ctx := context.Background()
	ran := 0
	err := c.Leased(ctx, "job", time.Minute, func(ctx context.Context) error {
		ran++
		// Another instance asking meanwhile skips its run.
		return c.Leased(ctx, "job", time.Minute, func(context.Context) error {
			t.Fatal("ran under a lease held by another")
			return nil
		})
	})
	if err != nil || ran != 1 {
		t.Fatalf("ran %d, err %v", ran, err)
	}
	// Released after the run, so the next one runs, and errors come back.
	want := errors.New("job failed")
	if err := c.Leased(ctx, "job", time.Minute, func(context.Context) error { return want }); !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	var none *cache.Cache
	if err := none.Leased(ctx, "job", time.Minute, func(context.Context) error { ran++; return nil }); err != nil || ran != 2 {
		t.Fatalf("nil cache: ran %d, err %v", ran, err)
	}
}

// A job longer than the lease's TTL keeps it (renewed as it runs), and a
// job whose lease is taken from it is cancelled.
func TestLeasedRenewsWhileTheJobRuns(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	ctx := context.Background()
	const ttl = 1500 * time.Millisecond // the embedded server expires keys each second
	err := c.Leased(ctx, "long", ttl, func(ctx context.Context) error {
		time.Sleep(2 * ttl)
		l, err := c.Acquire(ctx, "long", ttl)
		if err != nil || l != nil {
			t.Errorf("another instance took the lease of a running job: %v %v", l, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	lost := c.Leased(ctx, "lost", ttl, func(ctx context.Context) error {
		c.Del(ctx, c.Key("lease", "lost")) // another holder, after a failover
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * ttl):
			return errors.New("the job ran on without its lease")
		}
	})
	if !errors.Is(lost, context.Canceled) {
		t.Fatalf("job without its lease: %v", lost)
	}
}
