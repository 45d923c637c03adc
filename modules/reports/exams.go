package reports

import (
	"slices"

	"college/modules/dashboard"
	"college/modules/followup"
)

// exams is the theory exam report: the dashboard's exam board, by exam and
// unit, and each exam's totals.
func (b *builder) exams() error {
	if err := b.plan(1); err != nil {
		return err
	}
	board, err := b.s.d.Dashboard.Exams(b.ctx, b.p, b.org.ID, b.job.Year)
	if err != nil {
		return err
	}
	wb := b.wb
	if err := wb.sheet(SheetExams, 36, 30, 10, 10, 10, 10); err != nil {
		return err
	}
	if err := b.title("理论考试情况"); err != nil {
		return err
	}
	if err := wb.add(ExamHeader...); err != nil {
		return err
	}
	type total struct {
		title                   string
		candidates, sat, passed int
	}
	var order []uint64
	totals := map[uint64]*total{}
	for _, r := range board.Rows {
		if err := wb.add(r.ExamTitle, unitName(r.Unit.Name, r.Own), r.Candidates, r.Sat, r.Passed, r.PassRate()); err != nil {
			return err
		}
		t := totals[r.ExamID]
		if t == nil {
			t = &total{title: r.ExamTitle}
			totals[r.ExamID] = t
			order = append(order, r.ExamID)
		}
		t.candidates += r.Candidates
		t.sat += r.Sat
		t.passed += r.Passed
	}
	if err := wb.sheet(SheetExamTotals, 36, 10, 10, 10, 10); err != nil {
		return err
	}
	if err := wb.add("考试", "参考人数", "交卷人数", "通过人数", "通过率"); err != nil {
		return err
	}
	for _, id := range order {
		t := totals[id]
		row := dashboard.ExamUnitRow{Candidates: t.candidates, Sat: t.sat, Passed: t.passed}
		if err := wb.add(t.title, t.candidates, t.sat, t.passed, row.PassRate()); err != nil {
			return err
		}
	}
	return b.step()
}

// followups is the follow-up summary (跟踪问效汇总) of the year: rounds by
// status and conclusion, per class and per unit, from the follow-up
// module's own summary.
func (b *builder) followups() error {
	if err := b.plan(1); err != nil {
		return err
	}
	sum, err := b.s.d.Followups.Summary(b.ctx, b.p, followup.SummaryFilter{Year: b.job.Year, OrgID: b.org.ID})
	if err != nil {
		return err
	}
	wb := b.wb
	head := append([]any{"", "问效轮次", "待完成", "已完成", "已取消", "逾期"}, conclusionCols()...)
	for i, part := range []struct {
		sheet, col string
		rows       []followup.SummaryRow
	}{{SheetFuClasses, "班次", sum.ByClass}, {SheetFuUnits, "单位", sum.ByUnit}} {
		if err := wb.sheet(part.sheet, 36, 10, 10, 10, 10, 10, 8, 8, 8, 8); err != nil {
			return err
		}
		if i == 0 {
			if err := b.title("跟踪问效汇总"); err != nil {
				return err
			}
		}
		head[0] = part.col
		if err := wb.add(head...); err != nil {
			return err
		}
		for _, r := range append(slices.Clip(part.rows), sum.Total) {
			if err := wb.add(followupRow(r)...); err != nil {
				return err
			}
		}
	}
	return b.step()
}

func conclusionCols() []any {
	out := make([]any, len(followup.Conclusions))
	for i, c := range followup.Conclusions {
		out[i] = c
	}
	return out
}

func followupRow(r followup.SummaryRow) []any {
	row := []any{r.Name, r.Rounds, r.Pending, r.Done, r.Cancelled, r.Overdue}
	for _, c := range followup.Conclusions {
		row = append(row, r.Conclusions[c])
	}
	return row
}
