package training

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) register(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in RegisterRequest
	if len(c.Body()) > 0 || c.Context().RequestBodyStream() != nil {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	r, err := h.svc.Register(c.UserContext(), web.Caller(c), id, in.UserID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(IDResponse{ID: r.ID, Status: r.Status})
}

func (h *Handlers) registrations(c *fiber.Ctx) error {
	id, pg, err := web.IDPage(c)
	if err != nil {
		return err
	}
	rows, total, err := h.svc.ClassRegistrations(c.UserContext(), web.Caller(c), id, RegistrationFilter{Status: c.Query("status"), Q: c.Query("q")}, pg)
	if err != nil {
		return err
	}
	return c.JSON(web.NewList(rows, total, pg))
}

func (h *Handlers) unitUse(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	if _, err := h.svc.GetClass(c.UserContext(), p, id); err != nil {
		return err
	}
	u, err := h.svc.UnitUseOf(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (h *Handlers) approveReg(c *fiber.Ctx) error {
	id, r, err := web.WithID(c, h.svc.ApproveRegistration)
	if err != nil {
		return err
	}
	return c.JSON(StatusResponse{ID: id, Status: r.Status})
}

func (h *Handlers) rejectReg(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in RejectRequest
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	r, err := h.svc.RejectRegistration(c.UserContext(), web.Caller(c), id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(StatusResponse{ID: id, Status: r.Status})
}

func (h *Handlers) withdraw(c *fiber.Ctx) error {
	id, r, err := web.WithID(c, h.svc.Withdraw)
	if err != nil {
		return err
	}
	return c.JSON(StatusResponse{ID: id, Status: r.Status})
}

func (h *Handlers) replace(c *fiber.Ctx) error {
	id, in, err := web.IDBody[ReplaceRequest](c)
	if err != nil {
		return err
	}
	r, err := h.svc.Replace(c.UserContext(), web.Caller(c), id, in.UserID)
	if err != nil {
		return err
	}
	return c.JSON(IDResponse{ID: r.ID, Status: r.Status})
}

func (h *Handlers) requestLeave(c *fiber.Ctx) error {
	_, l, err := web.WithIDBody(c, h.svc.RequestLeave)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h.svc.leaveResponse(*l, "", 0, 0))
}

func (h *Handlers) decideLeave(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		out, err := h.svc.DecideLeave(c.UserContext(), web.Caller(c), id, approve)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func (h *Handlers) roster(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	_, rows, _, _, err := h.svc.Roster(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(rows)
}
