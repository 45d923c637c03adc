package chaos

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fault is one thing that goes wrong.
type fault struct {
	name  string
	needs string // a service that must be in the run
	do    func(ctx context.Context, r *Run) (string, error)
}

// faults, in the order a run plays them.
var faults = []fault{
	{name: "college instance killed (SIGKILL)", do: killCollege},
	{name: "Redis killed (AOF on)", do: killRedis},
	{name: "MariaDB killed (SIGKILL, crash recovery)", do: killMariaDB},
	{name: "MariaDB frozen 6 s (SIGSTOP)", do: freezeMariaDB},
	{name: "MinIO down", needs: "minio", do: minioDown},
	{name: "lease holder killed mid-lease", do: killLeaseHolder},
	{name: "Redis restarted without its data", do: loseRedis},
}

func killCollege(ctx context.Context, r *Run) (string, error) {
	a := r.colleges[0]
	if err := a.Kill(); err != nil {
		return "", err
	}
	if err := sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	t := time.Now()
	if err := a.Restart(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("instance down 2 s, ready %.1f s after its restart", time.Since(t).Seconds()), nil
}

func killRedis(ctx context.Context, r *Run) (string, error) {
	if err := r.redis.Kill(); err != nil {
		return "", err
	}
	if err := sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	t := time.Now()
	if err := r.redis.Restart(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("Redis down 2 s, answering %.1f s after its restart (from its append-only file)", time.Since(t).Seconds()), nil
}

func killMariaDB(ctx context.Context, r *Run) (string, error) {
	if err := r.maria.Kill(); err != nil {
		return "", err
	}
	if err := sleep(ctx, time.Second); err != nil {
		return "", err
	}
	ready := r.probe(0, "/readyz")
	if err := sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	t := time.Now()
	if err := r.maria.Restart(ctx); err != nil {
		return "", err
	}
	rec := time.Since(t)
	if ready != 503 {
		r.fail("/readyz answered %d while MariaDB was down, want 503", ready)
	}
	return fmt.Sprintf("MariaDB down 3 s, crash recovery %.1f s; /readyz during the outage %d", rec.Seconds(), ready), nil
}

func freezeMariaDB(ctx context.Context, r *Run) (string, error) {
	if err := r.maria.Freeze(); err != nil {
		return "", err
	}
	defer func() { _ = r.maria.Thaw() }()
	if err := sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	t := time.Now()
	ready := r.probe(0, "/readyz")
	took := time.Since(t)
	if ready != 503 || took > 3*time.Second {
		r.fail("/readyz with MariaDB frozen answered %d in %s, want 503 within 3 s", ready, took)
	}
	if err := sleep(ctx, 4*time.Second); err != nil {
		return "", err
	}
	if err := r.maria.Thaw(); err != nil {
		return "", err
	}
	return fmt.Sprintf("/readyz during the freeze %d in %.2f s", ready, took.Seconds()), nil
}

func minioDown(ctx context.Context, r *Run) (string, error) {
	l := r.learners[0]
	stream := func() int {
		st, _ := l.sendRange(ctx, fmt.Sprintf("/api/v1/lessons/%d/stream", r.Fixtures.Lesson))
		return st
	}
	before := stream()
	if err := r.minio.Kill(); err != nil {
		return "", err
	}
	if err := sleep(ctx, time.Second); err != nil {
		return "", err
	}
	during, ready := stream(), r.probe(0, "/readyz")
	if err := sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	if err := r.minio.Restart(ctx); err != nil {
		return "", err
	}
	t := time.Now()
	after := 0
	for time.Since(t) < 30*time.Second {
		if after = stream(); after == 206 {
			break
		}
		_ = sleep(ctx, 200*time.Millisecond)
	}
	back := time.Since(t)
	if before != 206 || during != 503 || ready != 503 || after != 206 {
		r.fail("MinIO down: stream %d before, %d during (want 503), %d after; /readyz %d during (want 503)", before, during, after, ready)
	}
	return fmt.Sprintf("stream %d → %d → %d (streaming again %.1f s after MinIO returned); /readyz during %d", before, during, after, back.Seconds(), ready), nil
}

// killLeaseHolder kills the second instance as if it died holding the exam
// sweeper's and the flusher's leases (the keys it would leave behind are
// planted with their full time to live), while attempts reach their
// deadline: the first instance must take over when the leases lapse, close
// the attempts with their deadline as the submission time, and keep
// flushing progress.
func killLeaseHolder(ctx context.Context, r *Run) (string, error) {
	var ids []uint64
	for _, q := range r.Fixtures.Questions {
		id, _ := strconv.ParseUint(q, 10, 64)
		ids = append(ids, id)
	}
	closes := time.Now().Add(15 * time.Second).Truncate(time.Second)
	exam, err := r.exam(ctx, r.staff, ids, "容错演练限时考试", closes)
	if err != nil {
		return "", err
	}
	r.lateExam = exam
	for i := 0; i < 4; i++ {
		c := &Candidate{Client: r.client(r.learners[i].user), acked: map[string]bool{}, after: map[string][]bool{}, ackAt: map[string]time.Time{}}
		c.pin.Store(0)
		if err := c.Login(ctx); err != nil {
			return "", err
		}
		if err := c.start(ctx, exam); err != nil {
			return "", err
		}
		r.late = append(r.late, c)
	}
	saveCtx, cancel := context.WithDeadline(ctx, closes.Add(-time.Second))
	var saving sync.WaitGroup
	for _, c := range r.late {
		saving.Add(1)
		go func() { defer saving.Done(); c.answer(saveCtx, r.Fixtures.Questions[:3], 200*time.Millisecond) }()
	}
	saving.Wait()
	cancel()
	if err := r.colleges[1].Kill(); err != nil {
		return "", err
	}
	for _, lease := range []struct {
		name string
		ttl  time.Duration
	}{{"exam-sweep", 15 * time.Second}, {"learning-flush", 10 * time.Second}} {
		key := "college:lease:" + lease.name
		planted := false
		for i := 0; i < 100 && !planted; i++ {
			out, err := r.redis.Command("SET", key, "killed-instance", "PX", strconv.FormatInt(lease.ttl.Milliseconds(), 10), "NX")
			if err != nil {
				return "", err
			}
			planted = strings.HasPrefix(out, "+OK")
			if !planted {
				_ = sleep(ctx, 20*time.Millisecond)
			}
		}
		if !planted {
			return "", fmt.Errorf("%w: %s", errNoLease, lease.name)
		}
	}
	planted := time.Now()
	// Wait for the sweep by the survivor.
	var late time.Duration
	for {
		closed, worst, err := r.lateClosed(ctx)
		if err != nil {
			return "", err
		}
		if closed {
			late = worst
			break
		}
		if time.Since(planted) > 60*time.Second {
			r.fail("attempts past their deadline still open 60 s after the lease holder died")
			break
		}
		_ = sleep(ctx, 250*time.Millisecond)
	}
	// The survivor's sweeper runs every 5 s; it may wait out the longer lease.
	if bound := 15*time.Second + 5*time.Second + 3*time.Second; late > bound {
		r.fail("attempts past their deadline closed %.1f s after it, want within %s (lease TTL, sweep interval, slack)", late.Seconds(), bound)
	}
	t := time.Now()
	if err := r.colleges[1].Restart(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("4 attempts past their deadline closed %.1f s after it (leases of 15 s and 10 s left by the dead holder); killed instance ready %.1f s after its restart", late.Seconds(), time.Since(t).Seconds()), nil
}

func loseRedis(ctx context.Context, r *Run) (string, error) {
	if err := r.redis.Kill(); err != nil {
		return "", err
	}
	r.mu.Lock()
	r.losses = append(r.losses, time.Now())
	r.mu.Unlock()
	if err := r.redis.Wipe(); err != nil {
		return "", err
	}
	if err := sleep(ctx, time.Second); err != nil {
		return "", err
	}
	if err := r.redis.Restart(ctx); err != nil {
		return "", err
	}
	return "Redis down 1 s and back empty", nil
}

func (r *Run) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
