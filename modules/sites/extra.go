package sites

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// registerExtra lists the routes that must come before /sites/:id.
func (h *Handlers) registerExtra(a *web.API) {
}

// registerExtraPages lists the pages that must come before /admin/sites/:id.
func (h *Handlers) registerExtraPages(pages fiber.Router) {
}
