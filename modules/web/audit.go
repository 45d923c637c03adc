package web

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gofiber/fiber/v2"
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

// Auditor records audit entries. The audit module implements it.
type Auditor interface {
	Record(ctx context.Context, e AuditEntry)
}

// AuditFrom builds a successful entry for the current caller and request.
func AuditFrom(c *fiber.Ctx, action, target string, targetID uint64, detail any) AuditEntry {
	e := AuditEntry{IP: c.IP(), Action: action, Target: target, TargetID: targetID, Success: true}
	if p := Caller(c); p != nil {
		e.ActorID, e.ActorName = p.UserID, p.Username
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
