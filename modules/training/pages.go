package training

import "github.com/gofiber/fiber/v2"

// registerPages lists the module's pages: the learner's and the unit
// admin's (pages_learner.go, pages_unit.go) and the host's and the org
// department's (pages_host.go).
func (h *Handlers) registerPages(r fiber.Router) {
	h.learnerPages(r)
	h.unitPages(r)
	h.hostPages(r)
}
