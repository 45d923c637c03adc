package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"college/modules/web"
)

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
		_ = s.sessions.End(ctx, TokenID(token), u.ID)
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
	ended := s.sessions.End(ctx, p.SessionID, p.UserID)
	if err := s.audit.Record(ctx, web.AuditBy(p, "logout", "user", p.UserID, nil)); err != nil {
		return err
	}
	if ended != nil {
		return web.Internal(ended)
	}
	return nil
}

// Authenticate resolves a token to its principal.
func (s *Service) Authenticate(ctx context.Context, token string) (*web.Principal, error) {
	return s.sessions.Lookup(ctx, token)
}
