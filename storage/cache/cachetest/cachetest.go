// Package cachetest gives each test its own cache: the embedded server by
// default, or the Redis named by COLLEGE_TEST_REDIS_ADDR with a key prefix of
// the test's own, removed when the test ends.
package cachetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"college/storage/cache"
)

// EnvRedis names the address of a real Redis for tests.
const EnvRedis = "COLLEGE_TEST_REDIS_ADDR"

// New opens a cache isolated from other tests.
func New(t testing.TB) *cache.Cache {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "t" + hex.EncodeToString(b) + ":"
	var cfg cache.Config
	if addr := os.Getenv(EnvRedis); addr != "" {
		cfg = cache.Config{Addrs: []string{addr}, Prefix: prefix}
	}
	c, err := cache.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("cachetest: %v", err)
	}
	t.Cleanup(func() {
		if !c.Embedded() {
			ctx := context.Background()
			iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
			var keys []string
			for iter.Next(ctx) {
				keys = append(keys, iter.Val())
			}
			if len(keys) > 0 {
				c.Del(ctx, keys...)
			}
		}
		_ = c.Close()
	})
	return c
}

// Real reports whether tests run against a real Redis.
func Real() bool { return os.Getenv(EnvRedis) != "" }
