package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"
)

// NewSignInCode makes a six-digit sign-in code, shown on a screen in the
// room (a class session, a lecture) for those present to type.
func NewSignInCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1000000)
}

// SignInCodeMatches reports, in constant time, whether typed is the code
// shown; a record without a code takes none.
func SignInCodeMatches(shown, typed string) bool {
	typed = strings.TrimSpace(typed)
	return shown != "" && subtle.ConstantTimeCompare([]byte(typed), []byte(shown)) == 1
}

// QRPNG answers a QR code of an absolute URL on this server (path is the
// part after the host).
func QRPNG(c *fiber.Ctx, path string, size int) error {
	png, err := qrcode.Encode(PublicURL(c)+path, qrcode.Medium, size)
	if err != nil {
		return Internal(err)
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(png)
}
