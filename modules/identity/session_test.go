package identity

import (
	"context"
	"errors"
	"testing"
	"time"

	"college/modules/web"
	"college/storage/cache/cachetest"
)

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	s := NewSessions(cachetest.New(t))
	ctx := context.Background()
	clock := time.Now()
	s.now = func() time.Time { return clock }
	p := web.Principal{UserID: 7, Username: "u", Roles: []string{"learner"}, OrgPath: "/1/"}
	// after moves the clock on by d, then fails unless the session of tok
	// still lives (alive) or has ended; when says when that is.
	after := func(d time.Duration, tok string, alive bool, when string) {
		t.Helper()
		clock = clock.Add(d)
		_, err := s.Lookup(ctx, tok)
		if alive && err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if !alive && !errors.Is(err, ErrNoSession) {
			t.Fatalf("%s: %v, want ErrNoSession", when, err)
		}
	}

	// Idle: a session unused for longer than its idle timeout ends, even
	// while this instance still holds a copy.
	tok, err := s.Create(ctx, p, 2*time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup(ctx, tok)
	if err != nil || got.UserID != 7 || got.CSRF == "" || got.SessionID != TokenID(tok) {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	after(1500*time.Millisecond, tok, true, "used within the idle timeout")
	after(2500*time.Millisecond, tok, false, "after idling 2.5 s with a 2 s timeout")

	// Absolute: activity does not extend a session past its lifetime.
	tok, err = s.Create(ctx, p, time.Hour, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		after(900*time.Millisecond, tok, true, "active session ended early")
	}
	after(500*time.Millisecond, tok, false, "past the absolute lifetime")
}

func TestSessionExpiresInRedisWithoutThisInstance(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	a, b := NewSessions(c), NewSessions(c) // two instances
	ctx := context.Background()
	tok, err := a.Create(ctx, web.Principal{UserID: 1, OrgPath: "/1/"}, time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lookup(ctx, tok); err != nil {
		t.Fatalf("other instance: %v", err)
	}
	deadline := time.Now().Add(6 * time.Second)
	for {
		// b's copy is fresh for localTTL; after that Redis decides.
		time.Sleep(300 * time.Millisecond)
		if _, err := a.Lookup(context.Background(), tok+"x"); err == nil {
			t.Fatal("a wrong token was accepted")
		}
		if n, _ := c.Exists(ctx, c.Key("sess", TokenID(tok))).Result(); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("idle session still in Redis after 6 s with a 1 s idle timeout")
		}
	}
}

func TestEndIsSeenByOtherInstances(t *testing.T) {
	t.Parallel()
	c := cachetest.New(t)
	a, b := NewSessions(c), NewSessions(c)
	ctx := context.Background()
	tok, err := a.Create(ctx, web.Principal{UserID: 3, OrgPath: "/1/"}, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lookup(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if a.Count(ctx, 3) != 1 {
		t.Fatalf("count = %d", a.Count(ctx, 3))
	}
	if err := a.EndUser(ctx, 3, ""); err != nil {
		t.Fatal(err)
	}
	// b dropped its copy on the broadcast, or will within localTTL.
	deadline := time.Now().Add(localTTL + 2*time.Second)
	for {
		if _, err := b.Lookup(ctx, tok); errors.Is(err, ErrNoSession) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ended session still accepted by the other instance")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a.Count(ctx, 3) != 0 {
		t.Fatal("session still counted")
	}
}
