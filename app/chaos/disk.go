package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/glebarez/go-sqlite" // reads the embedded database afterwards
)

// ErrNoMount means the run cannot mount the small file system it fills
// (it needs root).
var ErrNoMount = errors.New("chaos: cannot mount a tmpfs (root needed)")

// ExecuteDiskFull runs one college on the embedded defaults (SQLite, the
// in-process Redis, local objects) with its data directory on a small
// file system, fills that file system under load, frees it again, and
// checks every acknowledgement against the database.
func ExecuteDiskFull(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Hold <= 0 {
		cfg.Hold = 4 * time.Second
	}
	r := &Run{cfg: cfg, tally: newTally()}
	rep := &Report{startedAt: time.Now()}
	disk := filepath.Join(cfg.Dir, "disk")
	if err := os.MkdirAll(disk, 0o755); err != nil {
		return nil, err
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", disk).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: %v %s", ErrNoMount, err, strings.TrimSpace(string(out)))
	}
	defer func() { _ = exec.Command("umount", "-l", disk).Run() }()
	logs := filepath.Join(cfg.Dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	r.sqlitePath = filepath.Join(disk, "college.db")
	r.env = []string{"COLLEGE_DATA_DIR=" + disk, "COLLEGE_DB_DSN=" + r.sqlitePath, "COLLEGE_AUTH_ADMIN_MFA=false", "COLLEGE_LOG_LEVEL=warn",
		"COLLEGE_SECRET_KEY=chaos-run-secret-0123456789abcdef0123456789", "COLLEGE_METRICS_TOKEN=" + metricsToken}
	if err := Seed(ctx, cfg.Launch, r.env, filepath.Join(logs, "seed.log")); err != nil {
		return nil, err
	}
	c, err := StartCollege(ctx, cfg.Launch, r.env, filepath.Join(logs, "college.log"))
	if err != nil {
		return nil, err
	}
	r.colleges = []*College{c}
	defer r.shutdown()
	if err := r.setup(ctx, 12); err != nil {
		return nil, err
	}
	load, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	if err := r.startWorkload(ctx, load); err != nil {
		return nil, err
	}
	if err := sleep(ctx, cfg.Hold); err != nil {
		return nil, err
	}
	filler := filepath.Join(disk, "filler")
	t0 := time.Now()
	if err := fill(filler); err != nil {
		return nil, err
	}
	// The registrants ask for the seats while the disk is full.
	for _, g := range r.registrants {
		r.wg.Add(1)
		go func() { defer r.wg.Done(); g.register(load, r.Fixtures.Class) }()
	}
	if err := sleep(ctx, 2*time.Second); err != nil {
		return nil, err
	}
	ready := r.probe(0, "/readyz")
	if ready != 503 {
		r.fail("/readyz answered %d with the data disk full, want 503", ready)
	}
	if err := sleep(ctx, cfg.Hold); err != nil {
		return nil, err
	}
	full := r.tally.String()
	if err := os.Remove(filler); err != nil {
		return nil, err
	}
	freed := time.Now()
	if err := sleep(ctx, cfg.Hold); err != nil {
		return nil, err
	}
	r.Events = append(r.Events, Event{Fault: "embedded data disk full", Outage: r.longestPause(t0, time.Now()),
		Details: fmt.Sprintf("disk full for %.0f s, /readyz %d; answers until freed: %s", freed.Sub(t0).Seconds(), ready, full)})
	stopLoad()
	r.wg.Wait()
	for _, c := range r.candidates {
		if err := c.submit(ctx); err != nil {
			rep.Failures = append(rep.Failures, err.Error())
		}
	}
	// A clean stop writes what the flusher holds: the embedded Redis dies
	// with the process.
	if err := sleep(ctx, 5*time.Second); err != nil {
		return nil, err
	}
	c.Stop(20 * time.Second)
	rep.Failures = append(rep.Failures, r.verify(ctx, rep)...)
	rep.Events, rep.Answers, rep.Relogins = r.Events, r.tally.String(), r.tally.relogins.Load()
	if n := r.tally.ServerErrors(); n > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d answers were server errors other than 503: %s", n, strings.Join(r.tally.Samples(), "; ")))
	}
	rep.Duration = time.Since(rep.startedAt)
	return rep, nil
}

// fill writes to path until the file system is full.
func fill(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return nil
			}
			return err
		}
	}
}
