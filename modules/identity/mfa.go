package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
)

// Second factor: TOTP (RFC 6238, 30 s steps, 6 digits) with ten single-use
// recovery codes. Required for administrators (config auth.admin_mfa),
// optional for everyone else unless the setting auth.learner_mfa asks it.

// SetLearnerMFA makes the second factor required for every account.
const SetLearnerMFA = "auth.learner_mfa"

// adminRoles are the roles that administer something: the second factor is
// required for them when auth.admin_mfa is on.
var adminRoles = []string{web.RoleSysAdmin, web.RoleSecAdmin, web.RoleAuditor, web.RoleOrgAdmin, web.RoleCollegeAdmin, web.RoleUnitAdmin}

// recoveryCodeCount is how many recovery codes an enrolment gives.
const recoveryCodeCount = 10

var (
	errOTPRequired = web.NewError(401, "otp_required", "该账号已启用动态验证码，请再次输入密码并填写验证器中的 6 位数字")
	errOTPInvalid  = web.NewError(401, "otp_invalid", "动态验证码不正确或已使用")
)

// MFARequired reports whether u must have a second factor.
func (s *Service) MFARequired(ctx context.Context, u *User) bool {
	if s.settings.Bool(ctx, SetLearnerMFA) {
		return true
	}
	if !s.adminMFA {
		return false
	}
	for _, r := range u.Roles {
		for _, a := range adminRoles {
			if r.Role == a {
				return true
			}
		}
	}
	return false
}

func (s *Service) mfaOf(ctx context.Context, uid uint64) (*UserMFA, error) {
	var m UserMFA
	err := s.store.db.WithContext(ctx).Where("user_id = ?", uid).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity: read mfa of %d: %w", uid, err)
	}
	return &m, nil
}

// MFAEnabled reports whether the user has a confirmed second factor.
func (s *Service) MFAEnabled(ctx context.Context, uid uint64) (bool, error) {
	m, err := s.mfaOf(ctx, uid)
	return m != nil && m.EnabledAt != nil, err
}

// BeginTOTP makes a new secret for the caller and keeps it pending until a
// code from it is confirmed. An enabled factor is replaced only after a
// reset by the security administrator.
func (s *Service) BeginTOTP(ctx context.Context, p *web.Principal) (TOTPStart, error) {
	m, err := s.mfaOf(ctx, p.UserID)
	if err != nil {
		return TOTPStart{}, web.Internal(err)
	}
	if m != nil && m.EnabledAt != nil {
		return TOTPStart{}, web.Conflict("mfa_enabled", "已启用动态验证码；如需更换，请联系安全管理员重置")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: p.Username, Algorithm: otp.AlgorithmSHA1, Digits: otp.DigitsSix, Period: 30})
	if err != nil {
		return TOTPStart{}, web.Internal(err)
	}
	row := UserMFA{UserID: p.UserID, PendingSealed: s.sealer.Seal(key.Secret()), UpdatedAt: s.now().UTC()}
	err = s.change(ctx, func(st *Store) error { return st.db.WithContext(ctx).Save(&row).Error }, func() web.AuditEntry {
		return web.AuditBy(p, "mfa.enrol.start", "user", p.UserID, nil)
	})
	if err != nil {
		return TOTPStart{}, web.AsError(err)
	}
	return TOTPStart{Secret: key.Secret(), OTPAuthURI: key.URL()}, nil
}

// PendingTOTP returns the enrolment in progress (its secret and URI), for
// showing it again as a QR code; 404 when none is pending.
func (s *Service) PendingTOTP(ctx context.Context, p *web.Principal) (TOTPStart, error) {
	m, err := s.mfaOf(ctx, p.UserID)
	if err != nil {
		return TOTPStart{}, web.Internal(err)
	}
	if m == nil || m.PendingSealed == "" {
		return TOTPStart{}, web.NotFound()
	}
	secret, err := s.sealer.Open(m.PendingSealed)
	if err != nil {
		return TOTPStart{}, web.Internal(err)
	}
	key, err := otp.NewKeyFromURL(totpURI(s.issuer, p.Username, secret))
	if err != nil {
		return TOTPStart{}, web.Internal(err)
	}
	return TOTPStart{Secret: secret, OTPAuthURI: key.URL()}, nil
}

// totpURI is the otpauth:// URI authenticator apps read (Key URI Format).
func totpURI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// ConfirmTOTP enables the pending secret when code matches it, and returns
// fresh recovery codes. A session limited to enrolment is replaced by a full
// one (the new token is returned).
func (s *Service) ConfirmTOTP(ctx context.Context, p *web.Principal, code string) (TOTPConfirmed, error) {
	m, err := s.mfaOf(ctx, p.UserID)
	if err != nil {
		return TOTPConfirmed{}, web.Internal(err)
	}
	if m == nil || m.PendingSealed == "" {
		return TOTPConfirmed{}, web.Conflict("mfa_not_started", "请先获取新的密钥")
	}
	secret, err := s.sealer.Open(m.PendingSealed)
	if err != nil {
		return TOTPConfirmed{}, web.Internal(err)
	}
	if !s.validTOTP(ctx, p.UserID, secret, code) {
		return TOTPConfirmed{}, web.Invalid(map[string]string{"code": "动态验证码不正确，请核对手机时间后重试"})
	}
	codes := make([]string, recoveryCodeCount)
	rows := make([]RecoveryCode, recoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		rows[i] = RecoveryCode{UserID: p.UserID, CodeHash: recoveryHash(codes[i])}
	}
	now := s.now().UTC()
	err = s.store.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&UserMFA{}).Where("user_id = ? AND pending_sealed = ?", p.UserID, m.PendingSealed).
			Updates(map[string]any{"secret_sealed": m.PendingSealed, "pending_sealed": "", "enabled_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errConcurrentEnrol
		}
		if err := tx.Where("user_id = ?", p.UserID).Delete(&RecoveryCode{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "mfa.enable", "user", p.UserID, nil))
	})
	if errors.Is(err, errConcurrentEnrol) {
		return TOTPConfirmed{}, web.Conflict("mfa_not_started", "密钥已变化，请重新获取")
	}
	if err != nil {
		return TOTPConfirmed{}, web.AsError(err)
	}
	out := TOTPConfirmed{RecoveryCodes: codes}
	if p.MFAEnrol {
		np := *p
		np.MFAEnrol, np.SessionID = false, ""
		if err := s.sessions.End(ctx, p.SessionID, p.UserID); err != nil {
			return TOTPConfirmed{}, web.Internal(err)
		}
		tok, err := s.newSession(ctx, np)
		if err != nil {
			return TOTPConfirmed{}, err
		}
		out.Token = tok
	}
	return out, nil
}

var errConcurrentEnrol = errors.New("identity: enrolment changed meanwhile")

// validTOTP checks a code against the secret (one step of clock drift either
// way) and refuses a code already used in its window.
func (s *Service) validTOTP(ctx context.Context, uid uint64, secret, code string) bool {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return false
	}
	ok, err := totp.ValidateCustom(code, secret, s.now().UTC(), totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil || !ok {
		return false
	}
	// One use per code: the key lives as long as the code could validate.
	fresh, err := s.cache.SetNX(ctx, s.cache.Key("otpused", strconv.FormatUint(uid, 10), code), 1, 2*time.Minute).Result()
	return err == nil && fresh
}

// checkSecondFactor verifies a TOTP code or consumes a recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, m *UserMFA, code string) (bool, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return false, nil
	}
	if len(code) == 6 {
		secret, err := s.sealer.Open(m.SecretSealed)
		if err != nil {
			return false, err
		}
		return s.validTOTP(ctx, m.UserID, secret, code), nil
	}
	res := s.store.db.WithContext(ctx).Model(&RecoveryCode{}).
		Where("user_id = ? AND code_hash = ? AND used_at IS NULL", m.UserID, recoveryHash(code)).
		Update("used_at", s.now().UTC())
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

// ResetMFA removes a user's second factor (the security administrator's
// action); the user enrols again at the next login.
func (s *Service) ResetMFA(ctx context.Context, p *web.Principal, id uint64) error {
	u, err := s.secAdminTarget(ctx, p, id)
	if err != nil {
		return err
	}
	if u.ID == p.UserID {
		return web.Conflict("self", "不能重置自己的动态验证码")
	}
	err = s.store.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", id).Delete(&UserMFA{}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", id).Delete(&RecoveryCode{}).Error; err != nil {
			return err
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "mfa.reset", "user", id, nil))
	})
	if err != nil {
		return web.AsError(err)
	}
	return s.sessions.EndUser(ctx, id, "")
}

// Unlock clears a login lock (the security administrator's action).
func (s *Service) Unlock(ctx context.Context, p *web.Principal, id uint64) error {
	u, err := s.secAdminTarget(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.throttle.unlock(ctx, throttleUser(u.Username)); err != nil {
		return web.Internal(err)
	}
	return s.audit.Record(ctx, web.AuditBy(p, "user.unlock", "user", id, nil))
}

// newRecoveryCode is 12 characters from an alphabet without look-alikes,
// grouped for reading: about 60 bits.
func newRecoveryCode() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	// Rejection sampling keeps every character equally likely.
	limit := byte(256 - 256%len(alphabet))
	out := make([]byte, 0, 14)
	buf := make([]byte, 1)
	for n := 0; n < 12; {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("identity: random: %v", err))
		}
		if buf[0] >= limit {
			continue
		}
		if n > 0 && n%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(buf[0])%len(alphabet)])
		n++
	}
	return string(out)
}

// recoveryHash normalises a recovery code (case, dashes, spaces) and hashes
// it: the codes are random enough that a plain SHA-256 cannot be reversed.
func recoveryHash(code string) string {
	code = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte("college recovery code:" + code))
	return hex.EncodeToString(sum[:])
}
