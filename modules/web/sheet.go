package web

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteSheet writes a workbook of one sheet to w: the header row, then the
// rows fill hands over, each written as it comes through excelize's stream
// writer, so a long export never holds its rows in memory.
func WriteSheet(w io.Writer, sheet string, header []any, fill func(add func(row []any) error) error) error {
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
	row := 2
	err = fill(func(r []any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		row++
		return sw.SetRow(cell, r)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.Write(w)
}
