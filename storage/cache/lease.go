package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lease is a Redis lock with a token: only the holder can renew or release
// it, and it lapses by itself when the holder dies. It saves duplicate work;
// exactly-once guarantees stay in the database.
type Lease struct {
	c     *Cache
	key   string
	token string
}

var (
	renewScript   = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`)
	releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`)
)

// ErrLeaseLost means another holder has the lease.
var ErrLeaseLost = errors.New("cache: lease lost")

// Acquire tries to take the lease named name for ttl. It returns nil, nil
// when another instance holds it.
func (c *Cache) Acquire(ctx context.Context, name string, ttl time.Duration) (*Lease, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	l := &Lease{c: c, key: c.Key("lease", name), token: hex.EncodeToString(b)}
	ok, err := c.SetNX(ctx, l.key, l.token, ttl).Result()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	return l, nil
}

// Renew extends the lease; ErrLeaseLost when it is no longer ours.
func (l *Lease) Renew(ctx context.Context, ttl time.Duration) error {
	n, err := renewScript.Run(ctx, l.c, []string{l.key}, l.token, ttl.Milliseconds()).Int()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Release gives the lease back if it is still ours.
func (l *Lease) Release(ctx context.Context) error {
	return releaseScript.Run(ctx, l.c, []string{l.key}, l.token).Err()
}
