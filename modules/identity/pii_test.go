package identity

import (
	"strings"
	"testing"
)

func TestValidIDNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id   string
		want bool
	}{
		{"110101199003074514", true},
		{"11010519491231002X", true},
		{"110101199003074515", false}, // wrong check digit
		{"110101199002304517", false}, // 30 February
		{"11010119900307451", false},  // 17 characters
		{"11010119900307451A", false},
		{"", false},
	}
	for _, c := range cases {
		if got := ValidIDNumber(c.id); got != c.want {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", c.id, got, c.want)
		}
	}
	if got := NormalizeIDNumber(" 11010519491231002x "); got != "11010519491231002X" {
		t.Errorf("normalize = %q", got)
	}
}

func TestPhoneAndMasks(t *testing.T) {
	t.Parallel()
	if !ValidPhone(NormalizePhone("+86 138-0013-8000")) {
		t.Error("a formatted mobile number should be valid")
	}
	for _, bad := range []string{"12800138000", "1380013800", "138001380001", "abc"} {
		if ValidPhone(bad) {
			t.Errorf("ValidPhone(%q) = true", bad)
		}
	}
	if got := MaskPhone("13800138000"); got != "138****8000" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := MaskIDNumber("110101199003074514"); got != "110***********4514" {
		t.Errorf("MaskIDNumber = %q", got)
	}
	if got := MaskIDNumber("123"); got != "***" {
		t.Errorf("short mask = %q", got)
	}
}

func TestSealerRoundTripAndHash(t *testing.T) {
	t.Parallel()
	s, err := NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Seal("110101199003074514"), s.Seal("110101199003074514")
	if a == b {
		t.Fatal("sealing twice gave the same ciphertext: nonce not random")
	}
	if strings.Contains(a, "110101") {
		t.Fatal("sealed value contains the plaintext")
	}
	if got, err := s.Open(a); err != nil || got != "110101199003074514" {
		t.Fatalf("open = %q, %v", got, err)
	}
	h1, h2 := s.Hash("id", "x"), s.Hash("id", "x")
	if *h1 != *h2 || *h1 == *s.Hash("phone", "x") || *h1 == *s.Hash("id", "y") {
		t.Fatal("hash must be deterministic and separate kinds")
	}
	other, _ := NewSealer([]byte("another-secret-another-secret-00"))
	if _, err := other.Open(a); err == nil {
		t.Fatal("a different key opened the value")
	}
	if s.Seal("") != "" || s.Hash("id", "") != nil {
		t.Fatal("empty values must stay empty")
	}
	tampered := a[:len(a)-2] + "AA"
	if _, err := s.Open(tampered); err == nil {
		t.Fatal("tampered value opened")
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pw string
		ok bool
	}{
		{"Abcdef12", true},
		{"abcdef1!", true},
		{"ABCDEF1!", true},
		{"abcdefgh", false},                 // one class
		{"abcdef12", false},                 // two classes
		{"Ab1!", false},                     // too short
		{strings.Repeat("Ab1!", 33), false}, // over 128
		{strings.Repeat("Ab1!", 20), true},
		{"密码Abc123", true},
	}
	for _, c := range cases {
		if got := PasswordProblem(c.pw, 8) == ""; got != c.ok {
			t.Errorf("PasswordProblem(%q) ok = %v, want %v (%s)", c.pw, got, c.ok, PasswordProblem(c.pw, 8))
		}
	}
	for i := 0; i < 20; i++ {
		if msg := PasswordProblem(RandomPassword(), 8); msg != "" {
			t.Fatalf("RandomPassword breaks the policy: %s", msg)
		}
	}
	h, err := HashPassword("Abcdef12")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "Abcdef12") || CheckPassword(h, "Abcdef13") {
		t.Fatal("CheckPassword wrong")
	}
}
