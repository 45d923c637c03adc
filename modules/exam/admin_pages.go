package exam

import "github.com/gofiber/fiber/v2"

func (h *Handlers) registerAdminPages(r fiber.Router) {}
