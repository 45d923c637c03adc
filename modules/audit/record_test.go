package audit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// Every field is bounded in Record itself: a megabyte detail or user name
// cannot grow the log, and bytes the database refuses cannot fail the action.
func TestRecordBoundsFields(t *testing.T) {
	t.Parallel()
	s, gdb := freshService(t, false)
	huge := strings.Repeat("审", 1<<20)
	e := web.AuditEntry{ActorName: strings.Repeat("a", 1<<20), IP: strings.Repeat("9", 500), Action: "login.fail", Target: "user", Detail: huge}
	if err := s.Record(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(context.Background(), web.AuditEntry{ActorName: "bad\xff\xfename", Action: "login.fail", Detail: "x\xc3"}); err != nil {
		t.Fatal(err)
	}
	var rows []Log
	gdb.Order("id").Find(&rows)
	r := rows[0]
	if len(r.Detail) > MaxDetailBytes || !strings.HasSuffix(r.Detail, truncatedMark) || !utf8.ValidString(r.Detail) {
		t.Fatalf("detail %d bytes, valid %v", len(r.Detail), utf8.ValidString(r.Detail))
	}
	if n := utf8.RuneCountInString(r.ActorName); n != 64 || utf8.RuneCountInString(r.IP) != 64 {
		t.Fatalf("actor name %d runes, ip %d", n, len(r.IP))
	}
	if !utf8.ValidString(rows[1].ActorName) || !utf8.ValidString(rows[1].Detail) || !strings.HasPrefix(rows[1].ActorName, "bad") {
		t.Fatalf("invalid UTF-8 kept: %q %q", rows[1].ActorName, rows[1].Detail)
	}
	if rep := mustVerify(t, s); !rep.OK() {
		t.Fatal(rep.Break)
	}
}

// RecordTx commits with the caller's transaction and rolls back with it.
func TestRecordTxFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	s, gdb := freshService(t, false)
	boom := errors.New("the action failed")
	err := gdb.Transaction(func(tx *gorm.DB) error {
		if err := s.RecordTx(tx, web.AuditEntry{Action: "role.grant", Success: true}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	err = gdb.Transaction(func(tx *gorm.DB) error {
		return s.RecordTx(tx, web.AuditEntry{Action: "role.revoke", Success: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	gdb.Model(&Log{}).Pluck("action", &actions)
	if len(actions) != 1 || actions[0] != "role.revoke" {
		t.Fatalf("entries %v", actions)
	}
	// A failed write is an error of the transaction: the action rolls back.
	if err := gdb.Migrator().DropTable("audit_logs"); err != nil {
		t.Fatal(err)
	}
	err = gdb.Transaction(func(tx *gorm.DB) error {
		return s.RecordTx(tx, web.AuditEntry{Action: "role.grant", Success: true})
	})
	if !web.IsStatus(err, fiber.StatusServiceUnavailable) {
		t.Fatalf("RecordTx on a broken log = %v", err)
	}
}

func guardedApp(s *Service) *fiber.App {
	log := slog.New(slog.DiscardHandler)
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(log, nil)})
	app.Use(web.AuditGuard(s, log, nil))
	app.Post("/api/v1/things", func(c *fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: "sid", Value: "secret-session"})
		s.Record(c.UserContext(), web.AuditFrom(c, "thing.create", "thing", 1, nil)) // result ignored on purpose
		return c.JSON(fiber.Map{"token": "abc"})
	})
	app.Get("/api/v1/export", func(c *fiber.Ctx) error {
		if err := s.Record(c.UserContext(), web.AuditFrom(c, "roster.export", "class", 1, nil)); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="roster.xlsx"`)
		return c.SendString("xlsx bytes")
	})
	app.Get("/api/v1/secret", func(c *fiber.Ctx) error { return web.Forbidden() })
	app.Get("/api/v1/private", func(c *fiber.Ctx) error { return web.Unauthorized() })
	app.Get("/page", func(c *fiber.Ctx) error { return c.Status(fiber.StatusForbidden).SendString("no") })
	return app
}

func call(t *testing.T, app *fiber.App, method, path string) (int, string, string) {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest(method, path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Set-Cookie") + resp.Header.Get("Content-Disposition")
}

// A failed audit write fails the request that made it, even where the
// handler ignored the error: 503 audit_unavailable, and nothing of the
// prepared answer (body, cookie, download) goes out.
func TestAuditFailureFailsTheRequest(t *testing.T) {
	t.Parallel()
	s, gdb := freshService(t, false)
	app := guardedApp(s)
	if st, body, _ := call(t, app, "POST", "/api/v1/things"); st != 200 || !strings.Contains(body, "abc") {
		t.Fatalf("working log: %d %s", st, body)
	}
	if err := gdb.Migrator().DropTable("audit_logs"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/things", "/api/v1/export"} {
		method := map[string]string{"/api/v1/things": "POST", "/api/v1/export": "GET"}[path]
		st, body, headers := call(t, app, method, path)
		if st != fiber.StatusServiceUnavailable || !strings.Contains(body, "audit_unavailable") {
			t.Fatalf("%s with a broken log: %d %s", path, st, body)
		}
		if strings.Contains(body, "abc") || strings.Contains(body, "xlsx") || headers != "" {
			t.Fatalf("%s: the prepared answer leaked: %s %q", path, body, headers)
		}
	}
}

// Each refusal is recorded once, with the route; a 401 is not.
func TestRefusalsAreRecorded(t *testing.T) {
	t.Parallel()
	s, gdb := freshService(t, false)
	app := guardedApp(s)
	if st, _, _ := call(t, app, "GET", "/api/v1/secret"); st != 403 {
		t.Fatal(st)
	}
	if st, _, _ := call(t, app, "GET", "/page"); st != 403 {
		t.Fatal(st)
	}
	if st, _, _ := call(t, app, "GET", "/api/v1/private"); st != 401 {
		t.Fatal(st)
	}
	var rows []Log
	gdb.Order("id").Find(&rows)
	if len(rows) != 2 {
		t.Fatalf("%d entries, want 2: %+v", len(rows), rows)
	}
	for i, path := range []string{"/api/v1/secret", "/page"} {
		if rows[i].Action != "access.denied" || rows[i].Success || !strings.Contains(rows[i].Detail, path) {
			t.Fatalf("entry %d: %+v", i, rows[i])
		}
	}
	if !strings.Contains(rows[0].Detail, `"code":"forbidden"`) {
		t.Fatalf("detail %s", rows[0].Detail)
	}
}
