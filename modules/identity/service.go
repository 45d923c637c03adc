package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"time"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/db"

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

// change runs fn and writes the audit entry entry() describes in one
// transaction, so that neither commits without the other. entry is called
// after fn, when the ids fn made are known.
func (s *Service) change(ctx context.Context, fn func(st *Store) error, entry func() web.AuditEntry) error {
	return s.store.Tx(ctx, func(st *Store) error {
		if err := fn(st); err != nil {
			return err
		}
		return web.RecordTx(s.audit, st.db, entry())
	})
}

// userEntry is the audit entry of a change to an account, with personal
// data left out.
func userEntry(p *web.Principal, action string, u *User) web.AuditEntry {
	return web.AuditBy(p, action, "user", u.ID, map[string]any{"username": u.Username, "name": u.Name, "org_id": u.OrgID, "roles": u.RoleList(), "disabled": u.Disabled})
}

// Errors of the login flow.
var (
	errBadCredentials = web.NewError(401, "invalid_credentials", "用户名或密码错误")
	errBusy           = &web.Error{Status: 503, Code: "busy", Message: "登录人数较多，请稍后重试", RetryAfter: 1}
)

// Caps on login input, checked before any work: longer values are never
// hashed, looked up or written to the audit log.
const (
	maxUsernameLen = 64
	maxOTPLen      = 32
)

// EnsureRoot creates the root org department on first start.
func (s *Service) EnsureRoot(ctx context.Context) (*Org, error) {
	root, err := s.store.Root(ctx)
	if err != nil || root != nil {
		return root, err
	}
	root = &Org{Name: "市委组织部", Code: "ROOT", Kind: KindDepartment}
	if err := s.store.CreateOrg(ctx, root, "/"); err != nil {
		return nil, fmt.Errorf("identity: create root org: %w", err)
	}
	return root, nil
}

// RandomPassword makes a password that satisfies the policy.
func RandomPassword() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnpqrstuvwxyz"
		digits = "23456789"
		all    = upper + lower + digits
	)
	pick := func(set string) byte {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		return set[n.Int64()]
	}
	b := []byte{pick(upper), pick(lower), pick(digits)}
	for len(b) < 14 {
		b = append(b, pick(all))
	}
	for i := len(b) - 1; i > 0; i-- {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		j := n.Int64()
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// LoginAttempt is what a login form or API client sends.
type LoginAttempt struct {
	Username string
	Password string
	OTP      string
	IP       string
}

// validateLogin caps the input at the edge (400 with fields).
func validateLogin(in *LoginAttempt) error {
	in.Username = strings.TrimSpace(in.Username)
	f := web.Fields{}
	f.Required("username", in.Username)
	f.Required("password", in.Password)
	f.MaxLen("username", in.Username, maxUsernameLen)
	if len([]rune(in.Password)) > maxPasswordLen || len(in.Password) > 4*maxPasswordLen {
		f.Add("password", "密码不能超过 128 位")
	}
	f.MaxLen("otp", in.OTP, maxOTPLen)
	return f.Err()
}

func (s *Service) throttleLimits(ctx context.Context) throttleLimits {
	return throttleLimits{
		pair:    s.settings.Int(ctx, SetLockoutAttempts),
		account: s.settings.Int(ctx, SetAccountLockout),
		ip:      s.settings.Int(ctx, SetIPFailLimit),
		global:  s.settings.Int(ctx, SetGlobalFailMin),
		window:  time.Duration(s.settings.Int(ctx, SetLockoutMinutes)) * time.Minute,
	}
}

// Login checks the credentials (and the second factor when the account has
// one) and starts a session. Failures are throttled per account and address,
// per address and city-wide (throttle.go).
func (s *Service) Login(ctx context.Context, in LoginAttempt) (string, *User, error) {
	if err := validateLogin(&in); err != nil {
		return "", nil, err
	}
	name := throttleUser(in.Username)
	limits := s.throttleLimits(ctx)
	now := s.now()
	st, err := s.throttle.check(ctx, name, in.IP, now, limits)
	if err != nil {
		return "", nil, err
	}
	u, err := s.store.UserByUsername(ctx, in.Username)
	if err != nil {
		return "", nil, web.Internal(err)
	}
	hash := dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := checkPasswordBounded(ctx, hash, in.Password)
	if errors.Is(err, ErrBusy) {
		return "", nil, errBusy
	}
	if err != nil {
		return "", nil, web.Internal(err)
	}
	ok = ok && u != nil && !u.Disabled
	if !ok {
		return "", nil, s.loginFailed(ctx, in, u, name, limits, "用户名或密码错误", errBadCredentials)
	}
	mfa, err := s.mfaOf(ctx, u.ID)
	if err != nil {
		return "", nil, web.Internal(err)
	}
	enrolled := mfa != nil && mfa.EnabledAt != nil
	if enrolled {
		if in.OTP == "" {
			if st.accountLocked {
				return "", nil, web.TooMany("locked", errLockedMessage, st.retryAfter)
			}
			return "", nil, errOTPRequired
		}
		good, err := s.checkSecondFactor(ctx, mfa, in.OTP)
		if err != nil {
			return "", nil, web.Internal(err)
		}
		if !good {
			return "", nil, s.loginFailed(ctx, in, u, name, limits, "动态验证码错误", errOTPInvalid)
		}
		// A proven second factor passes an account lock that strangers
		// may have caused.
	} else if st.accountLocked {
		return "", nil, web.TooMany("locked", errLockedMessage, st.retryAfter)
	}
	s.throttle.succeed(ctx, name)
	org, err := s.store.OrgByID(ctx, nil, u.OrgID)
	if err != nil || org == nil {
		return "", nil, web.Internal(fmt.Errorf("identity: org of user %d: %v", u.ID, err))
	}
	if s.settings.Bool(ctx, SetSingleSession) {
		if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
			return "", nil, web.Internal(err)
		}
	}
	mustChange := u.MustChangePassword || s.passwordExpired(ctx, u)
	p := web.Principal{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.RoleList(), OrgID: u.OrgID, OrgPath: org.Path, Level: u.Level,
		MustChangePassword: mustChange, MFAEnrol: !enrolled && s.MFARequired(ctx, u)}
	token, err := s.newSession(ctx, p)
	if err != nil {
		return "", nil, err
	}
	u.MustChangePassword = mustChange
	last := now.UTC()
	u.LastLoginAt = &last
	_ = s.store.db.WithContext(ctx).Model(&User{}).Where("id = ?", u.ID).Update("last_login_at", last).Error
	if err := s.audit.Record(ctx, web.AuditEntry{ActorID: u.ID, ActorName: u.Username, IP: in.IP, Action: "login.success", Target: "user", TargetID: u.ID, Success: true}); err != nil {
		s.sessions.End(ctx, TokenID(token), u.ID)
		return "", nil, web.Internal(err)
	}
	return token, u, nil
}

// loginFailed counts and records a failed attempt and returns the error to
// answer: locked once this address has failed too often for the account.
func (s *Service) loginFailed(ctx context.Context, in LoginAttempt, u *User, name string, limits throttleLimits, detail string, answer *web.Error) error {
	n := s.throttle.fail(ctx, name, in.IP, s.now(), limits)
	e := web.AuditEntry{ActorName: in.Username, IP: in.IP, Action: "login.fail", Target: "user", Detail: detail}
	if u != nil {
		e.ActorID, e.TargetID = u.ID, u.ID
		if u.Disabled {
			e.Detail = "账号已停用"
		}
	}
	_ = s.audit.Record(ctx, e)
	if n >= int64(limits.pair) {
		if n == int64(limits.pair) {
			_ = s.audit.Record(ctx, web.AuditEntry{ActorName: in.Username, IP: in.IP, Action: "login.locked", Target: "user", TargetID: e.TargetID, Detail: "连续登录失败，已临时锁定"})
		}
		return web.TooMany("locked", errLockedMessage, int(limits.window/time.Second))
	}
	return answer
}

// passwordExpired reports whether the password is older than the setting.
func (s *Service) passwordExpired(ctx context.Context, u *User) bool {
	days := s.settings.Int(ctx, SetPasswordMaxAge)
	return days > 0 && !u.PasswordChangedAt.IsZero() && s.now().Sub(u.PasswordChangedAt) > time.Duration(days)*24*time.Hour
}

// newSession starts a session with the configured lifetimes.
func (s *Service) newSession(ctx context.Context, p web.Principal) (string, error) {
	idle := time.Duration(s.settings.Int(ctx, SetIdleMinutes)) * time.Minute
	abs := time.Duration(s.settings.Int(ctx, SetAbsoluteHours)) * time.Hour
	token, err := s.sessions.Create(ctx, p, idle, abs)
	if err != nil {
		return "", web.Internal(err)
	}
	return token, nil
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p *web.Principal) error {
	s.sessions.End(ctx, p.SessionID, p.UserID)
	return s.audit.Record(ctx, web.AuditBy(p, "logout", "user", p.UserID, nil))
}

// Authenticate resolves a token to its principal.
func (s *Service) Authenticate(ctx context.Context, token string) (*web.Principal, error) {
	return s.sessions.Lookup(ctx, token)
}

// canCreateUsers: system administrators create accounts; unit administrators
// create the learners of their own units.
func canCreateUsers(p *web.Principal) bool {
	return p.HasAny(web.RoleSysAdmin, web.RoleUnitAdmin)
}

// canManageUsers: those who create accounts, and the security administrator,
// who manages the three administrator accounts (mayManage decides which).
func canManageUsers(p *web.Principal) bool {
	return p.HasAny(web.RoleSysAdmin, web.RoleUnitAdmin, web.RoleSecAdmin)
}

// canView: who may read user records (always within their org subtree).
func canView(p *web.Principal) bool {
	return p.HasAny(web.RoleSysAdmin, web.RoleSecAdmin, web.RoleUnitAdmin, web.RoleOrgAdmin, web.RoleCollegeAdmin)
}

// CreateOrg adds an organization under a parent in the caller's scope.
func (s *Service) CreateOrg(ctx context.Context, p *web.Principal, in OrgRequest) (*Org, error) {
	f := web.Fields{}
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 100)
	f.Required("code", in.Code)
	f.MaxLen("code", in.Code, 50)
	f.Check(in.Code == "" || !strings.ContainsAny(in.Code, " \t/\\"), "code", "代码不能包含空格或斜杠")
	if in.Kind == "" {
		f.Add("kind", "必填")
	} else if _, ok := KindNames[in.Kind]; !ok {
		f.Add("kind", "应为 department、college 或 unit")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var parent *Org
	var err error
	if in.ParentID == nil {
		parent, err = s.store.Root(ctx)
		if err == nil && parent != nil && !p.InScope(parent.Path) {
			parent = nil
		}
	} else {
		parent, err = s.store.OrgByID(ctx, p, *in.ParentID)
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	if parent == nil {
		return nil, web.NotFound()
	}
	o := &Org{ParentID: &parent.ID, Name: in.Name, Code: in.Code, Kind: in.Kind, Sort: in.Sort}
	err = s.change(ctx, func(st *Store) error { return st.CreateOrg(ctx, o, parent.Path) }, func() web.AuditEntry {
		return web.AuditBy(p, "org.create", "org", o.ID, map[string]any{"name": o.Name, "code": o.Code, "kind": o.Kind})
	})
	if err != nil {
		return nil, orgSaveError(err)
	}
	return o, nil
}

// UpdateOrg edits an organization in scope.
func (s *Service) UpdateOrg(ctx context.Context, p *web.Principal, id uint64, in OrgRequest) (*Org, error) {
	o, err := s.store.OrgByID(ctx, p, id)
	if err != nil {
		return nil, web.Internal(err)
	}
	if o == nil {
		return nil, web.NotFound()
	}
	f := web.Fields{}
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 100)
	f.Required("code", in.Code)
	if in.Kind != "" {
		_, ok := KindNames[in.Kind]
		f.Check(ok, "kind", "应为 department、college 或 unit")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	o.Name, o.Code, o.Sort = in.Name, in.Code, in.Sort
	if in.Kind != "" {
		o.Kind = in.Kind
	}
	err = s.change(ctx, func(st *Store) error { return st.UpdateOrg(ctx, o) }, func() web.AuditEntry {
		return web.AuditBy(p, "org.update", "org", o.ID, map[string]any{"name": o.Name, "code": o.Code})
	})
	if err != nil {
		return nil, orgSaveError(err)
	}
	return o, nil
}

// orgSaveError is the answer to a failed save of an org: a code already
// used is the caller's mistake.
func orgSaveError(err error) error {
	if db.IsDuplicate(err) {
		return web.Invalid(map[string]string{"code": "该代码已被使用"})
	}
	return web.AsError(err)
}

// ListOrgs returns the caller's subtree.
func (s *Service) ListOrgs(ctx context.Context, p *web.Principal) ([]Org, error) {
	orgs, err := s.store.ListOrgs(ctx, p)
	if err != nil {
		return nil, web.Internal(err)
	}
	return orgs, nil
}

// GetOrg returns one org in scope.
func (s *Service) GetOrg(ctx context.Context, p *web.Principal, id uint64) (*Org, error) {
	o, err := s.store.OrgByID(ctx, p, id)
	if err != nil {
		return nil, web.Internal(err)
	}
	if o == nil {
		return nil, web.NotFound()
	}
	return o, nil
}

// validateUser checks the profile fields shared by create, edit and import.
func (s *Service) validateUser(f web.Fields, in UserRequest, u *User) {
	in.Name = strings.TrimSpace(in.Name)
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 64)
	f.MaxLen("post", in.Post, 100)
	if in.Level != "" {
		f.Check(slices.Contains(Levels, in.Level), "level", "职级应为："+strings.Join(Levels, "、"))
	}
	if in.OrgID == 0 {
		f.Add("org_id", "必填")
	}
	id := NormalizeIDNumber(in.IDNumber)
	if id != "" && !ValidIDNumber(id) {
		f.Add("id_number", "身份证号码不正确（18 位，校验位不符）")
	}
	phone := NormalizePhone(in.Phone)
	if phone != "" && !ValidPhone(phone) {
		f.Add("phone", "手机号码不正确")
	}
	term, ok := parseDate(in.TermEndsOn)
	f.Check(ok, "term_ends_on", "日期格式应为 YYYY-MM-DD")
	u.Name, u.Level, u.Post, u.OrgID, u.TermEndsOn = in.Name, in.Level, strings.TrimSpace(in.Post), in.OrgID, term
	u.IDNumberSealed, u.IDNumberHash = s.sealer.Seal(id), s.sealer.Hash("id", id)
	u.PhoneSealed, u.PhoneHash = s.sealer.Seal(phone), s.sealer.Hash("phone", phone)
}

func normalizeRoles(roles []string) []string {
	out := []string{}
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = []string{web.RoleLearner}
	}
	return out
}

// CreateUser adds an account in an org of the caller's subtree.
func (s *Service) CreateUser(ctx context.Context, p *web.Principal, in UserRequest) (*User, error) {
	if !canCreateUsers(p) {
		return nil, web.Forbidden()
	}
	f := web.Fields{}
	in.Username = strings.TrimSpace(in.Username)
	f.Required("username", in.Username)
	f.MaxLen("username", in.Username, 64)
	f.Check(in.Username == "" || validUsername(in.Username), "username", "用户名只能包含字母、数字、下划线、点和短横线")
	minLen := s.settings.Int(ctx, SetPasswordMinLen)
	if in.Password == "" {
		f.Add("password", "必填")
	} else if msg := PasswordProblemFor(in.Password, minLen, in.Username); msg != "" {
		f.Add("password", msg)
	}
	roles := normalizeRoles(in.Roles)
	if err := checkNewRoles(f, roles); err != nil {
		return nil, err
	}
	// A password somebody else chose is changed at the first login.
	u := &User{Username: in.Username, PasswordChangedAt: s.now().UTC(), MustChangePassword: true}
	s.validateUser(f, in, u)
	if err := f.Err(); err != nil {
		return nil, err
	}
	org, err := s.store.OrgByID(ctx, p, in.OrgID)
	if err != nil {
		return nil, web.Internal(err)
	}
	if org == nil {
		return nil, errOrgOutOfScope()
	}
	if err := s.checkTaken(ctx, p, u); err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, web.Internal(err)
	}
	u.PasswordHash = hash
	for _, r := range roles {
		u.Roles = append(u.Roles, UserRole{Role: r})
	}
	err = s.change(ctx, func(st *Store) error { return st.CreateUsers(ctx, []*User{u}) }, func() web.AuditEntry { return userEntry(p, "user.create", u) })
	if err != nil {
		return nil, s.duplicateUser(err)
	}
	return u, nil
}

// checkTaken reports a username or ID number another account already has.
// The unique keys remain the guard against races; this gives the message,
// which says less when the other account is outside the caller's scope.
func (s *Service) checkTaken(ctx context.Context, p *web.Principal, u *User) error {
	f := web.Fields{}
	if u.ID == 0 {
		owner, err := s.store.UserByUsername(ctx, u.Username)
		if err != nil {
			return web.Internal(err)
		}
		if owner != nil {
			if visible, err := s.UserInScope(ctx, p, owner.ID); err == nil && visible {
				f.Add("username", "该用户名已被使用")
			} else {
				f.Add("username", "该用户名不可用，请换一个")
			}
		}
	}
	if u.IDNumberHash != nil {
		id, _ := s.sealer.Open(u.IDNumberSealed)
		owner, err := s.store.UserIDByIDHash(ctx, s.sealer.Hashes("id", id), u.ID)
		if err != nil {
			return web.Internal(err)
		}
		if owner != 0 && owner != u.ID {
			if visible, err := s.UserInScope(ctx, p, owner); err == nil && visible {
				f.Add("id_number", "该身份证号码已登记")
			} else {
				f.Add("id_number", "该身份证号码无法在此登记，请联系上级组织部门核实")
			}
		}
	}
	return f.Err()
}

func (s *Service) duplicateUser(err error) error {
	if db.IsDuplicate(err) {
		return web.Invalid(map[string]string{"username": "用户名或身份证号码不可用"})
	}
	return web.AsError(err)
}

func validUsername(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// CanManage reports whether the caller may edit, disable or reset u (u is
// already known to be in the caller's scope).
func (s *Service) CanManage(p *web.Principal, u *User) bool {
	return canManageUsers(p) && mayManage(p, u)
}

// manageable loads a user the caller may change: in scope, not the caller,
// the three administrator accounts only for the security administrator, and
// for unit administrators only plain learners.
func (s *Service) manageable(ctx context.Context, p *web.Principal, id uint64) (*User, error) {
	if !canManageUsers(p) {
		return nil, web.Forbidden()
	}
	u, err := s.store.UserByID(ctx, p, id)
	if err != nil {
		return nil, web.Internal(err)
	}
	if u == nil {
		return nil, web.NotFound()
	}
	if u.ID == p.UserID {
		return nil, web.Conflict("self", "不能在这里管理自己的账号，请在个人信息中修改")
	}
	if !mayManage(p, u) {
		return nil, web.Forbidden()
	}
	return u, nil
}

// UpdateUser edits a profile. Moving a user to another org ends their sessions.
func (s *Service) UpdateUser(ctx context.Context, p *web.Principal, id uint64, in UserRequest) (*User, error) {
	u, err := s.manageable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	oldOrg := u.OrgID
	f := web.Fields{}
	if in.OrgID == 0 {
		in.OrgID = u.OrgID
	}
	s.validateUser(f, in, u)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if org, err := s.store.OrgByID(ctx, p, in.OrgID); err != nil {
		return nil, web.Internal(err)
	} else if org == nil {
		return nil, errOrgOutOfScope()
	}
	if err := s.checkTaken(ctx, p, u); err != nil {
		return nil, err
	}
	err = s.change(ctx, func(st *Store) error {
		return st.SaveUser(ctx, u, "name", "level", "post", "org_id", "term_ends_on", "id_number_sealed", "id_number_hash", "phone_sealed", "phone_hash")
	}, func() web.AuditEntry { return userEntry(p, "user.update", u) })
	if err != nil {
		return nil, s.duplicateUser(err)
	}
	if oldOrg != u.OrgID {
		_ = s.sessions.EndUser(ctx, u.ID, "")
	}
	return u, nil
}

// SetDisabled disables or re-enables an account; disabling ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, p *web.Principal, id uint64, disabled bool) (*User, error) {
	u, err := s.manageable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if u.ID == p.UserID {
		return nil, web.Conflict("self", "不能停用自己的账号")
	}
	u.Disabled = disabled
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	if err := s.change(ctx, func(st *Store) error { return st.SaveUser(ctx, u, "disabled") }, func() web.AuditEntry { return userEntry(p, action, u) }); err != nil {
		return nil, web.AsError(err)
	}
	if disabled {
		if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
			return nil, web.Internal(err)
		}
	}
	return u, nil
}

// SetRoles replaces a user's roles: the security administrator's duty. Their
// sessions end so the new roles apply at once.
func (s *Service) SetRoles(ctx context.Context, p *web.Principal, id uint64, roles []string) (*User, error) {
	if !p.Has(web.RoleSecAdmin) {
		return nil, web.Forbidden()
	}
	u, err := s.store.UserByID(ctx, p, id)
	if err != nil {
		return nil, web.Internal(err)
	}
	if u == nil {
		return nil, web.NotFound()
	}
	if u.ID == p.UserID {
		return nil, web.Conflict("self", "不能修改自己的角色")
	}
	roles = normalizeRoles(roles)
	f := web.Fields{}
	checkGrantedRoles(f, roles)
	if err := f.Err(); err != nil {
		return nil, err
	}
	// The grant and its audit entry commit together.
	e := web.AuditBy(p, "user.roles", "user", u.ID, map[string]any{"username": u.Username, "roles": roles, "before": u.RoleList()})
	if err := s.store.SetRoles(ctx, u.ID, roles, func(tx *gorm.DB) error { return web.RecordTx(s.audit, tx, e) }); err != nil {
		return nil, web.AsError(err)
	}
	if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
		return nil, web.Internal(err)
	}
	return s.store.UserByID(ctx, nil, u.ID)
}

// ResetPassword sets a new password chosen by an administrator; the user must
// change it at next login, and their sessions end.
func (s *Service) ResetPassword(ctx context.Context, p *web.Principal, id uint64, pw string) error {
	u, err := s.manageable(ctx, p, id)
	if err != nil {
		return err
	}
	if msg := PasswordProblemFor(pw, s.settings.Int(ctx, SetPasswordMinLen), u.Username); msg != "" {
		return web.Invalid(map[string]string{"new_password": msg})
	}
	if reused, err := s.passwordReused(ctx, u, pw); err != nil {
		return web.Internal(err)
	} else if reused {
		return web.Invalid(map[string]string{"new_password": fmt.Sprintf("不能与最近 %d 次使用过的密码相同", passwordHistoryDepth)})
	}
	if err := s.setPassword(ctx, u, pw, true, web.AuditBy(p, "user.password_reset", "user", u.ID, nil)); err != nil {
		return err
	}
	return s.sessions.EndUser(ctx, u.ID, "")
}

// passwordHistoryDepth is how many recent passwords (the current one
// included) a new password may not repeat.
const passwordHistoryDepth = 5

// passwordReused reports whether pw is the current password or one of the
// last ones.
func (s *Service) passwordReused(ctx context.Context, u *User, pw string) (bool, error) {
	if CheckPassword(u.PasswordHash, pw) {
		return true, nil
	}
	var old []string
	if err := s.store.db.WithContext(ctx).Model(&PasswordHistory{}).Where("user_id = ?", u.ID).
		Order("created_at DESC").Limit(passwordHistoryDepth-1).Pluck("hash", &old).Error; err != nil {
		return false, err
	}
	for _, h := range old {
		if CheckPassword(h, pw) {
			return true, nil
		}
	}
	return false, nil
}

// setPassword stores a new password, keeps the old hash in the history, and
// writes the audit entry in the same transaction.
func (s *Service) setPassword(ctx context.Context, u *User, pw string, mustChange bool, e web.AuditEntry) error {
	hash, err := HashPassword(pw)
	if err != nil {
		return web.Internal(err)
	}
	now := s.now().UTC()
	err = s.store.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&PasswordHistory{UserID: u.ID, Hash: u.PasswordHash, CreatedAt: now}).Error; err != nil {
			return err
		}
		var keep []uint64
		if err := tx.Model(&PasswordHistory{}).Where("user_id = ?", u.ID).Order("created_at DESC").Limit(passwordHistoryDepth).Pluck("id", &keep).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ? AND id NOT IN ?", u.ID, keep).Delete(&PasswordHistory{}).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "must_change_password": mustChange, "password_changed_at": now}).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, e)
	})
	if err != nil {
		return web.AsError(err)
	}
	u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt = hash, mustChange, now
	return nil
}

// ChangeOwnPassword checks the old password and sets a new one; the caller's
// other sessions end and this one continues. A wrong old password counts
// toward the login lock and is audited.
func (s *Service) ChangeOwnPassword(ctx context.Context, p *web.Principal, oldPw, newPw string) (string, error) {
	u, err := s.store.UserByID(ctx, nil, p.UserID)
	if err != nil {
		return "", web.Internal(err)
	}
	if u == nil || u.Disabled {
		return "", web.Unauthorized()
	}
	if len([]rune(oldPw)) > maxPasswordLen || len(newPw) > 4*maxPasswordLen {
		return "", web.Invalid(map[string]string{"old_password": "密码不能超过 128 位"})
	}
	name, ip := throttleUser(u.Username), p.IP
	limits := s.throttleLimits(ctx)
	if _, err := s.throttle.check(ctx, name, ip, s.now(), limits); err != nil {
		return "", err
	}
	ok, err := checkPasswordBounded(ctx, u.PasswordHash, oldPw)
	if errors.Is(err, ErrBusy) {
		return "", errBusy
	}
	if err != nil {
		return "", web.Internal(err)
	}
	if !ok {
		n := s.throttle.fail(ctx, name, ip, s.now(), limits)
		_ = s.audit.Record(ctx, web.AuditEntry{ActorID: u.ID, ActorName: u.Username, IP: ip, Action: "password.change_fail", Target: "user", TargetID: u.ID, Detail: "原密码不正确"})
		if n >= int64(limits.pair) {
			return "", web.TooMany("locked", errLockedMessage, int(limits.window/time.Second))
		}
		return "", web.Invalid(map[string]string{"old_password": "原密码不正确"})
	}
	f := web.Fields{}
	if msg := PasswordProblemFor(newPw, s.settings.Int(ctx, SetPasswordMinLen), u.Username); msg != "" {
		f.Add("new_password", msg)
	} else if newPw == oldPw {
		f.Add("new_password", "新密码不能与原密码相同")
	} else if reused, err := s.passwordReused(ctx, u, newPw); err != nil {
		return "", web.Internal(err)
	} else if reused {
		f.Add("new_password", fmt.Sprintf("不能与最近 %d 次使用过的密码相同", passwordHistoryDepth))
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	if err := s.setPassword(ctx, u, newPw, false, web.AuditBy(p, "password.change", "user", u.ID, nil)); err != nil {
		return "", err
	}
	s.throttle.succeed(ctx, name)
	s.initialPasswordChanged(ctx)
	// Start a fresh session without the must-change flag and end the rest.
	if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
		return "", web.Internal(err)
	}
	np := *p
	np.MustChangePassword = false
	np.SessionID = ""
	return s.newSession(ctx, np)
}

// GetUser returns a user in the caller's scope.
func (s *Service) GetUser(ctx context.Context, p *web.Principal, id uint64) (*User, error) {
	if p.UserID != id && !canView(p) {
		return nil, web.Forbidden()
	}
	var u *User
	var err error
	if p.UserID == id {
		u, err = s.store.UserByID(ctx, nil, id)
	} else {
		u, err = s.store.UserByID(ctx, p, id)
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	if u == nil {
		return nil, web.NotFound()
	}
	return u, nil
}

// ListUsers searches users in the caller's scope. A query that looks like an
// ID number or phone also matches those exactly.
func (s *Service) ListUsers(ctx context.Context, p *web.Principal, q string, orgID uint64, role string, pg web.Page) ([]User, int64, error) {
	if !canView(p) {
		return nil, 0, web.Forbidden()
	}
	f := UserFilter{Q: strings.TrimSpace(q), Role: role}
	if id := NormalizeIDNumber(f.Q); ValidIDNumber(id) {
		f.Hashes = s.sealer.Hashes("id", id)
	} else if ph := NormalizePhone(f.Q); ValidPhone(ph) {
		f.Hashes = s.sealer.Hashes("phone", ph)
	}
	if orgID != 0 {
		o, err := s.store.OrgByID(ctx, p, orgID)
		if err != nil {
			return nil, 0, web.Internal(err)
		}
		if o == nil {
			return nil, 0, web.NotFound()
		}
		f.OrgPath = o.Path
	}
	users, total, err := s.store.ListUsers(ctx, p, f, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	if err := s.audit.Record(ctx, listingEntry(p, q, orgID, role, pg, total, len(users))); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// listingEntry records a listing of people (who searched for whom and how
// many they saw), with an ID number or phone searched for masked. The
// listing is not shown unless the entry is written.
func listingEntry(p *web.Principal, q string, orgID uint64, role string, pg web.Page, total int64, shown int) web.AuditEntry {
	if id := NormalizeIDNumber(q); ValidIDNumber(id) {
		q = MaskIDNumber(id)
	} else if ph := NormalizePhone(q); ValidPhone(ph) {
		q = MaskPhone(ph)
	} else if r := []rune(q); len(r) > 64 {
		q = string(r[:64])
	}
	return web.AuditBy(p, "list.users", "user", 0, map[string]any{"q": q, "org_id": orgID, "role": role, "page": pg.Page, "total": total, "shown": shown})
}

// Response converts a user for output, with personal data masked.
func (s *Service) Response(ctx context.Context, u *User, orgName string) UserResponse {
	r := UserResponse{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: orgName, Roles: u.RoleList(),
		Level: u.Level, Post: u.Post, Disabled: u.Disabled, MustChangePassword: u.MustChangePassword, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt}
	if id, err := s.sealer.Open(u.IDNumberSealed); err == nil {
		r.IDNumber = MaskIDNumber(id)
	} else {
		s.log.ErrorContext(ctx, "identity: cannot open id number", "user", u.ID, "err", err)
	}
	if ph, err := s.sealer.Open(u.PhoneSealed); err == nil {
		r.Phone = MaskPhone(ph)
	}
	if u.TermEndsOn != nil {
		r.TermEndsOn = u.TermEndsOn.Format(dateLayout)
	}
	return r
}

// Responses converts a page of users, with their org names.
func (s *Service) Responses(ctx context.Context, users []User) []UserResponse {
	ids := make([]uint64, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.OrgID)
	}
	names, _ := s.store.OrgNames(ctx, ids)
	out := make([]UserResponse, len(users))
	for i := range users {
		out[i] = s.Response(ctx, &users[i], names[users[i].OrgID])
	}
	return out
}

// OrgName returns an org's name for display.
func (s *Service) OrgName(ctx context.Context, id uint64) string {
	names, _ := s.store.OrgNames(ctx, []uint64{id})
	return names[id]
}

// errOrgOutOfScope is 404: the org named in the request is not one the
// caller can see; the field says which.
func errOrgOutOfScope() *web.Error {
	e := web.NotFound()
	e.Message = "组织不存在或不在您的管理范围内"
	e.Fields = map[string]string{"org_id": e.Message}
	return e
}

// Provision creates accounts that share one initial password (hashed once),
// for the demo city and bulk set-up; unlike an import the users need not
// change it. Existing usernames are skipped. It returns how many it made.
func (s *Service) Provision(ctx context.Context, reqs []UserRequest, password string) (int, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return 0, err
	}
	names := make([]string, len(reqs))
	for i, r := range reqs {
		names[i] = r.Username
	}
	taken, err := s.store.ExistingUsernames(ctx, names)
	if err != nil {
		return 0, err
	}
	var users []*User
	for _, in := range reqs {
		if taken[in.Username] {
			continue
		}
		u := &User{Username: in.Username, PasswordHash: hash, PasswordChangedAt: s.now().UTC()}
		f := web.Fields{}
		s.validateUser(f, in, u)
		if len(f) > 0 {
			return 0, fmt.Errorf("identity: provision %s: %v", in.Username, f)
		}
		roles := normalizeRoles(in.Roles)
		checkGrantedRoles(f, roles)
		if len(f) > 0 {
			return 0, fmt.Errorf("identity: provision %s: %v", in.Username, f)
		}
		for _, r := range roles {
			u.Roles = append(u.Roles, UserRole{Role: r})
		}
		users = append(users, u)
	}
	if err := s.store.CreateUsers(ctx, users); err != nil {
		return 0, err
	}
	return len(users), nil
}

// EnsureOrg returns the org with code, creating it under parent when missing.
func (s *Service) EnsureOrg(ctx context.Context, parent *Org, name, code, kind string) (*Org, error) {
	o, err := s.store.OrgByCode(ctx, code)
	if err != nil || o != nil {
		return o, err
	}
	o = &Org{ParentID: &parent.ID, Name: name, Code: code, Kind: kind}
	if err := s.store.CreateOrg(ctx, o, parent.Path); err != nil {
		return nil, fmt.Errorf("identity: create org %s: %w", code, err)
	}
	return o, nil
}

// Person is what other modules may know of a user: no secrets, the ID
// number masked.
type Person struct {
	ID       uint64
	Username string
	Name     string
	OrgID    uint64
	OrgName  string
	OrgPath  string // materialized path of the org, "/1/4/"
	Level    string
	Post     string
	IDNumber string // masked
	// SystemAdmin: the account holds one of the three administrator roles
	// (三员), which never study or train.
	SystemAdmin bool
}

// PersonByID returns a user's public profile (nil when unknown).
func (s *Service) PersonByID(ctx context.Context, id uint64) (*Person, error) {
	u, err := s.store.UserByID(ctx, nil, id)
	if err != nil || u == nil {
		return nil, err
	}
	r := s.Response(ctx, u, s.OrgName(ctx, u.OrgID))
	paths, err := s.store.OrgPaths(ctx, []uint64{u.OrgID})
	if err != nil {
		return nil, err
	}
	return &Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: r.OrgName, OrgPath: paths[u.OrgID], Level: u.Level, Post: u.Post, IDNumber: r.IDNumber,
		SystemAdmin: holdsSystemRole(u)}, nil
}

// UserInScope reports whether a user exists in the caller's org subtree.
func (s *Service) UserInScope(ctx context.Context, p *web.Principal, id uint64) (bool, error) {
	u, err := s.store.UserByID(ctx, p, id)
	return u != nil, err
}

// OrgsInScope reports whether every org id exists in the caller's subtree
// (anywhere when p is nil).
func (s *Service) OrgsInScope(ctx context.Context, p *web.Principal, ids []uint64) (bool, error) {
	for _, id := range ids {
		o, err := s.store.OrgByID(ctx, p, id)
		if err != nil || o == nil {
			return false, err
		}
	}
	return true, nil
}

// PeopleByIDs returns the public profiles of many users at once.
func (s *Service) PeopleByIDs(ctx context.Context, ids []uint64) (map[uint64]Person, error) {
	out := map[uint64]Person{}
	if len(ids) == 0 {
		return out, nil
	}
	var users []User
	for i := 0; i < len(ids); i += 1000 {
		var part []User
		if err := s.store.db.WithContext(ctx).Select("id", "username", "name", "org_id", "level", "post").Where("id IN ?", ids[i:min(i+1000, len(ids))]).Find(&part).Error; err != nil {
			return nil, err
		}
		users = append(users, part...)
	}
	orgIDs := make([]uint64, len(users))
	for i, u := range users {
		orgIDs[i] = u.OrgID
	}
	names, err := s.store.OrgNames(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	paths, err := s.store.OrgPaths(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		out[u.ID] = Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: names[u.OrgID], OrgPath: paths[u.OrgID], Level: u.Level, Post: u.Post}
	}
	return out, nil
}

// UsersWithRole returns the enabled users holding role whose org is one of orgIDs.
func (s *Service) UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error) {
	var ids []uint64
	if len(orgIDs) == 0 {
		return ids, nil
	}
	err := s.store.db.WithContext(ctx).Model(&User{}).
		Where("disabled = ? AND org_id IN ? AND id IN (SELECT user_id FROM user_roles WHERE role = ?)", false, orgIDs, role).
		Order("id").Pluck("id", &ids).Error
	return ids, err
}

// IDsByUsername returns the ids of the named accounts that exist.
func (s *Service) IDsByUsername(ctx context.Context, names []string) (map[string]uint64, error) {
	var rows []struct {
		ID       uint64
		Username string
	}
	if err := s.store.db.WithContext(ctx).Model(&User{}).Select("id", "username").Where("username IN ?", names).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("identity: ids of %d usernames: %w", len(names), err)
	}
	out := make(map[string]uint64, len(rows))
	for _, r := range rows {
		out[r.Username] = r.ID
	}
	return out, nil
}
