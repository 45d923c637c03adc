// Package hours keeps the study-hours ledger (学时台账) and the learning
// archive (学习档案): every credit of study hours is one append-only entry,
// and every total is a sum of entries.
package hours

import (
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Categories of training (培训类别).
const (
	CategoryOnline      = "online"      // 网络学习
	CategoryCentralized = "centralized" // 集中培训
)

// Kinds of study (必修 / 选修).
const (
	KindRequired = "required"
	KindElective = "elective"
)

// Source types: what earned the hours.
const (
	SourceCourse = "course" // 网络课程
	SourceExam   = "exam"   // 考试
	SourceClass  = "class"  // 培训班
	// SourceClassNextYear is the part of a class's hours that falls in the
	// year after it started (a class spanning two years splits by its dates).
	SourceClassNextYear = "class_y2"
)

// CategoryNames, KindNames and SourceNames are the Chinese names shown in the UI.
var (
	CategoryNames = map[string]string{CategoryOnline: "网络", CategoryCentralized: "集中"}
	KindNames     = map[string]string{KindRequired: "必修", KindElective: "选修"}
	SourceNames   = map[string]string{SourceCourse: "课程", SourceExam: "考试", SourceClass: "培训班", SourceClassNextYear: "培训班（跨年部分）"}
)

// Entry is one credit of study hours. Entries are never updated or deleted;
// a source is credited to a user at most once (unique key).
type Entry struct {
	ID         uint64    `gorm:"primaryKey"`
	UserID     uint64    `gorm:"not null;uniqueIndex:uq_hour_entries_source,priority:1;index:idx_hour_entries_user_year,priority:1"`
	Year       int       `gorm:"not null;index:idx_hour_entries_user_year,priority:2"`
	Hours      web.Hours `gorm:"column:hours_x100;not null"`
	Category   string    `gorm:"size:20;not null"`
	Kind       string    `gorm:"size:20;not null"`
	SourceType string    `gorm:"size:20;not null;uniqueIndex:uq_hour_entries_source,priority:2"`
	SourceID   uint64    `gorm:"not null;uniqueIndex:uq_hour_entries_source,priority:3"`
	Title      string    `gorm:"size:200;not null"`
	EarnedAt   time.Time `gorm:"not null"`
	CreatedAt  time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Entry) TableName() string { return "hour_entries" }

// Migrations of this module. The struct is a frozen copy: later changes to
// Entry need a new migration.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0004_hours",
		Up: func(tx *gorm.DB) error {
			type hourEntry struct {
				ID         uint64    `gorm:"primaryKey"`
				UserID     uint64    `gorm:"not null;uniqueIndex:uq_hour_entries_source,priority:1;index:idx_hour_entries_user_year,priority:1"`
				Year       int       `gorm:"not null;index:idx_hour_entries_user_year,priority:2"`
				HoursX100  int64     `gorm:"column:hours_x100;not null"`
				Category   string    `gorm:"size:20;not null"`
				Kind       string    `gorm:"size:20;not null"`
				SourceType string    `gorm:"size:20;not null;uniqueIndex:uq_hour_entries_source,priority:2"`
				SourceID   uint64    `gorm:"not null;uniqueIndex:uq_hour_entries_source,priority:3"`
				Title      string    `gorm:"size:200;not null"`
				EarnedAt   time.Time `gorm:"not null"`
				CreatedAt  time.Time `gorm:"not null"`
			}
			return tx.Table("hour_entries").Migrator().CreateTable(&hourEntry{})
		},
	}, {
		// The year's totals per person (rankings, unit compliance) read
		// this index alone.
		ID: "0020_hours_year_totals",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX idx_hour_entries_year_totals ON hour_entries (year, category, user_id, hours_x100)").Error
		},
	}, {
		// The compliance dashboards sum every user's hours of a year by
		// category (year first: one range, grouped in user order), and the
		// centralized hours of a few years for the 县处级 cadres (user first).
		ID: "0020_hours_user_sums_index",
		Up: func(tx *gorm.DB) error {
			if err := tx.Exec("CREATE INDEX idx_hour_entries_year_sums ON hour_entries (year, user_id, category, hours_x100)").Error; err != nil {
				return err
			}
			return tx.Exec("CREATE INDEX idx_hour_entries_user_sums ON hour_entries (user_id, year, category, hours_x100)").Error
		},
	}}
}
