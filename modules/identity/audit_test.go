package identity

import (
	"context"
	"sync"

	"college/modules/web"
)

// auditLog keeps the entries a service writes, as the audit module would;
// with fail set, every write fails.
type auditLog struct {
	mu      sync.Mutex
	entries []web.AuditEntry
	fail    error
}

func (l *auditLog) Record(_ context.Context, e web.AuditEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail
	}
	l.entries = append(l.entries, e)
	return nil
}

// take returns the entries written since the last call and forgets them.
func (l *auditLog) take() []web.AuditEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.entries
	l.entries = nil
	return out
}
