// Package cache connects to Redis (single node, Sentinel or Cluster through one
// go-redis UniversalClient) or, when no address is configured, to an embedded
// Redis-protocol server running in-process, so that the same client code runs
// in both modes.
package cache

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Config selects the Redis deployment.
type Config struct {
	Addrs      []string // empty: embedded server
	MasterName string   // Sentinel master name; empty for single node or cluster
	Password   string
	DB         int
	Prefix     string // prepended to every key, e.g. "college:"
}

// Cache is the shared Redis client plus the key prefix of this college.
type Cache struct {
	redis.UniversalClient
	prefix   string
	embedded *miniredis.Miniredis
	stop     chan struct{}

	busOnce  sync.Once
	busMu    sync.RWMutex
	handlers map[string][]func(string)
	pubsub   *redis.PubSub
}

// Open connects and pings the server.
func Open(ctx context.Context, cfg Config) (*Cache, error) {
	c := &Cache{prefix: cfg.Prefix, stop: make(chan struct{}), handlers: map[string][]func(string){}}
	if len(cfg.Addrs) == 0 {
		// The embedded server listens on a loopback port: the kernel's socket
		// buffers let a client write a long pipeline while the server already
		// answers (an in-memory pipe would deadlock on that).
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("cache: start embedded server: %w", err)
		}
		c.embedded = m
		c.UniversalClient = redis.NewClient(&redis.Options{Addr: m.Addr(), PoolSize: 64})
		go c.tick()
	} else {
		c.UniversalClient = redis.NewUniversalClient(&redis.UniversalOptions{
			Addrs:      cfg.Addrs,
			MasterName: cfg.MasterName,
			Password:   cfg.Password,
			DB:         cfg.DB,
			PoolSize:   128,
		})
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("cache: ping %s: %w", strings.Join(cfg.Addrs, ","), err)
	}
	return c, nil
}

// tick advances the embedded server's TTLs once a second; the embedded server
// does not expire keys on its own.
func (c *Cache) tick() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			c.embedded.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Cluster reports whether the client talks to a Redis Cluster, where a
// script may only touch keys of one slot.
func (c *Cache) Cluster() bool {
	_, ok := c.UniversalClient.(*redis.ClusterClient)
	return ok
}

// Embedded reports whether the in-process server is in use.
func (c *Cache) Embedded() bool { return c.embedded != nil }

// Key joins parts with ':' behind the college's prefix. Put a hash tag such as
// "{u12}" in one part when several keys must live in one cluster slot.
func (c *Cache) Key(parts ...string) string {
	return c.prefix + strings.Join(parts, ":")
}

// Close closes the client and stops the embedded server.
func (c *Cache) Close() error {
	select {
	case <-c.stop:
		return nil
	default:
	}
	close(c.stop)
	if c.pubsub != nil {
		_ = c.pubsub.Close()
	}
	err := c.UniversalClient.Close()
	if c.embedded != nil {
		c.embedded.Close()
	}
	return err
}

// Subscribe registers fn for broadcasts on topic, from this and every other
// instance. Used to drop in-process caches (sessions, settings) everywhere.
func (c *Cache) Subscribe(topic string, fn func(payload string)) {
	c.busMu.Lock()
	c.handlers[topic] = append(c.handlers[topic], fn)
	c.busMu.Unlock()
	c.busOnce.Do(func() {
		c.pubsub = c.UniversalClient.Subscribe(context.Background(), c.Key("bus"))
		ch := c.pubsub.Channel()
		go func() {
			for msg := range ch {
				topic, payload, _ := strings.Cut(msg.Payload, "\x00")
				c.busMu.RLock()
				hs := c.handlers[topic]
				c.busMu.RUnlock()
				for _, h := range hs {
					h(payload)
				}
			}
		}()
	})
}

// Broadcast sends payload to the subscribers of topic on every instance.
func (c *Cache) Broadcast(ctx context.Context, topic, payload string) error {
	return c.Publish(ctx, c.Key("bus"), topic+"\x00"+payload).Err()
}
