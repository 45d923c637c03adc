package load

// college bench: a small load generator against a running college. It is a
// tool for the machine it runs on: it sends traffic only to the given URL.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// benchScenario is one kind of load. Later features add theirs with
// benchRegister from their own file.
type benchScenario struct {
	Name, Desc string
	// Setup runs once before the load (log in, create fixtures); it may store state in env.
	Setup func(ctx context.Context, env *benchEnv) error
	// Prepare fills one request for worker w (0..connections-1), iteration i.
	// The request has been reset; Prepare must set at least the method and URI
	// (env.SetURL). It runs in the hot loop: keep it cheap.
	Prepare func(env *benchEnv, w int, i int64, req *fasthttp.Request)
}

// benchScenarios is the registry, by name.
var benchScenarios = map[string]*benchScenario{}

// benchRegister adds a scenario; it panics on a duplicate or incomplete one
// (a programming error found at start-up).
func benchRegister(s *benchScenario) {
	if s == nil || s.Name == "" || s.Prepare == nil {
		panic("bench: a scenario needs a name and Prepare")
	}
	if _, dup := benchScenarios[s.Name]; dup {
		panic("bench: duplicate scenario " + s.Name)
	}
	benchScenarios[s.Name] = s
}

func init() {
	benchRegister(&benchScenario{
		Name: "healthz",
		Desc: "GET /healthz (no login)",
		Prepare: func(env *benchEnv, _ int, _ int64, req *fasthttp.Request) {
			env.SetURL(req, fasthttp.MethodGet, "/healthz")
		},
	})
	benchRegister(&benchScenario{
		Name:  "me",
		Desc:  "GET /api/v1/me with a bearer token (logs in once unless --token)",
		Setup: benchSetupToken,
		Prepare: func(env *benchEnv, _ int, _ int64, req *fasthttp.Request) {
			env.SetURL(req, fasthttp.MethodGet, "/api/v1/me")
			env.Authorize(req)
		},
	})
}

// benchSetupToken logs in with the configured account unless a token was
// given. Scenarios that act as the admin use it as their Setup.
func benchSetupToken(ctx context.Context, env *benchEnv) error {
	if env.Token != "" {
		return nil
	}
	if env.Password == "" {
		return errors.New("this scenario needs a login: give --password (or COLLEGE_BENCH_PASSWORD) or --token")
	}
	tok, err := env.LoginOTP(ctx, env.Username, env.Password, env.OTP)
	if err != nil {
		return err
	}
	env.Token = tok
	return nil
}

// benchEnv is what a scenario sees: where the college is, who to be, and a
// place for its own state.
type benchEnv struct {
	BaseURL     string // without a trailing slash
	Username    string
	Password    string
	OTP         string       // second factor of the login account, when it has one
	Token       string       // bearer token: --token, or set by Setup
	Connections int          // number of workers
	HTTP        *http.Client // for Setup calls (not for the load)
	Values      map[string]any

	bearer string // "Bearer " + Token, fixed after Setup
}

// URL is the absolute URL of path on the college.
func (e *benchEnv) URL(path string) string { return e.BaseURL + path }

// SetURL sets the method and the absolute URL of path on req.
func (e *benchEnv) SetURL(req *fasthttp.Request, method, path string) {
	req.Header.SetMethod(method)
	req.SetRequestURI(e.BaseURL + path)
}

// Authorize adds the bearer token (env.Token as it was after Setup) to req.
func (e *benchEnv) Authorize(req *fasthttp.Request) {
	if e.bearer != "" {
		req.Header.Set(fasthttp.HeaderAuthorization, e.bearer)
	}
}

// JSON sends a setup request with an optional JSON body (in) and the bearer
// token when there is one, and decodes a JSON answer into out when out is
// not nil and the status is 2xx. It returns the status; a non-2xx status is
// not an error here (the caller decides), but the body is kept in the error
// text of a failed decode.
func (e *benchEnv) JSON(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.URL(path), body)
	if err != nil {
		return 0, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if e.Token != "" {
		req.Header.Set("Authorization", "Bearer "+e.Token)
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, benchSnippet(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: bad JSON answer: %v: %s", method, path, err, benchSnippet(raw))
		}
	}
	return resp.StatusCode, nil
}

// Login posts /api/v1/auth/login and returns the bearer token.
func (e *benchEnv) Login(ctx context.Context, username, password string) (string, error) {
	return e.LoginOTP(ctx, username, password, "")
}

// LoginOTP logs in with a second factor (a TOTP code or a recovery code).
func (e *benchEnv) LoginOTP(ctx context.Context, username, password, otp string) (string, error) {
	saved := e.Token
	e.Token = "" // log in anonymously
	defer func() { e.Token = saved }()
	var ans struct {
		Token string `json:"token"`
	}
	in := map[string]string{"username": username, "password": password}
	if otp != "" {
		in["otp"] = otp
	}
	if _, err := e.JSON(ctx, http.MethodPost, "/api/v1/auth/login", in, &ans); err != nil {
		return "", fmt.Errorf("log in as %s: %w", username, err)
	}
	if ans.Token == "" {
		return "", fmt.Errorf("log in as %s: no token in the answer", username)
	}
	return ans.Token, nil
}

func benchSnippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// benchConfig is one run.
type benchConfig struct {
	URL         string
	Scenario    string
	Connections int
	Duration    time.Duration
	Warmup      time.Duration
	Rate        float64       // requests/s in total; 0 = closed loop
	Timeout     time.Duration // per request; 0 = 10s
	Username    string
	Password    string
	OTP         string
	Token       string
	JSON        bool
}

func benchDefaults() benchConfig {
	return benchConfig{
		URL:         "http://127.0.0.1:8080",
		Scenario:    "healthz",
		Connections: 64,
		Duration:    10 * time.Second,
		Warmup:      time.Second,
		Timeout:     10 * time.Second,
		Username:    "admin",
	}
}

// benchResult is what a run measured. Requests counts the answered and
// failed requests sent in the measured window (after warmup); Errors is the
// part of them that failed, by status code ("timeout" and "transport" for
// requests that got no answer). Latencies cover the requests that got an
// answer, whatever its status.
type benchResult struct {
	Scenario       string           `json:"scenario"`
	URL            string           `json:"url"`
	Connections    int              `json:"connections"`
	Rate           float64          `json:"rate"`
	Duration       float64          `json:"duration_seconds"`
	Requests       int64            `json:"requests"`
	RPS            float64          `json:"rps"`
	Errors         int64            `json:"errors"`
	ErrorsByStatus map[string]int64 `json:"errors_by_status"`
	P50            float64          `json:"p50_ms"`
	P90            float64          `json:"p90_ms"`
	P99            float64          `json:"p99_ms"`
	Max            float64          `json:"max_ms"`
	Interrupted    bool             `json:"interrupted,omitempty"`

	configured time.Duration
	p50, p90   time.Duration
	p99, max   time.Duration
}

func Run(args []string, out io.Writer) error {
	cfg := benchDefaults()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.URL, "url", cfg.URL, "base URL of the college")
	fs.StringVar(&cfg.Scenario, "scenario", cfg.Scenario, "scenario to run (see --list)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	fs.IntVar(&cfg.Connections, "connections", cfg.Connections, "connections (one worker each)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "measured duration")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "warmup before measuring (results discarded)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "requests/s in total, open loop (0 = as fast as possible)")
	fs.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "timeout of one request")
	fs.StringVar(&cfg.Username, "username", cfg.Username, "login user")
	fs.StringVar(&cfg.Password, "password", "", "login password (default $COLLEGE_BENCH_PASSWORD)")
	fs.StringVar(&cfg.OTP, "otp", "", "the login account's current dynamic code, when it has a second factor (default $COLLEGE_BENCH_OTP)")
	fs.StringVar(&cfg.Token, "token", "", "bearer token to use instead of logging in")
	fs.BoolVar(&cfg.JSON, "json", false, "print the result as one JSON object")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(out, "usage: college bench [flags]")
			fs.SetOutput(out)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("bench: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	if *list {
		for _, name := range benchScenarioNames() {
			fmt.Fprintf(out, "%-12s %s\n", name, benchScenarios[name].Desc)
		}
		return nil
	}
	if cfg.Password == "" {
		cfg.Password = os.Getenv("COLLEGE_BENCH_PASSWORD")
	}
	if cfg.OTP == "" {
		cfg.OTP = os.Getenv("COLLEGE_BENCH_OTP")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	_, err := benchRun(ctx, cfg, out)
	return err
}

func benchScenarioNames() []string {
	names := make([]string, 0, len(benchScenarios))
	for n := range benchScenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// benchCheck validates cfg and returns the scenario and the parsed URL.
func benchCheck(cfg *benchConfig) (*benchScenario, *url.URL, error) {
	sc := benchScenarios[cfg.Scenario]
	if sc == nil {
		return nil, nil, fmt.Errorf("bench: unknown scenario %q (have: %s)", cfg.Scenario, strings.Join(benchScenarioNames(), ", "))
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, nil, fmt.Errorf("bench: --url %q: want http(s)://host[:port][/prefix]", cfg.URL)
	}
	switch {
	case cfg.Connections < 1 || cfg.Connections > 10000:
		return nil, nil, fmt.Errorf("bench: --connections %d: want 1..10000", cfg.Connections)
	case cfg.Duration <= 0:
		return nil, nil, fmt.Errorf("bench: --duration %s: want > 0", cfg.Duration)
	case cfg.Warmup < 0:
		return nil, nil, fmt.Errorf("bench: --warmup %s: want >= 0", cfg.Warmup)
	case cfg.Rate < 0 || math.IsNaN(cfg.Rate) || math.IsInf(cfg.Rate, 0):
		return nil, nil, fmt.Errorf("bench: --rate %v: want >= 0", cfg.Rate)
	case cfg.Timeout < 0:
		return nil, nil, fmt.Errorf("bench: --timeout %s: want >= 0", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return sc, u, nil
}

// benchConns remembers the open connections so a cancelled run can cut the
// requests in flight instead of waiting for their timeout.
type benchConns struct {
	mu     sync.Mutex
	open   map[*benchConn]struct{}
	closed bool
}

type benchConn struct {
	net.Conn
	set  *benchConns
	once sync.Once
}

func (c *benchConn) Close() error {
	c.once.Do(func() {
		c.set.mu.Lock()
		delete(c.set.open, c)
		c.set.mu.Unlock()
	})
	return c.Conn.Close()
}

func (s *benchConns) dial(addr string) (net.Conn, error) {
	nc, err := fasthttp.DialTimeout(addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c := &benchConn{Conn: nc, set: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = nc.Close()
		return nil, errors.New("bench: stopped")
	}
	s.open[c] = struct{}{}
	return c, nil
}

func (s *benchConns) closeAll() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*benchConn, 0, len(s.open))
	for c := range s.open {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// benchWorker is what one connection measured.
type benchWorker struct {
	lat    []time.Duration
	reqs   int64
	errs   map[string]int64
	failed int64
}

// benchRun runs one load and prints its result to out (nil: print nothing).
// It stops by itself after warmup + duration (plus at most one request
// timeout) and early when ctx is cancelled; a cancelled run still reports
// what it measured.
func benchRun(ctx context.Context, cfg benchConfig, out io.Writer) (benchResult, error) {
	sc, u, err := benchCheck(&cfg)
	if err != nil {
		return benchResult{}, err
	}
	base := strings.TrimRight(u.String(), "/")
	env := &benchEnv{
		BaseURL:     base,
		Username:    cfg.Username,
		Password:    cfg.Password,
		OTP:         cfg.OTP,
		Token:       cfg.Token,
		Connections: cfg.Connections,
		HTTP:        &http.Client{Timeout: 30 * time.Second},
		Values:      map[string]any{},
	}
	defer env.HTTP.CloseIdleConnections()
	if sc.Setup != nil {
		if err := sc.Setup(ctx, env); err != nil {
			return benchResult{}, fmt.Errorf("bench %s: setup: %w", sc.Name, err)
		}
	}
	if env.Token != "" {
		env.bearer = "Bearer " + env.Token
	}

	addr := u.Host
	if u.Port() == "" {
		if u.Scheme == "https" {
			addr = net.JoinHostPort(u.Hostname(), "443")
		} else {
			addr = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	conns := &benchConns{open: map[*benchConn]struct{}{}}
	hc := &fasthttp.HostClient{
		Addr:                addr,
		Name:                "college-bench",
		IsTLS:               u.Scheme == "https",
		Dial:                conns.dial,
		MaxConns:            cfg.Connections,
		MaxConnWaitTimeout:  cfg.Timeout,
		MaxIdleConnDuration: time.Minute,
		ReadBufferSize:      16 << 10,
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-runCtx.Done()
		if ctx.Err() != nil { // interrupted: cut the requests in flight
			conns.closeAll()
		}
	}()

	begin := time.Now()
	measureFrom := begin.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	workers := make([]benchWorker, cfg.Connections)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			benchWork(runCtx, hc, sc, env, &cfg, w, begin, measureFrom, end, &workers[w])
		}(w)
	}
	wg.Wait()
	stopped := time.Now()
	interrupted := ctx.Err() != nil
	cancel()
	hc.CloseIdleConnections()

	res := benchCollect(workers)
	res.Scenario, res.URL, res.Connections, res.Rate = sc.Name, base, cfg.Connections, cfg.Rate
	res.configured = cfg.Duration
	window := cfg.Duration
	if interrupted {
		res.Interrupted = true
		if stopped.Before(end) {
			window = stopped.Sub(measureFrom)
		}
	}
	if window > 0 {
		res.Duration = window.Seconds()
		res.RPS = float64(res.Requests) / res.Duration
	}
	if out != nil {
		if err := benchPrint(out, res, cfg.JSON); err != nil {
			return res, err
		}
	}
	return res, nil
}

// benchWork is one connection's loop. Closed loop: send the next request
// when the previous answer is in. Open loop (cfg.Rate > 0): request k of the
// whole run is due at begin + k/rate, worker w sends k = w, w+C, w+2C, ...,
// and latency counts from the due time, so a server that falls behind shows
// its queueing instead of slowing the load down (coordinated omission).
func benchWork(ctx context.Context, hc *fasthttp.HostClient, sc *benchScenario, env *benchEnv, cfg *benchConfig,
	w int, begin, measureFrom, end time.Time, st *benchWorker) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	st.errs = map[string]int64{}
	done := ctx.Done()
	open := cfg.Rate > 0
	var timer *time.Timer
	if open {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
		defer timer.Stop()
		perWorker := cfg.Rate * cfg.Duration.Seconds() / float64(cfg.Connections)
		st.lat = make([]time.Duration, 0, int(min(perWorker, 1<<20))+1)
	} else {
		st.lat = make([]time.Duration, 0, 1024)
	}
	nsPerReq := 0.0
	if open {
		nsPerReq = float64(time.Second) / cfg.Rate
	}
	for i := int64(0); ; i++ {
		var start time.Time // the send time (closed) or the due time (open)
		if open {
			k := int64(w) + i*int64(cfg.Connections)
			start = begin.Add(time.Duration(float64(k) * nsPerReq))
			if !start.Before(end) {
				return
			}
			if wait := time.Until(start); wait > 0 {
				timer.Reset(wait)
				select {
				case <-timer.C:
				case <-done:
					return
				}
			}
		}
		select {
		case <-done:
			return
		default:
		}
		req.Reset()
		sc.Prepare(env, w, i, req)
		now := time.Now()
		if !now.Before(end) {
			return // a late open-loop request is not sent after the end
		}
		if !open {
			start = now
		}
		err := hc.DoDeadline(req, resp, now.Add(cfg.Timeout))
		took := time.Since(start)
		if ctx.Err() != nil {
			return // cut by an interrupt: not a server error
		}
		if start.Before(measureFrom) {
			continue // warmup
		}
		st.reqs++
		switch {
		case err != nil:
			st.failed++
			if errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrDialTimeout) {
				st.errs["timeout"]++
			} else {
				st.errs["transport"]++
			}
		default:
			st.lat = append(st.lat, took)
			if code := resp.StatusCode(); code < 200 || code >= 400 {
				st.failed++
				st.errs[strconv.Itoa(code)]++
			}
		}
	}
}

func benchCollect(workers []benchWorker) benchResult {
	res := benchResult{ErrorsByStatus: map[string]int64{}}
	n := 0
	for i := range workers {
		n += len(workers[i].lat)
	}
	all := make([]time.Duration, 0, n)
	for i := range workers {
		w := &workers[i]
		res.Requests += w.reqs
		res.Errors += w.failed
		for k, v := range w.errs {
			res.ErrorsByStatus[k] += v
		}
		all = append(all, w.lat...)
		w.lat = nil
	}
	slices.Sort(all)
	res.p50, res.p90, res.p99 = benchPercentile(all, 0.50), benchPercentile(all, 0.90), benchPercentile(all, 0.99)
	if len(all) > 0 {
		res.max = all[len(all)-1]
	}
	res.P50, res.P90, res.P99, res.Max = benchMS(res.p50), benchMS(res.p90), benchMS(res.p99), benchMS(res.max)
	return res
}

// benchPercentile is the nearest-rank percentile of sorted values.
func benchPercentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func benchMS(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000
}

// benchDur prints a latency with about three significant digits.
func benchDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < 10*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d < 100*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}

func benchPrint(out io.Writer, r benchResult, asJSON bool) error {
	if asJSON {
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", raw)
		return err
	}
	rate := "unlimited"
	if r.Rate > 0 {
		rate = strconv.FormatFloat(r.Rate, 'f', -1, 64) + "/s"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "scenario   %s\n", r.Scenario)
	fmt.Fprintf(&b, "url        %s\n", r.URL)
	fmt.Fprintf(&b, "connections %d   duration %s   rate %s\n", r.Connections, r.configured, rate)
	if r.Interrupted {
		fmt.Fprintf(&b, "interrupted after %.1fs of measurement\n", r.Duration)
	}
	fmt.Fprintf(&b, "requests   %d   (%.1f/s)\n", r.Requests, r.RPS)
	fmt.Fprintf(&b, "errors     %d", r.Errors)
	if len(r.ErrorsByStatus) > 0 {
		keys := make([]string, 0, len(r.ErrorsByStatus))
		for k := range r.ErrorsByStatus {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %d", k, r.ErrorsByStatus[k])
		}
		fmt.Fprintf(&b, "   (%s)", strings.Join(parts, ", "))
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "latency    p50 %s  p90 %s  p99 %s  max %s\n", benchDur(r.p50), benchDur(r.p90), benchDur(r.p99), benchDur(r.max))
	_, err := io.WriteString(out, b.String())
	return err
}
