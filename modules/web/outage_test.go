package web

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// A dependency that is down answers 503 with Retry-After and a busy
// message; a bug stays a 500; a user's error keeps its status.
func TestOutagesAnswer503(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: ErrorHandler(slog.New(slog.DiscardHandler), nil)})
	causes := map[string]error{
		"refused":  &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}},
		"badconn":  fmt.Errorf("query: %w", driver.ErrBadConn),
		"diskfull": fmt.Errorf("write: %w", syscall.ENOSPC),
		"sqlite":   errors.New("database or disk is full (13)"), // the SQLite driver's words, unwrapped
		"mariadb":  errors.New("Error 1021 (HY000): Disk full (/var/lib/mysql/college/attempts.ibd); waiting for someone to free some space..."),
		"gone":     errors.New("Error 2006: MySQL server has gone away"),
		"redis":    errors.New("redis: connection pool timeout"),
		"bug":      errors.New("json: cannot unmarshal number into Go value of type string"),
	}
	app.Get("/api/:cause", func(c *fiber.Ctx) error {
		if c.Params("cause") == "conflict" {
			return Conflict("attempt_finished", "考试已结束")
		}
		return Internal(causes[c.Params("cause")])
	})
	for cause, want := range map[string]int{"refused": 503, "badconn": 503, "diskfull": 503, "sqlite": 503, "mariadb": 503, "gone": 503, "redis": 503, "bug": 500, "conflict": 409} {
		res, err := app.Test(httptest.NewRequest("GET", "/api/"+cause, nil))
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", cause, res.StatusCode, want)
		}
		if want == 503 && res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", cause)
		}
	}
}

// A request whose dependency stalls past the deadline answers 503; an
// export gets the long deadline, and an upload (streamed, the client's
// time) none.
func TestDeadlineEndsStalledRequests(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: ErrorHandler(slog.New(slog.DiscardHandler), nil)})
	app.Use(Deadline(50*time.Millisecond, time.Hour))
	app.Get("/api/stalled", func(c *fiber.Ctx) error {
		<-c.UserContext().Done() // a frozen database
		return Internal(fmt.Errorf("query: %w", c.UserContext().Err()))
	})
	app.Post("/api/upload", func(c *fiber.Ctx) error {
		if _, ok := c.UserContext().Deadline(); ok {
			return Conflict("deadline", "an upload got a deadline")
		}
		return c.SendStatus(204)
	})
	app.Get("/api/banks/1/export", func(c *fiber.Ctx) error {
		d, ok := c.UserContext().Deadline()
		if !ok || time.Until(d) < 30*time.Minute {
			return Conflict("short", "an export got the short deadline")
		}
		return c.SendStatus(204)
	})
	res, err := app.Test(httptest.NewRequest("GET", "/api/stalled", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 503 {
		t.Fatalf("stalled: %d", res.StatusCode)
	}
	req := httptest.NewRequest("POST", "/api/upload", strings.NewReader("--x--\r\n"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	res, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 204 {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	if res, err = app.Test(httptest.NewRequest("GET", "/api/banks/1/export", nil), -1); err != nil || res.StatusCode != 204 {
		t.Fatalf("export: %v %v", res, err)
	}
}
