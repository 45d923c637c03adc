package identity

import (
	"context"
	"log/slog"
	"time"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"

	"gorm.io/gorm"
)

// Setting keys of this module.
const (
	SetIdleMinutes     = "auth.idle_minutes"
	SetAbsoluteHours   = "auth.absolute_hours"
	SetLockoutAttempts = "auth.lockout_attempts"
	SetLockoutMinutes  = "auth.lockout_minutes"
	SetSingleSession   = "auth.single_session"
	SetPasswordMinLen  = "auth.password_min_length"
	SetPasswordMaxAge  = "auth.password_max_age_days"
)

// SettingDefs declares the login rules as settings.
var SettingDefs = []settings.Def{
	{Key: SetIdleMinutes, Group: "登录与安全", Label: "会话空闲超时（分钟）", Kind: settings.KindInt, Default: "30", Min: 1, Max: 1440},
	{Key: SetAbsoluteHours, Group: "登录与安全", Label: "会话最长有效期（小时）", Kind: settings.KindInt, Default: "12", Min: 1, Max: 720},
	{Key: SetLockoutAttempts, Group: "登录与安全", Label: "连续登录失败锁定次数", Kind: settings.KindInt, Default: "5", Min: 1, Max: 100},
	{Key: SetLockoutMinutes, Group: "登录与安全", Label: "登录失败统计与锁定时长（分钟）", Kind: settings.KindInt, Default: "15", Min: 1, Max: 1440},
	{Key: SetSingleSession, Group: "登录与安全", Label: "每个账号只允许一处登录", Help: "开启后，新的登录会使该账号此前的登录失效，防止共用账号刷学时", Kind: settings.KindBool, Default: "false"},
	{Key: SetPasswordMinLen, Group: "登录与安全", Label: "密码最短长度", Kind: settings.KindInt, Default: "8", Min: 8, Max: 64},
	{Key: SetPasswordMaxAge, Group: "登录与安全", Label: "密码有效期（天）", Help: "到期后登录须先修改密码；0 表示不限", Kind: settings.KindInt, Default: "90", Min: 0, Max: 3650},
	{Key: SetLearnerMFA, Group: "登录与安全", Label: "所有账号都须启用动态验证码", Help: "关闭时仅管理员必须启用，其他用户可自愿启用", Kind: settings.KindBool, Default: "false"},
}

// Service holds the identity rules and workflows.
type Service struct {
	store    *Store
	sealer   *Sealer
	sessions *Sessions
	settings *settings.Service
	cache    *cache.Cache
	audit    web.Auditor
	log      *slog.Logger
	now      func() time.Time
	throttle loginThrottle
	adminMFA bool
	issuer   string
	dataDir  string
}

// Deps are what the service needs.
type Deps struct {
	Store    *Store
	Sealer   *Sealer
	Sessions *Sessions
	Settings *settings.Service
	Cache    *cache.Cache
	Audit    web.Auditor
	Log      *slog.Logger
	// AdminMFA requires a second factor of every administrator.
	AdminMFA bool
	// Issuer names the college in authenticator apps.
	Issuer string
	// DataDir holds the first start's initial-passwords file.
	DataDir string
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	d.Settings.Define(throttleSettingDefs...)
	issuer := d.Issuer
	if issuer == "" {
		issuer = "干部网络学院"
	}
	return &Service{store: d.Store, sealer: d.Sealer, sessions: d.Sessions, settings: d.Settings, cache: d.Cache, audit: d.Audit, log: d.Log, now: time.Now,
		throttle: loginThrottle{c: d.Cache}, adminMFA: d.AdminMFA, issuer: issuer, dataDir: d.DataDir}
}

// change runs fn with a store in one transaction (web.ChangeAudited: tried
// again on a conflict) and writes the audit entry entry() describes in it,
// so that neither commits without the other. entry is called after fn, when
// the ids fn made are known.
func (s *Service) change(ctx context.Context, fn func(st *Store) error, entry func() web.AuditEntry) error {
	return web.ChangeAudited(ctx, s.store.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := fn(&Store{db: tx}); err != nil {
			return web.AuditEntry{}, err
		}
		return entry(), nil
	})
}
