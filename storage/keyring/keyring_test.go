package keyring

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// The library computes the national algorithms themselves: the examples of
// GB/T 32907-2016 (SM4) and GB/T 32905-2016 (SM3).
func TestNationalKnownAnswers(t *testing.T) {
	t.Parallel()
	key, _ := hex.DecodeString("0123456789abcdeffedcba9876543210")
	block, err := sm4.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	block.Encrypt(out, key)
	if got := hex.EncodeToString(out); got != "681edf34d206965e86b3e94f536e4246" {
		t.Fatalf("SM4 = %s", got)
	}
	h := sm3.New()
	h.Write([]byte("abc"))
	if got := hex.EncodeToString(h.Sum(nil)); got != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" {
		t.Fatalf("SM3 = %s", got)
	}
}

func TestSealOpenBothSuites(t *testing.T) {
	t.Parallel()
	for _, national := range []bool{false, true} {
		r, err := FromSecret(secret, national)
		if err != nil {
			t.Fatal(err)
		}
		a, b := r.Seal("110101199003074514"), r.Seal("110101199003074514")
		if a == b || strings.Contains(a, "110101") {
			t.Fatalf("national=%v: sealing is not randomized or leaks: %s", national, a)
		}
		wantPrefix := map[bool]string{false: "v1:", true: "v2:sm:1:"}[national]
		if !strings.HasPrefix(a, wantPrefix) {
			t.Fatalf("national=%v: sealed %q lacks %q", national, a, wantPrefix)
		}
		if got, err := r.Open(a); err != nil || got != "110101199003074514" {
			t.Fatalf("national=%v: open = %q, %v", national, got, err)
		}
		if !r.Current(a) {
			t.Fatalf("national=%v: a fresh value is not current", national)
		}
		// Change the last two characters, whatever they were.
		tail := "AA"
		if strings.HasSuffix(a, tail) {
			tail = "BB"
		}
		tampered := a[:len(a)-2] + tail
		if _, err := r.Open(tampered); err == nil {
			t.Fatalf("national=%v: tampered value opened", national)
		}
		if r.Seal("") != "" || r.Hash("id", "") != nil || r.Hashes("id", "") != nil {
			t.Fatal("empty values must stay empty")
		}
	}
}

// A value sealed and hashed by the first version (AES-GCM, "v1:") opens in
// both modes, and its blind index is among the look-up hashes.
func TestFirstVersionValuesStayReadable(t *testing.T) {
	t.Parallel()
	const old = "v1:EIYIbFiIx3tu3domL7LZCtRrx/b7IycE7vM4C1tI7JFUfXWr508iq9kEBhXpJA"
	const oldHash = "d3a59abcd4956d9fc9046a2fc69365b7020a4bfcb4eb0085bdd40a488cadb2c7"
	for _, national := range []bool{false, true} {
		r, _ := FromSecret(secret, national)
		if got, err := r.Open(old); err != nil || got != "110101199003074514" {
			t.Fatalf("national=%v: open first version = %q, %v", national, got, err)
		}
		if r.Current(old) == national {
			t.Fatalf("national=%v: Current(v1) wrong", national)
		}
		hs := r.Hashes("id", "110101199003074514")
		found := false
		for _, h := range hs {
			found = found || h == oldHash
		}
		if !found {
			t.Fatalf("national=%v: the first version's hash is not looked up", national)
		}
		if (*r.Hash("id", "110101199003074514") == oldHash) == national {
			t.Fatalf("national=%v: active hash wrong", national)
		}
		if hs[0] != *r.Hash("id", "110101199003074514") {
			t.Fatal("the active hash must come first")
		}
	}
}

func TestRotationKeys(t *testing.T) {
	t.Parallel()
	k2 := Key{ID: 2, Material: bytes.Repeat([]byte{7}, 32)}
	oldRing, _ := FromSecret(secret, false)
	newRing, err := New([]Key{{ID: SecretKeyID, Material: secret}, k2}, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	v := oldRing.Seal("13800138000")
	if newRing.Current(v) {
		t.Fatal("a value under key 1 is current for a ring sealing with key 2")
	}
	if got, err := newRing.Open(v); err != nil || got != "13800138000" {
		t.Fatalf("the new ring cannot open the old value: %q %v", got, err)
	}
	w := newRing.Seal("13800138000")
	if !strings.HasPrefix(w, "v2:sm:2:") {
		t.Fatalf("sealed %q", w)
	}
	if _, err := oldRing.Open(w); err == nil {
		t.Fatal("a ring without key 2 opened a value sealed with it")
	}
	// The prefix is bound to the ciphertext: relabelling it fails.
	if _, err := newRing.Open(strings.Replace(w, "v2:sm:2:", "v2:sm:1:", 1)); err == nil {
		t.Fatal("relabelled value opened")
	}
	if *newRing.Hash("phone", "13800138000") == *oldRing.Hash("phone", "13800138000") {
		t.Fatal("the blind index did not change with the key")
	}
	if _, err := New([]Key{{ID: SecretKeyID, Material: secret}}, 2, false); err == nil {
		t.Fatal("an active key that is not configured was accepted")
	}
	if _, err := New([]Key{{ID: 3, Material: []byte("short")}}, 3, false); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestKeyFilesAndSpec(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if ks, err := LoadDir(dir); err != nil || len(ks) != 0 {
		t.Fatalf("empty dir: %v %v", ks, err)
	}
	id, err := Generate(dir, []Key{{ID: 4}})
	if err != nil || id != 5 {
		t.Fatalf("generate = %d, %v", id, err)
	}
	info, err := os.Stat(filepath.Join(dir, Dir, "5.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	ks, err := LoadDir(dir)
	if err != nil || len(ks) != 1 || ks[0].ID != 5 || len(ks[0].Material) != 32 {
		t.Fatalf("load = %+v, %v", ks, err)
	}
	spec := "2:" + strings.Repeat("ab", 32) + ", 3:" + strings.Repeat("cd", 32)
	ks, err = ParseSpec(spec)
	if err != nil || len(ks) != 2 || ks[1].ID != 3 {
		t.Fatalf("spec = %+v, %v", ks, err)
	}
	for _, bad := range []string{"1:" + strings.Repeat("ab", 32), "2:abcd", "x:" + strings.Repeat("ab", 32), "2"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted", bad)
		}
	}
}
