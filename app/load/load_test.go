package load

import (
	"bytes"
	"college/app/collegetest"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func benchTestConfig(base, scenario string) benchConfig {
	cfg := benchDefaults()
	cfg.URL = base
	cfg.Scenario = scenario
	cfg.Connections = 4
	cfg.Duration = 300 * time.Millisecond
	cfg.Warmup = 50 * time.Millisecond
	cfg.Timeout = 5 * time.Second
	return cfg
}

func TestBenchHealthz(t *testing.T) {
	base := collegetest.New(t).Start()
	var out bytes.Buffer
	res, err := benchRun(context.Background(), benchTestConfig(base, "healthz"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests <= 0 || res.RPS <= 0 {
		t.Fatalf("requests %d, rps %v: want > 0", res.Requests, res.RPS)
	}
	if res.Errors != 0 || len(res.ErrorsByStatus) != 0 {
		t.Fatalf("errors %d %v, want none", res.Errors, res.ErrorsByStatus)
	}
	if !(res.p50 > 0 && res.p50 <= res.p90 && res.p90 <= res.p99 && res.p99 <= res.max) {
		t.Fatalf("latencies out of order: p50 %s p90 %s p99 %s max %s", res.p50, res.p90, res.p99, res.max)
	}
	if res.Duration < 0.29 || res.Duration > 0.31 {
		t.Fatalf("duration_seconds %v, want the measured 0.3", res.Duration)
	}
	text := out.String()
	for _, want := range []string{"scenario   healthz", "url        " + base, "connections 4", "rate unlimited", "requests   ", "errors     0", "latency    p50 "} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func TestBenchMe(t *testing.T) {
	base := collegetest.New(t).Start()
	cfg := benchTestConfig(base, "me")
	cfg.Password = collegetest.AdminPassword
	cfg.JSON = true
	var out bytes.Buffer
	res, err := benchRun(context.Background(), cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests <= 0 || res.Errors != 0 {
		t.Fatalf("requests %d errors %d %v: want some and none", res.Requests, res.Errors, res.ErrorsByStatus)
	}
	var js map[string]any
	if err := json.Unmarshal(out.Bytes(), &js); err != nil {
		t.Fatalf("--json output is not one JSON object: %v: %s", err, out.Bytes())
	}
	for _, k := range []string{"scenario", "connections", "duration_seconds", "requests", "rps", "errors", "errors_by_status", "p50_ms", "p90_ms", "p99_ms", "max_ms"} {
		if _, ok := js[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out.Bytes())
		}
	}
	if js["scenario"] != "me" || js["requests"].(float64) != float64(res.Requests) {
		t.Errorf("JSON disagrees with the result: %s", out.Bytes())
	}

	// A wrong token: every request is refused and counted under 401.
	cfg.Password, cfg.Token, cfg.JSON = "", "not-a-real-token", false
	res, err = benchRun(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests <= 0 || res.Errors != res.Requests || res.ErrorsByStatus["401"] != res.Requests || len(res.ErrorsByStatus) != 1 {
		t.Fatalf("wrong token: requests %d errors %d %v: want every request a 401", res.Requests, res.Errors, res.ErrorsByStatus)
	}

	// No password and no token: setup refuses before any load.
	cfg.Token = ""
	if _, err := benchRun(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("no login: err %v, want one asking for a password", err)
	}
	// A wrong password fails the login in setup.
	cfg.Password = "wrong-password"
	if _, err := benchRun(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "log in") {
		t.Fatalf("wrong password: err %v, want a login error", err)
	}
}

func TestBenchRate(t *testing.T) {
	base := collegetest.New(t).Start()
	cfg := benchTestConfig(base, "healthz")
	cfg.Rate = 200
	cfg.Duration = time.Second
	cfg.Warmup = 100 * time.Millisecond
	var out bytes.Buffer
	res, err := benchRun(context.Background(), cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 120 || res.Requests > 260 || res.Errors != 0 {
		t.Fatalf("rate 200 for 1s: %d requests (%d errors), want about 200", res.Requests, res.Errors)
	}
	if !strings.Contains(out.String(), "rate 200/s") {
		t.Errorf("output lacks the rate:\n%s", out.String())
	}
}

func TestBenchCancel(t *testing.T) {
	base := collegetest.New(t).Start()
	cfg := benchTestConfig(base, "healthz")
	cfg.Warmup = 0
	cfg.Duration = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	started := time.Now()
	res, err := benchRun(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took > 10*time.Second {
		t.Fatalf("a cancelled run took %s", took)
	}
	if !res.Interrupted || res.Requests <= 0 || res.Errors != 0 {
		t.Fatalf("cancelled run: interrupted %v requests %d errors %d %v", res.Interrupted, res.Requests, res.Errors, res.ErrorsByStatus)
	}
}

func TestBenchFlags(t *testing.T) {
	var out bytes.Buffer
	err := Run([]string{"--scenario", "no-such-scenario", "--duration", "1ms"}, &out)
	if err == nil || !strings.Contains(err.Error(), "no-such-scenario") {
		t.Fatalf("unknown scenario: err %v, want one naming it", err)
	}
	out.Reset()
	if err := Run([]string{"--list"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"healthz", "me"} {
		if !strings.Contains(out.String(), name+" ") {
			t.Errorf("--list lacks %s:\n%s", name, out.String())
		}
	}
	for _, args := range [][]string{
		{"--connections", "0"},
		{"--duration", "0s"},
		{"--rate", "-1"},
		{"--url", "ftp://127.0.0.1"},
		{"--bogus"},
		{"extra"},
	} {
		if err := Run(args, &out); err == nil {
			t.Errorf("Run(%q): no error", args)
		}
	}
}

func TestBenchPercentile(t *testing.T) {
	var v []time.Duration
	for i := 1; i <= 100; i++ {
		v = append(v, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0.50, 50 * time.Millisecond}, {0.90, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := benchPercentile(v, c.p); got != c.want {
			t.Errorf("p%v = %s, want %s", c.p*100, got, c.want)
		}
	}
	if benchPercentile(nil, 0.5) != 0 {
		t.Error("percentile of nothing is not 0")
	}
}
