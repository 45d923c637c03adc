package identity

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"college/modules/web"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"
)

// hashParams are the OWASP argon2id parameters (19 MiB, 2 passes): about
// 25 ms a hash on this class of machine.
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashSlots bounds concurrent hashing, so a burst of logins costs at most
// a few times 19 MiB of memory and queues instead of thrashing.
var hashSlots = make(chan struct{}, 2*runtime.NumCPU())

// hashWaiting counts callers queued for a slot; past maxHashQueue a login is
// refused at once (ErrBusy) instead of joining a queue that grows without
// bound and makes every real login wait behind a flood of bogus ones.
var hashWaiting atomic.Int64

// maxHashQueue is how many callers may wait for a hashing slot: with about
// 25 ms a hash and 2×CPU slots, the last in line waits well under a second.
var maxHashQueue = int64(8 * runtime.NumCPU())

// maxHashWait bounds how long one caller waits for a slot.
const maxHashWait = 2 * time.Second

// ErrBusy means too many password checks are queued; try again shortly.
var ErrBusy = errors.New("identity: password hashing is busy")

// acquireHashSlot takes a hashing slot, or fails fast when the queue is full
// or the wait too long.
func acquireHashSlot(ctx context.Context) error {
	select {
	case hashSlots <- struct{}{}:
		return nil
	default:
	}
	if hashWaiting.Add(1) > maxHashQueue {
		hashWaiting.Add(-1)
		return ErrBusy
	}
	defer hashWaiting.Add(-1)
	t := time.NewTimer(maxHashWait)
	defer t.Stop()
	select {
	case hashSlots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func releaseHashSlot() { <-hashSlots }

// HashPassword returns the argon2id hash of a password in PHC format. It
// waits for a slot as long as it takes: only administrators and the
// password's owner set passwords.
func HashPassword(pw string) (string, error) {
	hashSlots <- struct{}{}
	defer releaseHashSlot()
	return argon2id.CreateHash(pw, hashParams)
}

// CheckPassword compares a password with its hash in constant time.
func CheckPassword(hash, pw string) bool {
	hashSlots <- struct{}{}
	defer releaseHashSlot()
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// checkPasswordBounded is CheckPassword for unauthenticated callers: it
// refuses with ErrBusy instead of queueing without bound.
func checkPasswordBounded(ctx context.Context, hash, pw string) (bool, error) {
	if err := acquireHashSlot(ctx); err != nil {
		return false, err
	}
	defer releaseHashSlot()
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok, nil
}

var (
	dummyOnce sync.Once
	dummy     string
)

// dummyHash is compared against when the user does not exist, so that a
// login for an unknown name takes as long as one for a known name.
func dummyHash() string {
	dummyOnce.Do(func() { dummy, _ = HashPassword("not-a-password-0A!") })
	return dummy
}

// maxPasswordLen bounds the work one login can ask for.
const maxPasswordLen = 128

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords are passwords (lower-cased) that meet the character rules
// but are among the first any attacker tries.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// PasswordProblemFor is PasswordProblem plus the rules that need context: not
// a common password, and not containing the username.
func PasswordProblemFor(pw string, minLen int, username string) string {
	if msg := PasswordProblem(pw, minLen); msg != "" {
		return msg
	}
	lower := strings.ToLower(pw)
	if commonPasswords[lower] {
		return "密码过于常见，容易被猜中，请换一个"
	}
	if u := strings.ToLower(strings.TrimSpace(username)); len(u) >= 3 && strings.Contains(lower, u) {
		return "密码不能包含用户名"
	}
	return ""
}

// PasswordProblem returns why a password breaks the policy ("" if it is
// fine): at least minLen characters, at most 128, and three of four classes
// (upper, lower, digit, symbol).
func PasswordProblem(pw string, minLen int) string {
	n := len([]rune(pw))
	if n < minLen {
		return "密码至少 " + strconv.Itoa(minLen) + " 位"
	}
	if n > maxPasswordLen {
		return "密码不能超过 128 位"
	}
	var upper, lower, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
	}
	return ""
}

// PasswordMinLen is the shortest password the rules allow now.
func (s *Service) PasswordMinLen(ctx context.Context) int {
	return s.settings.Int(ctx, SetPasswordMinLen)
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
