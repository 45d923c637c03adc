package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Tally counts the answers the workload got, by status, and keeps a few
// bodies of the server errors for the report.
type Tally struct {
	mu       sync.Mutex
	byStatus map[int]int
	samples  []string
	relogins atomic.Int64
}

func newTally() *Tally { return &Tally{byStatus: map[int]int{}} }

func (t *Tally) add(method, path string, status int, body []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byStatus[status]++
	if status >= 500 && status != 503 && len(t.samples) < 10 {
		t.samples = append(t.samples, fmt.Sprintf("%s %s → %d %s", method, path, status, strings.TrimSpace(string(body))))
	}
}

// Count is how many answers had status (0: no answer at all).
func (t *Tally) Count(status int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.byStatus[status]
}

// ServerErrors counts answers 500–599 other than 503.
func (t *Tally) ServerErrors() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for s, c := range t.byStatus {
		if s >= 500 && s != 503 {
			n += c
		}
	}
	return n
}

// Samples are bodies of server errors.
func (t *Tally) Samples() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.samples...)
}

// String is "200×n 503×m …".
func (t *Tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var keys []int
	for k := range t.byStatus {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var b strings.Builder
	for _, k := range keys {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "no-answer"
		}
		fmt.Fprintf(&b, "%s×%d ", name, t.byStatus[k])
	}
	return strings.TrimSpace(b.String())
}

var httpClient = &http.Client{
	Timeout: 20 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 400, MaxIdleConnsPerHost: 200, IdleConnTimeout: 30 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second},
}

// Client is one user of the college, pinned to an instance as a load
// balancer would pin them, moving to the next when theirs stops answering.
type Client struct {
	bases    []string
	pin      atomic.Int64
	tally    *Tally
	user     string
	password string
	token    string
	UserID   uint64
}

func (c *Client) base() string {
	return c.bases[int(c.pin.Load())%len(c.bases)]
}

// Do sends one request; status 0 means no answer (connection refused,
// reset, timed out). A 401 on a logged-in client is answered by logging in
// again, counted, and the request is sent once more.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) int {
	status, raw := c.send(ctx, method, path, body)
	if status == 401 && c.token != "" && !strings.HasSuffix(path, "/auth/login") {
		c.tally.relogins.Add(1)
		if err := c.Login(ctx); err == nil {
			status, raw = c.send(ctx, method, path, body)
		}
	}
	if out != nil && status >= 200 && status < 300 && len(raw) > 0 {
		_ = json.Unmarshal(raw, out)
	}
	return status
}

func (c *Client) send(ctx context.Context, method, path string, body any) (int, []byte) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	base := c.base()
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.tally.add(method, path, 0, nil)
			c.pin.Add(1) // the next instance, as a balancer would fail over
		}
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	c.tally.add(method, path, resp.StatusCode, raw)
	return resp.StatusCode, raw
}

// Login logs the client in, retrying through outages for up to a minute.
func (c *Client) Login(ctx context.Context) error {
	var last int
	for i := 0; i < 120; i++ {
		var out struct {
			Token string `json:"token"`
			User  struct {
				ID uint64 `json:"id"`
			} `json:"user"`
		}
		saved := c.token
		c.token = ""
		last = c.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": c.user, "password": c.password}, &out)
		if last == 200 && out.Token != "" {
			c.token, c.UserID = out.Token, out.User.ID
			return nil
		}
		c.token = saved
		if last == 401 || last == 429 {
			break
		}
		if sleep(ctx, 500*time.Millisecond) != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("chaos: %s cannot log in (last answer %d)", c.user, last)
}

// Must sends a request until it gets want, through outages, for up to a
// minute; for the set-up and the final steps.
func (c *Client) Must(ctx context.Context, method, path string, body, out any, want ...int) error {
	var got int
	for i := 0; i < 120; i++ {
		got = c.Do(ctx, method, path, body, out)
		for _, w := range want {
			if got == w {
				return nil
			}
		}
		if got != 0 && got < 500 && got != 429 {
			break
		}
		if sleep(ctx, 500*time.Millisecond) != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("chaos: %s %s as %s: answer %d, want %v", method, path, c.user, got, want)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
