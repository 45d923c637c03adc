// Package keyring seals personal data at rest and makes keyed hashes for
// looking it up, with either the standard suite (AES-256-GCM, HMAC-SHA256) or
// the national one (SM4-GCM, HMAC-SM3, GB/T 39786). Every sealed value names
// its suite and key, so values sealed under an older key or suite stay
// readable while they are re-sealed. Keys come from the server secret, the
// configuration or files in the data folder, never from the database.
package keyring

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
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
	"golang.org/x/crypto/hkdf"
)

// Suite names a set of algorithms.
type Suite string

// The suites.
const (
	Standard Suite = "std" // AES-256-GCM and HMAC-SHA256
	National Suite = "sm"  // SM4-GCM and HMAC-SM3
)

// SecretKeyID is the id of the key derived from the server secret; it is
// always in the ring, so the values sealed before keys had ids stay readable.
const SecretKeyID = 1

// MinKeyBytes is the shortest key material accepted.
const MinKeyBytes = 32

// Key is one master key.
type Key struct {
	ID       int
	Material []byte
}

// Hasher returns the hash function of a suite's HMAC.
func Hasher(s Suite) func() hash.Hash {
	if s == National {
		return sm3.New
	}
	return sha256.New
}

// Derive expands key material into n bytes for one purpose (label), with
// HKDF over the suite's hash.
func Derive(s Suite, material []byte, label string, n int) ([]byte, error) {
	out := make([]byte, n)
	if _, err := io.ReadFull(hkdf.New(Hasher(s), material, nil, []byte(label)), out); err != nil {
		return nil, fmt.Errorf("keyring: derive %s: %w", label, err)
	}
	return out, nil
}

type slot struct {
	suite Suite
	id    int
}

type keys struct {
	aead   cipher.AEAD
	macKey []byte
}

// Ring seals with the active suite and key and opens with any it holds.
type Ring struct {
	active slot
	slots  map[slot]keys
	order  []slot // active first, then the others in a fixed order
}

// New builds a ring from the keys; activeID names the key that seals, and
// national selects the suite that seals. Both suites stay available for
// opening and look-ups.
func New(all []Key, activeID int, national bool) (*Ring, error) {
	r := &Ring{slots: map[slot]keys{}}
	seen := map[int]bool{}
	for _, k := range all {
		if len(k.Material) < MinKeyBytes {
			return nil, fmt.Errorf("keyring: key %d is shorter than %d bytes", k.ID, MinKeyBytes)
		}
		if k.ID < 1 || seen[k.ID] {
			return nil, fmt.Errorf("keyring: bad or duplicate key id %d", k.ID)
		}
		seen[k.ID] = true
		for _, s := range []Suite{Standard, National} {
			ks, err := newKeys(s, k.Material)
			if err != nil {
				return nil, err
			}
			r.slots[slot{s, k.ID}] = ks
			r.order = append(r.order, slot{s, k.ID})
		}
	}
	r.active = slot{Standard, activeID}
	if national {
		r.active.suite = National
	}
	if _, ok := r.slots[r.active]; !ok {
		return nil, fmt.Errorf("keyring: active key %d is not configured", activeID)
	}
	sort.SliceStable(r.order, func(i, j int) bool {
		a, b := r.order[i], r.order[j]
		if (a == r.active) != (b == r.active) {
			return a == r.active
		}
		if a.id != b.id {
			return a.id > b.id
		}
		return a.suite < b.suite
	})
	return r, nil
}

// FromSecret is the ring of the server secret alone.
func FromSecret(secret []byte, national bool) (*Ring, error) {
	return New([]Key{{ID: SecretKeyID, Material: secret}}, SecretKeyID, national)
}

func newKeys(s Suite, material []byte) (keys, error) {
	var block cipher.Block
	var err error
	var macKey []byte
	switch s {
	case National:
		var enc []byte
		if enc, err = Derive(s, material, "college pii enc sm4 v1", 16); err != nil {
			return keys{}, err
		}
		if macKey, err = Derive(s, material, "college pii mac sm3 v1", 32); err != nil {
			return keys{}, err
		}
		block, err = sm4.NewCipher(enc)
	default:
		// The labels of the first version, so that existing values open.
		var enc []byte
		if enc, err = Derive(s, material, "college pii enc v1", 32); err != nil {
			return keys{}, err
		}
		if macKey, err = Derive(s, material, "college pii mac v1", 32); err != nil {
			return keys{}, err
		}
		block, err = aes.NewCipher(enc)
	}
	if err != nil {
		return keys{}, fmt.Errorf("keyring: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keys{}, fmt.Errorf("keyring: gcm: %w", err)
	}
	return keys{aead: aead, macKey: macKey}, nil
}

// prefix is how a sealed value names its suite and key. The standard suite
// under the secret's key keeps the first format, "v1:", so that a server of
// an older version reads what a newer one writes during a rolling upgrade.
func prefix(s slot) string {
	if s == (slot{Standard, SecretKeyID}) {
		return "v1:"
	}
	return "v2:" + string(s.suite) + ":" + strconv.Itoa(s.id) + ":"
}

// additionalData binds the prefix to the ciphertext, so that a value cannot
// be relabelled; the first format had none.
func additionalData(s slot) []byte {
	if s == (slot{Standard, SecretKeyID}) {
		return nil
	}
	return []byte(prefix(s))
}

func parse(sealed string) (slot, string, error) {
	if rest, ok := strings.CutPrefix(sealed, "v1:"); ok {
		return slot{Standard, SecretKeyID}, rest, nil
	}
	rest, ok := strings.CutPrefix(sealed, "v2:")
	if !ok {
		return slot{}, "", errors.New("keyring: unknown sealed format")
	}
	suite, rest, ok1 := strings.Cut(rest, ":")
	id, body, ok2 := strings.Cut(rest, ":")
	n, err := strconv.Atoi(id)
	if !ok1 || !ok2 || err != nil || (suite != string(Standard) && suite != string(National)) {
		return slot{}, "", errors.New("keyring: bad sealed prefix")
	}
	return slot{Suite(suite), n}, body, nil
}

// Seal encrypts plain with the active suite and key ("" stays "").
func (r *Ring) Seal(plain string) string {
	if plain == "" {
		return ""
	}
	k := r.slots[r.active]
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("keyring: random: %v", err))
	}
	out := k.aead.Seal(nonce, nonce, []byte(plain), additionalData(r.active))
	return prefix(r.active) + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a value sealed under any suite and key of the ring.
func (r *Ring) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	s, body, err := parse(sealed)
	if err != nil {
		return "", err
	}
	k, ok := r.slots[s]
	if !ok {
		return "", fmt.Errorf("keyring: key %d is not configured", s.id)
	}
	b, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(b) < k.aead.NonceSize() {
		return "", errors.New("keyring: bad sealed value")
	}
	plain, err := k.aead.Open(nil, b[:k.aead.NonceSize()], b[k.aead.NonceSize():], additionalData(s))
	if err != nil {
		return "", fmt.Errorf("keyring: open sealed value: %w", err)
	}
	return string(plain), nil
}

// Current reports whether a sealed value is already under the active suite
// and key ("" is).
func (r *Ring) Current(sealed string) bool {
	return sealed == "" || strings.HasPrefix(sealed, prefix(r.active))
}

func (r *Ring) hash(s slot, kind, v string) string {
	m := hmac.New(Hasher(s.suite), r.slots[s].macKey)
	m.Write([]byte(kind + ":" + v))
	return hex.EncodeToString(m.Sum(nil))
}

// Hash is the blind index of a normalized value under the active suite and
// key (nil for "").
func (r *Ring) Hash(kind, v string) *string {
	if v == "" {
		return nil
	}
	h := r.hash(r.active, kind, v)
	return &h
}

// Hashes are the blind indexes of v under every suite and key of the ring,
// the active one first: look-ups match rows not yet re-sealed.
func (r *Ring) Hashes(kind, v string) []string {
	if v == "" {
		return nil
	}
	out := make([]string, 0, len(r.order))
	for _, s := range r.order {
		out = append(out, r.hash(s, kind, v))
	}
	return out
}

// Describe names the active suite and key, e.g. "sm:2".
func (r *Ring) Describe() string { return string(r.active.suite) + ":" + strconv.Itoa(r.active.id) }
