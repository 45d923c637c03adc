package college

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

func adaptHTTP(h http.Handler) fiber.Handler { return adaptor.HTTPHandler(h) }
