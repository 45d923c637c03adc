package identity

import (
	"context"
	_ "embed"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/alexedwards/argon2id"
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
