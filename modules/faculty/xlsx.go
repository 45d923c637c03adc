package faculty

import (
	"context"
	"io"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// sheetRows hands add each row of a sheet in turn.
type sheetRows func(ctx context.Context, add func(row []any) error) error

// streamSheet streams one sheet, header first, as an Excel attachment: the
// rows are written as rows hands them over.
func (h *Handlers) streamSheet(c *fiber.Ctx, file, sheet string, header []any, rows sheetRows) error {
	ctx := context.WithoutCancel(c.UserContext()) // the rows are read after the handler returns
	return web.AttachmentStream(c, web.XLSX, file, h.log, func(w io.Writer) error {
		return web.WriteSheet(w, sheet, header, func(add func([]any) error) error { return rows(ctx, add) })
	})
}
