package training_test

import (
	"bytes"
	"college/app/collegetest"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// TestThousandConcurrentRegistrations measures 1,000 cadres registering
// for one class at once over HTTP (the target is under 5 s on MariaDB):
//
//	COLLEGE_BENCH_REGISTER=1 COLLEGE_TEST_MYSQL_DSN=... go test ./modules/training -run ThousandConcurrentRegistrations -v
func TestThousandConcurrentRegistrations(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_REGISTER") == "" {
		t.Skip("set COLLEGE_BENCH_REGISTER=1 to measure")
	}
	a, c := collegetest.NewCityApp(t)
	const n, quota = 1000, 500
	people := a.Cadres("reg", c.UnitA, "乡科级", n)
	tokens := make([]string, n)
	for i, u := range people {
		tokens[i] = a.TokenFor(u)
	}
	id := a.CreateClass(c, map[string]any{"quota": quota, "self_registration": true})
	a.OpenClass(c, id)
	base := a.Start()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}, Timeout: time.Minute}
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func(tok string) {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/classes/%d/registrations", base, id), bytes.NewReader([]byte("{}")))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				counts[-1]++
				return
			}
			res.Body.Close()
			counts[res.StatusCode]++
		}(tokens[i])
	}
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	var pending, waiting, enrolled int64
	a.DB.Table("registrations").Where("class_id = ? AND status = ?", id, "pending").Count(&pending)
	a.DB.Table("registrations").Where("class_id = ? AND status = ?", id, "waitlisted").Count(&waiting)
	a.DB.Table("training_classes").Where("id = ?", id).Pluck("enrolled", &enrolled)
	t.Logf("%d concurrent registrations on %s in %v (%.0f/s): answers %v; %d seats, %d waitlisted",
		n, a.DB.Dialector.Name(), took.Round(time.Millisecond), float64(n)/took.Seconds(), counts, pending, waiting)
	if counts[201] != n || pending != quota || waiting != n-quota || enrolled != quota {
		t.Fatalf("counts wrong: answers %v, pending %d, waitlisted %d, enrolled %d", counts, pending, waiting, enrolled)
	}
}
