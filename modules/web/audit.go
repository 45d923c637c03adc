package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"college/storage/db"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// AuditEntry is one line of the audit log: who did what to which record,
// when and from where.
type AuditEntry struct {
	ActorID   uint64
	ActorName string
	IP        string
	Action    string // e.g. "user.create", "login.fail"
	Target    string // record type
	TargetID  uint64
	Detail    string // JSON, personal data masked
	Success   bool
}

// Auditor records audit entries. The audit module implements it. An error
// means the entry was not written: the action it records must fail too. In
// a request under AuditGuard that happens even when the caller ignores the
// error: the guard turns the response into 503 audit_unavailable.
type Auditor interface {
	Record(ctx context.Context, e AuditEntry) error
}

// AuditUnavailable is the error of an action whose audit entry could not be
// written.
func AuditUnavailable(cause error) *Error {
	return NewError(http.StatusServiceUnavailable, "audit_unavailable", "审计日志暂时无法写入，操作未完成，请稍后重试").WithCause(cause)
}

type auditStateKey struct{}

// auditState is what AuditGuard knows of the audit writes of one request.
type auditState struct {
	failed  atomic.Bool
	written atomic.Int32
}

// NoteAudited tells the request's AuditGuard (if any) that an entry was
// written for it.
func NoteAudited(ctx context.Context) {
	if st, ok := ctx.Value(auditStateKey{}).(*auditState); ok {
		st.written.Add(1)
	}
}

// AuditObserver sees each request once its handlers have run, with the
// number of audit entries written for it. Test harnesses use it to check
// that every mutating route writes exactly one.
type AuditObserver func(c *fiber.Ctx, status, written int)

// MarkAuditFailed tells the request's AuditGuard (if any) that an audit
// write failed, so that the response becomes an error.
func MarkAuditFailed(ctx context.Context) {
	if st, ok := ctx.Value(auditStateKey{}).(*auditState); ok {
		st.failed.Store(true)
	}
}

// AuditGuard makes a failed audit write fail the request that made it, and
// records each refusal (403) once, with the caller and the route. It goes
// before authentication, so it sees every answer, and reads the caller after
// the handlers have run.
// observe, when it returns a function, is called for every request.
func AuditGuard(a Auditor, log *slog.Logger, observe func() AuditObserver) fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := &auditState{}
		c.SetUserContext(context.WithValue(c.UserContext(), auditStateKey{}, st))
		err := c.Next()
		if st.failed.Load() {
			// The response the handler prepared must not go out: neither
			// its body, nor a redirect, a cookie or a download name.
			resp := c.Response()
			resp.ResetBody()
			resp.Header.Del(fiber.HeaderLocation)
			resp.Header.Del(fiber.HeaderContentDisposition)
			resp.Header.DelAllCookies()
			log.Error("audit write failed: request refused", "rid", RequestID(c), "method", c.Method(), "path", c.Path())
			return AuditUnavailable(err)
		}
		status := c.Response().StatusCode()
		if err != nil {
			status = AsError(err).Status
		}
		if observe != nil {
			if f := observe(); f != nil {
				f(c, status, int(st.written.Load()))
			}
		}
		if status == http.StatusForbidden {
			e := AuditFrom(c, "access.denied", "route", 0, map[string]string{"method": c.Method(), "path": clip(c.Path(), 256), "code": deniedCode(err)})
			e.Success = false
			if rerr := a.Record(context.WithoutCancel(c.UserContext()), e); rerr != nil {
				log.Error("audit: refusal not recorded", "rid", RequestID(c), "err", rerr)
			}
		}
		return err
	}
}

func deniedCode(err error) string {
	if err == nil {
		return ""
	}
	return AsError(err).Code
}

// clip keeps at most n bytes of s, dropping a rune cut in half.
func clip(s string, n int) string {
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}

// AuditFrom builds a successful entry for the current caller and request.
func AuditFrom(c *fiber.Ctx, action, target string, targetID uint64, detail any) AuditEntry {
	e := AuditBy(Caller(c), action, target, targetID, detail)
	e.IP = c.IP()
	return e
}

// AuditBy builds a successful entry for an action of p (nil: the system),
// from the address p came with. Services use it for the entries of their
// actions.
func AuditBy(p *Principal, action, target string, targetID uint64, detail any) AuditEntry {
	e := AuditEntry{Action: action, Target: target, TargetID: targetID, Success: true}
	if p != nil {
		e.ActorID, e.ActorName, e.IP = p.UserID, p.Username, p.IP
	}
	if detail != nil {
		if s, ok := detail.(string); ok {
			e.Detail = s
		} else if b, err := json.Marshal(detail); err == nil {
			e.Detail = string(b)
		}
	}
	return e
}

// JSONScalar formats a decoded JSON value as text.
func JSONScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case json.Number:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// TxAuditor writes entries through the caller's transaction (the audit
// module does).
type TxAuditor interface {
	RecordTx(tx *gorm.DB, e AuditEntry) error
}

// RecordTx writes e in tx when a can, so that a change and its entry commit
// or roll back together; otherwise it records e at once.
func RecordTx(a Auditor, tx *gorm.DB, e AuditEntry) error {
	if r, ok := a.(TxAuditor); ok {
		return r.RecordTx(tx, e)
	}
	ctx := context.Background()
	if tx.Statement != nil && tx.Statement.Context != nil {
		ctx = tx.Statement.Context
	}
	return a.Record(ctx, e)
}

// ChangeAudited runs change in a transaction (retried on a conflict) and
// writes the entry it returns in the same transaction: the change and its
// entry commit together or not at all.
func ChangeAudited(ctx context.Context, gdb *gorm.DB, a Auditor, change func(tx *gorm.DB) (AuditEntry, error)) error {
	err := db.Transaction(ctx, gdb, func(tx *gorm.DB) error {
		e, err := change(tx)
		if err != nil {
			return err
		}
		return RecordTx(a, tx, e)
	})
	if err != nil {
		return AsError(err)
	}
	return nil
}
