package cache

import (
	"bufio"
	"context"
	"strings"
)

// What the college keeps in Redis and what losing Redis's data costs:
//
//   - sessions: everyone signs in again;
//   - plays: open plays end, the player starts a new one;
//   - live study progress: what the flusher had not yet written to SQL
//     (its interval, 2 s by default; in embedded mode every acknowledged
//     heartbeat is in SQL already);
//   - leases, throttles and caches: taken again or rebuilt;
//   - exam answers: nothing, they are in SQL before they are acknowledged.
//
// So production Redis should keep its data across restarts (AOF with
// appendfsync everysec: at most about a second lost) and never evict keys
// (maxmemory-policy noeviction: a full Redis refuses writes, which the
// college answers as errors, rather than silently dropping sessions and
// progress). See configs/redis.production.conf.

// Durability reads the server's persistence and eviction settings (INFO
// persistence and memory) and says what in them risks the college's data;
// nothing for the embedded server, which lives and dies with the process.
func (c *Cache) Durability(ctx context.Context) ([]string, error) {
	if c.Embedded() {
		return nil, nil
	}
	info, err := c.Info(ctx, "persistence", "memory").Result()
	if err != nil {
		return nil, err
	}
	return DurabilityWarnings(info), nil
}

// DurabilityWarnings reads the "key:value" lines of INFO persistence and
// memory.
func DurabilityWarnings(info string) []string {
	v := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if k, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":"); ok {
			v[k] = val
		}
	}
	var out []string
	if v["aof_enabled"] == "0" {
		out = append(out, "Redis AOF is off (appendonly no): a Redis restart loses every session and open play and up to one flush interval of study progress; set appendonly yes, appendfsync everysec")
	}
	if p, ok := v["maxmemory_policy"]; ok && p != "noeviction" {
		out = append(out, "Redis evicts keys under memory pressure (maxmemory-policy "+p+"): sessions and unflushed study progress may vanish; set maxmemory-policy noeviction")
	}
	return out
}
