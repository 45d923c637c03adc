package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Site is what the security headers and the links the college hands out
// need to know about how it is reached.
type Site struct {
	// BaseURL is the public scheme://host[:port], without a trailing slash.
	BaseURL string
	// HTTPS: the college is reached over TLS, so HSTS is sent and cookies
	// are Secure.
	HTTPS bool
	// ObjectOrigin is the object store's origin when media are served by a
	// presigned redirect to it (players and document frames follow it).
	ObjectOrigin string
}

const siteKey = "site"

// ContentSecurityPolicy is the policy of every page: scripts and styles
// files only from this origin (styles also inline: templates set widths of
// bars with style attributes), no plugins, no <base>, forms post here only,
// and no site may frame the college (clickjacking). Pictures and sounds may
// also be data: URIs: an import's preview shows a file's media before
// anything is stored.
func (s Site) ContentSecurityPolicy() string {
	media := "'self'"
	if s.ObjectOrigin != "" {
		media += " " + s.ObjectOrigin
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"media-src " + media + " data:; frame-src " + media + "; connect-src 'self'; font-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// hstsValue keeps browsers on HTTPS for a year once they have seen it; it
// leaves out includeSubDomains and preload, which bind other hosts of the
// domain the college does not control.
const hstsValue = "max-age=31536000"

// SecureHeaders keeps the site on each request (PublicURL, SecureCookies)
// and sets the security headers of every response before the handler runs,
// so error pages get them too. Handlers may override Cache-Control (course
// media are cached privately) and framing (ServeObject lets the college's
// own pages frame a document).
func SecureHeaders(s Site) fiber.Handler {
	csp := s.ContentSecurityPolicy()
	return func(c *fiber.Ctx) error {
		c.Locals(siteKey, &s)
		h := &c.Response().Header
		h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		h.Set(fiber.HeaderXFrameOptions, "DENY")
		h.Set(fiber.HeaderReferrerPolicy, "same-origin")
		h.Set(fiber.HeaderContentSecurityPolicy, csp)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set(fiber.HeaderPermissionsPolicy, "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		if s.HTTPS {
			h.Set(fiber.HeaderStrictTransportSecurity, hstsValue)
		}
		if !strings.HasPrefix(c.Path(), "/static/") {
			// Pages and answers carry personal data or a session: nothing
			// of them stays in a browser's or a proxy's cache.
			h.Set(fiber.HeaderCacheControl, "no-store")
		}
		return c.Next()
	}
}

func site(c *fiber.Ctx) *Site {
	s, _ := c.Locals(siteKey).(*Site)
	return s
}

// PublicURL is the configured public scheme://host[:port] of the college,
// for links, QR codes and certificates: never the Host or X-Forwarded-Host
// of the request, which a client or a misconfigured proxy can choose.
func PublicURL(c *fiber.Ctx) string {
	if s := site(c); s != nil && s.BaseURL != "" {
		return s.BaseURL
	}
	return "http://localhost"
}

// SecureCookies reports whether cookies must carry the Secure flag.
func SecureCookies(c *fiber.Ctx) bool {
	s := site(c)
	return s != nil && s.HTTPS
}

// RemoveUploadFiles deletes the temporary files Go's multipart reader
// spills large uploads to as soon as the handler is done, before the answer
// is sent: uploaded personal data does not outlive its request on disk.
func RemoveUploadFiles(c *fiber.Ctx) error {
	err := c.Next()
	c.Request().RemoveMultipartFormFiles()
	return err
}
