package chaos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"college/app/college"
)

// Config sets a run.
type Config struct {
	Dir    string   // the run's files: data directories and logs
	Launch Launcher // how to start a college process
	Logf   func(format string, args ...any)
	// Cycles is how many times the whole list of faults is played (1 in CI).
	Cycles int
	// Hold is how long the workload runs between two faults.
	Hold time.Duration
	// RequireMinIO fails the run when no minio binary is found, rather
	// than leaving the object-store fault out.
	RequireMinIO bool
}

// Event is one fault and what it cost.
type Event struct {
	Fault   string
	Outage  time.Duration // the longest a learner went without an acknowledged heartbeat
	Details string
}

// Run is one chaos run.
type Run struct {
	cfg      Config
	redis    *Redis
	maria    *MariaDB
	minio    *MinIO
	colleges []*College
	env      []string
	tally    *Tally
	staff    *Client
	Fixtures Fixtures

	learners    []*Learner
	candidates  []*Candidate
	registrants []*Registrant
	late        []*Candidate // attempts left for the sweeper
	lateExam    uint64

	mu       sync.Mutex
	losses   []time.Time // when Redis lost its data
	failures []string

	sqlitePath string // embedded mode: the database file
	Events     []Event
	wg         sync.WaitGroup
}

// Report is what a run found.
type Report struct {
	Events    []Event
	Answers   string // answers by status
	Failures  []string
	Figures   []string
	Relogins  int64
	Duration  time.Duration
	LostNote  string
	startedAt time.Time
}

func (r *Run) logf(format string, args ...any) {
	if r.cfg.Logf != nil {
		r.cfg.Logf(format, args...)
	}
}

func (r *Run) client(user string) *Client {
	bases := make([]string, len(r.colleges))
	for i, c := range r.colleges {
		bases[i] = c.Base
	}
	c := &Client{bases: bases, tally: r.tally, user: user, password: college.DemoPassword}
	return c
}

// Execute starts the services and two college instances, runs the
// workload through every fault, and checks what SQL holds against every
// acknowledgement.
func Execute(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Cycles < 1 {
		cfg.Cycles = 1
	}
	if cfg.Hold <= 0 {
		cfg.Hold = 4 * time.Second
	}
	r := &Run{cfg: cfg, tally: newTally()}
	rep := &Report{startedAt: time.Now()}
	defer r.shutdown()
	if err := r.start(ctx); err != nil {
		return nil, err
	}
	// Enough courses for the learners to study through the whole run (a
	// fault and its recovery take about 12 s, a course about 8 s).
	run := time.Duration(cfg.Cycles*len(faults)) * (cfg.Hold + 12*time.Second)
	if err := r.setup(ctx, 6+int(run/(7*time.Second))); err != nil {
		return nil, err
	}
	r.logf("fixtures: %d courses, exam %d, class %d (quota %d)", len(r.Fixtures.Courses), r.Fixtures.Exam, r.Fixtures.Class, r.Fixtures.Quota)
	load, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	if err := r.startWorkload(ctx, load); err != nil {
		return nil, err
	}
	if err := sleep(ctx, cfg.Hold); err != nil {
		return nil, err
	}
	regs := r.registrants
	for cycle := 0; cycle < cfg.Cycles; cycle++ {
		for _, f := range faults {
			if f.needs == "minio" && r.minio == nil {
				continue
			}
			// A few registrants ask for the last seats as the fault strikes.
			for i := 0; i < 3 && len(regs) > 0; i++ {
				g := regs[0]
				regs = regs[1:]
				r.wg.Add(1)
				go func() { defer r.wg.Done(); g.register(load, r.Fixtures.Class) }()
			}
			r.logf("fault: %s", f.name)
			t0 := time.Now()
			details, err := f.do(ctx, r)
			if err != nil {
				return nil, fmt.Errorf("chaos: %s: %w", f.name, err)
			}
			if err := sleep(ctx, cfg.Hold); err != nil {
				return nil, err
			}
			out := r.longestPause(t0, time.Now())
			r.Events = append(r.Events, Event{Fault: f.name, Outage: out, Details: details})
			r.logf("  %s: longest pause between a learner's acknowledged heartbeats %.1f s; %s", f.name, out.Seconds(), details)
		}
	}
	for _, g := range regs {
		r.wg.Add(1)
		go func() { defer r.wg.Done(); g.register(load, r.Fixtures.Class) }()
	}
	if err := sleep(ctx, time.Second); err != nil {
		return nil, err
	}
	stopLoad()
	r.wg.Wait()
	for _, c := range r.candidates {
		if err := c.submit(ctx); err != nil {
			rep.Failures = append(rep.Failures, err.Error())
		}
	}
	rep.Failures = append(rep.Failures, r.verify(ctx, rep)...)
	rep.Events = r.Events
	rep.Answers = r.tally.String()
	rep.Relogins = r.tally.relogins.Load()
	if n := r.tally.ServerErrors(); n > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d answers were server errors other than 503: %s", n, strings.Join(r.tally.Samples(), "; ")))
		// The instances' own words for them, to find the cause.
		for _, c := range r.colleges {
			for _, line := range failedRequests(c.Log, 10) {
				rep.Failures = append(rep.Failures, c.Name+": "+line)
			}
		}
	}
	if rep.Relogins > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d requests found their session gone and logged in again", rep.Relogins))
	}
	rep.Duration = time.Since(rep.startedAt)
	return rep, nil
}

// start brings up MariaDB, Redis (AOF), MinIO, seeds the college and starts
// two instances.
func (r *Run) start(ctx context.Context) error {
	dir := r.cfg.Dir
	for _, d := range []string{"mariadb", "redis", "minio", "data", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	var err error
	if r.maria, err = StartMariaDB(ctx, filepath.Join(dir, "mariadb")); err != nil {
		return err
	}
	if r.redis, err = StartRedis(ctx, filepath.Join(dir, "redis"), true); err != nil {
		return err
	}
	r.env = []string{"COLLEGE_DB_DRIVER=mysql", "COLLEGE_DB_DSN=" + r.maria.RootDSN("college"), "COLLEGE_REDIS_ADDR=" + r.redis.Addr(),
		"COLLEGE_DATA_DIR=" + filepath.Join(dir, "data"), "COLLEGE_SECRET_KEY=chaos-run-secret-0123456789abcdef0123456789",
		"COLLEGE_AUTH_ADMIN_MFA=false", "COLLEGE_LOG_LEVEL=warn", "COLLEGE_METRICS_TOKEN=" + metricsToken}
	if _, berr := Binary("minio"); berr == nil {
		if r.minio, err = StartMinIO(ctx, filepath.Join(dir, "minio")); err != nil {
			return err
		}
		r.env = append(r.env, "COLLEGE_S3_ENDPOINT="+r.minio.Endpoint(), "COLLEGE_S3_ACCESS_KEY="+MinIOUser, "COLLEGE_S3_SECRET_KEY="+MinIOPassword, "COLLEGE_S3_BUCKET=college")
	} else if r.cfg.RequireMinIO {
		return berr
	} else {
		r.logf("no minio binary: the object-store fault is left out (%v)", berr)
	}
	if err := Seed(ctx, r.cfg.Launch, r.env, filepath.Join(dir, "logs", "seed.log")); err != nil {
		return err
	}
	for i := 0; i < 2; i++ {
		c, err := StartCollege(ctx, r.cfg.Launch, r.env, filepath.Join(dir, "logs", fmt.Sprintf("college-%c.log", 'a'+i)))
		if err != nil {
			return err
		}
		r.colleges = append(r.colleges, c)
	}
	r.logf("services up: mariadb :%d, redis :%d (AOF), minio %v, colleges %s and %s", r.maria.Port, r.redis.Port, r.minio != nil, r.colleges[0].Base, r.colleges[1].Base)
	return nil
}

const metricsToken = "chaos-metrics-token-0123456789"

func (r *Run) shutdown() {
	for _, c := range r.colleges {
		c.Stop(15 * time.Second)
	}
	if r.minio != nil {
		r.minio.Stop(10 * time.Second)
	}
	if r.redis != nil {
		r.redis.Stop(10 * time.Second)
	}
	if r.maria != nil {
		r.maria.Stop(30 * time.Second)
	}
}

// startWorkload logs everyone in and sets them going.
func (r *Run) startWorkload(ctx, load context.Context) error {
	user := func(i int) string { return fmt.Sprintf("cadre%02d", i) }
	n := 1
	for i := 0; i < 20; i, n = i+1, n+1 {
		l := &Learner{Client: r.client(user(n)), done: map[uint64]bool{}}
		l.pin.Store(int64(i))
		if err := l.Login(ctx); err != nil {
			return err
		}
		r.learners = append(r.learners, l)
	}
	for i := 0; i < 12; i, n = i+1, n+1 {
		c := &Candidate{Client: r.client(user(n)), acked: map[string]bool{}, after: map[string][]bool{}, ackAt: map[string]time.Time{}}
		c.pin.Store(int64(i))
		if err := c.Login(ctx); err != nil {
			return err
		}
		if err := c.start(ctx, r.Fixtures.Exam); err != nil {
			return err
		}
		r.candidates = append(r.candidates, c)
	}
	for ; n <= 50; n++ {
		g := &Registrant{Client: r.client(user(n))}
		g.pin.Store(int64(n))
		if err := g.Login(ctx); err != nil {
			return err
		}
		r.registrants = append(r.registrants, g)
	}
	for _, l := range r.learners {
		r.wg.Add(1)
		go func() { defer r.wg.Done(); l.study(load, r.Fixtures.Courses) }()
	}
	for _, c := range r.candidates {
		r.wg.Add(1)
		go func() { defer r.wg.Done(); c.answer(load, r.Fixtures.Questions, 150*time.Millisecond) }()
	}
	return nil
}

// longestPause is the longest time any learner went without an
// acknowledged heartbeat between from and to: the outage the unluckiest
// learner saw (a beat a second is the normal).
func (r *Run) longestPause(from, to time.Time) time.Duration {
	var worst time.Duration
	for _, l := range r.learners {
		l.mu.Lock()
		last := time.Time{}
		for _, a := range l.acks {
			if a.at.Before(from) {
				last = a.at
				continue
			}
			if a.at.After(to) {
				break
			}
			if !last.IsZero() {
				worst = max(worst, a.at.Sub(last))
			}
			last = a.at
		}
		l.mu.Unlock()
	}
	return worst
}

// probe answers the status of an unauthenticated GET on instance i.
func (r *Run) probe(i int, path string, header ...string) int {
	req, _ := http.NewRequest("GET", r.colleges[i].Base+path, nil)
	for j := 0; j+1 < len(header); j += 2 {
		req.Header.Set(header[j], header[j+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

var errNoLease = errors.New("chaos: lease not planted")

// failedRequests are up to max lines of an instance's log that record a
// request failed with a server error other than 503.
func failedRequests(path string, max int) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.Contains(line, "request failed") && !strings.Contains(line, "503") && len(out) < max {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}
