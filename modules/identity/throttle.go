package identity

import (
	"context"
	"strconv"
	"strings"
	"time"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"

	"github.com/redis/go-redis/v9"
)

// Login throttling, in Redis so that every instance counts together:
//   - per account and client address: after auth.lockout_attempts failures
//     that address may not try the account for the window (429 locked);
//   - per account from anywhere: after auth.account_lockout_attempts the
//     account is locked for the window, except to a login that also proves a
//     second factor, and until the security administrator unlocks it — so a
//     stranger repeating bad passwords cannot keep its owner out;
//   - per client address: failures slow the address down progressively (1 s,
//     2 s, 4 s … up to a minute between attempts) and stop it past
//     auth.ip_fail_limit (429 throttled), which is what password spraying
//     across many accounts runs into;
//   - city-wide: past auth.global_fail_limit failures a minute, logins pause
//     for the rest of that minute (429 throttled).

// Setting keys of the throttles.
const (
	SetAccountLockout = "auth.account_lockout_attempts"
	SetIPFailLimit    = "auth.ip_fail_limit"
	SetGlobalFailMin  = "auth.global_fail_limit"
)

var throttleSettingDefs = []settings.Def{
	{Key: SetAccountLockout, Group: "登录与安全", Label: "账号累计登录失败锁定次数（各来源合计）", Help: "锁定期间仅能以第二因素登录，或由安全管理员解锁", Kind: settings.KindInt, Default: "20", Min: 5, Max: 1000},
	{Key: SetIPFailLimit, Group: "登录与安全", Label: "同一地址登录失败上限（统计时长内）", Help: "超过后该地址暂停登录；失败 5 次起每次尝试须逐次加倍等待，最长 1 分钟", Kind: settings.KindInt, Default: "50", Min: 5, Max: 100000},
	{Key: SetGlobalFailMin, Group: "登录与安全", Label: "全市每分钟登录失败上限", Help: "超过后本分钟内暂停登录，防止撞库", Kind: settings.KindInt, Default: "3000", Min: 10, Max: 10000000},
}

// progressiveFrom is the address failure count from which each further
// attempt must wait 1 s, 2 s, 4 s … (maxProgressive at most).
const (
	progressiveFrom = 5
	maxProgressive  = time.Minute
)

const (
	errThrottled     = "登录尝试过于频繁，请稍后再试"
	errLockedMessage = "登录失败次数过多，账号已临时锁定，请稍后再试"
)

// loginThrottle counts failures in Redis.
type loginThrottle struct{ c *cache.Cache }

func (t loginThrottle) accountKey(user string) string { return t.c.Key("lf", "u", user) }
func (t loginThrottle) pairKey(user string) string    { return t.c.Key("lf", "ui", user) }
func (t loginThrottle) ipKey(ip string) string        { return t.c.Key("lf", "ip", ip) }
func (t loginThrottle) ipWaitKey(ip string) string    { return t.c.Key("lf", "ipw", ip) }
func (t loginThrottle) globalKey(now time.Time) string {
	return t.c.Key("lf", "g", strconv.FormatInt(now.Unix()/60, 10))
}

// throttleLimits are the current settings.
type throttleLimits struct {
	pair, account, ip, global int
	window                    time.Duration
}

// state is what the throttle knows before a password is checked.
type throttleState struct {
	accountLocked bool
	retryAfter    int
}

func ttlSeconds(d time.Duration) int {
	if d <= 0 {
		return 1
	}
	return int((d + time.Second - 1) / time.Second)
}

// check refuses an attempt before any password work: city-wide pause, the
// address's wait or limit, and the account+address lock. It reports whether
// the account itself is locked (which a second factor may still pass).
func (t loginThrottle) check(ctx context.Context, user, ip string, now time.Time, l throttleLimits) (throttleState, error) {
	pipe := t.c.Pipeline()
	g := pipe.Get(ctx, t.globalKey(now))
	ipWait := pipe.PTTL(ctx, t.ipWaitKey(ip))
	ipN := pipe.Get(ctx, t.ipKey(ip))
	ipTTL := pipe.PTTL(ctx, t.ipKey(ip))
	pair := pipe.HGet(ctx, t.pairKey(user), ip)
	pairTTL := pipe.PTTL(ctx, t.pairKey(user))
	acc := pipe.Get(ctx, t.accountKey(user))
	accTTL := pipe.PTTL(ctx, t.accountKey(user))
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return throttleState{}, web.Internal(err)
	}
	if n, _ := g.Int(); n >= l.global {
		return throttleState{}, web.TooMany("throttled", errThrottled, 60-int(now.Unix()%60))
	}
	if n, _ := pair.Int(); n >= l.pair {
		return throttleState{}, web.TooMany("locked", errLockedMessage, ttlSeconds(pairTTL.Val()))
	}
	if d := ipWait.Val(); d > 0 {
		return throttleState{}, web.TooMany("throttled", errThrottled, ttlSeconds(d))
	}
	if n, _ := ipN.Int(); n >= l.ip {
		return throttleState{}, web.TooMany("throttled", errThrottled, ttlSeconds(ipTTL.Val()))
	}
	st := throttleState{}
	if n, _ := acc.Int(); n >= l.account {
		st.accountLocked, st.retryAfter = true, ttlSeconds(accTTL.Val())
	}
	return st, nil
}

// fail counts a failed attempt everywhere and returns the failures of the
// account from this address.
func (t loginThrottle) fail(ctx context.Context, user, ip string, now time.Time, l throttleLimits) int64 {
	// Not a transaction: the keys live in different hash slots on a cluster.
	pipe := t.c.Pipeline()
	g := t.globalKey(now)
	pipe.Incr(ctx, g)
	pipe.Expire(ctx, g, 2*time.Minute)
	ipN := pipe.Incr(ctx, t.ipKey(ip))
	pipe.ExpireNX(ctx, t.ipKey(ip), l.window)
	pair := pipe.HIncrBy(ctx, t.pairKey(user), ip, 1)
	pipe.ExpireNX(ctx, t.pairKey(user), l.window)
	pipe.Incr(ctx, t.accountKey(user))
	pipe.ExpireNX(ctx, t.accountKey(user), l.window)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0
	}
	if n := ipN.Val(); n >= progressiveFrom {
		wait := time.Second << min(n-progressiveFrom, 10)
		if wait > maxProgressive {
			wait = maxProgressive
		}
		t.c.Set(ctx, t.ipWaitKey(ip), 1, wait)
	}
	return pair.Val()
}

// succeed clears the account's counters after a full login.
func (t loginThrottle) succeed(ctx context.Context, user string) {
	t.c.Del(ctx, t.accountKey(user), t.pairKey(user))
}

// unlock clears an account's lock (the security administrator's action).
func (t loginThrottle) unlock(ctx context.Context, user string) error {
	return t.c.Del(ctx, t.accountKey(user), t.pairKey(user)).Err()
}

// throttleUser is the counter name of a username.
func throttleUser(username string) string { return strings.ToLower(strings.TrimSpace(username)) }
