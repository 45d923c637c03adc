package college_test

import (
	"bufio"
	"college/app/college"
	"college/app/collegetest"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Metric labels survive Fiber's reuse of request buffers: after traffic with
// many methods and routes on kept-alive connections, every method and route
// label is one that was really served, and /metrics still answers 200.
func TestMetricsLabelsAreNotCorruptedByTraffic(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) { c.MetricsToken = testMetricsToken })
	base := a.Start()
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}
	paths := []string{"/healthz", "/readyz", "/api/v1/me", "/api/v1/courses", "/api/v1/users/7", "/api/v1/no-such-thing-at-all",
		"/login", "/courses", "/static/css/app.css", "/exams", "/api/v1/auth/login", "/x/" + strings.Repeat("y", 300)}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for i := 0; i < 250; i++ {
				m := methods[(i+w)%len(methods)]
				p := paths[(i*7+w)%len(paths)]
				req, err := http.NewRequest(m, base+p, nil)
				if err != nil {
					t.Error(err)
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(w)
	}
	wg.Wait()

	status, body := httpGet(t, base+"/metrics", testMetricsToken)
	if status != 200 {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	routes := map[string]bool{}
	for _, r := range a.Fiber.GetRoutes(false) {
		routes[r.Path] = true
	}
	knownMethod := map[string]bool{}
	for _, m := range methods {
		knownMethod[m] = true
	}
	label := regexp.MustCompile(`^college_http_request[a-z_]*\{method="([^"]*)",route="([^"]*)"`)
	seen := 0
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := label.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		seen++
		if !knownMethod[m[1]] {
			t.Errorf("method label %q was never sent: %s", m[1], sc.Text())
		}
		if !routes[m[2]] {
			t.Errorf("route label %q is no route: %s", m[2], sc.Text())
		}
	}
	if seen < len(methods) {
		t.Fatalf("only %d labelled series:\n%s", seen, body)
	}
}

const testMetricsToken = "metrics-token-0123456789abcdef"

// httpGet sends a GET over the network, with the bearer token unless it is
// "", and returns the status and the body.
func httpGet(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /metrics is closed unless a token or its own listen address is configured;
// with a token it answers only to that bearer token.
func TestMetricsNeedTokenOrOwnAddress(t *testing.T) {
	t.Parallel()
	open := collegetest.New(t)
	collegetest.MustStatus(t, open.Do("GET", "/metrics", "", nil), 404)

	a := collegetest.NewWith(t, func(c *college.Config) { c.MetricsToken = testMetricsToken })
	for _, auth := range []string{"", "Bearer wrong-token-0123456789abcdef", "Basic " + testMetricsToken, testMetricsToken} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		r := a.Send(req)
		if r.Status != 401 || strings.Contains(string(r.Body), "go_goroutines") {
			t.Errorf("Authorization %q: %d %.80s", auth, r.Status, r.Body)
		}
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	r := a.Send(req)
	collegetest.MustBody(t, r, 200, "go_goroutines")
}

// With metrics_addr the metrics are served on that address only.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	a := collegetest.NewWith(t, func(c *college.Config) {
		c.Addr = "127.0.0.1:0"
		c.MetricsAddr = "127.0.0.1:0"
		c.MetricsToken = testMetricsToken
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var addr, maddr string
	for i := 0; i < 500 && (addr == "" || maddr == ""); i++ {
		addr, maddr = a.Addrs()
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" || maddr == "" || addr == maddr {
		t.Fatalf("listening on %q, metrics on %q", addr, maddr)
	}
	if st, _ := httpGet(t, "http://"+addr+"/metrics", testMetricsToken); st != 404 {
		t.Errorf("public address serves /metrics: %d", st)
	}
	if st, _ := httpGet(t, "http://"+maddr+"/metrics", ""); st != 401 {
		t.Errorf("metrics address without the token: %d", st)
	}
	st, body := httpGet(t, "http://"+maddr+"/metrics", testMetricsToken)
	if st != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics address: %d %.200s", st, body)
	}
	if st, _ := httpGet(t, "http://"+maddr+"/healthz", testMetricsToken); st != 404 {
		t.Errorf("metrics address serves more than /metrics: %d", st)
	}
}

func TestMetricsConfig(t *testing.T) {
	t.Parallel()
	for _, env := range [][]string{
		{"COLLEGE_METRICS_TOKEN=short"},
		{"COLLEGE_METRICS_ADDR=nonsense"},
		{"COLLEGE_METRICS_ADDR=:8080"},
	} {
		if _, err := college.LoadConfig("", env); err == nil || !strings.Contains(err.Error(), strings.SplitN(env[0], "=", 2)[0]) {
			t.Errorf("%v: %v", env, err)
		}
	}
	if _, err := college.LoadConfig("", []string{"COLLEGE_METRICS_ADDR=127.0.0.1:9090", "COLLEGE_METRICS_TOKEN=" + testMetricsToken}); err != nil {
		t.Error(err)
	}
}
