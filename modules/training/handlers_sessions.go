package training

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
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

func (h *Handlers) qr(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Code)
	if err != nil {
		return err
	}
	return web.QRPNG(c, out.Path, 360)
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
