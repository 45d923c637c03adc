package learning

import (
	"context"
	"sync"

	"college/storage/cache"

	"github.com/redis/go-redis/v9"
)

// scriptBatcher sends the heartbeat scripts of concurrent requests to Redis
// together, one pipeline per round trip: Redis reads and answers many
// commands per system call, which is where most of a heartbeat's cost is.
// A request waits only for the round trip already under way.
type scriptBatcher struct {
	c    *cache.Cache
	in   chan *scriptCall
	once sync.Once
}

type scriptCall struct {
	keys []string
	args []any
	res  *redis.Cmd
	done chan struct{}
}

const (
	batchMax     = 256
	batchWorkers = 4
)

func newScriptBatcher(c *cache.Cache) *scriptBatcher {
	return &scriptBatcher{c: c, in: make(chan *scriptCall, 4*batchMax)}
}

func (b *scriptBatcher) start() {
	for i := 0; i < batchWorkers; i++ {
		go b.work()
	}
}

// run executes the script for one request as part of the next batch.
func (b *scriptBatcher) run(ctx context.Context, keys []string, args []any) (*redis.Cmd, error) {
	b.once.Do(b.start)
	call := &scriptCall{keys: keys, args: args, done: make(chan struct{})}
	select {
	case b.in <- call:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-call.done:
		return call.res, call.res.Err()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *scriptBatcher) work() {
	ctx := context.Background()
	batch := make([]*scriptCall, 0, batchMax)
	for first := range b.in {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < batchMax {
			select {
			case c := <-b.in:
				batch = append(batch, c)
			default:
				break drain
			}
		}
		b.exec(ctx, batch)
		for _, c := range batch {
			close(c.done)
		}
	}
}

func (b *scriptBatcher) exec(ctx context.Context, batch []*scriptCall) {
	pipe := b.c.Pipeline()
	for _, c := range batch {
		c.res = heartbeatScript.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	_, _ = pipe.Exec(ctx)
	if !isNoScript(batch[0].res.Err()) {
		return
	}
	// First use on this server: load the script, then run the batch again.
	if err := heartbeatScript.Load(ctx, b.c).Err(); err != nil {
		return
	}
	pipe = b.c.Pipeline()
	for _, c := range batch {
		c.res = heartbeatScript.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	_, _ = pipe.Exec(ctx)
}
