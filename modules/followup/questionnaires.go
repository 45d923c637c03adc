package followup

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Question kinds.
const (
	QuestionRating = "rating" // graded 优秀/良好/一般/较差
	QuestionText   = "text"   // free text, optional
)

// gradePoints turn a grade into points for the average.
var gradePoints = map[string]float64{"优秀": 100, "良好": 80, "一般": 60, "较差": 40}

// DefaultQuestions are offered when a questionnaire is created without
// its own: the four dimensions and an overall grade, then suggestions.
func DefaultQuestions(kind string) []Question {
	if kind == KindSurvey {
		return []Question{
			{Text: "参训后履职能力提升情况", Kind: QuestionRating},
			{Text: "学习成果在工作中转化运用情况", Kind: QuestionRating},
			{Text: "工作作风和服务群众情况", Kind: QuestionRating},
			{Text: "总体评价", Kind: QuestionRating},
			{Text: "其他意见和建议", Kind: QuestionText},
		}
	}
	return []Question{
		{Text: "党性教育：理想信念、宗旨意识、廉洁从政、服务民生", Kind: QuestionRating},
		{Text: "理论提升：自学理论、述学讲学、学习调研成果转化", Kind: QuestionRating},
		{Text: "主体业绩：共性目标和岗位职责目标完成情况", Kind: QuestionRating},
		{Text: "改革创新：理论、技术、管理、服务创新", Kind: QuestionRating},
		{Text: "总体评价", Kind: QuestionRating},
		{Text: "意见和建议", Kind: QuestionText},
	}
}

// Limits of a questionnaire.
const (
	maxQuestions   = 30
	maxRespondents = 100
	maxAnswerText  = 1000
)

func (in *QuestionnaireRequest) normalize() web.Fields {
	f := web.Fields{}
	in.Kind = strings.TrimSpace(in.Kind)
	in.Title = strings.TrimSpace(in.Title)
	f.Check(in.Kind == KindDemocratic || in.Kind == KindSurvey, "kind", "应为 民主评议 或 问卷调查")
	if in.Title == "" {
		in.Title = in.Kind
	}
	f.MaxLen("title", in.Title, 100)
	if len(in.Questions) == 0 {
		in.Questions = DefaultQuestions(in.Kind)
	}
	f.Check(len(in.Questions) <= maxQuestions, "questions", fmt.Sprintf("题目不能超过 %d 道", maxQuestions))
	rated := 0
	for i := range in.Questions {
		q := &in.Questions[i]
		q.Text = strings.TrimSpace(q.Text)
		if q.Kind == "" {
			q.Kind = QuestionRating
		}
		f.Check(q.Text != "", "questions", "题目内容不能为空")
		f.MaxLen("questions", q.Text, 200)
		f.Check(q.Kind == QuestionRating || q.Kind == QuestionText, "questions", "题型应为 rating（评价等次）或 text（文字）")
		if q.Kind == QuestionRating {
			rated++
		}
	}
	f.Check(rated > 0, "questions", "至少需要一道评价题")
	f.Check(len(in.Respondents) > 0, "respondents", "请至少邀请一位评议人")
	f.Check(len(in.Respondents) <= maxRespondents, "respondents", fmt.Sprintf("评议人不能超过 %d 位", maxRespondents))
	for i := range in.Respondents {
		r := &in.Respondents[i]
		r.Label = strings.TrimSpace(r.Label)
		f.Check(r.Label != "", "respondents", "请填写评议人与学员的关系，如 同事、上级、下属")
		f.MaxLen("respondents", r.Label, 50)
	}
	return f
}

// newToken makes a random single-use token and its stored hash.
func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateQuestionnaire adds an online 民主评议 or 问卷调查 to a pending round
// and invites its respondents; each gets a link that answers once without
// an account. The links are shown only in this answer.
func (s *Service) CreateQuestionnaire(ctx context.Context, p *web.Principal, roundID uint64, in QuestionnaireRequest) (QuestionnaireCreated, error) {
	if f := in.normalize(); len(f) > 0 {
		return QuestionnaireCreated{}, f.Err()
	}
	r, _, rights, err := s.round(ctx, p, roundID)
	if err != nil {
		return QuestionnaireCreated{}, err
	}
	if !rights.fill() {
		return QuestionnaireCreated{}, web.Forbidden()
	}
	if r.Status != RoundPending {
		return QuestionnaireCreated{}, web.Conflict("wrong_state", "本轮问效已"+RoundStatusNames[r.Status]+"，不能再发起问卷")
	}
	qj, _ := json.Marshal(in.Questions)
	now := s.now().UTC()
	q := Questionnaire{RoundID: r.ID, Kind: in.Kind, Title: in.Title, Questions: string(qj), CreatedBy: p.UserID, CreatedAt: now}
	var links []InviteLink
	err = db.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		links = nil
		q.ID = 0
		if err := tx.Create(&q).Error; err != nil {
			return err
		}
		for _, rr := range in.Respondents {
			token, hash, err := newToken()
			if err != nil {
				return err
			}
			inv := Invite{QuestionnaireID: q.ID, TokenHash: hash, Label: rr.Label, CreatedAt: now}
			if err := tx.Create(&inv).Error; err != nil {
				return err
			}
			links = append(links, InviteLink{InviteID: inv.ID, Label: rr.Label, Path: "/q/" + token})
		}
		return web.RecordTx(s.audit, tx, web.AuditBy(p, "followup.questionnaire", "followup_round", r.ID, map[string]any{"questionnaire_id": q.ID, "kind": q.Kind, "invited": len(links)}))
	})
	if err != nil {
		return QuestionnaireCreated{}, web.AsError(err)
	}
	return QuestionnaireCreated{ID: q.ID, RoundID: r.ID, Kind: q.Kind, Title: q.Title, Questions: in.Questions, Links: links}, nil
}

func (q *Questionnaire) questions() []Question {
	var out []Question
	_ = json.Unmarshal([]byte(q.Questions), &out)
	return out
}

// Results aggregates a questionnaire for those who may read its round.
func (s *Service) Results(ctx context.Context, p *web.Principal, id uint64) (QuestionnaireResults, error) {
	q, err := web.Load[Questionnaire](s.db.WithContext(ctx), id)
	if err != nil {
		return QuestionnaireResults{}, err
	}
	_, _, rights, err := s.round(ctx, p, q.RoundID)
	if err != nil {
		return QuestionnaireResults{}, err
	}
	out, err := s.aggregate(ctx, []Questionnaire{*q})
	if err != nil {
		return QuestionnaireResults{}, err
	}
	if rights.self {
		hideRespondents(out)
	}
	return out[0], nil
}

// roundQuestionnaires aggregates every questionnaire of a round, oldest first.
func (s *Service) roundQuestionnaires(ctx context.Context, roundID uint64) ([]QuestionnaireResults, error) {
	var qs []Questionnaire
	if err := s.db.WithContext(ctx).Where("round_id = ?", roundID).Order("created_at, id").Find(&qs).Error; err != nil {
		return nil, web.Internal(err)
	}
	return s.aggregate(ctx, qs)
}

// Aggregate counts the grades of each rating question and lists the text
// answers; respondents appear by label and whether they answered.
func Aggregate(q Questionnaire, invites []Invite) QuestionnaireResults {
	questions := q.questions()
	out := QuestionnaireResults{ID: q.ID, RoundID: q.RoundID, Kind: q.Kind, Title: q.Title, CreatedAt: q.CreatedAt, Invited: len(invites),
		Questions: make([]QuestionResult, len(questions)), Respondents: make([]RespondentStatus, 0, len(invites))}
	sums := make([]float64, len(questions))
	good := make([]int, len(questions))
	for i, x := range questions {
		out.Questions[i] = QuestionResult{Index: i, Text: x.Text, Kind: x.Kind}
		if x.Kind == QuestionRating {
			out.Questions[i].Grades = map[string]int{}
			for _, g := range Conclusions {
				out.Questions[i].Grades[g] = 0
			}
		}
	}
	for _, inv := range invites {
		out.Respondents = append(out.Respondents, RespondentStatus{Label: inv.Label, Responded: inv.RespondedAt != nil})
		if inv.RespondedAt == nil {
			continue
		}
		out.Responses++
		var answers []string
		_ = json.Unmarshal([]byte(inv.Answers), &answers)
		for i := range questions {
			if i >= len(answers) {
				break
			}
			a := answers[i]
			qr := &out.Questions[i]
			switch qr.Kind {
			case QuestionRating:
				pts, ok := gradePoints[a]
				if !ok {
					continue
				}
				qr.Grades[a]++
				qr.Rated++
				sums[i] += pts
				if a == "优秀" || a == "良好" {
					good[i]++
				}
			case QuestionText:
				if a != "" {
					qr.Answers = append(qr.Answers, a)
				}
			}
		}
	}
	for i := range out.Questions {
		qr := &out.Questions[i]
		if qr.Kind == QuestionRating && qr.Rated > 0 {
			avg := math.Round(sums[i]/float64(qr.Rated)*10) / 10
			rate := math.Round(float64(good[i])/float64(qr.Rated)*10000) / 10000
			qr.Average, qr.GoodRate = &avg, &rate
		}
		sort.Strings(qr.Answers) // the order of answers must not tell who wrote them
	}
	return out
}

func (s *Service) aggregate(ctx context.Context, qs []Questionnaire) ([]QuestionnaireResults, error) {
	out := make([]QuestionnaireResults, 0, len(qs))
	if len(qs) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	var invites []Invite
	if err := s.db.WithContext(ctx).Where("questionnaire_id IN ?", ids).Order("id").Find(&invites).Error; err != nil {
		return nil, web.Internal(err)
	}
	byQ := map[uint64][]Invite{}
	for _, inv := range invites {
		byQ[inv.QuestionnaireID] = append(byQ[inv.QuestionnaireID], inv)
	}
	for _, q := range qs {
		out = append(out, Aggregate(q, byQ[q.ID]))
	}
	return out, nil
}

// errGone is 410: the link was used, or its round is over.
func errGone(msg string) *web.Error { return web.NewError(http.StatusGone, "gone", msg) }

// invite finds the open invitation of a token: 404 for an unknown token,
// 410 for a used one or a finished round.
func (s *Service) invite(ctx context.Context, token string) (*Invite, *Questionnaire, *Round, error) {
	token = strings.TrimSpace(token)
	if len(token) < 20 || len(token) > 100 {
		return nil, nil, nil, web.NotFound()
	}
	inv, err := web.Load[Invite](s.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)))
	if err != nil {
		return nil, nil, nil, err
	}
	if inv.RespondedAt != nil {
		return nil, nil, nil, errGone("您已提交过本问卷，每个链接只能提交一次。感谢您的参与！")
	}
	var q Questionnaire
	if err := s.db.WithContext(ctx).First(&q, inv.QuestionnaireID).Error; err != nil {
		return nil, nil, nil, web.Internal(err)
	}
	var r Round
	if err := s.db.WithContext(ctx).First(&r, q.RoundID).Error; err != nil {
		return nil, nil, nil, web.Internal(err)
	}
	if r.Status != RoundPending {
		return nil, nil, nil, errGone("本次评议已经结束，问卷不再接受提交。")
	}
	return inv, &q, &r, nil
}

// Invitation returns the questionnaire behind a link, for anyone holding it.
func (s *Service) Invitation(ctx context.Context, token string) (Invitation, error) {
	inv, q, r, err := s.invite(ctx, token)
	if err != nil {
		return Invitation{}, err
	}
	var plan Plan
	if err := s.db.WithContext(ctx).First(&plan, r.PlanID).Error; err != nil {
		return Invitation{}, web.Internal(err)
	}
	out := Invitation{Kind: q.Kind, Title: q.Title, Label: inv.Label, Year: r.Year, Questions: q.questions(), Grades: Conclusions, OrgName: s.people.OrgName(ctx, plan.OrgID)}
	if person, err := s.people.Person(ctx, r.UserID); err == nil && person != nil {
		out.Name, out.Post = person.Name, person.Post
	}
	return out, nil
}

// Answer records a respondent's answers, once per link, without an account.
func (s *Service) Answer(ctx context.Context, token string, answers []string) error {
	inv, q, _, err := s.invite(ctx, token)
	if err != nil {
		return err
	}
	questions := q.questions()
	f := web.Fields{}
	if len(answers) != len(questions) {
		f.Add("answers", fmt.Sprintf("应回答 %d 道题", len(questions)))
	}
	clean := make([]string, len(questions))
	for i, x := range questions {
		a := ""
		if i < len(answers) {
			a = strings.TrimSpace(answers[i])
		}
		key := fmt.Sprintf("answers.%d", i)
		switch x.Kind {
		case QuestionRating:
			f.Check(slices.Contains(Conclusions, a), key, "请选择评价等次："+x.Text)
		case QuestionText:
			f.MaxLen(key, a, maxAnswerText)
		}
		clean[i] = a
	}
	if err := f.Err(); err != nil {
		return err
	}
	aj, _ := json.Marshal(clean)
	res := s.db.WithContext(ctx).Model(&Invite{}).Where("id = ? AND responded_at IS NULL", inv.ID).
		Updates(map[string]any{"responded_at": s.now().UTC(), "answers": string(aj)})
	if res.Error != nil {
		return web.Internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return errGone("您已提交过本问卷，每个链接只能提交一次。感谢您的参与！")
	}
	return nil
}
