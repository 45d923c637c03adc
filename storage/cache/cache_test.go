package cache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"college/storage/cache"
	"college/storage/cache/cachetest"
)

// The embedded server and a real Redis must behave the same for every
// command the college uses; this runs on whichever the environment gives.

func TestStringsHashesBitmapsAndTTL(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	ctx := context.Background()
	k := c.Key("h", "{u1}")
	if err := c.HSet(ctx, k, "pos", "12.5", "watched", 30).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.HIncrByFloat(ctx, k, "watched", 2.5).Err(); err != nil {
		t.Fatal(err)
	}
	m, err := c.HGetAll(ctx, k).Result()
	if err != nil || m["pos"] != "12.5" || m["watched"] != "32.5" {
		t.Fatalf("hgetall = %v, %v", m, err)
	}
	bk := c.Key("bits", "{u1}")
	for _, off := range []int64{0, 3, 99} {
		c.SetBit(ctx, bk, off, 1)
	}
	if n, _ := c.BitCount(ctx, bk, nil).Result(); n != 3 {
		t.Fatalf("bitcount = %d, want 3", n)
	}
	if err := c.Set(ctx, c.Key("short"), "x", 1500*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Get(ctx, c.Key("short")).Result(); v != "x" {
		t.Fatalf("get before expiry = %q", v)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := c.Exists(ctx, c.Key("short")).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("key with a 1.5 s TTL still there after 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPipelineAndScript(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	ctx := context.Background()
	pipe := c.Pipeline()
	inc := pipe.Incr(ctx, c.Key("n"))
	pipe.Expire(ctx, c.Key("n"), time.Minute)
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if inc.Val() != 1 {
		t.Fatalf("incr = %d", inc.Val())
	}
	if ttl, _ := c.TTL(ctx, c.Key("n")).Result(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("ttl = %v", ttl)
	}
}

func TestLease(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	ctx := context.Background()
	a, err := c.Acquire(ctx, "flush", time.Minute)
	if err != nil || a == nil {
		t.Fatalf("first acquire = %v, %v", a, err)
	}
	b, err := c.Acquire(ctx, "flush", time.Minute)
	if err != nil || b != nil {
		t.Fatalf("second acquire while held = %v, %v; want nil, nil", b, err)
	}
	if err := a.Renew(ctx, time.Minute); err != nil {
		t.Fatalf("renew: %v", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Renew(ctx, time.Minute); !errors.Is(err, cache.ErrLeaseLost) {
		t.Fatalf("renew after release: %v, want ErrLeaseLost", err)
	}
	b, err = c.Acquire(ctx, "flush", time.Minute)
	if err != nil || b == nil {
		t.Fatalf("acquire after release = %v, %v", b, err)
	}
	// A released stale holder cannot free the new holder's lease.
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.Acquire(ctx, "flush", time.Minute); again != nil {
		t.Fatal("stale release freed someone else's lease")
	}
}

func TestBroadcastReachesSubscribers(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	got := make(chan string, 1)
	c.Subscribe("sessions", func(p string) { got <- p })
	c.Subscribe("other", func(p string) { t.Errorf("wrong topic got %q", p) })
	// The subscription is asynchronous: publish until it arrives.
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case p := <-got:
			if p != "abc" {
				t.Fatalf("payload = %q", p)
			}
			return
		case <-tick.C:
			if err := c.Broadcast(context.Background(), "sessions", "abc"); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("broadcast never arrived")
		}
	}
}
