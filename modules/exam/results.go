package exam

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"college/modules/exam/grading"
	"college/modules/exam/item"
	"college/modules/exam/paper"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// Candidate is what results show of a candidate.
type Candidate struct {
	Name     string
	Username string
	OrgID    uint64
	OrgName  string
}

// People names candidates (the identity module).
type People interface {
	Candidates(ctx context.Context, ids []uint64) (map[uint64]Candidate, error)
}

// SetPeople wires who names the candidates in results.
func (s *Service) SetPeople(p People) { s.people = p }

// Results lists an exam's submitted attempts with the candidates and the
// pass rate of each unit.
func (s *Service) Results(ctx context.Context, p *web.Principal, examID uint64) ([]ResultRow, []UnitResult, error) {
	if _, err := s.gradableExam(ctx, p, examID); err != nil {
		return nil, nil, err
	}
	var atts []Attempt
	if err := s.db.WithContext(ctx).Select("id, exam_id, user_id, no, status, score_x100, passed, tab_switches, submitted_at").
		Where("exam_id = ? AND status <> ?", examID, AttemptOpen).Order("submitted_at").Find(&atts).Error; err != nil {
		return nil, nil, web.Internal(err)
	}
	ids := make([]uint64, len(atts))
	for i, a := range atts {
		ids[i] = a.UserID
	}
	who := map[uint64]Candidate{}
	if s.people != nil {
		var err error
		if who, err = s.people.Candidates(ctx, ids); err != nil {
			return nil, nil, web.Internal(err)
		}
	}
	rows := make([]ResultRow, len(atts))
	units := map[uint64]*UnitResult{}
	for i, a := range atts {
		c := who[a.UserID]
		rows[i] = ResultRow{AttemptID: a.ID, UserID: a.UserID, Name: c.Name, Username: c.Username, OrgName: c.OrgName, No: a.No, Status: a.Status,
			Score: float64(a.Score) / 100, Passed: a.Passed, TabSwitches: a.TabSwitches, SubmittedAt: a.SubmittedAt}
		if a.Status != AttemptGraded {
			continue
		}
		u := units[c.OrgID]
		if u == nil {
			u = &UnitResult{OrgID: c.OrgID, OrgName: c.OrgName}
			units[c.OrgID] = u
		}
		u.Graded++
		if a.Passed {
			u.Passed++
		}
	}
	byUnit := make([]UnitResult, 0, len(units))
	for _, u := range units {
		u.PassRate = math.Round(float64(u.Passed)/float64(u.Graded)*10000) / 10000
		byUnit = append(byUnit, *u)
	}
	sort.Slice(byUnit, func(i, j int) bool { return byUnit[i].OrgName < byUnit[j].OrgName })
	return rows, byUnit, nil
}

// ResultsWorkbook exports an exam's results and unit pass rates.
func (s *Service) ResultsWorkbook(ctx context.Context, p *web.Principal, examID uint64) ([]byte, error) {
	rows, units, err := s.Results(ctx, p, examID)
	if err != nil {
		return nil, err
	}
	b, err := ResultsXLSX(fmt.Sprintf("考试 %d 成绩", examID), rows, units)
	if err != nil {
		return nil, web.Internal(err)
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "export.exam_results", "exam", examID, map[string]any{"rows": len(rows)})); err != nil {
		return nil, err
	}
	return b, nil
}

// ResultsXLSX writes the results and unit pass rates as a workbook.
func ResultsXLSX(title string, rows []ResultRow, units []UnitResult) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetName("Sheet1", "成绩")
	head := []any{"姓名", "用户名", "单位", "第几次", "状态", "成绩", "是否合格", "切屏次数", "交卷时间"}
	_ = f.SetSheetRow("成绩", "A1", &head)
	statusName := map[string]string{AttemptGraded: "已评分", AttemptPendingReview: "待阅卷"}
	for i, r := range rows {
		passed := "不合格"
		if r.Passed {
			passed = "合格"
		}
		at := ""
		if r.SubmittedAt != nil {
			at = r.SubmittedAt.In(web.Shanghai).Format("2006-01-02 15:04:05")
		}
		row := []any{r.Name, r.Username, r.OrgName, r.No, statusName[r.Status], r.Score, passed, r.TabSwitches, at}
		_ = f.SetSheetRow("成绩", fmt.Sprintf("A%d", i+2), &row)
	}
	if _, err := f.NewSheet("各单位合格率"); err == nil {
		h := []any{"单位", "已评分人数", "合格人数", "合格率"}
		_ = f.SetSheetRow("各单位合格率", "A1", &h)
		for i, u := range units {
			row := []any{u.OrgName, u.Graded, u.Passed, u.PassRate}
			_ = f.SetSheetRow("各单位合格率", fmt.Sprintf("A%d", i+2), &row)
		}
	}
	_ = f.SetDocProps(&excelize.DocProperties{Title: title})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Regrade grades every submitted attempt again with the questions' current
// answer keys (after a key was corrected), keeping the scores graders gave
// to short answers. It returns how many attempts changed.
func (s *Service) Regrade(ctx context.Context, p *web.Principal, examID uint64) (int, error) {
	e, err := s.gradableExam(ctx, p, examID)
	if err != nil {
		return 0, err
	}
	var atts []Attempt
	if err := s.db.WithContext(ctx).Where("exam_id = ? AND status <> ?", examID, AttemptOpen).Find(&atts).Error; err != nil {
		return 0, web.Internal(err)
	}
	keys := map[uint64]item.Key{}
	var changes []map[string]any
	var ids []uint64
	for i := range atts {
		a := &atts[i]
		items, marks, answers := a.frozen()
		for _, it := range items {
			if _, ok := keys[it.ID]; ok {
				continue
			}
			var row Question
			if err := s.db.WithContext(ctx).Select("id, type, answer_key").First(&row, it.ID).Error; err == nil {
				var k item.Key
				if json.Unmarshal([]byte(row.Key), &k) == nil {
					keys[it.ID] = k
				}
			}
		}
		var total int64
		pending := false
		for j := range items {
			if k, ok := keys[items[j].ID]; ok {
				items[j].Key = k
			}
			q := items[j].Q
			q.Key = items[j].Key
			if q.Type == item.Short {
				if j < len(marks) {
					total += int64(math.Round(marks[j].Score * 100))
					pending = pending || marks[j].NeedsReview
				}
				continue
			}
			var ans grading.Answer
			if raw, ok := answers[strconv.FormatUint(items[j].ID, 10)]; ok {
				if parsed, err := grading.ParseAnswer(q.Type, raw); err == nil {
					ans = parsed
					if len(items[j].Perm) > 0 && (q.Type == item.Single || q.Type == item.Multiple) {
						ans.Choices = paper.MapBack(ans.Choices, items[j].Perm)
					}
				}
			}
			m := grading.Grade(&q, ans, grading.Rules{PartialMultiple: e.PartialMultiple})
			if j < len(marks) {
				marks[j] = m
			}
			total += int64(math.Round(m.Score * 100))
		}
		status := AttemptGraded
		if pending {
			status = AttemptPendingReview
		}
		passed := !pending && total >= e.PassScore
		if total == a.Score && passed == a.Passed && status == a.Status {
			continue
		}
		pj, _ := json.Marshal(items)
		mj, _ := json.Marshal(marks)
		ids = append(ids, a.ID)
		changes = append(changes, map[string]any{"paper": string(pj), "marks": string(mj), "score_x100": total, "passed": passed, "status": status})
	}
	err = s.commit(ctx, func(tx *gorm.DB) (web.AuditEntry, error) {
		for i, id := range ids {
			if err := tx.Model(&Attempt{}).Where("id = ?", id).Updates(changes[i]).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, "exam.regrade", "exam", examID, map[string]any{"changed": len(ids)}), nil
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

func (h *Handlers) results(c *fiber.Ctx) error {
	_, rows, units, err := web.WithIDPair(c, h.svc.Results)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": rows, "by_unit": units})
}

func (h *Handlers) resultsXLSX(c *fiber.Ctx) error {
	id, b, err := web.WithID(c, h.svc.ResultsWorkbook)
	if err != nil {
		return err
	}
	return web.Attachment(c, web.XLSX, fmt.Sprintf("exam-%d-results.xlsx", id), b)
}

func (h *Handlers) regrade(c *fiber.Ctx) error {
	_, n, err := web.WithID(c, h.svc.Regrade)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"changed": n})
}
