package hours

import (
	"context"
	"fmt"

	"college/modules/web"

	"gorm.io/gorm"
)

// UserSums are one user's ledger sums that the compliance rules read: the
// year's online and centralized hours, the previous year's (for the
// carry-over), and the centralized hours from a cycle's first year to year.
type UserSums struct {
	UserID           uint64
	Online           web.Hours
	Centralized      web.Hours
	PrevOnline       web.Hours
	PrevCentralized  web.Hours
	CycleCentralized web.Hours
}

// EachUserSums calls fn with the sums of every user who has entries between
// min(cycleFrom, year-1) and year, in user order. The sums are computed by
// one GROUP BY over the covering index (user_id, year, category, hours_x100);
// users, when not nil, is a subquery of user ids that limits the scan.
func (s *Service) EachUserSums(ctx context.Context, year, cycleFrom int, users *gorm.DB, fn func(UserSums) error) error {
	return s.store.eachUserSums(ctx, year, cycleFrom, users, fn)
}

func (st *store) eachUserSums(ctx context.Context, year, cycleFrom int, users *gorm.DB, fn func(UserSums) error) error {
	from := min(cycleFrom, year-1)
	q := st.db.WithContext(ctx).Table("hour_entries").
		Select(`user_id,
 COALESCE(SUM(CASE WHEN year = ? AND category = ? THEN hours_x100 ELSE 0 END), 0),
 COALESCE(SUM(CASE WHEN year = ? AND category = ? THEN hours_x100 ELSE 0 END), 0),
 COALESCE(SUM(CASE WHEN year = ? AND category = ? THEN hours_x100 ELSE 0 END), 0),
 COALESCE(SUM(CASE WHEN year = ? AND category = ? THEN hours_x100 ELSE 0 END), 0),
 COALESCE(SUM(CASE WHEN year >= ? AND category = ? THEN hours_x100 ELSE 0 END), 0)`,
			year, CategoryOnline, year, CategoryCentralized, year-1, CategoryOnline, year-1, CategoryCentralized, cycleFrom, CategoryCentralized).
		Where("year BETWEEN ? AND ?", from, year)
	if users != nil {
		q = q.Where("user_id IN (?)", users)
	}
	rows, err := q.Group("user_id").Order("user_id").Rows()
	if err != nil {
		return fmt.Errorf("hours store: user sums: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u UserSums
		var on, ce, pon, pce, cyc int64
		if err := rows.Scan(&u.UserID, &on, &ce, &pon, &pce, &cyc); err != nil {
			return fmt.Errorf("hours store: user sums: %w", err)
		}
		u.Online, u.Centralized, u.PrevOnline, u.PrevCentralized, u.CycleCentralized = web.Hours(on), web.Hours(ce), web.Hours(pon), web.Hours(pce), web.Hours(cyc)
		if err := fn(u); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("hours store: user sums: %w", err)
	}
	return nil
}
