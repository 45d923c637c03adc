package training

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// sheetName keeps an Excel sheet name within its 31 characters.
func sheetName(s string) string {
	r := []rune(strings.NewReplacer("/", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")", ":", "-").Replace(s))
	if len(r) > 31 {
		r = r[:31]
	}
	return string(r)
}

// writeRows fills a sheet from a header and rows, with a title line.
func writeRows(f *excelize.File, sheet, title string, header []string, rows [][]any) error {
	if err := f.SetCellValue(sheet, "A1", title); err != nil {
		return err
	}
	if err := f.SetSheetRow(sheet, "A2", &header); err != nil {
		return err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		row := r
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 2)
	_ = f.SetCellStyle(sheet, "A1", last, bold)
	_ = f.SetColWidth(sheet, "A", "A", 8)
	lastCol, _ := excelize.ColumnNumberToName(len(header))
	_ = f.SetColWidth(sheet, "B", lastCol, 14)
	return nil
}

// RosterXLSX writes the roster of a class.
func RosterXLSX(c *Class, rows []RosterRow) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName("学员名册")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	header := []string{"序号", "姓名", "用户名", "单位", "职级", "职务", "状态", "签到次数", "课次", "出勤率(%)", "请假学时", "必修课完成", "提示"}
	data := make([][]any, len(rows))
	for i, r := range rows {
		var flags []string
		for _, fl := range r.Flags {
			flags = append(flags, FlagNames[fl])
		}
		data[i] = []any{i + 1, r.Name, r.Username, r.OrgName, r.Level, r.Post, r.StatusName, r.Signed, r.Sessions, r.Attendance,
			r.LeaveHours.Float(), fmt.Sprintf("%d/%d", r.CoursesDone, r.CoursesReq), strings.Join(flags, "；")}
	}
	title := fmt.Sprintf("%s（%s 至 %s）学员名册", c.Title, c.StartsOn, c.EndsOn)
	if err := writeRows(f, sheet, title, header, data); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SignInXLSX writes the sign-in sheet: one column per session with the
// time each trainee signed in, and a column to sign by hand.
func SignInXLSX(c *Class, rows []RosterRow, sessions []Session, signed map[uint64]map[uint64]time.Time) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName("签到表")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	header := []string{"序号", "姓名", "单位"}
	for _, x := range sessions {
		header = append(header, x.StartsAt.In(web.Shanghai).Format("01-02 15:04")+" "+x.Topic)
	}
	header = append(header, "出勤", "本人签字")
	data := make([][]any, len(rows))
	for i, r := range rows {
		line := []any{i + 1, r.Name, r.OrgName}
		for _, x := range sessions {
			if t, ok := signed[r.UserID][x.ID]; ok {
				line = append(line, "✓ "+t.In(web.Shanghai).Format("15:04"))
			} else {
				line = append(line, "")
			}
		}
		line = append(line, fmt.Sprintf("%d/%d", r.Signed, r.Sessions), "")
		data[i] = line
	}
	if err := writeRows(f, sheet, c.Title+" 签到表", header, data); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (h *Handlers) rosterXLSX(c *fiber.Ctx) error {
	id, b, err := web.WithID(c, h.svc.RosterExport)
	if err != nil {
		return err
	}
	return web.Attachment(c, web.XLSX, fmt.Sprintf("class-%d-roster.xlsx", id), b)
}

func (h *Handlers) signInXLSX(c *fiber.Ctx) error {
	id, b, err := web.WithID(c, h.svc.SignInExport)
	if err != nil {
		return err
	}
	return web.Attachment(c, web.XLSX, fmt.Sprintf("class-%d-signin.xlsx", id), b)
}

// RosterExport is a class's roster as a workbook, for its managers; the
// export is recorded.
func (s *Service) RosterExport(ctx context.Context, p *web.Principal, id uint64) ([]byte, error) {
	cl, rows, _, _, err := s.Roster(ctx, p, id)
	if err != nil {
		return nil, err
	}
	b, err := RosterXLSX(cl, rows)
	if err != nil {
		return nil, web.Internal(err)
	}
	if err := s.record(ctx, p, "export.class_roster", "class", id, map[string]any{"rows": len(rows)}); err != nil {
		return nil, err
	}
	return b, nil
}

// SignInExport is a class's sign-in sheet as a workbook, for its
// managers; the export is recorded.
func (s *Service) SignInExport(ctx context.Context, p *web.Principal, id uint64) ([]byte, error) {
	cl, rows, sessions, signed, err := s.Roster(ctx, p, id)
	if err != nil {
		return nil, err
	}
	b, err := SignInXLSX(cl, rows, sessions, signed)
	if err != nil {
		return nil, web.Internal(err)
	}
	if err := s.record(ctx, p, "export.class_signin", "class", id, map[string]any{"rows": len(rows)}); err != nil {
		return nil, err
	}
	return b, nil
}
