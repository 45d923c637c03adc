package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"

	"gorm.io/gorm"
)

// Bounds of what one entry may hold.
const (
	MaxDetailBytes = 4096
	maxShortField  = 64 // actor name, IP, action and target: the column sizes
	truncatedMark  = "…[truncated]"
)

// Setting keys of this module.
const (
	SetRetentionDays = "audit.retention_days"
)

// MinRetentionDays is the shortest retention GB/T 22239 level 3 allows (six
// months); the setting cannot go below it and the purge never does.
const MinRetentionDays = 180

// SettingDefs declares the retention of the audit log.
var SettingDefs = []settings.Def{
	{Key: SetRetentionDays, Group: "审计", Label: "审计日志保存天数", Help: "超过此天数的审计记录由系统自动清理并记录检查点；不少于 180 天", Kind: settings.KindInt, Default: "180", Min: MinRetentionDays, Max: 3650},
}

// Deps are what the service needs. Secret is the server secret the chain
// key is derived from; National selects HMAC-SM3 for new links.
type Deps struct {
	DB       *gorm.DB
	Cache    *cache.Cache      // leases of the background jobs; nil: none taken
	Settings *settings.Service // retention; nil: the minimum
	Secret   []byte
	National bool
	Log      *slog.Logger
}

// Service writes, seals, verifies and searches the audit log.
type Service struct {
	db       *gorm.DB
	cache    *cache.Cache
	settings *settings.Service
	log      *slog.Logger
	chain    *chainKeys
	now      func() time.Time
}

// New makes the service.
func New(d Deps) (*Service, error) {
	ck, err := newChainKeys(d.Secret, d.National)
	if err != nil {
		return nil, err
	}
	if d.Settings != nil {
		d.Settings.Define(SettingDefs...)
	}
	return &Service{db: d.DB, cache: d.Cache, settings: d.Settings, log: d.Log, chain: ck, now: time.Now}, nil
}

// Record writes an entry outside any transaction. When the write fails the
// error is logged loudly and returned, and the request (see web.AuditGuard)
// is answered with 503, so that no action goes unrecorded unnoticed.
func (s *Service) Record(ctx context.Context, e web.AuditEntry) error {
	row := s.row(e)
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Create(&row).Error; err != nil {
		return s.failed(ctx, e, err)
	}
	web.NoteAudited(ctx)
	return nil
}

// RecordTx writes an entry through the caller's transaction, so that the
// action and its entry commit or roll back together.
func (s *Service) RecordTx(tx *gorm.DB, e web.AuditEntry) error {
	row := s.row(e)
	ctx := context.Background()
	if tx.Statement != nil && tx.Statement.Context != nil {
		ctx = tx.Statement.Context
	}
	if err := tx.Create(&row).Error; err != nil {
		return s.failed(ctx, e, err)
	}
	web.NoteAudited(ctx)
	return nil
}

func (s *Service) failed(ctx context.Context, e web.AuditEntry, err error) error {
	s.log.Error("AUDIT WRITE FAILED: the action is refused", "action", e.Action, "actor", bound(e.ActorName, maxShortField), "target", e.Target, "target_id", e.TargetID, "err", err)
	web.MarkAuditFailed(ctx)
	return web.AuditUnavailable(fmt.Errorf("audit: write %s: %w", e.Action, err))
}

// row builds the stored row, with every field bounded and valid UTF-8 (a
// byte sequence the database refuses would otherwise fail the action).
func (s *Service) row(e web.AuditEntry) Log {
	return Log{At: s.now().UTC().Truncate(time.Millisecond), ActorID: e.ActorID, ActorName: bound(e.ActorName, maxShortField),
		IP: bound(e.IP, maxShortField), Action: bound(e.Action, maxShortField), Target: bound(e.Target, maxShortField),
		TargetID: e.TargetID, Detail: boundDetail(e.Detail), Success: e.Success}
}

// bound keeps at most n runes of valid UTF-8.
func bound(v string, n int) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	if utf8.RuneCountInString(v) <= n {
		return v
	}
	return string([]rune(v)[:n])
}

// boundDetail keeps the detail within MaxDetailBytes, marking a cut.
func boundDetail(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	if len(v) <= MaxDetailBytes {
		return v
	}
	cut := MaxDetailBytes - len(truncatedMark)
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + truncatedMark
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

var errRaced = errors.New("audit: another sealer moved the chain")
