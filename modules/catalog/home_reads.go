package catalog

import (
	"context"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// homeIndexes let the home count a college's courses by state from the
// index alone.
var homeIndexes = db.Migration{
	ID: "0025_catalog_courses_college_status_index",
	Up: func(tx *gorm.DB) error {
		return tx.Exec("CREATE INDEX idx_courses_college_status ON courses (college_id, status)").Error
	},
}

// CourseStateCounts counts the courses of the colleges in the caller's
// subtree by state (draft, published, archived).
func (s *Service) CourseStateCounts(ctx context.Context, p *web.Principal) (map[string]int64, error) {
	if !canOversee(p) {
		return nil, web.Forbidden()
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := s.store.db.WithContext(ctx).Model(&Course{}).Scopes(managerScope(p)).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
