package cache_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"college/storage/cache"
	"college/storage/cache/cachetest"
)

func TestDurabilityWarnings(t *testing.T) {
	for _, c := range []struct {
		info string
		want []string
	}{
		{"# Persistence\r\naof_enabled:1\r\n# Memory\r\nmaxmemory_policy:noeviction\r\n", nil},
		{"# Persistence\r\naof_enabled:0\r\n# Memory\r\nmaxmemory_policy:noeviction\r\n", []string{"appendonly no"}},
		{"aof_enabled:1\r\nmaxmemory_policy:allkeys-lru\r\n", []string{"allkeys-lru"}},
		{"aof_enabled:0\r\nmaxmemory_policy:volatile-lru\r\n", []string{"appendonly no", "volatile-lru"}},
	} {
		got := cache.DurabilityWarnings(c.info)
		if len(got) != len(c.want) || !slices.EqualFunc(got, c.want, strings.Contains) {
			t.Errorf("%q: %q, want ones naming %q", c.info, got, c.want)
		}
	}
}

// Against the Redis the tests run on: the warnings follow its settings.
func TestDurabilityOfTheTestRedis(t *testing.T) {
	c := cachetest.New(t)
	ctx := context.Background()
	got, err := c.Durability(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedded() {
		if got != nil {
			t.Fatalf("embedded: %q", got)
		}
		return
	}
	aof, err := c.ConfigGet(ctx, "appendonly").Result()
	if err != nil {
		t.Skipf("CONFIG GET refused by this Redis: %v", err)
	}
	if off := aof["appendonly"] == "no"; off != slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "appendonly no") }) {
		t.Fatalf("appendonly %q, warnings %q", aof["appendonly"], got)
	}
}
