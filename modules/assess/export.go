package assess

import (
	"bytes"
	"context"
	"fmt"

	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the results workbook.
const (
	SheetResults  = "评估结果"
	SheetChoices  = "选择题统计"
	SheetComments = "意见建议"
)

// ExportResults is the results workbook of an evaluation the caller may
// read; the export is audited.
func (s *Service) ExportResults(ctx context.Context, p *web.Principal, id uint64) ([]byte, error) {
	r, err := s.Results(ctx, p, id)
	if err != nil {
		return nil, err
	}
	b, err := ResultsXLSX(r)
	if err != nil {
		return nil, web.Internal(err)
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.evaluation_results", "evaluation", id, nil)); err != nil {
		return nil, err
	}
	return b, nil
}

// ResultsXLSX writes an evaluation's results as a workbook: the items with
// their averages, satisfaction and grade counts; the choice counts; the
// comments. No respondent appears anywhere.
func ResultsXLSX(r Results) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetResults); err != nil {
		return nil, err
	}
	yes := map[bool]string{true: "达标", false: "未达标"}
	rows := [][]any{
		{fmt.Sprintf("%s · %s · %s：%s", r.ClassTitle, r.Title, TargetNames[r.Target.Type], r.Target.Label)},
		{"参评人数", r.Responses, "总分", r.Score, "满意率", r.SatisfactionRate, "达标线", r.Bar, "结论", yes[r.MeetsBar]},
		{},
		{"序号", "评估项目", "权重", "平均得分", "满意率", "是否达标", GradeExcellent, GradeGood, GradePass, GradePoor},
	}
	n := 0
	for _, it := range r.Items {
		if it.Kind != KindRating {
			continue
		}
		n++
		rows = append(rows, []any{n, it.Text, it.Weight, it.Average, it.SatisfactionRate, yes[it.MeetsBar],
			it.Grades[GradeExcellent], it.Grades[GradeGood], it.Grades[GradePass], it.Grades[GradePoor]})
	}
	if err := setRows(f, SheetResults, rows); err != nil {
		return nil, err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return nil, err
	}
	_ = f.SetCellStyle(SheetResults, "F2", "F2", pct)
	_ = f.SetCellStyle(SheetResults, "H2", "H2", pct)
	if n > 0 {
		last, _ := excelize.CoordinatesToCellName(5, 4+n)
		_ = f.SetCellStyle(SheetResults, "E5", last, pct)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	_ = f.SetCellStyle(SheetResults, "A1", "A1", bold)
	_ = f.SetCellStyle(SheetResults, "A4", "J4", bold)
	_ = f.SetColWidth(SheetResults, "B", "B", 24)
	_ = f.SetColWidth(SheetResults, "C", "J", 11)

	choices := [][]any{{"题目", "选项", "人次"}}
	for _, it := range r.Items {
		if it.Kind != KindChoice {
			continue
		}
		for i, label := range it.OptionLabels {
			count := 0
			if i < len(it.Options) {
				count = it.Options[i]
			}
			choices = append(choices, []any{it.Text, label, count})
		}
	}
	if len(choices) > 1 {
		if _, err := f.NewSheet(SheetChoices); err != nil {
			return nil, err
		}
		if err := setRows(f, SheetChoices, choices); err != nil {
			return nil, err
		}
		_ = f.SetColWidth(SheetChoices, "A", "B", 24)
	}

	comments := [][]any{{"序号", "项目", "内容"}}
	for i, c := range r.Comments {
		comments = append(comments, []any{i + 1, c.Item, c.Text})
	}
	if _, err := f.NewSheet(SheetComments); err != nil {
		return nil, err
	}
	if err := setRows(f, SheetComments, comments); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(SheetComments, "B", "B", 16)
	_ = f.SetColWidth(SheetComments, "C", "C", 80)
	_ = f.SetDocProps(&excelize.DocProperties{Title: r.Title})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func setRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := r
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	return nil
}
