package hours

import (
	"context"
	"fmt"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// store runs the ledger's queries.
type store struct{ db *gorm.DB }

// conn is the caller's transaction when given, the pool otherwise, with
// no conditions carried over from the caller's statement.
func (st *store) conn(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if tx == nil {
		tx = st.db
	}
	return tx.Session(&gorm.Session{NewDB: true, Context: ctx})
}

// insert adds e unless its source is already credited to its user, and
// reports whether the row is new. The statement never raises a duplicate-key
// error, so a caller's transaction stays usable: SQLite skips the row with
// ON CONFLICT DO NOTHING, MySQL with ON DUPLICATE KEY UPDATE id = id, and on
// both the affected-row count is 0 for a skipped row. (GORM's Create is not
// used: on MariaDB it adds RETURNING, which yields the row even when nothing
// was inserted.)
func (st *store) insert(ctx context.Context, tx *gorm.DB, e *Entry) (bool, error) {
	conn := st.conn(ctx, tx)
	q := insertEntry + " ON CONFLICT (user_id, source_type, source_id) DO NOTHING"
	if db.IsMySQL(conn) {
		q = insertEntry + " ON DUPLICATE KEY UPDATE id = id"
	}
	res := conn.Exec(q, e.UserID, e.Year, int64(e.Hours), e.Category, e.Kind, e.SourceType, e.SourceID, e.Title, e.EarnedAt, e.CreatedAt)
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

const insertEntry = "INSERT INTO hour_entries (user_id, year, hours_x100, category, kind, source_type, source_id, title, earned_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// entries lists a user's entries, newest first; year 0 means every year.
func (st *store) entries(ctx context.Context, userID uint64, year int) ([]Entry, error) {
	q := st.db.WithContext(ctx).Where("user_id = ?", userID)
	if year != 0 {
		q = q.Where("year = ?", year)
	}
	var out []Entry
	if err := q.Order("earned_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("hours store: entries: %w", err)
	}
	return out, nil
}

// sumByCategory adds a user's hours of one category over the years from..to.
func (st *store) sumByCategory(ctx context.Context, userID uint64, category string, from, to int) (web.Hours, error) {
	var sum int64
	err := st.db.WithContext(ctx).Model(&Entry{}).
		Select("COALESCE(SUM(hours_x100), 0)").
		Where("user_id = ? AND category = ? AND year BETWEEN ? AND ?", userID, category, from, to).
		Scan(&sum).Error
	if err != nil {
		return 0, fmt.Errorf("hours store: sum: %w", err)
	}
	return web.Hours(sum), nil
}

// years lists the years in which a user has entries, newest first.
func (st *store) years(ctx context.Context, userID uint64) ([]int, error) {
	var out []int
	err := st.db.WithContext(ctx).Model(&Entry{}).Distinct("year").Where("user_id = ?", userID).Order("year DESC").Pluck("year", &out).Error
	if err != nil {
		return nil, fmt.Errorf("hours store: years: %w", err)
	}
	return out, nil
}
