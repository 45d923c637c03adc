package exam

import "github.com/gofiber/fiber/v2"

func (h *Handlers) registerPages(r fiber.Router) {}
