package hours

import (
	"context"
	"fmt"

	"college/modules/web"

	"gorm.io/gorm"
)

// LearnerHours is one person's total of study hours in a year.
type LearnerHours struct {
	UserID uint64
	Hours  web.Hours
}

// UnitRate is how many of a unit's cadres reached the online target.
type UnitRate struct {
	UnitID uint64
	Cadres int64
	Met    int64
}

// Rate is the share of the unit's cadres that met the target, 0..1.
func (r UnitRate) Rate() float64 {
	if r.Cadres == 0 {
		return 0
	}
	return float64(r.Met) / float64(r.Cadres)
}

// TopLearners ranks the people members selects (a subquery of user ids) by
// their hours of every category in year, most first, ties by id.
func (s *Service) TopLearners(ctx context.Context, year int, members *gorm.DB, limit int) ([]LearnerHours, error) {
	var rows []struct {
		UserID uint64
		Total  int64
	}
	err := s.store.db.WithContext(ctx).Raw(`SELECT e.user_id AS user_id, SUM(e.hours_x100) AS total
FROM hour_entries e
WHERE e.year = ? AND e.user_id IN (?)
GROUP BY e.user_id
ORDER BY total DESC, e.user_id
LIMIT ?`, year, members, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("hours: top learners: %w", err)
	}
	out := make([]LearnerHours, len(rows))
	for i, r := range rows {
		out[i] = LearnerHours{UserID: r.UserID, Hours: web.Hours(r.Total)}
	}
	return out, nil
}

// OnlineTarget is the online hours a cadre must study each year (a setting).
func (s *Service) OnlineTarget(ctx context.Context) web.Hours {
	return web.HoursFromFloat(s.settings.Float(ctx, SetOnlineYearly))
}

// UnitCompliance counts, per unit, the cadres members selects (a subquery
// with the columns user_id and unit_id) and those whose online hours in year
// reach target. The ledger is summed per person in SQL over the
// (year, category, user_id, hours) index; no entry is loaded.
func (s *Service) UnitCompliance(ctx context.Context, year int, target web.Hours, members *gorm.DB) ([]UnitRate, error) {
	var rows []UnitRate
	err := s.store.db.WithContext(ctx).Raw(`SELECT m.unit_id AS unit_id, COUNT(*) AS cadres,
  SUM(CASE WHEN t.online >= ? THEN 1 ELSE 0 END) AS met
FROM (?) m
LEFT JOIN (SELECT user_id, SUM(hours_x100) AS online FROM hour_entries
  WHERE year = ? AND category = ? GROUP BY user_id) t ON t.user_id = m.user_id
GROUP BY m.unit_id`, int64(target), members, year, CategoryOnline).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("hours: unit compliance: %w", err)
	}
	return rows, nil
}
