package identity

import (
	"context"
	"crypto/rand"
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
)

// Setting keys of this module.
const (
	SetIdleMinutes     = "auth.idle_minutes"
	SetAbsoluteHours   = "auth.absolute_hours"
	SetLockoutAttempts = "auth.lockout_attempts"
	SetLockoutMinutes  = "auth.lockout_minutes"
	SetSingleSession   = "auth.single_session"
	SetPasswordMinLen  = "auth.password_min_length"
)

// SettingDefs declares the login rules as settings.
var SettingDefs = []settings.Def{
	{Key: SetIdleMinutes, Group: "登录与安全", Label: "会话空闲超时（分钟）", Kind: settings.KindInt, Default: "30", Min: 1, Max: 1440},
	{Key: SetAbsoluteHours, Group: "登录与安全", Label: "会话最长有效期（小时）", Kind: settings.KindInt, Default: "12", Min: 1, Max: 720},
	{Key: SetLockoutAttempts, Group: "登录与安全", Label: "连续登录失败锁定次数", Kind: settings.KindInt, Default: "5", Min: 1, Max: 100},
	{Key: SetLockoutMinutes, Group: "登录与安全", Label: "登录失败统计与锁定时长（分钟）", Kind: settings.KindInt, Default: "15", Min: 1, Max: 1440},
	{Key: SetSingleSession, Group: "登录与安全", Label: "每个账号只允许一处登录", Help: "开启后，新的登录会使该账号此前的登录失效，防止共用账号刷学时", Kind: settings.KindBool, Default: "false"},
	{Key: SetPasswordMinLen, Group: "登录与安全", Label: "密码最短长度", Kind: settings.KindInt, Default: "8", Min: 8, Max: 64},
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
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	return &Service{store: d.Store, sealer: d.Sealer, sessions: d.Sessions, settings: d.Settings, cache: d.Cache, audit: d.Audit, log: d.Log, now: time.Now}
}

// Errors of the login flow.
var (
	errBadCredentials = web.NewError(401, "invalid_credentials", "用户名或密码错误")
	errLocked         = web.NewError(429, "locked", "登录失败次数过多，账号已临时锁定，请稍后再试")
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

// EnsureAdmin creates the "admin" account (sysadmin, org_admin) at the root
// when no such account exists. With an empty password a random one is made
// and returned so the caller can print it once.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (created bool, pw string, err error) {
	root, err := s.EnsureRoot(ctx)
	if err != nil {
		return false, "", err
	}
	u, err := s.store.UserByUsername(ctx, "admin")
	if err != nil || u != nil {
		return false, "", err
	}
	pw = password
	if pw == "" {
		pw = RandomPassword()
	} else if msg := PasswordProblem(pw, 8); msg != "" {
		return false, "", fmt.Errorf("identity: COLLEGE_ADMIN_PASSWORD: %s", msg)
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return false, "", err
	}
	admin := &User{Username: "admin", Name: "系统管理员", PasswordHash: hash, OrgID: root.ID, PasswordChangedAt: s.now().UTC(),
		Roles: []UserRole{{Role: web.RoleSysAdmin}, {Role: web.RoleOrgAdmin}}}
	if err := s.store.CreateUsers(ctx, []*User{admin}); err != nil {
		if db.IsDuplicate(err) {
			return false, "", nil // another instance made it first
		}
		return false, "", fmt.Errorf("identity: create admin: %w", err)
	}
	return true, pw, nil
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

// Login checks the credentials and starts a session. Failures are counted
// per username; past the limit the account is locked for the window.
func (s *Service) Login(ctx context.Context, username, password, ip string) (string, *User, error) {
	username = strings.TrimSpace(username)
	failKey := s.cache.Key("loginfail", strings.ToLower(username))
	maxFails := s.settings.Int(ctx, SetLockoutAttempts)
	window := time.Duration(s.settings.Int(ctx, SetLockoutMinutes)) * time.Minute
	fails, err := s.cache.Get(ctx, failKey).Int()
	if err == nil && fails >= maxFails {
		s.audit.Record(ctx, web.AuditEntry{ActorName: username, IP: ip, Action: "login.locked", Target: "user"})
		return "", nil, errLocked
	}
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return "", nil, web.Internal(err)
	}
	ok := false
	if u == nil {
		CheckPassword(dummyHash(), password)
	} else {
		ok = CheckPassword(u.PasswordHash, password) && !u.Disabled
	}
	if !ok {
		pipe := s.cache.TxPipeline()
		n := pipe.Incr(ctx, failKey)
		pipe.ExpireNX(ctx, failKey, window)
		_, _ = pipe.Exec(ctx)
		e := web.AuditEntry{ActorName: username, IP: ip, Action: "login.fail", Target: "user", Detail: "用户名或密码错误"}
		if u != nil {
			e.ActorID, e.TargetID = u.ID, u.ID
			if u.Disabled {
				e.Detail = "账号已停用"
			}
		}
		s.audit.Record(ctx, e)
		if n.Val() >= int64(maxFails) {
			return "", nil, errLocked
		}
		return "", nil, errBadCredentials
	}
	s.cache.Del(ctx, failKey)
	org, err := s.store.OrgByID(ctx, nil, u.OrgID)
	if err != nil || org == nil {
		return "", nil, web.Internal(fmt.Errorf("identity: org of user %d: %v", u.ID, err))
	}
	if s.settings.Bool(ctx, SetSingleSession) {
		if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
			return "", nil, web.Internal(err)
		}
	}
	p := web.Principal{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.RoleList(), OrgID: u.OrgID, OrgPath: org.Path, Level: u.Level, MustChangePassword: u.MustChangePassword}
	idle := time.Duration(s.settings.Int(ctx, SetIdleMinutes)) * time.Minute
	abs := time.Duration(s.settings.Int(ctx, SetAbsoluteHours)) * time.Hour
	token, err := s.sessions.Create(ctx, p, idle, abs)
	if err != nil {
		return "", nil, web.Internal(err)
	}
	now := s.now().UTC()
	u.LastLoginAt = &now
	_ = s.store.SaveUser(ctx, u, "last_login_at")
	s.audit.Record(ctx, web.AuditEntry{ActorID: u.ID, ActorName: u.Username, IP: ip, Action: "login.success", Target: "user", TargetID: u.ID, Success: true})
	return token, u, nil
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p *web.Principal) {
	s.sessions.End(ctx, p.SessionID, p.UserID)
}

// Authenticate resolves a token to its principal.
func (s *Service) Authenticate(ctx context.Context, token string) (*web.Principal, error) {
	return s.sessions.Lookup(ctx, token)
}

// canManageUsers: system administrators manage accounts; unit administrators
// manage the learners of their own units.
func canManageUsers(p *web.Principal) bool {
	return p.HasAny(web.RoleSysAdmin, web.RoleUnitAdmin)
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
	if err := s.store.CreateOrg(ctx, o, parent.Path); err != nil {
		if db.IsDuplicate(err) {
			return nil, web.Invalid(map[string]string{"code": "该代码已被使用"})
		}
		return nil, web.Internal(err)
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
	if err := s.store.UpdateOrg(ctx, o); err != nil {
		if db.IsDuplicate(err) {
			return nil, web.Invalid(map[string]string{"code": "该代码已被使用"})
		}
		return nil, web.Internal(err)
	}
	return o, nil
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

// checkRoles enforces who may grant what: unit administrators only learners.
func checkRoles(p *web.Principal, f web.Fields, roles []string) error {
	for _, r := range roles {
		if !validRole(r) {
			f.Add("roles", "未知角色："+r)
			return nil
		}
	}
	if !p.Has(web.RoleSysAdmin) && !p.Has(web.RoleSecAdmin) {
		for _, r := range roles {
			if r != web.RoleLearner {
				return web.Forbidden()
			}
		}
	}
	return nil
}

// CreateUser adds an account in an org of the caller's subtree.
func (s *Service) CreateUser(ctx context.Context, p *web.Principal, in UserRequest) (*User, error) {
	if !canManageUsers(p) {
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
	} else if msg := PasswordProblem(in.Password, minLen); msg != "" {
		f.Add("password", msg)
	}
	roles := normalizeRoles(in.Roles)
	if err := checkRoles(p, f, roles); err != nil {
		return nil, err
	}
	u := &User{Username: in.Username, PasswordChangedAt: s.now().UTC(), MustChangePassword: in.MustChangePassword}
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
	if err := s.checkTaken(ctx, u); err != nil {
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
	if err := s.store.CreateUsers(ctx, []*User{u}); err != nil {
		return nil, s.duplicateUser(err)
	}
	return u, nil
}

// checkTaken reports a username or ID number another account already has.
// The unique keys remain the guard against races; this gives the message.
func (s *Service) checkTaken(ctx context.Context, u *User) error {
	f := web.Fields{}
	if u.ID == 0 {
		taken, err := s.store.ExistingUsernames(ctx, []string{u.Username})
		if err != nil {
			return web.Internal(err)
		}
		f.Check(!taken[u.Username], "username", "该用户名已被使用")
	}
	if u.IDNumberHash != nil {
		owner, err := s.store.UserIDByIDHash(ctx, *u.IDNumberHash)
		if err != nil {
			return web.Internal(err)
		}
		f.Check(owner == 0 || owner == u.ID, "id_number", "该身份证号码已登记")
	}
	return f.Err()
}

func (s *Service) duplicateUser(err error) error {
	if db.IsDuplicate(err) {
		return web.Invalid(map[string]string{"username": "用户名或身份证号码已被使用"})
	}
	return web.Internal(err)
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
	if !canManageUsers(p) {
		return false
	}
	if p.Has(web.RoleSysAdmin) {
		return true
	}
	for _, r := range u.RoleList() {
		if r != web.RoleLearner {
			return false
		}
	}
	return true
}

// manageable loads a user the caller may change: in scope, and for unit
// administrators only plain learners.
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
	if !p.Has(web.RoleSysAdmin) {
		for _, r := range u.RoleList() {
			if r != web.RoleLearner {
				return nil, web.Forbidden()
			}
		}
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
	if err := s.checkTaken(ctx, u); err != nil {
		return nil, err
	}
	if err := s.store.SaveUser(ctx, u, "name", "level", "post", "org_id", "term_ends_on", "id_number_sealed", "id_number_hash", "phone_sealed", "phone_hash"); err != nil {
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
	if err := s.store.SaveUser(ctx, u, "disabled"); err != nil {
		return nil, web.Internal(err)
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
	if err := checkRoles(p, f, roles); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := s.store.SetRoles(ctx, u.ID, roles); err != nil {
		return nil, web.Internal(err)
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
	if msg := PasswordProblem(pw, s.settings.Int(ctx, SetPasswordMinLen)); msg != "" {
		return web.Invalid(map[string]string{"new_password": msg})
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return web.Internal(err)
	}
	u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt = hash, true, s.now().UTC()
	if err := s.store.SaveUser(ctx, u, "password_hash", "must_change_password", "password_changed_at"); err != nil {
		return web.Internal(err)
	}
	return s.sessions.EndUser(ctx, u.ID, "")
}

// ChangeOwnPassword checks the old password and sets a new one; the caller's
// other sessions end and this one continues.
func (s *Service) ChangeOwnPassword(ctx context.Context, p *web.Principal, oldPw, newPw string) (string, error) {
	u, err := s.store.UserByID(ctx, nil, p.UserID)
	if err != nil {
		return "", web.Internal(err)
	}
	if u == nil || u.Disabled {
		return "", web.Unauthorized()
	}
	f := web.Fields{}
	if !CheckPassword(u.PasswordHash, oldPw) {
		f.Add("old_password", "原密码不正确")
	}
	if msg := PasswordProblem(newPw, s.settings.Int(ctx, SetPasswordMinLen)); msg != "" {
		f.Add("new_password", msg)
	} else if newPw == oldPw {
		f.Add("new_password", "新密码不能与原密码相同")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	hash, err := HashPassword(newPw)
	if err != nil {
		return "", web.Internal(err)
	}
	u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt = hash, false, s.now().UTC()
	if err := s.store.SaveUser(ctx, u, "password_hash", "must_change_password", "password_changed_at"); err != nil {
		return "", web.Internal(err)
	}
	// Start a fresh session without the must-change flag and end the rest.
	if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
		return "", web.Internal(err)
	}
	np := *p
	np.MustChangePassword = false
	np.SessionID = ""
	idle := time.Duration(s.settings.Int(ctx, SetIdleMinutes)) * time.Minute
	abs := time.Duration(s.settings.Int(ctx, SetAbsoluteHours)) * time.Hour
	token, err := s.sessions.Create(ctx, np, idle, abs)
	if err != nil {
		return "", web.Internal(err)
	}
	return token, nil
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
		f.Hash = s.sealer.Hash("id", id)
	} else if ph := NormalizePhone(f.Q); ValidPhone(ph) {
		f.Hash = s.sealer.Hash("phone", ph)
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
	return users, total, nil
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
		for _, r := range normalizeRoles(in.Roles) {
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
	return &Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: r.OrgName, OrgPath: paths[u.OrgID], Level: u.Level, Post: u.Post, IDNumber: r.IDNumber}, nil
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
