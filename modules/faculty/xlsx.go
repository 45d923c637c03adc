package faculty

import (
	"context"
	"io"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// sheetRows hands add each row of a sheet in turn.
type sheetRows func(ctx context.Context, add func(row []any) error) error

// streamSheet streams one sheet, header first, as an Excel attachment: the
// rows are written as rows hands them over.
func (h *Handlers) streamSheet(c *fiber.Ctx, file, sheet string, header []any, rows sheetRows) error {
	ctx := context.WithoutCancel(c.UserContext()) // the rows are read after the handler returns
	return web.AttachmentStream(c, web.XLSX, file, h.log, func(w io.Writer) error {
		x := excelize.NewFile()
		defer func() { _ = x.Close() }()
		if err := x.SetSheetName("Sheet1", sheet); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		n := 2
		err = rows(ctx, func(row []any) error {
			cell, _ := excelize.CoordinatesToCellName(1, n)
			n++
			return sw.SetRow(cell, row)
		})
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.Write(w)
	})
}
