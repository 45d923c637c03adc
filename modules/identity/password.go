package identity

import (
	"strconv"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// bcryptCost balances login latency (~50 ms here) against guessing cost.
const bcryptCost = 11

// HashPassword returns the bcrypt hash of a password.
func HashPassword(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	return string(b), err
}

// CheckPassword compares a password with its hash in constant time.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is compared against when the user does not exist, so that a
// login for an unknown name takes as long as one for a known name.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not-a-password-0A!"), bcryptCost)

// PasswordProblem returns why a password breaks the policy ("" if it is
// fine): at least minLen characters, at most 72 bytes (bcrypt's limit), and
// three of four classes (upper, lower, digit, symbol).
func PasswordProblem(pw string, minLen int) string {
	if len([]rune(pw)) < minLen {
		return "密码至少 " + strconv.Itoa(minLen) + " 位"
	}
	if len(pw) > 72 {
		return "密码不能超过 72 个字节"
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
