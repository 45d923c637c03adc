package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"college/modules/web"
	"college/storage/cache"

	"github.com/redis/go-redis/v9"
)

// Sessions keeps login sessions in Redis, with a short-lived copy in each
// instance so that an authenticated request usually costs no Redis round
// trip. Ending a session is broadcast so every instance drops its copy.
type Sessions struct {
	cache *cache.Cache
	now   func() time.Time

	mu    sync.RWMutex
	local map[string]*localSession
}

type localSession struct {
	mu       sync.Mutex // guards lastSeen and touched; the rest never changes
	p        *web.Principal
	expires  time.Time // absolute end
	idle     time.Duration
	lastSeen time.Time // last request seen by this instance
	touched  time.Time // last time the Redis TTL was renewed
	fetched  time.Time // when the copy was read from Redis
}

// stored is the session as kept in Redis.
type stored struct {
	P       web.Principal `json:"p"`
	Expires int64         `json:"e"` // unix milliseconds, absolute end
	IdleSec int64         `json:"i"`
	Created int64         `json:"c"`
}

// localTTL bounds how long an instance trusts its copy without asking Redis;
// broadcasts usually drop it much sooner.
const localTTL = 5 * time.Second

// touchEvery is how often an active session's idle timer is pushed back in Redis.
const touchEvery = 30 * time.Second

const sessionTopic = "session-end"

// ErrNoSession means the token is unknown, expired or ended.
var ErrNoSession = errors.New("identity: no session")

// NewSessions makes the session store and subscribes to session-end broadcasts.
func NewSessions(c *cache.Cache) *Sessions {
	s := &Sessions{cache: c, now: time.Now, local: map[string]*localSession{}}
	c.Subscribe(sessionTopic, func(id string) { s.dropLocal(id) })
	return s
}

// touchInterval is how often an active session's idle timer is pushed back
// in Redis: often enough that the timer never lapses while in use.
func touchInterval(idle time.Duration) time.Duration {
	if d := idle / 4; d < touchEvery {
		return d
	}
	return touchEvery
}

// prune drops stale copies; called with s.mu held when the map grows large.
func (s *Sessions) prune(now time.Time) {
	for k, v := range s.local {
		if now.Sub(v.fetched) > localTTL {
			delete(s.local, k)
		}
	}
}

// TokenID is the session key for a token: its SHA-256, so Redis never holds
// usable tokens.
func TokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Sessions) key(id string) string { return s.cache.Key("sess", id) }
func (s *Sessions) userKey(uid uint64) string {
	return s.cache.Key("usess", strconv.FormatUint(uid, 10))
}

// Create starts a session for p and returns its token.
func (s *Sessions) Create(ctx context.Context, p web.Principal, idle, absolute time.Duration) (string, error) {
	tok := make([]byte, 32)
	if _, err := rand.Read(tok); err != nil {
		return "", err
	}
	csrf := make([]byte, 18)
	if _, err := rand.Read(csrf); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(tok)
	p.CSRF = base64.RawURLEncoding.EncodeToString(csrf)
	now := s.now()
	st := stored{P: p, Expires: now.Add(absolute).UnixMilli(), IdleSec: int64(idle / time.Second), Created: now.Unix()}
	b, _ := json.Marshal(st)
	id := TokenID(token)
	pipe := s.cache.TxPipeline()
	pipe.Set(ctx, s.key(id), b, idle)
	pipe.SAdd(ctx, s.userKey(p.UserID), id)
	pipe.Expire(ctx, s.userKey(p.UserID), absolute)
	if _, err := pipe.Exec(ctx); err != nil {
		return "", fmt.Errorf("identity: save session: %w", err)
	}
	return token, nil
}

// Lookup returns the principal of a live session, renewing its idle timer.
func (s *Sessions) Lookup(ctx context.Context, token string) (*web.Principal, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	id := TokenID(token)
	now := s.now()
	s.mu.RLock()
	ls := s.local[id]
	s.mu.RUnlock()
	if ls != nil && now.Sub(ls.fetched) < localTTL {
		ls.mu.Lock()
		ended := now.After(ls.expires) || now.Sub(ls.lastSeen) > ls.idle
		touch := false
		if !ended {
			ls.lastSeen = now
			if touch = now.Sub(ls.touched) > touchInterval(ls.idle); touch {
				ls.touched = now
			}
		}
		ls.mu.Unlock()
		if ended {
			s.End(ctx, id, ls.p.UserID)
			return nil, ErrNoSession
		}
		if touch {
			s.cache.Expire(ctx, s.key(id), ls.idle)
		}
		p := *ls.p
		p.SessionID = id
		return &p, nil
	}
	raw, err := s.cache.Get(ctx, s.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		s.dropLocal(id)
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("identity: read session: %w", err)
	}
	var st stored
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, ErrNoSession
	}
	expires := time.UnixMilli(st.Expires)
	if now.After(expires) {
		s.End(ctx, id, st.P.UserID)
		return nil, ErrNoSession
	}
	idle := time.Duration(st.IdleSec) * time.Second
	// The copy is refreshed from Redis, which other instances keep alive:
	// the idle clock restarts here.
	touched := time.Time{}
	if ls != nil {
		ls.mu.Lock()
		touched = ls.touched
		ls.mu.Unlock()
	}
	if now.Sub(touched) > touchInterval(idle) {
		s.cache.Expire(ctx, s.key(id), idle)
		touched = now
	}
	pp := st.P
	s.mu.Lock()
	if len(s.local) > 50000 {
		s.prune(now)
	}
	s.local[id] = &localSession{p: &pp, expires: expires, idle: idle, lastSeen: now, touched: touched, fetched: now}
	s.mu.Unlock()
	p := pp
	p.SessionID = id
	return &p, nil
}

// End stops one session everywhere.
func (s *Sessions) End(ctx context.Context, id string, uid uint64) {
	s.dropLocal(id)
	pipe := s.cache.Pipeline()
	pipe.Del(ctx, s.key(id))
	pipe.SRem(ctx, s.userKey(uid), id)
	_, _ = pipe.Exec(ctx)
	_ = s.cache.Broadcast(ctx, sessionTopic, id)
}

// EndUser stops every session of a user (disabled, roles changed, password
// reset), except keep when it is not "".
func (s *Sessions) EndUser(ctx context.Context, uid uint64, keep string) error {
	ids, err := s.cache.SMembers(ctx, s.userKey(uid)).Result()
	if err != nil {
		return fmt.Errorf("identity: list sessions: %w", err)
	}
	for _, id := range ids {
		if id != keep {
			s.End(ctx, id, uid)
		}
	}
	return nil
}

// Count returns how many sessions a user has open.
func (s *Sessions) Count(ctx context.Context, uid uint64) int {
	ids, _ := s.cache.SMembers(ctx, s.userKey(uid)).Result()
	n := 0
	for _, id := range ids {
		if c, _ := s.cache.Exists(ctx, s.key(id)).Result(); c == 1 {
			n++
		}
	}
	return n
}

func (s *Sessions) dropLocal(id string) {
	s.mu.Lock()
	delete(s.local, id)
	s.mu.Unlock()
}
