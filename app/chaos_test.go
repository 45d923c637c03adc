package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"college/app/chaos"
)

// TestChaos runs the college on private MariaDB, Redis and MinIO servers
// with two instances under a workload of learners, candidates and
// registrants, plays every fault once (an instance, Redis, MariaDB and MinIO
// killed; MariaDB frozen; a lease holder killed; Redis back without its
// data) and fails on any acknowledged request SQL does not hold, a missing
// or doubled credit, an over-quota class, an attempt graded on other
// answers, or a server error other than 503. It needs the server programs
// (redis-server, mariadbd, minio) and runs when COLLEGE_TEST_CHAOS is set,
// as CI does; `college chaos` is the long run.
func TestChaos(t *testing.T) {
	if os.Getenv("COLLEGE_TEST_CHAOS") == "" {
		t.Skip("set COLLEGE_TEST_CHAOS=1 to run the fault-injection run (CI does)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	rep, err := chaos.Execute(ctx, chaos.Config{Dir: t.TempDir(), Cycles: 1, Hold: 4 * time.Second, RequireMinIO: true, Logf: t.Logf, Launch: testLauncher})
	if err != nil {
		t.Fatal(err)
	}
	report(t, rep)
}

// TestChaosDiskFull fills the data disk of a college on the embedded
// defaults under load, frees it, and checks every acknowledgement against
// the SQLite database; it mounts a tmpfs, so it needs root (CI is).
func TestChaosDiskFull(t *testing.T) {
	if os.Getenv("COLLEGE_TEST_CHAOS") == "" {
		t.Skip("set COLLEGE_TEST_CHAOS=1 to run the fault-injection run (CI does)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	rep, err := chaos.ExecuteDiskFull(ctx, chaos.Config{Dir: t.TempDir(), Hold: 4 * time.Second, Logf: t.Logf, Launch: testLauncher})
	if err != nil {
		t.Fatal(err)
	}
	report(t, rep)
}

// testLauncher starts this test binary as a college process.
func testLauncher(what string, env []string) (string, []string, []string) {
	full := append(append([]string{}, env...), "COLLEGE_TEST_CHILD="+what)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "HOME=") {
			full = append(full, kv)
		}
	}
	return os.Args[0], []string{"-test.run=^$"}, full
}

func report(t *testing.T, rep *chaos.Report) {
	t.Helper()
	for _, e := range rep.Events {
		t.Logf("%-42s longest learner pause %5.1f s · %s", e.Fault, e.Outage.Seconds(), e.Details)
	}
	for _, f := range rep.Figures {
		t.Log(f)
	}
	t.Logf("answers: %s; run took %s", rep.Answers, rep.Duration.Round(time.Second))
	for _, f := range rep.Failures {
		t.Error(f)
	}
}
