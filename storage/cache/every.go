package cache

import (
	"context"
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

// Leased runs job while holding the lease named lease for ttl, so that one
// instance at a time does it; when another instance holds the lease it
// skips the run and returns nil. A nil c (no shared cache) runs job as is.
func (c *Cache) Leased(ctx context.Context, lease string, ttl time.Duration, job func(context.Context) error) error {
	if c == nil {
		return job(ctx)
	}
	l, err := c.Acquire(ctx, lease, ttl)
	if err != nil || l == nil {
		return err
	}
	defer func() { _ = l.Release(context.WithoutCancel(ctx)) }()
	return job(ctx)
}
