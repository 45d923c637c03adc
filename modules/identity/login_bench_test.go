package identity_test

import (
	"bytes"
	"college/app/college"
	"college/app/collegetest"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// 200 clients flood the login with bogus passwords (from many addresses, as
// a botnet would) while one cadre logs in now and then: the hashing queue is
// bounded, so the flood gets fast 503s and the cadre's login stays quick.
// Figures only (no timed assertion): COLLEGE_BENCH_LOGIN=1 go test ./modules/identity -run TestLoginUnderFlood -v
func TestLoginUnderFlood(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_LOGIN") == "" {
		t.Skip("set COLLEGE_BENCH_LOGIN=1 to measure logins under a flood")
	}
	a := collegetest.NewWith(t, func(c *college.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	c := collegetest.NewCity(a)
	_ = c
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/settings", a.Admin(), map[string]any{"auth.global_fail_limit": 10000000, "auth.ip_fail_limit": 100000}), 200)
	base := a.Start()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 300}}
	post := func(ip, user, pw string) (int, time.Duration) {
		raw, _ := json.Marshal(map[string]string{"username": user, "password": pw})
		req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Real-IP", ip)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, time.Since(start)
		}
		res.Body.Close()
		return res.StatusCode, time.Since(start)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bogus, busy atomic.Int64
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				st, _ := post(fmt.Sprintf("10.%d.%d.%d", i/250, i%250, n%250), fmt.Sprintf("nobody%d", n), "Wrong-Pass-2026")
				bogus.Add(1)
				if st == 503 {
					busy.Add(1)
				}
			}
		}()
	}
	time.Sleep(time.Second)
	var real []time.Duration
	fails := 0
	for range 20 {
		st, d := post("192.168.1.1", "ua_cadre", collegetest.UserPassword)
		if st != 200 {
			fails++
		}
		real = append(real, d)
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	sort.Slice(real, func(i, j int) bool { return real[i] < real[j] })
	t.Logf("flood: %d bogus logins, %d answered 503 busy; cadre: %d of 20 logins refused, median %v, p95 %v, max %v",
		bogus.Load(), busy.Load(), fails, real[len(real)/2].Round(time.Millisecond), real[len(real)*95/100].Round(time.Millisecond), real[len(real)-1].Round(time.Millisecond))
}
