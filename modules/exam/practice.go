package exam

import (
	"context"
	"strconv"

	"college/modules/exam/grading"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PracticeBanks lists the banks open for practice.
func (s *Service) PracticeBanks(ctx context.Context, p *web.Principal) ([]BankResponse, error) {
	if err := web.MayStudy(p); err != nil {
		return nil, err
	}
	var banks []Bank
	if err := s.db.WithContext(ctx).Where("practice = ?", true).Order("name").Find(&banks).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]BankResponse, len(banks))
	for i, b := range banks {
		out[i] = BankResponse{ID: b.ID, Name: b.Name}
		s.db.WithContext(ctx).Model(&Question{}).Where("bank_id = ?", b.ID).Count(&out[i].Questions)
	}
	return out, nil
}

// PracticeSet draws up to n questions of a practice bank, without answers;
// wrongBook draws from the caller's wrong-answer book instead.
func (s *Service) PracticeSet(ctx context.Context, p *web.Principal, bankID uint64, n int, wrongBook bool) ([]CandidateQuestion, error) {
	qs, _, err := s.PracticeDraw(ctx, p, bankID, n, wrongBook)
	return qs, err
}

// MaxPracticeCount bounds one practice set.
const MaxPracticeCount = 100

// PracticeDraw is PracticeSet that also tells how many questions there
// were to draw from: asking for more draws them all.
func (s *Service) PracticeDraw(ctx context.Context, p *web.Principal, bankID uint64, n int, wrongBook bool) ([]CandidateQuestion, int, error) {
	if err := web.MayStudy(p); err != nil {
		return nil, 0, err
	}
	if n <= 0 {
		n = 10
	}
	n = min(n, MaxPracticeCount)
	q := s.db.WithContext(ctx).Model(&Question{})
	if wrongBook {
		q = q.Where("id IN (SELECT question_id FROM wrong_answers WHERE user_id = ?)", p.UserID)
	} else {
		b, err := web.Load[Bank](s.db.WithContext(ctx).Where("practice = ?", true), bankID)
		if err != nil {
			return nil, 0, err
		}
		q = q.Where("bank_id = ?", b.ID).Where("type <> ?", "short")
	}
	var rows []Question
	if err := q.Limit(2000).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	available := len(rows)
	rng := newRand()
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	if len(rows) > n {
		rows = rows[:n]
	}
	out := make([]CandidateQuestion, len(rows))
	for i := range rows {
		it := rows[i].ToItem()
		opts := it.Options
		if opts == nil {
			opts = []string{}
		}
		out[i] = CandidateQuestion{ID: rows[i].ID, Type: rows[i].Type, Stem: it.Stem, Options: opts, Score: it.Score}
	}
	return out, available, nil
}

// AnswerPractice grades one practice answer at once and keeps the wrong
// ones in the caller's wrong-answer book (a right answer takes it out).
func (s *Service) AnswerPractice(ctx context.Context, p *web.Principal, in PracticeAnswer) (PracticeFeedback, error) {
	if err := web.MayStudy(p); err != nil {
		return PracticeFeedback{}, err
	}
	row, err := web.Load[Question](s.db.WithContext(ctx).Where("id = ? AND (bank_id IN (SELECT id FROM banks WHERE practice = ?) OR id IN (SELECT question_id FROM wrong_answers WHERE user_id = ?))", in.QuestionID, true, p.UserID))
	if err != nil {
		return PracticeFeedback{}, err
	}
	q := row.ToItem()
	ans, err := grading.ParseAnswer(q.Type, in.Answer)
	if err != nil {
		return PracticeFeedback{}, web.Invalid(map[string]string{"answer": err.Error()})
	}
	m := grading.Grade(&q, ans, grading.Rules{})
	fb := PracticeFeedback{Correct: m.Correct, Earned: m.Score, Answer: q.KeyJSON(), Analysis: q.Analysis}
	if m.Correct {
		s.db.WithContext(ctx).Where("user_id = ? AND question_id = ?", p.UserID, row.ID).Delete(&WrongAnswer{})
		return fb, nil
	}
	w := WrongAnswer{UserID: p.UserID, QuestionID: row.ID, Times: 1, LastAt: s.now().UTC()}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "question_id"}},
		DoUpdates: clause.Assignments(map[string]any{"times": gorm.Expr("times + 1"), "last_at": w.LastAt}),
	}).Create(&w).Error
	if err != nil {
		return PracticeFeedback{}, web.Internal(err)
	}
	return fb, nil
}

func (h *Handlers) practiceSet(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.Query("count"))
	list, err := h.svc.PracticeSet(c.UserContext(), web.Caller(c), id, n, false)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h *Handlers) wrongBook(c *fiber.Ctx) error {
	n, _ := strconv.Atoi(c.Query("count"))
	list, err := h.svc.PracticeSet(c.UserContext(), web.Caller(c), 0, n, true)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h *Handlers) answerPractice(c *fiber.Ctx) error {
	var in PracticeAnswer
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.QuestionID == 0 {
		return web.Invalid(map[string]string{"question_id": "必填"})
	}
	fb, err := h.svc.AnswerPractice(c.UserContext(), web.Caller(c), in)
	if err != nil {
		return err
	}
	return c.JSON(fb)
}
