package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"college/app/college"
	"college/app/collegetest"
	"college/storage/cache/cachetest"
	"college/storage/db/dbtest"
)

// TestMain lets a test start this very binary as a college server in a
// child process (COLLEGE_TEST_CHILD=serve|seed), to kill it for real.
func TestMain(m *testing.M) {
	if cmd := os.Getenv("COLLEGE_TEST_CHILD"); cmd != "" {
		if err := run([]string{cmd}, os.Environ()); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	collegetest.WriteAuditSeen()
	os.Exit(code)
}

// child is a college server process.
type child struct {
	t    *testing.T
	env  []string
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// childEnv is the environment of a server on the test's own stores.
func childEnv(t *testing.T) []string {
	dir := t.TempDir()
	env := []string{"COLLEGE_DATA_DIR=" + dir, "COLLEGE_ADMIN_PASSWORD=" + collegetest.AdminPassword, "COLLEGE_LOG_LEVEL=warn",
		"COLLEGE_SECRET_KEY=crash-test-secret-0123456789abcdef0123"}
	cfg := dbtest.Config(t)
	if cfg.Driver == "mysql" {
		env = append(env, "COLLEGE_DB_DRIVER=mysql", "COLLEGE_DB_DSN="+cfg.DSN)
	} else {
		env = append(env, "COLLEGE_DB_DSN="+filepath.Join(dir, "college.db"))
	}
	if addr := os.Getenv(cachetest.EnvRedis); addr != "" {
		env = append(env, "COLLEGE_REDIS_ADDR="+addr, fmt.Sprintf("COLLEGE_REDIS_PREFIX=crash%d:", time.Now().UnixNano()))
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return env
}

func runChild(t *testing.T, env []string, what string) *child {
	t.Helper()
	addr := freePort(t)
	c := &child{t: t, env: env, base: "http://" + addr, log: &bytes.Buffer{}}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(append([]string{}, env...), "COLLEGE_TEST_CHILD="+what, "COLLEGE_ADDR="+addr)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if what != "serve" {
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, c.log)
		}
		return c
	}
	t.Cleanup(func() { _ = c.cmd.Process.Kill(); _, _ = c.cmd.Process.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(c.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never ready:\n%s", c.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *child) call(method, path, token string, body any) (int, map[string]any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// Killing the server with SIGKILL in the middle of heartbeats loses no
// progress that a heartbeat answer acknowledged.
func TestKilledServerKeepsAcknowledgedProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("process test skipped in -short mode")
	}
	t.Parallel()
	env := childEnv(t)
	runChild(t, env, "seed")
	srv := runChild(t, env, "serve")
	_, login := srv.call("POST", "/api/v1/auth/login", "", map[string]string{"username": "cadre01", "password": college.DemoPassword})
	tok, _ := login["token"].(string)
	if tok == "" {
		t.Fatalf("login: %v", login)
	}
	_, list := srv.call("GET", "/api/v1/courses", tok, nil)
	course := list["items"].([]any)[0].(map[string]any)["id"]
	_, detail := srv.call("GET", fmt.Sprintf("/api/v1/courses/%v", course), tok, nil)
	lesson := detail["lessons"].([]any)[0].(map[string]any)["id"]
	status, play := srv.call("POST", fmt.Sprintf("/api/v1/lessons/%v/play", lesson), tok, nil)
	if status != 201 {
		t.Fatalf("play: %d %v", status, play)
	}
	start := time.Now()
	var acked map[string]any
	for i := 0; i < 5; i++ {
		time.Sleep(700 * time.Millisecond)
		pos := time.Since(start).Seconds()
		status, hb := srv.call("POST", fmt.Sprintf("/api/v1/plays/%v/heartbeat", play["play_id"]), tok, map[string]any{"position": pos, "state": "playing"})
		if status != 200 {
			t.Fatalf("heartbeat: %d %v", status, hb)
		}
		acked = hb
	}
	watched := acked["watched_seconds"].(float64)
	if watched < 2 {
		t.Fatalf("too little credited before the kill: %v", acked)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = srv.cmd.Process.Wait()

	again := runChild(t, env, "serve")
	_, login = again.call("POST", "/api/v1/auth/login", "", map[string]string{"username": "cadre01", "password": college.DemoPassword})
	tok = login["token"].(string)
	status, resumed := again.call("POST", fmt.Sprintf("/api/v1/lessons/%v/play", lesson), tok, nil)
	if status != 201 {
		t.Fatalf("play after restart: %d %v", status, resumed)
	}
	if resumed["furthest"].(float64) < acked["position"].(float64)-0.01 || resumed["coverage"].(float64) < acked["coverage"].(float64)-1e-9 {
		t.Fatalf("progress lost in the crash: acknowledged %v, after restart %v", acked, resumed)
	}
	_ = context.Background
}

// save sends one autosave and tells whether it was acknowledged; a request
// the killed server never answered is not.
func (c *child) save(token string, attempt uint64, q string, v bool) bool {
	b, _ := json.Marshal(map[string]any{"answers": map[string]any{q: v}})
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/attempts/%d/answers", c.base, attempt), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == 200
}

// Killing the server with SIGKILL while candidates autosave loses no answer
// that a save acknowledged, even with the Redis of embedded mode dying with
// the process: the restarted server resumes every attempt, on the session
// the candidate already had, with, for each question, its last
// acknowledged answer or one sent after it.
func TestKilledServerKeepsAcknowledgedAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("process test skipped in -short mode")
	}
	t.Parallel()
	env := append(childEnv(t), "COLLEGE_AUTH_ADMIN_MFA=false")
	runChild(t, env, "seed")
	srv := runChild(t, env, "serve")
	login := func(s *child, user string) string {
		_, m := s.call("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": college.DemoPassword})
		tok, _ := m["token"].(string)
		if tok == "" {
			t.Fatalf("login %s: %v", user, m)
		}
		return tok
	}
	admin := login(srv, "college")
	_, bank := srv.call("POST", "/api/v1/banks", admin, map[string]any{"name": "断电测试"})
	var ids []any
	for i := 0; i < 8; i++ {
		st, q := srv.call("POST", fmt.Sprintf("/api/v1/banks/%v/questions", bank["id"]), admin, map[string]any{"type": "judge", "stem": fmt.Sprintf("判断题 %d", i), "answer": true, "score": 5})
		if st != 201 {
			t.Fatalf("question: %d %v", st, q)
		}
		ids = append(ids, q["id"])
	}
	now := time.Now().UTC()
	st, exam := srv.call("POST", "/api/v1/exams", admin, map[string]any{"title": "断电考试", "duration_minutes": 60, "opens_at": now.Add(-time.Minute), "closes_at": now.Add(time.Hour),
		"paper": map[string]any{"mode": "fixed", "question_ids": ids}})
	if st != 201 {
		t.Fatalf("exam: %d %v", st, exam)
	}
	if st, m := srv.call("POST", fmt.Sprintf("/api/v1/exams/%v/publish", exam["id"]), admin, nil); st != 200 {
		t.Fatalf("publish: %d %v", st, m)
	}
	type sheet struct {
		user, token string
		attempt     uint64
		acked       map[string]bool   // last acknowledged answer of each question
		after       map[string][]bool // answers sent since, not acknowledged
	}
	var sheets []*sheet
	for i := 1; i <= 6; i++ {
		s := &sheet{user: fmt.Sprintf("cadre%02d", i), acked: map[string]bool{}, after: map[string][]bool{}}
		s.token = login(srv, s.user)
		st, a := srv.call("POST", fmt.Sprintf("/api/v1/exams/%v/attempts", exam["id"]), s.token, nil)
		if st != 201 {
			t.Fatalf("start: %d %v", st, a)
		}
		s.attempt = uint64(a["attempt_id"].(float64))
		sheets = append(sheets, s)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	for _, s := range sheets {
		go func() {
			defer func() { done <- struct{}{} }()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				q := fmt.Sprint(ids[n%len(ids)])
				v := (n/len(ids))%2 == 0
				s.after[q] = append(s.after[q], v)
				if srv.save(s.token, s.attempt, q, v) {
					s.acked[q], s.after[q] = v, nil
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = srv.cmd.Process.Wait()
	close(stop)
	for range sheets {
		<-done
	}

	again := runChild(t, env, "serve")
	acks := 0
	for _, s := range sheets {
		// The session outlives the process and, in embedded mode, the
		// Redis that died with it: the candidate carries on without signing in.
		st, a := again.call("GET", fmt.Sprintf("/api/v1/attempts/%d/questions", s.attempt), s.token, nil)
		if st != 200 {
			t.Fatalf("%s resume: %d %v", s.user, st, a)
		}
		saved, _ := a["answers"].(map[string]any)
		for q, v := range s.acked {
			acks++
			got, ok := saved[q].(bool)
			if !ok {
				t.Errorf("%s question %s: acknowledged %v, nothing after the restart", s.user, q, v)
				continue
			}
			if got != v && !slices.Contains(s.after[q], got) {
				t.Errorf("%s question %s: acknowledged %v, then sent %v; after the restart %v", s.user, q, v, s.after[q], got)
			}
		}
	}
	if acks == 0 {
		t.Fatal("no save was acknowledged before the kill")
	}
	t.Logf("%d questions with acknowledged answers across %d attempts, all kept", acks, len(sheets))
}
