package catalog

import (
	"context"
	"fmt"

	"college/storage/db"

	"gorm.io/gorm"
)

// titleGrams indexes the bigrams of every course's title, so that a search
// for a phrase reads the courses holding its rarest bigram instead of
// scanning the catalog.
var titleGrams = db.GramIndex{Table: "course_title_grams", IDColumn: "course_id"}

// indexTitle writes the title's bigrams of a saved course, in tx.
func indexTitle(tx *gorm.DB, c *Course) error { return titleGrams.Index(tx, c.ID, c.Title) }

// IndexAllTitles rebuilds the title index of every course: what the
// migration runs once, and what a bulk load that wrote courses directly
// runs after it. It answers the number of courses indexed.
func IndexAllTitles(ctx context.Context, gdb *gorm.DB) (int, error) {
	n, err := titleGrams.Rebuild(ctx, gdb, func(tx *gorm.DB, after uint64, limit int) *gorm.DB {
		return tx.Table("courses").Select("id, title AS text").Where("id > ?", after).Order("id").Limit(limit)
	})
	if err != nil {
		return n, fmt.Errorf("catalog: index titles: %w", err)
	}
	return n, nil
}
