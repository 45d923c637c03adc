package cache

import (
	"context"
	"time"
)

// Struck reports whether key has counted limit strikes or more (wrong
// sign-in codes, say) within the window of its last Strike.
func (c *Cache) Struck(ctx context.Context, key string, limit int) bool {
	n, _ := c.Get(ctx, key).Int()
	return n >= limit
}

// Strike counts one more strike against key; the count is forgotten once
// window has passed since this strike.
func (c *Cache) Strike(ctx context.Context, key string, window time.Duration) {
	pipe := c.TxPipeline()
	pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, window)
	_, _ = pipe.Exec(ctx)
}
