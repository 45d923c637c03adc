package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
)

// Service writes and searches the audit log.
type Service struct {
	db  *gorm.DB
	log *slog.Logger
}

// New makes the service.
func New(gdb *gorm.DB, log *slog.Logger) *Service { return &Service{db: gdb, log: log} }

// Record writes an entry. A failure to write is logged loudly but does not
// undo the action, which has already happened.
func (s *Service) Record(ctx context.Context, e web.AuditEntry) {
	row := Log{At: time.Now().UTC(), ActorID: e.ActorID, ActorName: e.ActorName, IP: e.IP, Action: e.Action,
		Target: e.Target, TargetID: e.TargetID, Detail: e.Detail, Success: e.Success}
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Create(&row).Error; err != nil {
		s.log.Error("audit: write failed", "action", e.Action, "actor", e.ActorName, "err", err)
	}
}

// Filter selects entries.
type Filter struct {
	Q      string // actor name, action or target contains
	Action string // action prefix, e.g. "login"
	From   time.Time
	To     time.Time
}

// Search returns a page of entries, newest first.
func (s *Service) Search(ctx context.Context, f Filter, p web.Page) ([]Log, int64, error) {
	q := s.db.WithContext(ctx).Model(&Log{})
	if f.Q != "" {
		like := web.Contains(f.Q)
		q = q.Where("actor_name LIKE ? ESCAPE '!' OR action LIKE ? ESCAPE '!' OR target LIKE ? ESCAPE '!' OR ip LIKE ? ESCAPE '!'", like, like, like, like)
	}
	if f.Action != "" {
		q = q.Where("action LIKE ? ESCAPE '!'", web.Prefix(f.Action))
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	var rows []Log
	if err := q.Order("at DESC").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("audit: search: %w", err)
	}
	return rows, total, nil
}
