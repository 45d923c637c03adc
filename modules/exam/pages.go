package exam

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"college/modules/exam/item"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) registerPages(r fiber.Router) {
	r.Get("/exams", web.RequireLogin, h.listPage)
	r.Get("/exams/:id/take", web.RequireLogin, h.takePage)
	r.Post("/exams/:id/start", web.RequireLogin, h.startPage)
	r.Get("/exams/:id/result", web.RequireLogin, h.resultPage)
}

// examPageList is the data of the exam list page.
type examPageList struct {
	Open     []MyExam // state open: can be started or resumed
	Upcoming []MyExam
	Done     []MyExam // done or closed
}

func (h *Handlers) listPage(c *fiber.Ctx) error {
	list, err := h.svc.MyExams(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	d := examPageList{Open: []MyExam{}, Upcoming: []MyExam{}, Done: []MyExam{}}
	for _, m := range list {
		switch m.State {
		case "open":
			d.Open = append(d.Open, m)
		case "upcoming":
			d.Upcoming = append(d.Upcoming, m)
		default:
			d.Done = append(d.Done, m)
		}
	}
	// Upcoming exams read best soonest first.
	for i, j := 0, len(d.Upcoming)-1; i < j; i, j = i+1, j-1 {
		d.Upcoming[i], d.Upcoming[j] = d.Upcoming[j], d.Upcoming[i]
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/list", "我的考试", d)
}

// myExam finds a published exam in the caller's list (404 otherwise).
func (h *Handlers) myExam(c *fiber.Ctx) (MyExam, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return MyExam{}, err
	}
	list, err := h.svc.MyExams(c.UserContext(), web.Caller(c))
	if err != nil {
		return MyExam{}, err
	}
	for _, m := range list {
		if m.ID == id {
			return m, nil
		}
	}
	return MyExam{}, web.NotFound()
}

// examTakePage is the data of the exam page: the rules and a start button
// before the attempt, the paper once it is in progress.
type examTakePage struct {
	MyExam
	LeaveLimit   int  // leaving the page more often submits the attempt; 0: no limit
	Fullscreen   bool // the page asks for full screen
	CanStart     bool // no attempt in progress, the exam open and attempts left
	Questions    int  // questions in the paper
	AttemptsUsed int
}

// takePage shows an exam. Loading it never starts an attempt (a link from
// another site must not use up a candidate's attempt): it resumes the one in
// progress, or shows the rules and a 开始考试 form that POSTs with the CSRF
// token.
func (h *Handlers) takePage(c *fiber.Ctx) error {
	m, err := h.myExam(c)
	if err != nil {
		return err
	}
	d := examTakePage{MyExam: m, CanStart: m.Open == nil && m.State == "open" && m.AttemptsLeft > 0}
	var e Exam
	if err := h.svc.db.WithContext(c.UserContext()).Select("id", "leave_limit", "fullscreen", "max_attempts", "paper_mode", "paper").First(&e, m.ID).Error; err == nil {
		d.LeaveLimit, d.Fullscreen = e.LeaveLimit, e.Fullscreen
		d.Questions = e.questionCount()
		d.AttemptsUsed = max(e.MaxAttempts-m.AttemptsLeft, 0)
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/take", m.Title, d)
}

// startPage starts (or finds) the caller's attempt, then shows it.
func (h *Handlers) startPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, _, err := h.svc.StartAttempt(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	return c.Redirect("/exams/"+strconv.FormatUint(id, 10)+"/take", fiber.StatusSeeOther)
}

// examResultPage is the data of the result page.
type examResultPage struct {
	Exam         MyExam
	Result       ResultResponse
	TabSwitches  int
	Pending      bool // subjective questions wait for a grader
	Open         bool // still in progress
	AttemptNo    int
	AttemptsLeft int
	Review       []reviewRow // the paper with answers and analysis, once released
	NotReleased  bool        // the college has not released the answers yet
}

// reviewRow is one question of a released paper, its answers in words.
type reviewRow struct {
	No       int
	Type     string
	Stem     string
	Options  []string
	Given    string
	Key      string
	Score    float64
	Earned   float64
	Right    bool
	Pending  bool
	Analysis string
	Comment  string
}

func (h *Handlers) resultPage(c *fiber.Ctx) error {
	m, err := h.myExam(c)
	if err != nil {
		return err
	}
	p := web.Caller(c)
	ctx := c.UserContext()
	var attemptID uint64
	if s := c.Query("attempt"); s != "" {
		attemptID, err = strconv.ParseUint(s, 10, 64)
		if err != nil || attemptID == 0 {
			return web.NotFound()
		}
	} else if m.Last != nil {
		attemptID = m.Last.ID
	} else {
		return web.NotFound()
	}
	a, err := h.svc.ownAttempt(ctx, p, attemptID)
	if err != nil {
		return err
	}
	if a.ExamID != m.ID {
		return web.NotFound()
	}
	r, err := h.svc.Result(ctx, p, attemptID)
	if err != nil {
		return err
	}
	d := examResultPage{Exam: m, Result: r, TabSwitches: a.TabSwitches, Pending: r.Status == AttemptPendingReview,
		Open: r.Status == AttemptOpen, AttemptNo: a.No, AttemptsLeft: m.AttemptsLeft}
	if !d.Open {
		pr, err := h.svc.ReviewPaper(ctx, p, attemptID)
		var we *web.Error
		switch {
		case errors.As(err, &we) && we.Code == "not_released":
			d.NotReleased = true
		case err != nil:
			return err
		default:
			d.Review = reviewRows(pr.Questions)
		}
	}
	return h.pages.Render(c, fiber.StatusOK, "exam/result", m.Title+" - 考试结果", d)
}

// reviewRows turns a released paper into rows for the result page.
func reviewRows(qs []ReviewedQuestion) []reviewRow {
	out := make([]reviewRow, len(qs))
	for i, q := range qs {
		out[i] = reviewRow{No: i + 1, Type: item.TypeNames[item.Type(q.Type)] + "题", Stem: q.Stem, Options: q.Options, Given: answerText(q.Given),
			Key: q.KeyText, Score: q.Score, Earned: q.Earned, Right: q.Right, Pending: q.Pending, Analysis: q.Analysis, Comment: q.Comment}
		if out[i].Key == "" {
			out[i].Key = answerText(q.Correct)
		}
	}
	return out
}

// answerText writes an answer as the candidate gave it: letters, 正确 or
// 错误, the blanks joined; 未作答 when there is none.
func answerText(v any) string {
	switch a := v.(type) {
	case nil:
		return "未作答"
	case bool:
		if a {
			return "正确"
		}
		return "错误"
	case string:
		if strings.TrimSpace(a) == "" {
			return "未作答"
		}
		return a
	case []any:
		parts := make([]string, 0, len(a))
		for _, x := range a {
			if s, ok := x.(string); ok && strings.TrimSpace(s) != "" {
				parts = append(parts, s)
			} else {
				parts = append(parts, "（空）")
			}
		}
		if len(parts) == 0 {
			return "未作答"
		}
		return strings.Join(parts, "；")
	}
	return fmt.Sprint(v)
}
