package assess

import (
	"context"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// What the home pages read of this module: a teacher's latest results and
// a college's evaluations below the bar.

// homeIndexes let the home read a college's latest evaluations without
// sorting all of them.
var homeIndexes = db.Migration{
	ID: "0025_assess_evaluations_host_created_index",
	Up: func(tx *gorm.DB) error {
		return tx.Exec("CREATE INDEX idx_evaluations_host_created ON evaluations (host_org_id, created_at)").Error
	},
}

// ResultLine is one evaluation's result in short.
type ResultLine struct {
	EvaluationID     uint64
	ClassID          uint64
	Target           Target
	Responses        int
	Score            float64 // mean of the responses' totals, out of 100
	SatisfactionRate float64 // 0..1
	MeetsBar         bool
	Withheld         bool // too few answers for the teacher to read it
}

// TeachingSummary is a teacher's latest evaluations and their total.
type TeachingSummary struct {
	Bar              float64
	Evaluations      int // counted in the total
	Responses        int
	Score            float64
	SatisfactionRate float64
	MeetsBar         bool
	Latest           []ResultLine
}

// lines tallies evaluations into result lines, in their order.
func (s *Service) lines(ctx context.Context, evals []Evaluation, bar float64) ([]ResultLine, map[uint64]*tally, error) {
	tallies, err := s.tallies(ctx, evals)
	if err != nil {
		return nil, nil, err
	}
	out := make([]ResultLine, 0, len(evals))
	for _, e := range evals {
		t := tallies[e.ID]
		score, rate := totals(t.scoreSum, t.scored, t.top2, t.ratings)
		out = append(out, ResultLine{EvaluationID: e.ID, ClassID: e.ClassID, Target: Target{Type: e.TargetType, ID: e.TargetID, Label: e.TargetLabel},
			Responses: t.responses, Score: score, SatisfactionRate: round(rate, 4), MeetsBar: t.ratings > 0 && meets(rate, bar)})
	}
	return out, tallies, nil
}

// MyLatestTeaching sums up the latest evaluations linked to the caller's
// teacher account, at most limit: an evaluation answered by fewer trainees
// than the minimum is listed without its figures and left out of the total.
func (s *Service) MyLatestTeaching(ctx context.Context, p *web.Principal, limit int) (TeachingSummary, error) {
	bar := s.Bar(ctx)
	out := TeachingSummary{Bar: bar, Latest: []ResultLine{}}
	if !p.Has(web.RoleTeacher) {
		return out, web.Forbidden()
	}
	var evals []Evaluation
	if err := s.db.WithContext(ctx).Where("teacher_user_id = ?", p.UserID).Order("created_at DESC, id DESC").Limit(limit).Find(&evals).Error; err != nil {
		return out, web.Internal(err)
	}
	lines, tallies, err := s.lines(ctx, evals, bar)
	if err != nil {
		return out, err
	}
	least := s.settings.Int(ctx, SetTeacherMin)
	var scoreSum float64
	var scored, top2, ratings int
	for i, l := range lines {
		if l.Responses < least {
			lines[i] = ResultLine{EvaluationID: l.EvaluationID, ClassID: l.ClassID, Target: l.Target, Responses: l.Responses, Withheld: true}
			continue
		}
		t := tallies[l.EvaluationID]
		out.Evaluations++
		out.Responses += t.responses
		scoreSum += t.scoreSum
		scored += t.scored
		top2 += t.top2
		ratings += t.ratings
	}
	var rate float64
	out.Score, rate = totals(scoreSum, scored, top2, ratings)
	out.SatisfactionRate = round(rate, 4)
	out.MeetsBar = ratings > 0 && meets(rate, bar)
	out.Latest = lines
	return out, nil
}

// homeRecentEvaluations bounds how many of a college's latest evaluations
// the home looks through for results below the bar.
const homeRecentEvaluations = 30

// BelowBar lists the evaluations among the latest of the classes the
// caller hosts or oversees whose satisfaction rate is under the bar, at
// most limit, and the bar.
func (s *Service) BelowBar(ctx context.Context, p *web.Principal, limit int) ([]ResultLine, float64, error) {
	bar := s.Bar(ctx)
	if !canManage(p) {
		return nil, bar, web.Forbidden()
	}
	var evals []Evaluation
	if err := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "host_org_id")).Order("created_at DESC, id DESC").Limit(homeRecentEvaluations).Find(&evals).Error; err != nil {
		return nil, bar, web.Internal(err)
	}
	lines, tallies, err := s.lines(ctx, evals, bar)
	if err != nil {
		return nil, bar, err
	}
	var out []ResultLine
	for _, l := range lines {
		if tallies[l.EvaluationID].ratings > 0 && !l.MeetsBar && len(out) < limit {
			out = append(out, l)
		}
	}
	return out, bar, nil
}
