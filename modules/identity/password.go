package identity

import (
	"runtime"
	"strconv"
	"sync"
	"unicode"

	"github.com/alexedwards/argon2id"
)

// hashParams are the OWASP argon2id parameters (19 MiB, 2 passes): about
// 25 ms a hash on this class of machine.
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashSlots bounds concurrent hashing, so a burst of logins costs at most
// a few times 19 MiB of memory and queues instead of thrashing.
var hashSlots = make(chan struct{}, 2*runtime.NumCPU())

// HashPassword returns the argon2id hash of a password in PHC format.
func HashPassword(pw string) (string, error) {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2id.CreateHash(pw, hashParams)
}

// CheckPassword compares a password with its hash in constant time.
func CheckPassword(hash, pw string) bool {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
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
