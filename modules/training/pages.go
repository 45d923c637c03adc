package training

import "github.com/gofiber/fiber/v2"

// registerPages lists the module's pages: the learner's and the unit
// admin's (pages_learner.go, pages_unit.go), the host's and the org
// department's (pages_host.go) and the teacher's (pages_teacher.go).
func (h *Handlers) registerPages(r fiber.Router) {
	h.learnerPages(r)
	h.unitPages(r)
	h.hostPages(r)
	h.teacherPages(r)
}
