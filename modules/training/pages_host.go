package training

import "github.com/gofiber/fiber/v2"

func (h *Handlers) hostPages(r fiber.Router) {}
