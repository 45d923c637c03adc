package identity

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"college/storage/keyring"
)

// Sealer encrypts personal data at rest and makes keyed hashes (blind
// indexes) so sealed values can still be looked up and kept unique. The
// algorithms and keys come from a keyring: AES-256-GCM and HMAC-SHA256, or
// SM4-GCM and HMAC-SM3 when national cryptography is on.
type Sealer struct {
	ring *keyring.Ring
}

// NewSealer derives the keys from the college secret alone (standard suite).
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("identity: secret key too short")
	}
	r, err := keyring.FromSecret(secret, false)
	if err != nil {
		return nil, err
	}
	return &Sealer{ring: r}, nil
}

// NewSealerWith seals with a configured keyring.
func NewSealerWith(r *keyring.Ring) *Sealer { return &Sealer{ring: r} }

// Seal encrypts s ("" stays "").
func (s *Sealer) Seal(plain string) string { return s.ring.Seal(plain) }

// Open decrypts a sealed value, under the current key or an older one.
func (s *Sealer) Open(sealed string) (string, error) {
	plain, err := s.ring.Open(sealed)
	if err != nil {
		return "", fmt.Errorf("identity: %w", err)
	}
	return plain, nil
}

// Hash is the keyed hash of a normalized value under the current key (nil
// for ""): what is stored.
func (s *Sealer) Hash(kind, v string) *string { return s.ring.Hash(kind, v) }

// Hashes are the keyed hashes of v under every key, for look-ups that must
// also find rows not yet re-sealed after a key change.
func (s *Sealer) Hashes(kind, v string) []string { return s.ring.Hashes(kind, v) }

var idRe = regexp.MustCompile(`^\d{17}[\dX]$`)

// NormalizeIDNumber upper-cases and trims a resident ID number.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(s, " ", "")))
}

// ValidIDNumber checks an 18-character resident ID number (GB 11643): digits,
// a real birth date and the ISO 7064 MOD 11-2 check character.
func ValidIDNumber(id string) bool {
	if !idRe.MatchString(id) {
		return false
	}
	if _, err := time.Parse("20060102", id[6:14]); err != nil {
		return false
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(id[i]-'0') * w
	}
	return id[17] == "10X98765432"[sum%11]
}

var phoneRe = regexp.MustCompile(`^1[3-9]\d{9}$`)

// NormalizePhone trims a mobile number and drops a +86 prefix.
func NormalizePhone(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "-", ""))
	s = strings.TrimPrefix(s, "+86")
	return s
}

// ValidPhone checks a mainland mobile number.
func ValidPhone(s string) bool { return phoneRe.MatchString(s) }

// MaskIDNumber keeps the first 3 and last 4 characters: 110***********1234.
func MaskIDNumber(id string) string { return mask(id, 3, 4) }

// MaskPhone keeps the first 3 and last 4 digits: 138****5678.
func MaskPhone(p string) string { return mask(p, 3, 4) }

func mask(s string, head, tail int) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	if n <= head+tail {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
}
