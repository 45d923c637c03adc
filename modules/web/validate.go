package web

import (
	"strings"
	"unicode/utf8"
)

// Fields collects validation messages by field name.
type Fields map[string]string

// Required records a message when s is blank.
func (f Fields) Required(field, s string) {
	if strings.TrimSpace(s) == "" {
		f.Add(field, "必填")
	}
}

// MaxLen records a message when s is longer than n characters.
func (f Fields) MaxLen(field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		f.Add(field, "不能超过 "+itoa(n)+" 个字")
	}
}

// Check records msg when ok is false.
func (f Fields) Check(ok bool, field, msg string) {
	if !ok {
		f.Add(field, msg)
	}
}

// Add records the first message for a field.
func (f Fields) Add(field, msg string) {
	if _, seen := f[field]; !seen {
		f[field] = msg
	}
}

// Err is nil when nothing was recorded, a 400 listing the fields otherwise.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
