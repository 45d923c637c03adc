package main

import (
	"bufio"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Metric labels survive Fiber's reuse of request buffers: after traffic with
// many methods and routes on kept-alive connections, every method and route
// label is one that was really served, and /metrics still answers 200.
func TestMetricsLabelsAreNotCorruptedByTraffic(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	base := a.serve()
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

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
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
	sc := bufio.NewScanner(strings.NewReader(string(body)))
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
