package dashboard

import (
	"context"
	"math"
	"sort"

	"college/modules/assess"
	"college/modules/web"
)

// SatisfactionTally adds up evaluations: Scored responses rated at least
// one item and ScoreSum adds their totals; Top2 of the Ratings answers were
// 非常满意 or 满意; Meeting counts the evaluations whose own rate reached the
// bar.
type SatisfactionTally struct {
	Evaluations, Responses, Scored, Top2, Ratings, Meeting int
	ScoreSum                                               float64
}

// Score is the mean total score of the scored responses, to 2 places.
func (t SatisfactionTally) Score() float64 {
	if t.Scored == 0 {
		return 0
	}
	return math.Round(t.ScoreSum/float64(t.Scored)*100) / 100
}

// Rate is the satisfaction rate: the share of 非常满意 and 满意 among all
// rating answers, to 4 places.
func (t SatisfactionTally) Rate() float64 { return rate(t.Top2, t.Ratings) }

func (t *SatisfactionTally) add(e assess.EvaluationTally, bar float64) {
	t.Evaluations++
	t.Responses += e.Responses
	t.Scored += e.Scored
	t.ScoreSum += e.ScoreSum
	t.Top2 += e.Top2
	t.Ratings += e.Ratings
	if e.Ratings > 0 && assess.Meets(float64(e.Top2)/float64(e.Ratings), bar) {
		t.Meeting++
	}
}

// CollegeSatisfaction is one host college's evaluations.
type CollegeSatisfaction struct {
	College Org
	SatisfactionTally
}

// EvaluationSatisfaction is one evaluation's figures.
type EvaluationSatisfaction struct {
	assess.EvaluationTally
	College Org
}

// Score is the evaluation's mean total score.
func (e EvaluationSatisfaction) Score() float64 {
	return SatisfactionTally{Scored: e.Scored, ScoreSum: e.ScoreSum}.Score()
}

// Rate is the evaluation's satisfaction rate.
func (e EvaluationSatisfaction) Rate() float64 { return rate(e.Top2, e.Ratings) }

// Satisfaction is the evaluation satisfaction of the colleges of an org
// subtree for a year.
type Satisfaction struct {
	Org  Org
	Year int
	Bar  float64
	SatisfactionTally
	Colleges []CollegeSatisfaction
	Items    []EvaluationSatisfaction
}

// Meets reports whether top2 of ratings answers reach the bar.
func (s Satisfaction) Meets(top2, ratings int) bool {
	return ratings > 0 && assess.Meets(float64(top2)/float64(ratings), s.Bar)
}

// Satisfaction adds up, per host college of org's subtree, the evaluations
// created in year (Beijing): responses, mean score and satisfaction rate
// against the assess module's bar.
func (s *Service) Satisfaction(ctx context.Context, p *web.Principal, orgID uint64, year int) (Satisfaction, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return Satisfaction{}, err
	}
	out := Satisfaction{Org: org, Year: year, Bar: s.d.Assessments.Bar(ctx)}
	u, err := s.unitsOf(ctx, org)
	if err != nil {
		return Satisfaction{}, web.Internal(err)
	}
	from, to := yearSpan(year)
	byCollege := map[uint64]*SatisfactionTally{}
	err = s.d.Assessments.EachEvaluationTally(ctx, from, to, org.Path, func(e assess.EvaluationTally) error {
		college, ok := u.orgs[e.HostOrgID]
		if !ok {
			return nil
		}
		out.add(e, out.Bar)
		t := byCollege[e.HostOrgID]
		if t == nil {
			t = &SatisfactionTally{}
			byCollege[e.HostOrgID] = t
		}
		t.add(e, out.Bar)
		out.Items = append(out.Items, EvaluationSatisfaction{EvaluationTally: e, College: college})
		return nil
	})
	if err != nil {
		return Satisfaction{}, web.Internal(err)
	}
	for id, t := range byCollege {
		out.Colleges = append(out.Colleges, CollegeSatisfaction{College: u.orgs[id], SatisfactionTally: *t})
	}
	sort.Slice(out.Colleges, func(i, j int) bool { return out.Colleges[i].College.Path < out.Colleges[j].College.Path })
	sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].College.Path < out.Items[j].College.Path })
	return out, nil
}
