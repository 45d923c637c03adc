package training

import "github.com/gofiber/fiber/v2"

func (h *Handlers) learnerPages(r fiber.Router) {}
