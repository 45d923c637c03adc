// Package learning runs online study: enrollments, play sessions, heartbeats
// checked against the server's clock, watched coverage, completion, and the
// crediting of study hours through the ledger, exactly once.
package learning

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Enrollment is a learner taking a course.
type Enrollment struct {
	ID          uint64    `gorm:"primaryKey"`
	UserID      uint64    `gorm:"not null;uniqueIndex:uq_enrollments_user_course,priority:1"`
	CourseID    uint64    `gorm:"not null;uniqueIndex:uq_enrollments_user_course,priority:2;index"`
	EnrolledAt  time.Time `gorm:"not null"`
	CompletedAt *time.Time
}

// Progress is the durable state of one learner on one lesson. Redis holds
// the live state; the flusher writes it here, only ever moving forward.
type Progress struct {
	ID           uint64     `gorm:"primaryKey"`
	UserID       uint64     `gorm:"not null;uniqueIndex:uq_progress_user_lesson,priority:1"`
	LessonID     uint64     `gorm:"not null;uniqueIndex:uq_progress_user_lesson,priority:2"`
	CourseID     uint64     `gorm:"not null;index"`
	MediaVersion int        `gorm:"not null;default:0"`
	Position     float64    `gorm:"not null;default:0"`
	Furthest     float64    `gorm:"not null;default:0"`
	Watched      float64    `gorm:"not null;default:0"`
	Coverage     float64    `gorm:"not null;default:0"`
	Segments     string     `gorm:"type:text"` // base64 bitmap of watched seconds
	Completed    bool       `gorm:"not null;default:false"`
	CompletedAt  *time.Time `gorm:"index:idx_progress_completed_at"`
	UpdatedAt    time.Time
}

// TableName keeps the table name stable.
func (Progress) TableName() string { return "lesson_progress" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0006_learning",
		Up: func(tx *gorm.DB) error {
			type enrollment struct {
				ID          uint64    `gorm:"primaryKey"`
				UserID      uint64    `gorm:"not null;uniqueIndex:uq_enrollments_user_course,priority:1"`
				CourseID    uint64    `gorm:"not null;uniqueIndex:uq_enrollments_user_course,priority:2;index:idx_enrollments_course"`
				EnrolledAt  time.Time `gorm:"not null"`
				CompletedAt *time.Time
			}
			type progress struct {
				ID           uint64  `gorm:"primaryKey"`
				UserID       uint64  `gorm:"not null;uniqueIndex:uq_progress_user_lesson,priority:1"`
				LessonID     uint64  `gorm:"not null;uniqueIndex:uq_progress_user_lesson,priority:2"`
				CourseID     uint64  `gorm:"not null;index:idx_progress_course"`
				MediaVersion int     `gorm:"not null;default:0"`
				Position     float64 `gorm:"not null;default:0"`
				Furthest     float64 `gorm:"not null;default:0"`
				Watched      float64 `gorm:"not null;default:0"`
				Coverage     float64 `gorm:"not null;default:0"`
				Segments     string  `gorm:"type:text"`
				Completed    bool    `gorm:"not null;default:false"`
				CompletedAt  *time.Time
				UpdatedAt    time.Time
			}
			if err := tx.Table("enrollments").Migrator().CreateTable(&enrollment{}); err != nil {
				return err
			}
			return tx.Table("lesson_progress").Migrator().CreateTable(&progress{})
		},
	}, {
		// The settlement sweep reads recent completions in completion order
		// (SettleRecent): an index, not a scan of every learner's progress.
		ID: "0018_learning_progress_completed_at",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX idx_progress_completed_at ON lesson_progress (completed_at)").Error
		},
	}}
}
