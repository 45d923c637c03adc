package identity

import (
	"github.com/gofiber/fiber/v2"

	"college/modules/web"
)

// auditListing records a listing of people (who searched for whom and how
// many they saw), with an ID number or phone searched for masked. An error
// means the entry was not written; the listing must not be shown.
func (h *Handlers) auditListing(c *fiber.Ctx, orgID uint64, pg web.Page, total int64, shown int) error {
	q := c.Query("q")
	if id := NormalizeIDNumber(q); ValidIDNumber(id) {
		q = MaskIDNumber(id)
	} else if ph := NormalizePhone(q); ValidPhone(ph) {
		q = MaskPhone(ph)
	} else if r := []rune(q); len(r) > 64 {
		q = string(r[:64])
	}
	return h.audit.Record(c.UserContext(), web.AuditFrom(c, "list.users", "user", 0, map[string]any{
		"q": q, "org_id": orgID, "role": c.Query("role"), "page": pg.Page, "total": total, "shown": shown}))
}
