package reports

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// workbook streams rows into the sheets of a new workbook, one sheet after
// the other (excelize's StreamWriter keeps rows on disk, not in memory).
type workbook struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	row   int
	first bool
}

func newWorkbook() *workbook { return &workbook{f: excelize.NewFile(), first: true} }

// sheet ends the current sheet and starts the next one.
func (w *workbook) sheet(name string, widths ...float64) error {
	if err := w.flush(); err != nil {
		return err
	}
	if w.first {
		if err := w.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
		w.first = false
	} else if _, err := w.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	w.sw, w.row = sw, 0
	return nil
}

// add writes one row; strings are written as text, never as formulas.
func (w *workbook) add(vals ...any) error {
	w.row++
	cells := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case web.Hours:
			cells[i] = x.Float()
		case string:
			cells[i] = excelize.Cell{Value: x}
		default:
			cells[i] = v
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, w.row)
	return w.sw.SetRow(cell, cells)
}

func (w *workbook) flush() error {
	if w.sw == nil {
		return nil
	}
	err := w.sw.Flush()
	w.sw = nil
	return err
}

// finish writes the workbook out and frees it.
func (w *workbook) finish(out io.Writer) error {
	defer w.f.Close()
	if err := w.flush(); err != nil {
		return err
	}
	return w.f.Write(out)
}

// builder builds one job's workbook and reports its progress.
type builder struct {
	s     *Service
	ctx   context.Context
	job   *Job
	token string
	p     *web.Principal
	org   Org
	done  int
	total int
	wb    *workbook
}

// plan sets the number of steps and records 0 of them done.
func (b *builder) plan(total int) error {
	b.total, b.done = total, 0
	return b.s.store.progress(b.ctx, b.job.ID, b.token, 0, total)
}

// step records one more step done.
func (b *builder) step() error {
	b.done++
	return b.s.store.progress(b.ctx, b.job.ID, b.token, b.done, b.total)
}

// write builds the workbook of the job's kind into w.
func (b *builder) write(w io.Writer) error {
	b.wb = newWorkbook()
	var err error
	switch b.job.Kind {
	case KindHours:
		err = b.hours()
	case KindClasses:
		err = b.classes()
	case KindExams:
		err = b.exams()
	case KindFollowup:
		err = b.followups()
	default:
		err = fmt.Errorf("reports: unknown kind %q", b.job.Kind)
	}
	if err != nil {
		_ = b.wb.f.Close()
		return err
	}
	return b.wb.finish(w)
}

// title is the first row of a sheet.
func (b *builder) title(what string) error {
	return b.wb.add(fmt.Sprintf("%s %d 年度%s", b.org.Name, b.job.Year, what))
}
