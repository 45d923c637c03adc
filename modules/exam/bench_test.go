package exam_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"
	"college/modules/web"
)

// TestExamStartSpike is the exam-day load: 3,000 candidates start one
// 16-question rule-drawn exam within 10 seconds, autosave and submit, over
// real HTTP on loopback. Skipped unless COLLEGE_BENCH_EXAM=1; it prints the
// figures (no timing assertion).
func TestExamStartSpike(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_EXAM") != "1" {
		t.Skip("exam spike skipped: set COLLEGE_BENCH_EXAM=1")
	}
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	bank := a.Bank(col, "考试题库", false)
	for i := 0; i < 40; i++ {
		a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{"type": "single", "stem": fmt.Sprintf("单选题 %d", i), "options": []string{"甲", "乙", "丙", "丁"}, "answer": "B", "score": 5})
		a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{"type": "multiple", "stem": fmt.Sprintf("多选题 %d", i), "options": []string{"甲", "乙", "丙", "丁"}, "answer": "AC", "score": 5})
		a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{"type": "judge", "stem": fmt.Sprintf("判断题 %d", i), "answer": true, "score": 5})
		a.Do("POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), col, map[string]any{"type": "blank", "stem": fmt.Sprintf("填空题 %d ____", i), "answer": []string{"答案"}, "score": 10})
	}
	now := time.Now().UTC()
	r := a.Do("POST", "/api/v1/exams", col, map[string]any{"title": "政治理论考试", "duration_minutes": 60, "pass_score": 60, "shuffle": true,
		"opens_at": now.Add(-time.Minute), "closes_at": now.Add(2 * time.Hour),
		"paper": map[string]any{"mode": "random", "rules": []map[string]any{
			{"bank_id": bank, "type": "single", "count": 6, "score": 5}, {"bank_id": bank, "type": "multiple", "count": 4, "score": 5},
			{"bank_id": bank, "type": "judge", "count": 4, "score": 5}, {"bank_id": bank, "type": "blank", "count": 2, "score": 15}}}})
	collegetest.MustStatus(t, r, 201)
	exam := r.ID(t)
	a.PublishExam(col, exam)

	const n = 3000
	reqs := make([]identity.UserRequest, n)
	for i := range reqs {
		reqs[i] = identity.UserRequest{Username: fmt.Sprintf("cand%04d", i), Name: "考生", OrgID: c.UnitA}
	}
	if _, err := a.Identity.Provision(context.Background(), reqs, "Cand-Pass-2026"); err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	a.DB.Table("users").Where("username LIKE ?", "cand%").Order("username").Pluck("id", &ids)
	tokens := make([]string, len(ids))
	for i, id := range ids {
		tok, err := a.Sessions.Create(context.Background(), web.Principal{UserID: id, Username: fmt.Sprintf("cand%04d", i), Roles: []string{"learner"}, OrgID: c.UnitA, OrgPath: "/1/"}, time.Hour, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
	base := a.Start()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}, Timeout: 30 * time.Second}
	call := func(method, path, tok string, body any) (int, map[string]any, time.Duration) {
		var buf bytes.Buffer
		if body != nil {
			_ = json.NewEncoder(&buf).Encode(body)
		}
		req, _ := http.NewRequest(method, base+path, &buf)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		d := time.Since(start)
		if err != nil {
			return 0, nil, d
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m, d
	}
	type phase struct {
		mu   sync.Mutex
		lat  []time.Duration
		errs int
	}
	record := func(p *phase, status, want int, d time.Duration) {
		p.mu.Lock()
		p.lat = append(p.lat, d)
		if status != want {
			p.errs++
		}
		p.mu.Unlock()
	}
	var starts, saves, submits phase
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(i)))
			time.Sleep(time.Duration(rng.Int63n(int64(10 * time.Second))))
			status, m, d := call("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", exam), tokens[i], nil)
			record(&starts, status, 201, d)
			if status != 201 {
				return
			}
			att := uint64(m["attempt_id"].(float64))
			qs := m["questions"].([]any)
			for round := 0; round < 2; round++ {
				time.Sleep(time.Duration(2+rng.Intn(3)) * time.Second)
				q := qs[rng.Intn(len(qs))].(map[string]any)
				var ans any = "A"
				switch q["type"] {
				case "multiple":
					ans = "AC"
				case "judge":
					ans = true
				case "blank":
					ans = []string{"答案"}
				}
				status, _, d := call("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers", att), tokens[i], map[string]any{"answers": map[string]any{fmt.Sprint(uint64(q["id"].(float64))): ans}})
				record(&saves, status, 200, d)
			}
			status, _, d = call("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", att), tokens[i], nil)
			record(&submits, status, 200, d)
		}(i)
	}
	wg.Wait()
	pct := func(l []time.Duration, q float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		return l[int(float64(len(l)-1)*q)]
	}
	for _, ph := range []struct {
		name string
		p    *phase
	}{{"start", &starts}, {"autosave", &saves}, {"submit", &submits}} {
		t.Logf("%-8s %5d requests, %d errors, p50 %v, p99 %v, max %v", ph.name, len(ph.p.lat), ph.p.errs, pct(ph.p.lat, 0.5).Round(time.Microsecond), pct(ph.p.lat, 0.99).Round(time.Microsecond), pct(ph.p.lat, 1).Round(time.Microsecond))
		if ph.p.errs > 0 {
			t.Errorf("%s: %d errors", ph.name, ph.p.errs)
		}
	}
	var graded int64
	a.DB.Table("attempts").Where("exam_id = ? AND status = ?", exam, "graded").Count(&graded)
	t.Logf("%d candidates in %v; %d attempts graded", n, time.Since(t0).Round(time.Millisecond), graded)
	if graded != n {
		t.Errorf("graded %d attempts, want %d", graded, n)
	}
}
