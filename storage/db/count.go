package db

import "gorm.io/gorm"

// CountBy counts the rows q selects by the value of column (SELECT column,
// COUNT(*) … GROUP BY column). q names the model and its conditions.
func CountBy[K comparable](q *gorm.DB, column string) (map[K]int64, error) {
	var rows []struct {
		K K     `gorm:"column:k"`
		N int64 `gorm:"column:n"`
	}
	if err := q.Select(column + " AS k, COUNT(*) AS n").Group(column).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[K]int64, len(rows))
	for _, r := range rows {
		out[r.K] = r.N
	}
	return out, nil
}
