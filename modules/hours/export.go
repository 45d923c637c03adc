package hours

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// Sheet names of the archive workbook.
const (
	SheetSummary  = "学习档案"
	SheetEntries  = "学时明细"
	SheetFollowUp = "跟踪问效"
)

// WriteArchive writes the learner's archive as an .xlsx workbook: the
// learner and the yearly totals on the first sheet, every entry on the
// second, and the follow-up results (跟踪问效) on a third when there are any.
func WriteArchive(w io.Writer, p Profile, a Archive, at time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return fmt.Errorf("hours export: %w", err)
	}
	if _, err := f.NewSheet(SheetEntries); err != nil {
		return fmt.Errorf("hours export: %w", err)
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})

	set := func(sheet string, col, row int, v any) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		switch x := v.(type) {
		case web.Hours:
			_ = f.SetCellFloat(sheet, cell, x.Float(), 2, 64)
		case int:
			_ = f.SetCellInt(sheet, cell, int64(x))
		case string:
			_ = f.SetCellStr(sheet, cell, x) // always text, never a formula
		}
	}
	s := SheetSummary
	set(s, 1, 1, "干部学习档案")
	_ = f.SetCellStyle(s, "A1", "A1", title)
	info := [][2]string{
		{"姓名", p.Name}, {"用户名", p.Username},
		{"所属组织", p.OrgName}, {"职级", p.Level},
		{"职务", p.Post}, {"身份证号", p.IDNumber},
		{"导出时间", at.In(web.Shanghai).Format("2006-01-02 15:04")}, {"累计学时", a.Totals.Total.String()},
	}
	for i, kv := range info {
		row, col := 2+i/2, 1+(i%2)*2
		set(s, col, row, kv[0])
		set(s, col+1, row, kv[1])
		cell, _ := excelize.CoordinatesToCellName(col, row)
		_ = f.SetCellStyle(s, cell, cell, bold)
	}
	row := 3 + (len(info)+1)/2
	for i, h := range []string{"年度", "总学时", "网络学习", "集中培训", "必修", "选修"} {
		set(s, i+1, row, h)
	}
	_ = f.SetCellStyle(s, "A"+strconv.Itoa(row), "F"+strconv.Itoa(row), head)
	for _, y := range a.Years {
		row++
		set(s, 1, row, y.Year)
		for i, v := range []web.Hours{y.Totals.Total, y.Totals.Online, y.Totals.Centralized, y.Totals.Required, y.Totals.Elective} {
			set(s, i+2, row, v)
		}
	}
	_ = f.SetColWidth(s, "A", "F", 14)
	_ = f.SetColWidth(s, "B", "B", 24)
	_ = f.SetColWidth(s, "D", "D", 24)

	s = SheetEntries
	for i, h := range []string{"年度", "获得时间", "名称", "来源", "类别", "性质", "学时"} {
		set(s, i+1, 1, h)
	}
	_ = f.SetCellStyle(s, "A1", "G1", head)
	row = 1
	for _, y := range a.Years {
		for _, e := range y.Entries {
			row++
			set(s, 1, row, e.Year)
			set(s, 2, row, e.EarnedAt.In(web.Shanghai).Format("2006-01-02 15:04"))
			set(s, 3, row, e.Title)
			set(s, 4, row, nameOr(SourceNames, e.SourceType))
			set(s, 5, row, nameOr(CategoryNames, e.Category))
			set(s, 6, row, nameOr(KindNames, e.Kind))
			set(s, 7, row, e.Hours)
		}
	}
	_ = f.SetColWidth(s, "A", "A", 8)
	_ = f.SetColWidth(s, "B", "B", 18)
	_ = f.SetColWidth(s, "C", "C", 48)
	_ = f.SetColWidth(s, "D", "G", 10)
	if len(a.Notes) > 0 {
		s = SheetFollowUp
		if _, err := f.NewSheet(s); err != nil {
			return fmt.Errorf("hours export: %w", err)
		}
		for i, h := range []string{"年度", "班次", "问效结论", "完成日期"} {
			set(s, i+1, 1, h)
		}
		_ = f.SetCellStyle(s, "A1", "D1", head)
		for i, n := range a.Notes {
			set(s, 1, i+2, n.Year)
			set(s, 2, i+2, n.Title)
			set(s, 3, i+2, n.Result)
			set(s, 4, i+2, n.Date)
		}
		_ = f.SetColWidth(s, "A", "A", 8)
		_ = f.SetColWidth(s, "B", "B", 48)
		_ = f.SetColWidth(s, "C", "D", 12)
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("hours export: write: %w", err)
	}
	return nil
}

func nameOr(names map[string]string, code string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return code
}

// ArchiveWorkbook writes the archive a of the learner userID (profile
// prof) as a workbook for the caller p, and records the export.
func (s *Service) ArchiveWorkbook(ctx context.Context, p *web.Principal, userID uint64, prof Profile, a Archive) ([]byte, time.Time, error) {
	now := s.now()
	var buf bytes.Buffer
	if err := WriteArchive(&buf, prof, a, now); err != nil {
		return nil, now, web.Internal(err)
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.archive", "user", userID, nil)); err != nil {
		return nil, now, err
	}
	return buf.Bytes(), now, nil
}

// profileArchive loads the learner's profile and study archive.
func (h *Handlers) profileArchive(ctx context.Context, userID uint64) (Profile, Archive, error) {
	p, err := h.people.Profile(ctx, userID)
	if err != nil {
		return p, Archive{}, web.Internal(err)
	}
	a, err := h.archive(ctx, userID)
	if err != nil {
		return p, a, web.Internal(err)
	}
	return p, a, nil
}

func (h *Handlers) archiveExcel(c *fiber.Ctx, userID uint64) error {
	ctx := c.UserContext()
	p, a, err := h.profileArchive(ctx, userID)
	if err != nil {
		return err
	}
	b, now, err := h.svc.ArchiveWorkbook(ctx, web.Caller(c), userID, p, a)
	if err != nil {
		return err
	}
	name := "学习档案-" + p.Name + "-" + now.In(web.Shanghai).Format("20060102") + ".xlsx"
	return web.Attachment(c, web.XLSX, name, b)
}
