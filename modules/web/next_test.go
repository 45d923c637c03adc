package web

import "testing"

func TestSafeNext(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/courses", "/courses"},
		{"/admin/users?q=%E5%BC%A0&page=2", "/admin/users?q=%E5%BC%A0&page=2"},
		{"/exams/3#top", "/exams/3#top"},
		{"/courses?q=%E5%85%9A%20%E5%8F%B2", "/courses?q=%E5%85%9A%20%E5%8F%B2"},
		{"/courses?q=a+b", "/courses?q=a+b"},
		// Off-site or scheme-bearing targets fall back to the home page.
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		// Browsers drop tabs and newlines inside URLs: "/\t/evil" is "//evil".
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{" //evil.example", "/"},
		{"/ /evil.example", "/"},
		// Encoded forms decode to the same thing before the browser acts.
		{"/%09/evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5C%5Cevil.example", "/"},
		{"/%0d%0aSet-Cookie:x=1", "/"},
		{"/%2509/evil.example", "/"},
		{"/%20/evil.example", "/"},
		{"/courses?q=%09", "/"},
		{"/\x00", "/"},
		{"/\u00a0/evil.example", "/"},
		{"/\u2028", "/"},
		{"/a\x7f", "/"},
		{"/%zz", "/"},
	}
	for _, c := range cases {
		if got := SafeNext(c.in); got != c.want {
			t.Errorf("SafeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
