package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"college/modules/web"
	"college/storage/cache"
	"college/storage/cache/cachetest"
	"college/storage/db"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

// newTestSessions is one instance's session store over c and gdb.
func newTestSessions(t *testing.T, c *cache.Cache, gdb *gorm.DB) *Sessions {
	t.Helper()
	return NewSessions(SessionDeps{Cache: c, DB: gdb})
}

// loseRedisData empties the test's Redis, as a restart without persistence
// or a failover to an empty replica would.
func loseRedisData(t *testing.T, c *cache.Cache) {
	t.Helper()
	ctx := context.Background()
	if c.Embedded() {
		if err := c.FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		return
	}
	// A real Redis is shared: only this test's keys go.
	var keys []string
	iter := c.Scan(ctx, 0, c.Key("")+"*", 500).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		if err := c.Del(ctx, keys...).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// sessionRows counts the session rows matching where.
func sessionRows(t *testing.T, gdb *gorm.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := gdb.Model(&SessionRecord{}).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func mustLookup(t *testing.T, s *Sessions, tok, when string) *web.Principal {
	t.Helper()
	p, err := s.Lookup(context.Background(), tok)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	return p
}

func mustNoSession(t *testing.T, s *Sessions, tok, when string) {
	t.Helper()
	if p, err := s.Lookup(context.Background(), tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("%s: got %+v, %v; want ErrNoSession", when, p, err)
	}
}

func inRedis(t *testing.T, c *cache.Cache, tok string) bool {
	t.Helper()
	n, err := c.Exists(context.Background(), c.Key("sess", TokenID(tok))).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	s := newTestSessions(t, cachetest.New(t), dbtest.New(t, Migrations()...))
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
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	a, b := newTestSessions(t, c, gdb), newTestSessions(t, c, gdb) // two instances
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
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	a, b := newTestSessions(t, c, gdb), newTestSessions(t, c, gdb)
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

// A session outlives Redis losing its data: another instance, with no copy
// of its own, finds it in SQL with the same principal and CSRF token, and
// puts it back into Redis.
func TestSessionSurvivesRedisLosingItsData(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	a := newTestSessions(t, c, gdb)
	ctx := context.Background()
	p := web.Principal{UserID: 11, Username: "lihua", Name: "李华", Roles: []string{"learner", "teacher"}, OrgID: 4, OrgPath: "/1/4/",
		Level: "县处级", MustChangePassword: true}
	tok, err := a.Create(ctx, p, time.Hour, 8*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	before := mustLookup(t, a, tok, "before the loss")
	id := TokenID(tok)
	if sessionRows(t, gdb, "id = ?", id) != 1 || sessionRows(t, gdb, "id = ? OR principal LIKE ?", tok, "%"+tok+"%") != 0 {
		t.Fatal("the row must be keyed by the token's hash and never hold the token")
	}

	loseRedisData(t, c)
	if inRedis(t, c, tok) {
		t.Fatal("Redis still holds the session")
	}
	b := newTestSessions(t, c, gdb)
	got := mustLookup(t, b, tok, "after the loss, on another instance")
	if !reflect.DeepEqual(got, before) || got.CSRF == "" {
		t.Fatalf("principal after the loss = %+v, want %+v", got, before)
	}
	mustNoSession(t, b, tok+"x", "a wrong token")

	// Redis holds it again, in the user's set too.
	raw, err := c.Get(ctx, c.Key("sess", id)).Bytes()
	if err != nil {
		t.Fatalf("not back in Redis: %v", err)
	}
	var st stored
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	want := *before
	want.SessionID = ""
	if !reflect.DeepEqual(st.P, want) {
		t.Fatalf("Redis holds %+v, want %+v", st.P, want)
	}
	if in, err := c.SIsMember(ctx, c.Key("usess", "11"), id).Result(); err != nil || !in {
		t.Fatalf("user set lists the session: %v, %v", in, err)
	}
	if ttl := c.TTL(ctx, c.Key("sess", id)).Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("TTL = %v, want the idle timeout", ttl)
	}
	if n := a.Count(ctx, 11); n != 1 {
		t.Fatalf("count = %d", n)
	}
}

// An ended session stays ended when Redis then loses its data: its row is
// gone, so SQL cannot bring it back.
func TestEndedSessionStaysEndedAfterRedisLoss(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"End", "EndUser"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
			a := newTestSessions(t, c, gdb)
			ctx := context.Background()
			tok, err := a.Create(ctx, web.Principal{UserID: 21, OrgPath: "/1/"}, time.Hour, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			other, err := a.Create(ctx, web.Principal{UserID: 22, OrgPath: "/1/"}, time.Hour, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			mustLookup(t, a, tok, "before the end")
			if how == "End" {
				err = a.End(ctx, TokenID(tok), 21)
			} else {
				err = a.EndUser(ctx, 21, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := sessionRows(t, gdb, "user_id = ?", 21); n != 0 {
				t.Fatalf("%d rows left", n)
			}
			loseRedisData(t, c)
			b := newTestSessions(t, c, gdb)
			mustNoSession(t, b, tok, "ended, after the loss")
			mustNoSession(t, a, tok, "ended, after the loss, on the instance that ended it")
			mustLookup(t, b, other, "another user's session, after the loss")
		})
	}
}

// EndUser ends a user's sessions when Redis has lost the set listing them:
// the rows go, and so do the keys of sessions a request has already put
// back into Redis.
func TestEndUserAfterRedisLoss(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	a := newTestSessions(t, c, gdb)
	ctx := context.Background()
	var toks []string
	for i := 0; i < 3; i++ {
		tok, err := a.Create(ctx, web.Principal{UserID: 31, OrgPath: "/1/"}, time.Hour, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	other, err := a.Create(ctx, web.Principal{UserID: 32, OrgPath: "/1/"}, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keep := toks[2]

	loseRedisData(t, c)
	b := newTestSessions(t, c, gdb)
	mustLookup(t, b, toks[0], "after the loss") // back in Redis, and in b's copies
	if !inRedis(t, c, toks[0]) {
		t.Fatal("not back in Redis")
	}
	// The set, rebuilt by that request, is lost too: Redis lists nothing.
	if err := c.Del(ctx, c.Key("usess", "31")).Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.EndUser(ctx, 31, TokenID(keep)); err != nil {
		t.Fatal(err)
	}
	if inRedis(t, c, toks[0]) {
		t.Fatal("EndUser left the key of a session only SQL listed")
	}
	fresh := newTestSessions(t, c, gdb)
	for i, tok := range toks[:2] {
		mustNoSession(t, b, tok, fmt.Sprintf("session %d on the instance that ended it", i))
		mustNoSession(t, fresh, tok, fmt.Sprintf("session %d on another instance", i))
	}
	mustLookup(t, fresh, keep, "the kept session")
	mustLookup(t, fresh, other, "another user's session")
	if n := sessionRows(t, gdb, "user_id = ?", 31); n != 1 {
		t.Fatalf("%d rows of the user left, want the kept one", n)
	}
}

// A session begun before the table existed lives in Redis only: it keeps
// working past an SQL touch interval (no row is no reason to end it), and
// EndUser ends it through the user's set.
func TestSessionWithoutRowLivesInRedis(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	s := newTestSessions(t, c, gdb)
	ctx := context.Background()
	clock := time.Now()
	s.now = func() time.Time { return clock }
	tok := "legacy-token-legacy-token-legacy-token-legacy"
	id := TokenID(tok)
	b, _ := json.Marshal(stored{P: web.Principal{UserID: 41, OrgPath: "/1/", CSRF: "c"}, Expires: clock.Add(8 * time.Hour).UnixMilli(), IdleSec: 3600, Created: clock.Unix()})
	if err := c.Set(ctx, c.Key("sess", id), b, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.SAdd(ctx, c.Key("usess", "41"), id).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		clock = clock.Add(sqlTouchEvery)
		if p := mustLookup(t, s, tok, fmt.Sprintf("after %v", time.Duration(i+1)*sqlTouchEvery)); p.CSRF != "c" {
			t.Fatalf("csrf = %q", p.CSRF)
		}
	}
	if err := s.EndUser(ctx, 41, ""); err != nil {
		t.Fatal(err)
	}
	if inRedis(t, c, tok) {
		t.Fatal("EndUser left a session without a row")
	}
	mustNoSession(t, s, tok, "after EndUser")
}

// Through SQL, a session ends by time as it does in Redis: idle for longer
// than its timeout plus the lag of last_seen_at, or past its absolute end.
// The refused row is deleted.
func TestSessionRecordIdleAndAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	const idle = time.Hour
	slack := sqlTouchInterval(idle)
	cases := []struct {
		name     string
		absolute time.Duration
		lose     string // "all": Redis loses everything; "key": only the key (Redis expired it)
		after    time.Duration
		alive    bool
	}{
		{"idle within the lag of last_seen_at", 8 * time.Hour, "all", idle + slack - time.Minute, true},
		{"idle past the lag", 8 * time.Hour, "all", idle + slack + time.Second, false},
		// The user's set still lists the session: Redis expired the key
		// because the session idled out, not because it lost it.
		{"idled out in Redis", 8 * time.Hour, "key", idle + time.Minute, false},
		{"before the absolute end", 30 * time.Minute, "all", 29 * time.Minute, true},
		{"past the absolute end", 30 * time.Minute, "all", 31 * time.Minute, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
			a := newTestSessions(t, c, gdb)
			ctx := context.Background()
			clock := time.Now()
			a.now = func() time.Time { return clock }
			tok, err := a.Create(ctx, web.Principal{UserID: 51, OrgPath: "/1/"}, idle, tc.absolute)
			if err != nil {
				t.Fatal(err)
			}
			if tc.lose == "all" {
				loseRedisData(t, c)
			} else if err := c.Del(ctx, c.Key("sess", TokenID(tok))).Err(); err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(tc.after)
			b := newTestSessions(t, c, gdb)
			b.now = a.now
			if tc.alive {
				mustLookup(t, b, tok, "through SQL")
				if !inRedis(t, c, tok) {
					t.Fatal("not back in Redis")
				}
				return
			}
			mustNoSession(t, b, tok, "through SQL")
			if n := sessionRows(t, gdb, "id = ?", TokenID(tok)); n != 0 {
				t.Fatal("the refused row is still there")
			}
			if inRedis(t, c, tok) {
				t.Fatal("a refused session was put back into Redis")
			}
		})
	}
}

// Steady traffic writes last_seen_at once per sqlTouchInterval, whichever
// instance serves it: the time of the write travels with the session in
// Redis.
func TestSessionTouchesSQLOncePerInterval(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	var writes atomic.Int64
	count := func(*gorm.DB) { writes.Add(1) }
	cb := gdb.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("test:count_create", count),
		cb.Update().After("gorm:update").Register("test:count_update", count),
		cb.Delete().After("gorm:delete").Register("test:count_delete", count),
		cb.Raw().After("gorm:raw").Register("test:count_raw", count),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := newTestSessions(t, c, gdb), newTestSessions(t, c, gdb)
	ctx := context.Background()
	start := time.Now()
	clock := start
	a.now = func() time.Time { return clock }
	b.now = a.now
	const idle = time.Hour
	every := sqlTouchInterval(idle)
	tok, err := a.Create(ctx, web.Principal{UserID: 61, OrgPath: "/1/"}, idle, 8*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if writes.Load() != 1 {
		t.Fatalf("create wrote %d times", writes.Load())
	}
	seen := func() time.Time {
		t.Helper()
		var r SessionRecord
		if err := gdb.Take(&r, "id = ?", TokenID(tok)).Error; err != nil {
			t.Fatal(err)
		}
		return r.LastSeenAt
	}
	// steps moves the clock on in 20 s steps (longer than localTTL, so each
	// lookup reads Redis) up to start+until, with lookups on both instances.
	steps := func(until time.Duration) {
		t.Helper()
		for clock.Add(20*time.Second).Sub(start) <= until {
			clock = clock.Add(20 * time.Second)
			mustLookup(t, a, tok, "steady traffic on a")
			mustLookup(t, b, tok, "steady traffic on b")
			mustLookup(t, b, tok, "steady traffic on b, from its copy")
		}
	}
	steps(every - time.Second)
	if n := writes.Load() - 1; n != 0 {
		t.Fatalf("%d SQL writes within the touch interval, want none", n)
	}
	clock = start.Add(every)
	mustLookup(t, a, tok, "at the touch interval")
	mustLookup(t, b, tok, "at the touch interval, on the other instance")
	if n := writes.Load() - 1; n != 1 {
		t.Fatalf("%d SQL writes at the touch interval, want 1", n)
	}
	if got := seen(); !got.Equal(dbTime(clock)) {
		t.Fatalf("last_seen_at = %v, want %v", got, dbTime(clock))
	}
	steps(2*every - time.Second)
	if n := writes.Load() - 1; n != 1 {
		t.Fatalf("%d SQL writes within the second interval, want 1", n)
	}
	steps(2*every + 20*time.Second)
	if n := writes.Load() - 1; n != 2 {
		t.Fatalf("%d SQL writes after the second interval, want 2", n)
	}
}

// PurgeExpired deletes the rows of sessions ended by time, more than one
// batch of them, and keeps live ones, each judged by its own idle timeout.
func TestPurgeExpiredSessions(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	s := newTestSessions(t, c, gdb)
	ctx := context.Background()
	now := dbTime(time.Now())
	var rows []SessionRecord
	add := func(n int, name string, idle, seenAgo, endsIn time.Duration) {
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("%s-%06d", name, i)
			rows = append(rows, SessionRecord{ID: id, UserID: uint64(i + 1), Principal: "{}", ExpiresAt: now.Add(endsIn),
				IdleSec: int64(idle / time.Second), CreatedAt: now.Add(-9 * time.Hour), LastSeenAt: now.Add(-seenAgo)})
		}
	}
	const halfHour = 30 * time.Minute // its lag: 5 minutes
	add(2300, "absolute", halfHour, 0, -time.Minute)
	add(1200, "idle", halfHour, halfHour+6*time.Minute, time.Hour)
	add(3, "short", 4*time.Minute, 5*time.Minute+time.Second, time.Hour) // lag 1 minute
	add(2, "lagging", halfHour, halfHour+4*time.Minute, time.Hour)
	add(2, "longidle", time.Hour, 50*time.Minute, time.Hour)
	add(2, "fresh", halfHour, 0, time.Hour)
	add(2, "shortlive", 4*time.Minute, 4*time.Minute+30*time.Second, time.Hour)
	if err := gdb.CreateInBatches(rows, 400).Error; err != nil {
		t.Fatal(err)
	}
	tok, err := s.Create(ctx, web.Principal{UserID: 71, OrgPath: "/1/"}, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.PurgeExpired(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2300+1200+3 {
		t.Fatalf("purged %d rows, want %d", n, 2300+1200+3)
	}
	var left []string
	if err := gdb.Model(&SessionRecord{}).Order("id").Pluck("id", &left).Error; err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range []string{"lagging", "longidle", "fresh", "shortlive"} {
		for i := 0; i < 2; i++ {
			want = append(want, fmt.Sprintf("%s-%06d", name, i))
		}
	}
	want = append(want, TokenID(tok))
	sort.Strings(want)
	if strings.Join(left, ",") != strings.Join(want, ",") {
		t.Fatalf("rows left = %v, want %v", left, want)
	}
	loseRedisData(t, c)
	mustLookup(t, newTestSessions(t, c, gdb), tok, "a live session after the purge")
	if n, err := s.PurgeExpired(ctx, now); err != nil || n != 0 {
		t.Fatalf("second purge = %d, %v", n, err)
	}
}

// While Redis is down, SQL answers: sessions keep working, an End still
// holds, and only SQL failing as well is an error (not a logout).
func TestSessionOutlivesRedisOutage(t *testing.T) {
	t.Parallel()
	gdb := dbtest.New(t, Migrations()...)
	ctx := context.Background()
	// A cache of this test's own (embedded), to be stopped.
	c, err := cache.Open(ctx, cache.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	a, b := newTestSessions(t, c, gdb), newTestSessions(t, c, gdb)
	clock := time.Now()
	a.now = func() time.Time { return clock }
	b.now = a.now
	var toks []string
	for i := 0; i < 2; i++ {
		tok, err := a.Create(ctx, web.Principal{UserID: 81, Username: "u" + strconv.Itoa(i), OrgPath: "/1/"}, time.Hour, 8*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	before := mustLookup(t, a, toks[0], "before the outage")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("Redis still answers")
	}

	got := mustLookup(t, b, toks[0], "Redis down")
	if !reflect.DeepEqual(got, before) {
		t.Fatalf("principal = %+v, want %+v", got, before)
	}
	mustNoSession(t, b, toks[0]+"x", "a wrong token, Redis down")
	if _, err := a.Create(ctx, web.Principal{UserID: 81, OrgPath: "/1/"}, time.Hour, time.Hour); err == nil {
		t.Fatal("a login succeeded without Redis")
	}
	if n := sessionRows(t, gdb, "user_id = ?", 81); n != 2 {
		t.Fatalf("%d rows, want 2: a failed login leaves none", n)
	}
	if err := a.End(ctx, TokenID(toks[0]), 81); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(localTTL + time.Second) // b's copy goes stale
	mustNoSession(t, b, toks[0], "ended while Redis was down")

	if err := db.Close(gdb); err != nil {
		t.Fatal(err)
	}
	if p, err := b.Lookup(ctx, toks[1]); err == nil || errors.Is(err, ErrNoSession) {
		t.Fatalf("Redis and SQL down: %+v, %v; want an error other than ErrNoSession", p, err)
	}
}

// A login that lands while EndUser runs, after its delete of the user's
// rows but before it reads the user's set, is ended with its row: SQL must
// not bring back a session EndUser ended in Redis.
func TestEndUserEndsSessionBegunMeanwhile(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	s := newTestSessions(t, c, gdb)
	ctx := context.Background()
	if _, err := s.Create(ctx, web.Principal{UserID: 91, OrgPath: "/1/"}, time.Hour, time.Hour); err != nil {
		t.Fatal(err)
	}
	var arm atomic.Bool
	var late string
	err := gdb.Callback().Delete().After("gorm:commit_or_rollback_transaction").Register("test:login_meanwhile", func(tx *gorm.DB) {
		if tx.Statement.Table == "sessions" && arm.CompareAndSwap(true, false) {
			tok, err := s.Create(context.Background(), web.Principal{UserID: 91, OrgPath: "/1/"}, time.Hour, time.Hour)
			if err != nil {
				t.Error(err)
			}
			late = tok
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	arm.Store(true)
	if err := s.EndUser(ctx, 91, ""); err != nil {
		t.Fatal(err)
	}
	if late == "" {
		t.Fatal("no login during EndUser")
	}
	if n := sessionRows(t, gdb, "user_id = ?", 91); n != 0 {
		t.Fatalf("%d rows left", n)
	}
	loseRedisData(t, c)
	mustNoSession(t, newTestSessions(t, c, gdb), late, "the session begun during EndUser, after a Redis loss")
}

// An End that lands while another instance puts the session back from SQL
// into Redis, after that instance read the row, still ends it: the key
// written after the End goes again.
func TestSessionEndedDuringRestoreStaysEnded(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	a, b := newTestSessions(t, c, gdb), newTestSessions(t, c, gdb)
	ctx := context.Background()
	tok, err := a.Create(ctx, web.Principal{UserID: 95, OrgPath: "/1/"}, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	loseRedisData(t, c)
	var arm atomic.Bool
	err = gdb.Callback().Query().After("gorm:query").Register("test:end_meanwhile", func(tx *gorm.DB) {
		if tx.Statement.Table == "sessions" && arm.CompareAndSwap(true, false) {
			if err := a.End(context.Background(), TokenID(tok), 95); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	arm.Store(true)
	mustNoSession(t, b, tok, "ended while being restored")
	if arm.Load() {
		t.Fatal("the End did not run")
	}
	if inRedis(t, c, tok) {
		t.Fatal("the restore left an ended session in Redis")
	}
	mustNoSession(t, newTestSessions(t, c, gdb), tok, "ended while being restored, on another instance")
}

// A session whose row is gone while Redis still holds it (an End while
// Redis failed) ends at its next SQL touch.
func TestSessionEndsWhenItsRowIsGone(t *testing.T) {
	t.Parallel()
	c, gdb := cachetest.New(t), dbtest.New(t, Migrations()...)
	s := newTestSessions(t, c, gdb)
	ctx := context.Background()
	clock := time.Now()
	s.now = func() time.Time { return clock }
	tok, err := s.Create(ctx, web.Principal{UserID: 97, OrgPath: "/1/"}, time.Hour, 8*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := gdb.Where("id = ?", TokenID(tok)).Delete(&SessionRecord{}).Error; err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(sqlTouchInterval(time.Hour) - time.Second)
	mustLookup(t, s, tok, "before its SQL touch")
	clock = clock.Add(2 * time.Second)
	mustNoSession(t, s, tok, "at its SQL touch, without a row")
	if inRedis(t, c, tok) {
		t.Fatal("still in Redis")
	}
}
