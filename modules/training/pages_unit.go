package training

import "github.com/gofiber/fiber/v2"

func (h *Handlers) unitPages(r fiber.Router) {}
