package sites

import (
	"io"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// calendarHeader are the columns of a site's booking calendar export.
var calendarHeader = []any{"日期", "开始", "结束", "人数", "用途", "状态", "原因"}

// exportCalendar streams a site's bookings from a date on (from=) as an
// Excel sheet, for whoever sees the site's calendar.
func (h *Handlers) exportCalendar(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	rows, err := h.svc.Bookings(c.UserContext(), web.Caller(c), id, c.Query("from"))
	if err != nil {
		return err
	}
	return web.AttachmentStream(c, web.XLSX, "预约日历.xlsx", h.log, func(w io.Writer) error {
		return web.WriteSheet(w, "预约日历", calendarHeader, func(add func([]any) error) error {
			for _, b := range rows {
				if err := add([]any{b.Date, b.StartsAt, b.EndsAt, b.GroupSize, b.Purpose, BookingNames[b.Status], b.Reason}); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
