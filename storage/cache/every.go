package cache

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Every runs job every interval until ctx ends; a failure is logged under
// name unless ctx has ended meanwhile.
func Every(ctx context.Context, log *slog.Logger, name string, every time.Duration, job func(context.Context) error) {
	repeat(ctx, log, name, every, job, false)
}

// EveryFromNow is Every with a first run at once, for jobs that should not
// wait one whole interval after a start.
func EveryFromNow(ctx context.Context, log *slog.Logger, name string, every time.Duration, job func(context.Context) error) {
	repeat(ctx, log, name, every, job, true)
}

func repeat(ctx context.Context, log *slog.Logger, name string, every time.Duration, job func(context.Context) error, now bool) {
	t := time.NewTicker(every)
	defer t.Stop()
	run := func() {
		if err := job(ctx); err != nil && ctx.Err() == nil {
			log.Warn(name, "err", err)
		}
	}
	if now {
		run()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}

// Leased runs job while holding the lease named lease, so that one
// instance at a time does it; when another instance holds the lease it
// skips the run and returns nil. The lease is taken for ttl and renewed
// every ttl/3 while job runs, so a short ttl serves a long job and an
// instance that dies mid-job holds it up for at most ttl; losing the lease
// cancels job's context. It is released when job returns, and so on a
// graceful shutdown. A nil c (no shared cache) runs job as is.
func (c *Cache) Leased(ctx context.Context, lease string, ttl time.Duration, job func(context.Context) error) error {
	if c == nil {
		return job(ctx)
	}
	l, err := c.Acquire(ctx, lease, ttl)
	if err != nil || l == nil {
		return err
	}
	defer func() { _ = l.Release(context.WithoutCancel(ctx)) }()
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := l.Renew(jctx, ttl); errors.Is(err, ErrLeaseLost) {
					cancel()
					return
				}
			}
		}
	}()
	return job(jctx)
}
