package followup

import (
	"context"
	"fmt"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// RoundTally counts one year's rounds of the cadres one unit dispatched
// (the plan's org) in one status; Overdue counts the pending rounds whose
// due date has passed.
type RoundTally struct {
	OrgID   uint64
	Status  string
	N       int
	Overdue int
}

// RoundTallies counts the rounds of year by dispatching org and status over
// the plans of the subtree at orgPath, in one grouped query; a round is
// overdue when it is pending and due before today (YYYY-MM-DD).
func (s *Service) RoundTallies(ctx context.Context, year int, today, orgPath string) ([]RoundTally, error) {
	cond, args := web.OrgSubtree("pl.org_id", orgPath)
	var out []RoundTally
	err := s.db.WithContext(ctx).Table("followup_rounds AS r").Joins("JOIN followup_plans AS pl ON pl.id = r.plan_id").
		Select("pl.org_id, r.status, COUNT(*) AS n, SUM(CASE WHEN r.status = ? AND r.due_on < ? THEN 1 ELSE 0 END) AS overdue", RoundPending, today).
		Where("r.year = ?", year).Where(cond, args...).
		Group("pl.org_id, r.status").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("followup: round tallies: %w", err)
	}
	return out, nil
}

// roundsYearIndex lets the yearly tallies read one year's rounds without
// scanning every year's.
var roundsYearIndex = db.Migration{
	ID: "0023_followup_rounds_year_index",
	Up: func(tx *gorm.DB) error {
		return tx.Exec("CREATE INDEX idx_followup_rounds_year ON followup_rounds (year, status, due_on, plan_id)").Error
	},
}
