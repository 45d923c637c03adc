package exam

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"college/modules/exam/item"
	"college/modules/web"
	"college/storage/db"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) registerAdminPages(r fiber.Router) {
	admin := web.RequireRole(web.RoleCollegeAdmin)
	graders := web.RequireRole(web.RoleCollegeAdmin, web.RoleTeacher)
	r.Get("/admin/exams", admin, h.adminHomePage)
	r.Get("/admin/exams/new", admin, h.adminExamNewPage)
	r.Get("/admin/exams/banks/:id", admin, h.adminBankPage)
	r.Get("/admin/exams/:id/review", graders, h.adminReviewPage)
	r.Get("/admin/exams/:id/stats", graders, h.adminStatsPage)
}

// typeOrder lists the question types in the order the pages show them.
var typeOrder = []item.Type{item.Single, item.Multiple, item.Judge, item.Blank, item.Short}

// typeOption is a question type for select boxes.
type typeOption struct {
	Value string
	Name  string
}

func typeOptions() []typeOption {
	out := make([]typeOption, len(typeOrder))
	for i, t := range typeOrder {
		out[i] = typeOption{Value: string(t), Name: item.TypeNames[t]}
	}
	return out
}

func typeName(t string) string {
	if n, ok := item.TypeNames[item.Type(t)]; ok {
		return n
	}
	return t
}

// adminBank is a bank with its size.
type adminBank struct {
	ID        uint64
	Name      string
	Practice  bool
	Questions int64
	CreatedAt time.Time
}

// adminExam is an exam row of the home page.
type adminExam struct {
	ID          uint64
	Title       string
	Status      string
	PaperMode   string
	Release     string
	Released    bool
	OpensAt     time.Time
	ClosesAt    time.Time
	Duration    int
	TotalScore  float64
	PassScore   float64
	MaxAttempts int
	State       string // draft, upcoming, open, closed
}

// adminBanks lists the caller's banks with their question counts.
func (s *Service) adminBanks(ctx context.Context, p *web.Principal) ([]adminBank, error) {
	var banks []Bank
	if err := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "college_id")).Order("created_at DESC").Limit(500).Find(&banks).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]adminBank, len(banks))
	ids := make([]uint64, len(banks))
	for i, b := range banks {
		out[i] = adminBank{ID: b.ID, Name: b.Name, Practice: b.Practice, CreatedAt: b.CreatedAt}
		ids[i] = b.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	byID, err := db.CountBy[uint64](s.db.WithContext(ctx).Model(&Question{}).Where("bank_id IN ?", ids), "bank_id")
	if err != nil {
		return nil, web.Internal(err)
	}
	for i := range out {
		out[i].Questions = byID[out[i].ID]
	}
	return out, nil
}

// adminExams lists the caller's exams, newest first.
func (s *Service) adminExams(ctx context.Context, p *web.Principal) ([]adminExam, error) {
	var exams []Exam
	if err := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "college_id")).Order("created_at DESC").Limit(200).Find(&exams).Error; err != nil {
		return nil, web.Internal(err)
	}
	now := time.Now()
	out := make([]adminExam, len(exams))
	for i, e := range exams {
		out[i] = adminExamRow(&e, now)
	}
	return out, nil
}

func adminExamRow(e *Exam, now time.Time) adminExam {
	st := "draft"
	if e.Status == StatusPublished {
		switch {
		case now.Before(e.OpensAt):
			st = "upcoming"
		case now.Before(e.ClosesAt):
			st = "open"
		default:
			st = "closed"
		}
	}
	return adminExam{ID: e.ID, Title: e.Title, Status: e.Status, PaperMode: e.PaperMode, Release: e.Release, Released: e.Released,
		OpensAt: e.OpensAt, ClosesAt: e.ClosesAt, Duration: e.DurationMinutes, TotalScore: float64(e.TotalScore) / 100,
		PassScore: float64(e.PassScore) / 100, MaxAttempts: e.MaxAttempts, State: st}
}

// adminHomeData is the data of exam/admin_home.
type adminHomeData struct {
	Banks []adminBank
	Exams []adminExam
}

func (h *Handlers) adminHomePage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	banks, err := h.svc.adminBanks(ctx, p)
	if err != nil {
		return err
	}
	exams, err := h.svc.adminExams(ctx, p)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/admin_home", "考试管理", adminHomeData{Banks: banks, Exams: exams})
}

// adminQuestion is a question row of the bank page.
type adminQuestion struct {
	ID         uint64
	Type       string
	TypeName   string
	Stem       string
	Options    []string
	Answer     string
	Score      float64
	Difficulty int
	Tags       []string
	Analysis   string
	JSON       string // the question as the API has it, for the edit form
}

func adminQuestionRow(r *Question) adminQuestion {
	q := r.ToItem()
	opts := make([]string, len(q.Options))
	for i, o := range q.Options {
		if i < len(item.Letters) {
			opts[i] = item.Letters[i:i+1] + ". " + o
		}
	}
	js, _ := json.Marshal(questionResponse(r))
	return adminQuestion{ID: r.ID, Type: r.Type, TypeName: typeName(r.Type), Stem: q.Stem, Options: opts, Answer: q.KeyText(),
		Score: q.Score, Difficulty: q.Difficulty, Tags: q.Tags, Analysis: q.Analysis, JSON: string(js)}
}

// adminBankData is the data of exam/admin_bank.
type adminBankData struct {
	Bank       adminBank
	Items      []adminQuestion
	Total      int64
	Page       int
	Pages      int
	Type       string
	Tag        string
	Difficulty int
	Types      []typeOption
	Filtered   bool
	MaxMB      int
}

func (h *Handlers) adminBankPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	pg, err := web.PageFrom(c)
	if err != nil { // a hand-edited page number shows the first page
		pg = web.Page{Page: 1, PageSize: 20}
	}
	ctx, p := c.UserContext(), web.Caller(c)
	b, err := h.svc.bankFor(ctx, p, id)
	if err != nil {
		return err
	}
	typ := c.Query("type")
	if _, ok := item.TypeNames[item.Type(typ)]; !ok {
		typ = ""
	}
	tag := strings.TrimSpace(c.Query("tag"))
	diff, _ := strconv.Atoi(c.Query("difficulty"))
	if diff < 0 || diff > 5 {
		diff = 0
	}
	rows, total, err := h.svc.BankQuestions(ctx, p, id, typ, tag, diff, pg)
	if err != nil {
		return err
	}
	d := adminBankData{Bank: adminBank{ID: b.ID, Name: b.Name, Practice: b.Practice, CreatedAt: b.CreatedAt}, Items: make([]adminQuestion, len(rows)),
		Total: total, Page: pg.Page, Type: typ, Tag: tag, Difficulty: diff, Types: typeOptions(),
		Filtered: typ != "" || tag != "" || diff > 0, MaxMB: MaxImportBytes >> 20}
	for i := range rows {
		d.Items[i] = adminQuestionRow(&rows[i])
	}
	d.Pages = int((total + int64(pg.PageSize) - 1) / int64(pg.PageSize))
	if !d.Filtered {
		d.Bank.Questions = total
	} else {
		var n int64
		if err := h.svc.db.WithContext(ctx).Model(&Question{}).Where("bank_id = ?", id).Count(&n).Error; err != nil {
			return web.Internal(err)
		}
		d.Bank.Questions = n
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/admin_bank", b.Name+" - 题库", d)
}

// adminExamNewData is the data of exam/admin_exam_new.
type adminExamNewData struct {
	Banks  []adminBank
	Types  []typeOption
	Levels []string
}

func (h *Handlers) adminExamNewPage(c *fiber.Ctx) error {
	banks, err := h.svc.adminBanks(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/admin_exam_new", "新建考试", adminExamNewData{Banks: banks, Types: typeOptions(), Levels: []string{"省部级", "厅局级", "县处级", "乡科级", "科员及以下", "其他"}})
}

// adminReviewData is the data of exam/admin_review.
type adminReviewData struct {
	Exam     adminExam
	Items    []ReviewItem
	Attempts int    // distinct attempts in the queue
	Blocked  string // why the caller may not grade this exam now
}

func (h *Handlers) adminReviewPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	id, e, err := web.WithID(c, h.svc.gradableExam)
	if err != nil {
		return err
	}
	items, err := h.svc.ReviewQueue(ctx, p, id)
	var we *web.Error
	if errors.As(err, &we) && we.Code == "grader_is_candidate" {
		d := adminReviewData{Exam: adminExamRow(e, time.Now()), Blocked: we.Message}
		return h.pages.Render(c, fiber.StatusForbidden, "exam/admin_review", e.Title+" - 阅卷", d)
	}
	if err != nil {
		return err
	}
	seen := map[uint64]bool{}
	for _, it := range items {
		seen[it.AttemptID] = true
	}
	d := adminReviewData{Exam: adminExamRow(e, time.Now()), Items: items, Attempts: len(seen)}
	return h.pages.Render(c, fiber.StatusOK, "exam/admin_review", e.Title+" - 阅卷", d)
}

// histBar is one bar of the stats page's histogram.
type histBar struct {
	From   string
	Label  string
	Count  int
	Height int // percent of the tallest bar
}

// adminStatsData is the data of exam/admin_stats.
type adminStatsData struct {
	Exam     adminExam
	Stats    ExamStats
	Bars     []histBar
	CanAdmin bool
	Results  []ResultRow
	Units    []UnitResult
}

func (h *Handlers) adminStatsPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	id, e, err := web.WithID(c, h.svc.gradableExam)
	if err != nil {
		return err
	}
	st, err := h.svc.Stats(ctx, p, id)
	if err != nil {
		return err
	}
	peak := 0
	for _, b := range st.Histogram {
		peak = max(peak, b.Count)
	}
	bars := make([]histBar, len(st.Histogram))
	for i, b := range st.Histogram {
		hgt := 0
		if peak > 0 {
			hgt = b.Count * 100 / peak
		}
		bars[i] = histBar{From: strconv.FormatFloat(b.From, 'f', -1, 64), Label: strconv.FormatFloat(b.From, 'f', -1, 64) + "–" + strconv.FormatFloat(b.To, 'f', -1, 64), Count: b.Count, Height: hgt}
	}
	rows, units, err := h.svc.Results(ctx, p, id)
	if err != nil {
		return err
	}
	d := adminStatsData{Exam: adminExamRow(e, time.Now()), Stats: st, Bars: bars, CanAdmin: p.Has(web.RoleCollegeAdmin), Results: rows, Units: units}
	return h.pages.Render(c, fiber.StatusOK, "exam/admin_stats", e.Title+" - 考试统计", d)
}
