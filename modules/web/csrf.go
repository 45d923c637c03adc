package web

import (
	"crypto/subtle"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// CSRFHeader carries the token on fetch requests from the pages.
const CSRFHeader = "X-CSRF-Token"

// CSRFField carries the token in page forms.
const CSRFField = "_csrf"

// CheckCSRF refuses unsafe requests authenticated by the session cookie that
// lack the session's CSRF token. Bearer-token clients are not affected.
func CheckCSRF(c *fiber.Ctx) error {
	p := Caller(c)
	if p == nil || !p.ViaCookie {
		return c.Next()
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	tok := c.Get(CSRFHeader)
	if tok == "" && (c.Request().Header.ContentLength() <= 4<<20 || !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm)) {
		// A large upload must carry the header: reading the form field
		// would mean reading the whole upload first.
		tok = c.FormValue(CSRFField)
	}
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(p.CSRF)) != 1 {
		return NewError(fiber.StatusForbidden, "csrf", "页面已过期，请刷新后重试")
	}
	return c.Next()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
