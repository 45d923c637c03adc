package assess

import (
	"context"
	"fmt"
	"time"

	"college/modules/web"
)

// EvaluationTally is what one evaluation's responses add up to: Scored
// responses rated at least one item and ScoreSum adds their totals; Top2 of
// the Ratings answers were 非常满意 or 满意.
type EvaluationTally struct {
	ID          uint64
	ClassID     uint64
	HostOrgID   uint64
	TargetType  string
	TargetLabel string
	Responses   int
	Scored      int
	ScoreSum    float64
	Top2        int
	Ratings     int
}

// EachEvaluationTally hands fn the tally of every evaluation created between
// from and to whose class is hosted in the subtree at hostPath, by id. The
// evaluations are one query, their responses one streamed query; each form
// is read once.
func (s *Service) EachEvaluationTally(ctx context.Context, from, to time.Time, hostPath string, fn func(EvaluationTally) error) error {
	cond, args := web.OrgSubtree("host_org_id", hostPath)
	var evals []Evaluation
	if err := s.db.WithContext(ctx).Select("id, class_id, host_org_id, form_id, target_type, target_label").
		Where("created_at >= ? AND created_at < ?", from, to).Where(cond, args...).Order("id").Find(&evals).Error; err != nil {
		return fmt.Errorf("assess: evaluation tallies: %w", err)
	}
	if len(evals) == 0 {
		return nil
	}
	forms := map[uint64][]Item{}
	tallies := make(map[uint64]*tally, len(evals))
	for _, e := range evals {
		items, ok := forms[e.FormID]
		if !ok {
			_, f, err := s.formByID(ctx, e.FormID)
			if err != nil {
				return err
			}
			items, forms[e.FormID] = f, f
		}
		tallies[e.ID] = newTally(items)
	}
	rows, err := s.db.WithContext(ctx).Table("eval_responses").Select("evaluation_id, answers").
		Where("evaluation_id IN (?)", s.db.WithContext(ctx).Model(&Evaluation{}).Select("id").
			Where("created_at >= ? AND created_at < ?", from, to).Where(cond, args...)).Rows()
	if err != nil {
		return fmt.Errorf("assess: evaluation tallies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uint64
		var answers string
		if err := rows.Scan(&id, &answers); err != nil {
			return fmt.Errorf("assess: evaluation tallies: %w", err)
		}
		if t := tallies[id]; t != nil {
			if _, err := t.add(answers); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("assess: evaluation tallies: %w", err)
	}
	for _, e := range evals {
		t := tallies[e.ID]
		if err := fn(EvaluationTally{ID: e.ID, ClassID: e.ClassID, HostOrgID: e.HostOrgID, TargetType: e.TargetType, TargetLabel: e.TargetLabel,
			Responses: t.responses, Scored: t.scored, ScoreSum: t.scoreSum, Top2: t.top2, Ratings: t.ratings}); err != nil {
			return err
		}
	}
	return nil
}

// Meets reports whether a satisfaction rate reaches the bar.
func Meets(rate, bar float64) bool { return meets(rate, bar) }
