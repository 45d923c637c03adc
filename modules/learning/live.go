package learning

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"college/storage/cache"

	"github.com/redis/go-redis/v9"
)

// Live keeps the state of plays in Redis. Every key of a learner carries
// the hash tag {u<id>}, so the heartbeat script touches one cluster slot.
type Live struct {
	c     *cache.Cache
	batch *scriptBatcher
}

// NewLive wraps the cache.
func NewLive(c *cache.Cache) *Live { return &Live{c: c, batch: newScriptBatcher(c)} }

// dirtyShards spreads the dirty sets so that flushing parallelises on a cluster.
const dirtyShards = 16

// progressTTL keeps idle progress in Redis for a while; SQL has it anyway.
const progressTTL = 7 * 24 * time.Hour

// playTTL bounds how long a play may sit unused.
const playTTL = 12 * time.Hour

func tag(uid uint64) string { return "{u" + strconv.FormatUint(uid, 10) + "}" }

func (l *Live) playKey(uid uint64) string { return l.c.Key("play", tag(uid)) }
func (l *Live) progKey(uid, lesson uint64) string {
	return l.c.Key("prog", tag(uid), strconv.FormatUint(lesson, 10))
}
func (l *Live) segKey(uid, lesson uint64) string {
	return l.c.Key("segs", tag(uid), strconv.FormatUint(lesson, 10))
}
func (l *Live) dirtyKey(shard uint64) string {
	return l.c.Key("dirty", "{s"+strconv.FormatUint(shard, 10)+"}")
}

func dirtyMember(uid, lesson uint64) string {
	return strconv.FormatUint(uid, 10) + ":" + strconv.FormatUint(lesson, 10)
}

// State is a learner's live progress on a lesson.
type State struct {
	Version   int
	Duration  float64
	Position  float64
	Furthest  float64
	Watched   float64
	Coverage  float64
	Completed bool
	Segments  []byte
	At        int64 // server ms of the last heartbeat
}

// segmentSeconds is the granularity of the coverage bitmap.
const segmentSeconds = 1.0

func segmentsFor(duration float64) int64 {
	n := int64(math.Ceil(duration / segmentSeconds))
	if n < 1 {
		n = 1
	}
	return n
}

// Load returns the live state, or ok=false when Redis has none for this
// media version.
func (l *Live) Load(ctx context.Context, uid, lesson uint64) (State, bool, error) {
	pipe := l.c.Pipeline()
	h := pipe.HGetAll(ctx, l.progKey(uid, lesson))
	b := pipe.Get(ctx, l.segKey(uid, lesson))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return State{}, false, fmt.Errorf("learning live: load: %w", err)
	}
	m := h.Val()
	if len(m) == 0 {
		return State{}, false, nil
	}
	st := State{
		Version: atoi(m["ver"]), Duration: atof(m["dur"]), Position: atof(m["pos"]), Furthest: atof(m["furthest"]),
		Watched: atof(m["watched"]), Coverage: atof(m["cov"]), Completed: m["done"] == "1", At: int64(atof(m["at"])),
	}
	st.Segments, _ = b.Bytes()
	return st, true, nil
}

// Seed writes a state into Redis (from SQL, or fresh) before a play.
func (l *Live) Seed(ctx context.Context, uid, lesson uint64, st State) error {
	pk, sk := l.progKey(uid, lesson), l.segKey(uid, lesson)
	pipe := l.c.TxPipeline()
	pipe.Del(ctx, pk, sk)
	pipe.HSet(ctx, pk, "ver", st.Version, "dur", st.Duration, "nseg", segmentsFor(st.Duration), "pos", st.Position,
		"furthest", st.Furthest, "watched", st.Watched, "cov", st.Coverage, "done", boolStr(st.Completed), "at", st.At)
	if len(st.Segments) > 0 {
		pipe.Set(ctx, sk, st.Segments, progressTTL)
	}
	pipe.Expire(ctx, pk, progressTTL)
	_, err := pipe.Exec(ctx)
	return err
}

// Play is a started play session.
type Play struct {
	ID          string
	LessonID    uint64
	StartMS     int64
	PresenceDue int64 // ms: the learner must confirm presence by then (+ answer window)
}

// NewPlayID makes a play id that names its lesson: "L<lesson>-<random>".
func NewPlayID(lesson uint64) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "L" + strconv.FormatUint(lesson, 10) + "-" + hex.EncodeToString(b)
}

// LessonOfPlay reads the lesson id out of a play id.
func LessonOfPlay(id string) (uint64, bool) {
	rest, ok := strings.CutPrefix(id, "L")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "-")
	if !ok || len(id) > 64 {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil && n > 0
}

// StartPlay makes p the learner's only counting play and restarts the
// lesson's clock at position.
func (l *Live) StartPlay(ctx context.Context, uid uint64, p Play, position float64) error {
	pk := l.playKey(uid)
	pipe := l.c.TxPipeline()
	pipe.Del(ctx, pk)
	pipe.HSet(ctx, pk, "id", p.ID, "lesson", p.LessonID, "start", p.StartMS, "chk", p.PresenceDue)
	pipe.Expire(ctx, pk, playTTL)
	// The play's own numbers live beside the progress, so that a heartbeat
	// writes one hash.
	pipe.HSet(ctx, l.progKey(uid, p.LessonID), "pos", position, "at", p.StartMS, "pid", p.ID, "pstart", p.StartMS, "pcred", 0)
	// Set here, once per play, rather than on every heartbeat.
	pipe.Expire(ctx, l.progKey(uid, p.LessonID), progressTTL)
	pipe.Append(ctx, l.segKey(uid, p.LessonID), "") // create it if missing, so it can carry the TTL
	pipe.Expire(ctx, l.segKey(uid, p.LessonID), progressTTL)
	_, err := pipe.Exec(ctx)
	return err
}

// ConfirmPresence answers the idle check of the current play and sets the next one.
func (l *Live) ConfirmPresence(ctx context.Context, uid uint64, playID string, next int64) (bool, error) {
	n, err := presenceScript.Run(ctx, l.c, []string{l.playKey(uid)}, playID, next).Int()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

var presenceScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'chk', ARGV[2])
return 1`)

// Rules are the checks a heartbeat is held to.
type Rules struct {
	Rate          float64 // allowed playback rate
	Tolerance     float64 // seconds of jitter allowed per heartbeat
	Threshold     float64 // coverage that completes the lesson
	AnswerSeconds float64 // time to answer an idle check
}

// Beat is the answer to one heartbeat.
type Beat struct {
	Superseded    bool // another play of the learner counts now
	Lost          bool // no play counts: Redis lost it, or it lapsed unused
	Watched       float64
	Coverage      float64
	Completed     bool
	NewlyComplete bool
	Position      float64
	PresenceDue   bool // crediting is paused until presence is confirmed
}

// heartbeatScript applies one heartbeat atomically. KEYS: play, progress,
// segments, and (outside a cluster) the dirty set. ARGV: play id, now ms,
// position, rate, tolerance, threshold, segment seconds, answer ms, dirty
// member.
var heartbeatScript = redis.NewScript(`
local play = redis.call('HMGET', KEYS[1], 'id', 'chk')
if not play[1] then return {-2} end
if play[1] ~= ARGV[1] then return {-1} end
local now = tonumber(ARGV[2])
local pos = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local tol = tonumber(ARGV[5])
local thr = tonumber(ARGV[6])
local seg = tonumber(ARGV[7])
local answer = tonumber(ARGV[8])
local chk = tonumber(play[2]) or 0
local p = redis.call('HMGET', KEYS[2], 'pos', 'furthest', 'watched', 'at', 'dur', 'done', 'nseg', 'cov', 'pid', 'pstart', 'pcred')
if not p[5] or p[9] ~= ARGV[1] then return {-1} end
local start = tonumber(p[10])
local pcred = tonumber(p[11]) or 0
local last = tonumber(p[1]) or 0
local furthest = tonumber(p[2]) or 0
local watched = tonumber(p[3]) or 0
local at = tonumber(p[4]) or start
local dur = tonumber(p[5])
local done = p[6] == '1'
local nseg = tonumber(p[7]) or 1
local cov = tonumber(p[8]) or 0
local marked = false
if pos < 0 then pos = 0 end
if pos > dur then pos = dur end
local idle = 0
if chk > 0 and now > chk + answer then idle = 1 end
local adv = pos - last
if adv > 0 then
  local allowed = (now - at) / 1000 * rate + tol
  local budget = (now - start) / 1000 * rate + tol - pcred
  if idle == 0 and adv <= allowed and adv <= budget then
    local a = math.floor(last / seg)
    local b = math.floor(pos / seg) - 1
    if pos + 0.5 >= dur then b = nseg - 1 end
    for i = a, b do
      redis.call('SETBIT', KEYS[3], i, 1)
      marked = true
    end
    watched = watched + adv
    pcred = pcred + adv
    last = pos
    if pos > furthest then furthest = pos end
  elseif done or pos <= furthest + tol then
    last = pos
  end
else
  last = pos
end
if marked then
  cov = redis.call('BITCOUNT', KEYS[3]) / nseg
  if cov > 1 then cov = 1 end
end
local newly = 0
if (not done) and cov >= thr then
  done = true
  newly = 1
end
local d = '0'
if done then d = '1' end
redis.call('HSET', KEYS[2], 'pos', last, 'furthest', furthest, 'watched', watched, 'at', now, 'done', d, 'cov', cov, 'pcred', pcred)
if KEYS[4] then
  redis.call('ZADD', KEYS[4], 'GT', now, ARGV[9])
end
return {1, tostring(watched), tostring(cov), newly, d, tostring(last), idle}`)

// Heartbeat applies one heartbeat and marks the progress for flushing, in
// one round trip.
func (l *Live) Heartbeat(ctx context.Context, uid uint64, playID string, lesson uint64, position float64, now time.Time, r Rules) (Beat, error) {
	nowMS := now.UnixMilli()
	keys := []string{l.playKey(uid), l.progKey(uid, lesson), l.segKey(uid, lesson)}
	member := dirtyMember(uid, lesson)
	args := []any{playID, nowMS, position, r.Rate, r.Tolerance, r.Threshold, segmentSeconds, int64(r.AnswerSeconds * 1000), member}
	var res *redis.Cmd
	var err error
	if l.c.Cluster() {
		// The dirty set lives in another slot: mark it in the same round
		// trip, but outside the script.
		pipe := l.c.Pipeline()
		pipe.ZAddGT(ctx, l.dirtyKey(uid%dirtyShards), redis.Z{Score: float64(nowMS), Member: member})
		res = heartbeatScript.EvalSha(ctx, pipe, keys, args...)
		_, err = pipe.Exec(ctx)
	} else {
		res, err = l.batch.run(ctx, append(keys, l.dirtyKey(uid%dirtyShards)), args)
	}
	if err != nil && isNoScript(err) {
		// First use on this server: load the script and try once more.
		if err := heartbeatScript.Load(ctx, l.c).Err(); err != nil {
			return Beat{}, fmt.Errorf("learning live: load script: %w", err)
		}
		return l.Heartbeat(ctx, uid, playID, lesson, position, now, r)
	}
	if err != nil {
		return Beat{}, fmt.Errorf("learning live: heartbeat: %w", err)
	}
	vals, err := res.Slice()
	if err != nil {
		return Beat{}, fmt.Errorf("learning live: heartbeat result: %w", err)
	}
	switch toInt(vals[0]) {
	case -1:
		return Beat{Superseded: true}, nil
	case -2:
		return Beat{Lost: true}, nil
	}
	return Beat{
		Watched: atof(vals[1].(string)), Coverage: atof(vals[2].(string)), NewlyComplete: toInt(vals[3]) == 1,
		Completed: vals[4].(string) == "1", Position: atof(vals[5].(string)), PresenceDue: toInt(vals[6]) == 1,
	}, nil
}

func isNoScript(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") }

// Dirty is one learner-lesson waiting to be flushed, with the score it had.
type Dirty struct {
	UserID, LessonID uint64
	Score            float64
	member           string
	shard            uint64
}

// DirtyBatch reads up to n dirty entries of a shard without removing them.
func (l *Live) DirtyBatch(ctx context.Context, shard uint64, n int64) ([]Dirty, error) {
	zs, err := l.c.ZRangeWithScores(ctx, l.dirtyKey(shard), 0, n-1).Result()
	if err != nil {
		return nil, err
	}
	out := make([]Dirty, 0, len(zs))
	for _, z := range zs {
		m, _ := z.Member.(string)
		a, b, ok := strings.Cut(m, ":")
		if !ok {
			continue
		}
		uid, err1 := strconv.ParseUint(a, 10, 64)
		lid, err2 := strconv.ParseUint(b, 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Dirty{UserID: uid, LessonID: lid, Score: z.Score, member: m, shard: shard})
	}
	return out, nil
}

var cleanScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 2 do
  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if s and tonumber(s) <= tonumber(ARGV[i+1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n`)

// Clean removes flushed entries unless a newer heartbeat marked them again.
func (l *Live) Clean(ctx context.Context, shard uint64, done []Dirty) error {
	if len(done) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(done))
	for _, d := range done {
		args = append(args, d.member, strconv.FormatFloat(d.Score, 'f', 0, 64))
	}
	return cleanScript.Run(ctx, l.c, []string{l.dirtyKey(shard)}, args...).Err()
}

// LoadMany reads the live states of a batch in one pipeline.
func (l *Live) LoadMany(ctx context.Context, batch []Dirty) ([]State, []bool, error) {
	pipe := l.c.Pipeline()
	hs := make([]*redis.MapStringStringCmd, len(batch))
	bs := make([]*redis.StringCmd, len(batch))
	for i, d := range batch {
		hs[i] = pipe.HGetAll(ctx, l.progKey(d.UserID, d.LessonID))
		bs[i] = pipe.Get(ctx, l.segKey(d.UserID, d.LessonID))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, err
	}
	states := make([]State, len(batch))
	ok := make([]bool, len(batch))
	for i := range batch {
		m := hs[i].Val()
		if len(m) == 0 {
			continue
		}
		ok[i] = true
		states[i] = State{Version: atoi(m["ver"]), Duration: atof(m["dur"]), Position: atof(m["pos"]), Furthest: atof(m["furthest"]),
			Watched: atof(m["watched"]), Coverage: atof(m["cov"]), Completed: m["done"] == "1", At: int64(atof(m["at"]))}
		states[i].Segments, _ = bs[i].Bytes()
	}
	return states, ok, nil
}

func atof(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func encodeSegments(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func decodeSegments(s string) []byte {
	b, _ := base64.StdEncoding.DecodeString(s)
	return b
}
