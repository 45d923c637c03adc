package training

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"
)

func (h *Handlers) addSession(c *fiber.Ctx) error {
	_, x, err := web.WithIDBody(c, h.svc.AddSession)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sessionResponse(*x, true))
}

func (h *Handlers) updateSession(c *fiber.Ctx) error {
	_, x, err := web.WithIDBody(c, h.svc.UpdateSession)
	if err != nil {
		return err
	}
	return c.JSON(sessionResponse(*x, true))
}

// qrPNG renders a QR code of an absolute URL on this server.
func qrPNG(c *fiber.Ctx, path string, size int) error {
	png, err := qrcode.Encode(web.PublicURL(c)+path, qrcode.Medium, size)
	if err != nil {
		return web.Internal(err)
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(png)
}

func (h *Handlers) qr(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Code)
	if err != nil {
		return err
	}
	return qrPNG(c, out.Path, 360)
}

func (h *Handlers) signIn(c *fiber.Ctx) error {
	id, in, err := web.IDBody[SignInRequest](c)
	if err != nil {
		return err
	}
	out, err := h.svc.SignIn(c.UserContext(), web.Caller(c), id, in.Code)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) attendance(c *fiber.Ctx) error {
	id, in, err := web.IDBody[AttendanceRequest](c)
	if err != nil {
		return err
	}
	if err := h.svc.MarkAttendance(c.UserContext(), web.Caller(c), id, in); err != nil {
		return err
	}
	return c.JSON(in)
}
