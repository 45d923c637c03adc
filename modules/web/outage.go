package web

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
)

// A request that fails because a service the college depends on (the
// database, Redis, the object store) or the disk is down, unreachable,
// overloaded or full is not the user's fault and not a bug: it answers
// 503 with Retry-After, in words that say the service is busy, and clients
// and the player try again. Everything else that fails stays a 500.

// outageWords are what drivers say when the other side is gone, for the
// errors they do not wrap in a type errors.Is/As can see.
var outageWords = []string{
	"connection refused", "connection reset", "broken pipe", "i/o timeout", "no such host",
	"server has gone away", "invalid connection", "bad connection", "connection pool timeout",
	"too many connections", "client is closed", "database is closed", "no space left on device",
	"read-only file system", "database is locked", "loading the dataset in memory",
	"oom command not allowed", "readonly you can't write against a read only replica",
	"server is not available", "service unavailable", "slowdown",
	"database or disk is full", "disk i/o error", // SQLite on a full or failing data disk
	"disk full", "error writing file", // MariaDB out of space (1021, 3)
}

// IsOutage tells whether err comes from a dependency being unavailable
// rather than from the request or the code.
func IsOutage(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EROFS), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.As(err, &ne):
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, w := range outageWords {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

// outage turns a 500 caused by an unavailable dependency into 503.
func outage(we *Error) *Error {
	if we.Status != http.StatusInternalServerError || !IsOutage(we.Cause) {
		return we
	}
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "服务繁忙，请稍后重试", RetryAfter: 2, Cause: we.Cause}
}

// Deadline bounds the work of each request: its context ends after short,
// or after long for imports and exports, so a stalled dependency fails the
// request (503) instead of holding it and its connections. An upload
// (multipart, streamed to the handler as it arrives) has none: its time is
// the client's, and a 2 GB video on a slow line may take longer than any
// fixed bound. Object streams are read outside it (ServeObject).
func Deadline(short, long time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
			return c.Next()
		}
		d := short
		if path := c.Path(); strings.Contains(path, "import") || strings.Contains(path, "export") || strings.HasSuffix(path, ".xlsx") {
			d = long
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), d)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}
