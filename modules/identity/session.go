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
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"college/modules/web"
	"college/storage/cache"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// Sessions keeps login sessions in Redis, with a short-lived copy in each
// instance so that an authenticated request usually costs no Redis round
// trip, and a row in SQL (SessionRecord) so that sessions survive Redis
// losing its data. Ending a session is broadcast so every instance drops its
// copy.
type Sessions struct {
	cache *cache.Cache
	db    *gorm.DB
	log   *slog.Logger
	now   func() time.Time

	mu    sync.RWMutex
	local map[string]*localSession
}

type localSession struct {
	mu         sync.Mutex // guards lastSeen, touched and sqlTouched; the rest never changes
	st         stored
	expires    time.Time // absolute end
	idle       time.Duration
	durable    bool      // the session has a row in SQL
	lastSeen   time.Time // last request seen by this instance
	touched    time.Time // last time the Redis TTL was renewed
	sqlTouched time.Time // last time last_seen_at was written in SQL
	fetched    time.Time // when the copy was read from Redis or SQL
}

// stored is the session as kept in Redis.
type stored struct {
	P       web.Principal `json:"p"`
	Expires int64         `json:"e"` // unix milliseconds, absolute end
	IdleSec int64         `json:"i"`
	Created int64         `json:"c"`
	// Seen is when last_seen_at was last written in SQL, in unix
	// milliseconds, so that other instances do not write it again soon.
	// 0: the session has no row (it began before the table existed).
	Seen int64 `json:"s,omitempty"`
}

// localTTL bounds how long an instance trusts its copy without asking Redis;
// broadcasts usually drop it much sooner.
const localTTL = 5 * time.Second

// touchEvery is how often an active session's idle timer is pushed back in Redis.
const touchEvery = 30 * time.Second

const sessionTopic = "session-end"

// ErrNoSession means the token is unknown, expired or ended.
var ErrNoSession = errors.New("identity: no session")

// SessionDeps are what the session store needs.
type SessionDeps struct {
	Cache *cache.Cache
	DB    *gorm.DB
	Log   *slog.Logger // nil: discard
}

// NewSessions makes the session store and subscribes to session-end broadcasts.
func NewSessions(d SessionDeps) *Sessions {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Sessions{cache: d.Cache, db: d.DB, log: log, now: time.Now, local: map[string]*localSession{}}
	d.Cache.Subscribe(sessionTopic, func(id string) { s.dropLocal(id) })
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

// Create starts a session for p and returns its token. The row in SQL is
// written first: a session Redis holds always has one.
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
	now := dbTime(s.now())
	st := stored{P: p, Expires: now.Add(absolute).UnixMilli(), IdleSec: int64(idle / time.Second), Created: now.Unix(), Seen: now.UnixMilli()}
	b, _ := json.Marshal(st)
	pj, _ := json.Marshal(p)
	id := TokenID(token)
	rec := SessionRecord{ID: id, UserID: p.UserID, Principal: string(pj), ExpiresAt: now.Add(absolute), IdleSec: st.IdleSec, CreatedAt: now, LastSeenAt: now}
	if err := s.db.WithContext(ctx).Create(&rec).Error; err != nil {
		return "", fmt.Errorf("identity: save session: %w", err)
	}
	pipe := s.cache.TxPipeline()
	pipe.Set(ctx, s.key(id), b, idle)
	pipe.SAdd(ctx, s.userKey(p.UserID), id)
	pipe.Expire(ctx, s.userKey(p.UserID), absolute)
	if _, err := pipe.Exec(ctx); err != nil {
		_ = s.db.WithContext(context.WithoutCancel(ctx)).Where("id = ?", id).Delete(&SessionRecord{}).Error
		return "", fmt.Errorf("identity: save session: %w", err)
	}
	return token, nil
}

// Lookup returns the principal of a live session, renewing its idle timer.
// It asks this instance's copy, then Redis, then SQL.
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
		return s.use(ctx, id, ls, now)
	}
	raw, err := s.cache.Get(ctx, s.key(id)).Bytes()
	if err == nil {
		var st stored
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, ErrNoSession
		}
		return s.use(ctx, id, s.keep(id, newLocal(st, now), ls, now), now)
	}
	s.dropLocal(id)
	if errors.Is(err, redis.Nil) {
		// Unknown to Redis: ended, idled out, or lost by Redis.
		return s.fromRecord(ctx, id, now, true)
	}
	// Redis failing must not log everyone out: while it is away the rows
	// in SQL stand in for it, and only both failing is an error.
	p, serr := s.fromRecord(ctx, id, now, false)
	if serr != nil && !errors.Is(serr, ErrNoSession) {
		return nil, fmt.Errorf("identity: read session: %w", errors.Join(err, serr))
	}
	return p, serr
}

func newLocal(st stored, now time.Time) *localSession {
	return &localSession{st: st, expires: time.UnixMilli(st.Expires), idle: time.Duration(st.IdleSec) * time.Second,
		durable: st.Seen != 0, lastSeen: now, sqlTouched: time.UnixMilli(st.Seen), fetched: now}
}

// keep makes ls this instance's copy of session id. The copy is refreshed
// from Redis or SQL, which other instances keep alive: the idle clock
// restarts here, and what old knew of the last touches carries over.
func (s *Sessions) keep(id string, ls, old *localSession, now time.Time) *localSession {
	if old != nil {
		old.mu.Lock()
		if old.touched.After(ls.touched) {
			ls.touched = old.touched
		}
		if old.sqlTouched.After(ls.sqlTouched) {
			ls.sqlTouched = old.sqlTouched
		}
		old.mu.Unlock()
	}
	s.mu.Lock()
	if len(s.local) > 50000 {
		s.prune(now)
	}
	s.local[id] = ls
	s.mu.Unlock()
	return ls
}

// use records a request on session id: it ends the session if it has idled
// out or passed its absolute end, and otherwise renews its idle timer in
// Redis (every touchInterval) and in SQL (every sqlTouchInterval).
func (s *Sessions) use(ctx context.Context, id string, ls *localSession, now time.Time) (*web.Principal, error) {
	ls.mu.Lock()
	ended := now.After(ls.expires) || now.Sub(ls.lastSeen) > ls.idle
	touch, touchSQL := false, false
	if !ended {
		ls.lastSeen = now
		touchSQL = ls.durable && now.Sub(ls.sqlTouched) >= sqlTouchInterval(ls.idle)
		touch = touchSQL || now.Sub(ls.touched) > touchInterval(ls.idle)
		if touchSQL {
			ls.sqlTouched = now
		}
		if touch {
			ls.touched = now
		}
	}
	ls.mu.Unlock()
	uid := ls.st.P.UserID
	switch {
	case ended:
		_ = s.End(ctx, id, uid)
		return nil, ErrNoSession
	case touchSQL:
		err := s.touchRecord(ctx, id, now)
		if errors.Is(err, ErrNoSession) {
			// The row was deleted (End while Redis failed, or an EndUser
			// racing a login): the session ended.
			_ = s.End(ctx, id, uid)
			return nil, ErrNoSession
		}
		if err != nil {
			// The next request after sqlTouchInterval tries again.
			s.cache.Expire(ctx, s.key(id), ls.idle)
			break
		}
		// Redis learns when SQL was written; XX keeps a session ended
		// meanwhile from coming back.
		st := ls.st
		st.Seen = now.UnixMilli()
		b, _ := json.Marshal(st)
		s.cache.SetXX(ctx, s.key(id), b, ls.idle)
	case touch:
		s.cache.Expire(ctx, s.key(id), ls.idle)
	}
	p := ls.st.P
	p.SessionID = id
	return &p, nil
}

// fromRecord reads session id from SQL when Redis does not have it
// (redisUp) or fails. A live row is put back into Redis, when it answers,
// and becomes this instance's copy.
func (s *Sessions) fromRecord(ctx context.Context, id string, now time.Time, redisUp bool) (*web.Principal, error) {
	rec, err := s.record(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("identity: read session row: %w", err)
	}
	if rec == nil {
		return nil, ErrNoSession
	}
	var p web.Principal
	if err := json.Unmarshal([]byte(rec.Principal), &p); err != nil || !rec.live(now) {
		_ = s.End(ctx, id, rec.UserID)
		return nil, ErrNoSession
	}
	st := stored{P: p, Expires: rec.ExpiresAt.UnixMilli(), IdleSec: rec.IdleSec, Created: rec.CreatedAt.Unix(), Seen: rec.LastSeenAt.UnixMilli()}
	if redisUp {
		// Idle for longer than the timeout, but within the lag of
		// last_seen_at: the row cannot tell a session that idled out in
		// Redis from one Redis lost. The user's set can: it outlives the
		// idle timeout, and lists the session unless Redis lost it.
		if now.Sub(rec.LastSeenAt) > time.Duration(rec.IdleSec)*time.Second {
			if in, err := s.cache.SIsMember(ctx, s.userKey(rec.UserID), id).Result(); err == nil && in {
				_ = s.End(ctx, id, rec.UserID)
				return nil, ErrNoSession
			}
		}
		if err := s.restore(ctx, id, st, now); err != nil {
			return nil, err
		}
	}
	ls := newLocal(st, now)
	if redisUp {
		ls.touched = now
	}
	return s.use(ctx, id, s.keep(id, ls, nil, now), now)
}

// restore puts a session read from SQL back into Redis. End deletes the row
// before the key, so a row still there after the SET means no End has
// missed the key; a row gone means one has, and the key goes again. A
// failing Redis is no reason to refuse the session.
func (s *Sessions) restore(ctx context.Context, id string, st stored, now time.Time) error {
	b, _ := json.Marshal(st)
	uk := s.userKey(st.P.UserID)
	pipe := s.cache.TxPipeline()
	pipe.Set(ctx, s.key(id), b, time.Duration(st.IdleSec)*time.Second)
	pipe.SAdd(ctx, uk, id)
	ttl := pipe.TTL(ctx, uk)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil
	}
	// The user's set lives as long as the user's longest session.
	if left := time.UnixMilli(st.Expires).Sub(now); ttl.Val() < left {
		s.cache.Expire(ctx, uk, left)
	}
	if ok, err := s.recordExists(ctx, id); err == nil && !ok {
		s.endCached(ctx, id, st.P.UserID)
		return ErrNoSession
	}
	return nil
}

// End stops one session everywhere. The row goes first, so that nothing
// can bring the session back from SQL; a key a failing Redis keeps is
// ended at its next SQL touch. The error is the row's.
func (s *Sessions) End(ctx context.Context, id string, uid uint64) error {
	err := s.db.WithContext(ctx).Where("id = ?", id).Delete(&SessionRecord{}).Error
	s.endCached(ctx, id, uid)
	if err != nil {
		return fmt.Errorf("identity: end session: %w", err)
	}
	return nil
}

// endCached drops session id from Redis and from every instance's copies.
func (s *Sessions) endCached(ctx context.Context, id string, uid uint64) {
	s.dropLocal(id)
	pipe := s.cache.Pipeline()
	pipe.Del(ctx, s.key(id))
	pipe.SRem(ctx, s.userKey(uid), id)
	_, _ = pipe.Exec(ctx)
	_ = s.cache.Broadcast(ctx, sessionTopic, id)
}

// EndUser stops every session of a user (disabled, roles changed, password
// reset), except keep when it is not "". It ends the sessions SQL lists and
// those Redis lists, so that neither losing its data lets one live on.
func (s *Sessions) EndUser(ctx context.Context, uid uint64, keep string) error {
	q := func() *gorm.DB {
		q := s.db.WithContext(ctx).Where("user_id = ?", uid)
		if keep != "" {
			q = q.Where("id <> ?", keep)
		}
		return q
	}
	var ids []string
	sqlErr := q().Model(&SessionRecord{}).Pluck("id", &ids).Error
	if sqlErr == nil {
		sqlErr = q().Delete(&SessionRecord{}).Error
	}
	// Read after the delete: a session whose row the delete took but
	// which was not yet in the set when the ids were read is here now.
	members, redisErr := s.cache.SMembers(ctx, s.userKey(uid)).Result()
	seen := make(map[string]bool, len(ids)+len(members))
	for _, id := range append(ids, members...) {
		if id != keep && !seen[id] {
			seen[id] = true
			s.endCached(ctx, id, uid)
		}
	}
	// A session the set lists but the ids read did not has begun since:
	// its row goes too, or SQL would bring back what Redis ended.
	var late []string
	for _, id := range members {
		if id != keep && !slices.Contains(ids, id) {
			late = append(late, id)
		}
	}
	if len(late) > 0 && sqlErr == nil {
		sqlErr = s.db.WithContext(ctx).Where("id IN ?", late).Delete(&SessionRecord{}).Error
	}
	if sqlErr != nil {
		sqlErr = fmt.Errorf("identity: end sessions: %w", sqlErr)
	}
	if redisErr != nil {
		redisErr = fmt.Errorf("identity: list sessions: %w", redisErr)
	}
	return errors.Join(sqlErr, redisErr)
}

// Count returns how many sessions a user has open.
func (s *Sessions) Count(ctx context.Context, uid uint64) int {
	var recs []SessionRecord
	if err := s.db.WithContext(ctx).Select("expires_at", "idle_sec", "last_seen_at").Where("user_id = ?", uid).Find(&recs).Error; err != nil {
		return 0
	}
	now := s.now()
	n := 0
	for i := range recs {
		if recs[i].live(now) {
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
