// Package chaos runs the college on private MariaDB, Redis and MinIO
// servers, drives a workload of learners, candidates and registrants through
// them, injects faults (processes killed, frozen, restarted without their
// data, a full disk) and then compares every acknowledged request with what
// SQL holds. The short run is a test in CI; `college chaos` runs it for as
// long as an operator likes.
package chaos

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // the private MariaDB's readiness probe
)

// Proc is one server process the run owns: started, killed, frozen and
// restarted with the same arguments.
type Proc struct {
	Name string
	Path string
	Args []string
	Env  []string
	Log  string // file that takes its output

	mu  sync.Mutex
	cmd *exec.Cmd
	out *os.File
}

// Start runs the process.
func (p *Proc) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Env = p.Env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("chaos: start %s: %w", p.Name, err)
	}
	p.cmd, p.out = cmd, f
	return nil
}

// Pid is the running process's id, 0 when it is not running.
func (p *Proc) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

func (p *Proc) signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return fmt.Errorf("chaos: %s is not running", p.Name)
	}
	return syscall.Kill(-p.cmd.Process.Pid, sig)
}

// Kill ends the process with SIGKILL, as a power cut or the OOM killer would.
func (p *Proc) Kill() error {
	if err := p.signal(syscall.SIGKILL); err != nil {
		return err
	}
	p.reap()
	return nil
}

// Stop asks the process to end (SIGTERM) and waits up to grace for it.
func (p *Proc) Stop(grace time.Duration) {
	if p.signal(syscall.SIGTERM) != nil {
		return
	}
	done := make(chan struct{})
	go func() { p.reap(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		_ = p.signal(syscall.SIGKILL)
		<-done
	}
}

// Freeze stops the process (SIGSTOP): it holds its sockets and answers nothing.
func (p *Proc) Freeze() error { return p.signal(syscall.SIGSTOP) }

// Thaw resumes a frozen process.
func (p *Proc) Thaw() error { return p.signal(syscall.SIGCONT) }

func (p *Proc) reap() {
	p.mu.Lock()
	cmd, out := p.cmd, p.out
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Wait()
	out.Close()
	p.mu.Lock()
	if p.cmd == cmd {
		p.cmd, p.out = nil, nil
	}
	p.mu.Unlock()
}

// Tail is the end of the process's log, for a failure report.
func (p *Proc) Tail(n int) string {
	b, _ := os.ReadFile(p.Log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// FreePort returns a loopback port nobody listens on.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitFor polls ok until it holds or timeout passes.
func waitFor(ctx context.Context, what string, timeout time.Duration, ok func() bool) error {
	end := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(end) {
			return fmt.Errorf("chaos: %s not up after %s", what, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// Binary finds a server program on PATH or in the Go bin directory.
func Binary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{os.Getenv("GOBIN"), filepath.Join(os.Getenv("HOME"), "go", "bin"), "/usr/sbin", "/usr/local/sbin"} {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("chaos: %s not found on PATH or in ~/go/bin", name)
}

// Redis is a private redis-server.
type Redis struct {
	*Proc
	Port int
	Dir  string
	AOF  bool
}

// StartRedis starts redis-server on a free port, keeping its data in dir;
// with aof it logs every write (appendfsync everysec), as the production
// example does.
func StartRedis(ctx context.Context, dir string, aof bool) (*Redis, error) {
	bin, err := Binary("redis-server")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	r := &Redis{Port: port, Dir: dir, AOF: aof}
	r.Proc = &Proc{Name: "redis", Path: bin, Log: filepath.Join(dir, "redis.log")}
	r.configure()
	return r, r.Restart(ctx)
}

func (r *Redis) configure() {
	appendonly := "no"
	if r.AOF {
		appendonly = "yes"
	}
	r.Args = []string{"--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1", "--dir", r.Dir, "--save", "",
		"--appendonly", appendonly, "--appendfsync", "everysec", "--maxmemory-policy", "noeviction", "--daemonize", "no"}
}

// Addr is host:port.
func (r *Redis) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.Port) }

// Restart starts the server again on its port and data, and waits for PONG.
func (r *Redis) Restart(ctx context.Context) error {
	if err := r.Start(); err != nil {
		return err
	}
	return waitFor(ctx, "redis", 20*time.Second, func() bool { return redisPing(r.Addr()) })
}

// Wipe deletes what the server kept on disk (it must be stopped): the next
// start is a Redis that lost its data.
func (r *Redis) Wipe() error {
	ents, err := os.ReadDir(r.Dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Name() == "redis.log" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(r.Dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// Command runs one Redis command over a plain connection and returns the
// raw reply; enough for the few the harness needs.
func (r *Redis) Command(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", r.Addr(), time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write(b.Bytes()); err != nil {
		return "", err
	}
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func redisPing(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 16)
	n, _ := c.Read(buf)
	return strings.HasPrefix(string(buf[:n]), "+PONG")
}

// MariaDB is a private mariadbd on its own data directory.
type MariaDB struct {
	*Proc
	Port int
	Dir  string
}

// StartMariaDB initialises a data directory in dir and starts mariadbd on
// a free port with the database college.
func StartMariaDB(ctx context.Context, dir string) (*MariaDB, error) {
	server, err := Binary("mariadbd")
	if err != nil {
		return nil, err
	}
	install, err := Binary("mariadb-install-db")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if out, err := exec.CommandContext(ctx, install, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chaos: mariadb-install-db: %v\n%s", err, out)
	}
	m := &MariaDB{Port: port, Dir: dir}
	m.Proc = &Proc{Name: "mariadb", Path: server, Log: filepath.Join(dir, "mariadb.log"), Args: []string{
		"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--skip-grant-tables", "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=128M",
		"--innodb-log-file-size=48M", "--max-connections=400", "--log-error=" + filepath.Join(dir, "mariadb.log"),
	}}
	if os.Geteuid() == 0 {
		m.Args = append(m.Args, "--user=root")
	}
	if err := m.Restart(ctx); err != nil {
		return nil, err
	}
	dbh, err := sql.Open("mysql", m.RootDSN(""))
	if err != nil {
		return nil, err
	}
	defer dbh.Close()
	if _, err := dbh.ExecContext(ctx, "CREATE DATABASE college CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return nil, fmt.Errorf("chaos: create database: %w", err)
	}
	return m, nil
}

// RootDSN is a DSN of the server for database name ("" for none).
func (m *MariaDB) RootDSN(name string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?charset=utf8mb4&parseTime=true&loc=UTC", m.Port, name)
}

// Restart starts mariadbd again on its data (crash recovery included) and
// waits until it answers.
func (m *MariaDB) Restart(ctx context.Context) error {
	if err := m.Start(); err != nil {
		return err
	}
	return waitFor(ctx, "mariadb", 90*time.Second, func() bool {
		dbh, err := sql.Open("mysql", m.RootDSN("")+"&timeout=1s")
		if err != nil {
			return false
		}
		defer dbh.Close()
		c, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return dbh.PingContext(c) == nil
	})
}

// MinIO is a private MinIO server.
type MinIO struct {
	*Proc
	Port int
}

// MinIO's credentials in the run.
const (
	MinIOUser     = "chaosadmin"
	MinIOPassword = "chaosadmin-secret"
)

// StartMinIO starts a MinIO server on dir.
func StartMinIO(ctx context.Context, dir string) (*MinIO, error) {
	bin, err := Binary("minio")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	console, err := FreePort()
	if err != nil {
		return nil, err
	}
	m := &MinIO{Port: port}
	m.Proc = &Proc{Name: "minio", Path: bin, Log: filepath.Join(dir, "minio.log"),
		Args: []string{"server", "--quiet", "--address", fmt.Sprintf("127.0.0.1:%d", port), "--console-address", fmt.Sprintf("127.0.0.1:%d", console), filepath.Join(dir, "data")},
		Env:  append(os.Environ(), "MINIO_ROOT_USER="+MinIOUser, "MINIO_ROOT_PASSWORD="+MinIOPassword, "MINIO_UPDATE=off", "MINIO_BROWSER=off")}
	return m, m.Restart(ctx)
}

// Endpoint is host:port.
func (m *MinIO) Endpoint() string { return "127.0.0.1:" + strconv.Itoa(m.Port) }

// Restart starts MinIO again on its data and waits until it is live.
func (m *MinIO) Restart(ctx context.Context) error {
	if err := m.Start(); err != nil {
		return err
	}
	return waitFor(ctx, "minio", 60*time.Second, func() bool {
		resp, err := http.Get("http://" + m.Endpoint() + "/minio/health/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// Launcher builds the command of one college process given its
// environment: the college binary with "serve" or "seed", or a test binary
// that runs the college as a child.
type Launcher func(what string, env []string) (path string, args []string, fullEnv []string)

// College is one college instance.
type College struct {
	*Proc
	Base string
}

// StartCollege starts an instance on a free port and waits for /readyz.
func StartCollege(ctx context.Context, launch Launcher, env []string, log string) (*College, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	path, args, full := launch("serve", append(append([]string{}, env...), "COLLEGE_ADDR="+addr))
	c := &College{Proc: &Proc{Name: "college " + addr, Path: path, Args: args, Env: full, Log: log}, Base: "http://" + addr}
	return c, c.Restart(ctx)
}

// Restart starts the instance again and waits until it is ready.
func (c *College) Restart(ctx context.Context) error {
	if err := c.Start(); err != nil {
		return err
	}
	err := waitFor(ctx, c.Name, 60*time.Second, func() bool {
		resp, err := http.Get(c.Base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if err != nil {
		return fmt.Errorf("%w\n%s", err, c.Tail(30))
	}
	return nil
}

// Seed runs the seed command to completion.
func Seed(ctx context.Context, launch Launcher, env []string, log string) error {
	path, args, full := launch("seed", env)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = full
	out, err := cmd.CombinedOutput()
	_ = os.WriteFile(log, out, 0o644)
	if err != nil {
		return fmt.Errorf("chaos: seed: %v\n%s", err, out)
	}
	return nil
}
