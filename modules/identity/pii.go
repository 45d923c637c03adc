package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/hkdf"
)

// Sealer encrypts personal data at rest (AES-256-GCM) and makes keyed hashes
// (HMAC-SHA256) so sealed values can still be looked up and kept unique.
type Sealer struct {
	aead   cipher.AEAD
	macKey []byte
}

// NewSealer derives the encryption and hashing keys from the college secret.
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("identity: secret key too short")
	}
	encKey := make([]byte, 32)
	macKey := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte("college pii enc v1")), encKey); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte("college pii mac v1")), macKey); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, macKey: macKey}, nil
}

// Seal encrypts s ("" stays "").
func (s *Sealer) Seal(plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("identity: random: %v", err))
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), nil)
	return "v1:" + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a sealed value.
func (s *Sealer) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, ok := strings.CutPrefix(sealed, "v1:")
	if !ok {
		return "", errors.New("identity: unknown sealed format")
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("identity: bad sealed value")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("identity: open sealed value: %w", err)
	}
	return string(plain), nil
}

// Hash is the keyed hash of a normalized value (nil for "").
func (s *Sealer) Hash(kind, v string) *string {
	if v == "" {
		return nil
	}
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(kind + ":" + v))
	h := hex.EncodeToString(m.Sum(nil))
	return &h
}

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
