package web

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafeNext returns next when it is an absolute path on this site, else "/".
// It is the only way a redirect target taken from the request (?next=, a
// form's next field) may be used. Browsers drop tabs and newlines inside URLs
// and read "\" as "/", so "/\t/evil.example" or "/\evil.example" would leave
// the site; every percent-decoding of next is checked too, because next is
// decoded again on its way through the login form.
func SafeNext(next string) string {
	s := next
	for i := range 4 {
		if !sameSitePath(s, i > 0) {
			return "/"
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "/"
		}
		if d == s {
			return next
		}
		s = d
	}
	return "/"
}

// sameSitePath reports whether s is one "/" followed by a path that no
// browser can read as another host or a scheme. Spaces a decoding produced
// are allowed in the query and fragment (a search for two words).
func sameSitePath(s string, decoded bool) bool {
	if len(s) == 0 || s[0] != '/' || !utf8.ValidString(s) {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	if strings.ContainsRune(s, '\\') {
		return false
	}
	inPath := true
	for _, r := range s {
		if r == '?' || r == '#' {
			inPath = false
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return false
		}
		if unicode.IsSpace(r) && (inPath || !decoded) {
			return false
		}
	}
	return true
}
