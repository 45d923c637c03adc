package hours

import (
	"context"
	"fmt"

	"college/modules/web"

	"gorm.io/gorm"
)

// UserSums are one user's ledger sums that the compliance rules read: the
// year's online and centralized hours, the previous year's (for the
// carry-over), and the centralized hours from the plan cycle's first year
// to year.
type UserSums struct {
	UserID           uint64
	Online           web.Hours
	Centralized      web.Hours
	PrevOnline       web.Hours
	PrevCentralized  web.Hours
	CycleCentralized web.Hours
}

// YearSums are one user's online and centralized hours of one year.
type YearSums struct {
	UserID      uint64
	Online      web.Hours
	Centralized web.Hours
}

// EachYearSums calls fn with the online and centralized sums of every user
// with entries in year: one GROUP BY over the index (year, user_id,
// category, hours_x100), read in user order without a temporary table.
// users, when not nil, is a subquery of user ids that limits the scan; fn
// must not query the database.
func (s *Service) EachYearSums(ctx context.Context, year int, users *gorm.DB, fn func(YearSums) error) error {
	q := s.store.db.WithContext(ctx).Table("hour_entries").
		Select("user_id, COALESCE(SUM(CASE WHEN category = ? THEN hours_x100 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN category = ? THEN hours_x100 ELSE 0 END), 0)", CategoryOnline, CategoryCentralized).
		Where("year = ?", year)
	if users != nil {
		q = q.Where("user_id IN (?)", users)
	}
	return eachRow(q.Group("user_id"), func(scan func(...any) error) error {
		var u YearSums
		var on, ce int64
		if err := scan(&u.UserID, &on, &ce); err != nil {
			return err
		}
		u.Online, u.Centralized = web.Hours(on), web.Hours(ce)
		return fn(u)
	})
}

// EachCentralizedSum calls fn with every user's centralized hours of the
// years from..to (the earlier years of a plan cycle): one GROUP BY over the
// year-first index. users, when not nil, is a subquery of user ids that
// limits the scan; fn must not query the database.
func (s *Service) EachCentralizedSum(ctx context.Context, from, to int, users *gorm.DB, fn func(userID uint64, h web.Hours) error) error {
	q := s.store.db.WithContext(ctx).Table("hour_entries").Select("user_id, COALESCE(SUM(hours_x100), 0)").
		Where("year BETWEEN ? AND ? AND category = ?", from, to, CategoryCentralized)
	if users != nil {
		q = q.Where("user_id IN (?)", users)
	}
	return eachRow(q.Group("user_id"), func(scan func(...any) error) error {
		var id uint64
		var h int64
		if err := scan(&id, &h); err != nil {
			return err
		}
		return fn(id, web.Hours(h))
	})
}

// eachRow streams the rows of q to row.
func eachRow(q *gorm.DB, row func(scan func(...any) error) error) error {
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("hours store: sums: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return fmt.Errorf("hours store: sums: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("hours store: sums: %w", err)
	}
	return nil
}
