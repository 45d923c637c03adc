package faculty

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Statuses of a lecture (讲坛): drafted, published to the city's cadres,
// held, or called off.
const (
	LectureDraft     = "draft"
	LecturePublished = "published"
	LectureHeld      = "held"
	LectureCancelled = "cancelled"
)

// LectureStatusNames are the Chinese names of a lecture's statuses.
var LectureStatusNames = map[string]string{LectureDraft: "草稿", LecturePublished: "已发布", LectureHeld: "已举办", LectureCancelled: "已取消"}

// Lecture is one lecture of a series (如“新时代讲坛”): a teacher of the
// faculty speaks to cadres at a place and time. Its host org (the college
// or the org department that made it) manages it.
type Lecture struct {
	ID          uint64    `gorm:"primaryKey"`
	OwnerOrgID  uint64    `gorm:"not null;index:idx_lectures_owner,priority:1"`
	Series      string    `gorm:"size:100;not null"`
	Topic       string    `gorm:"size:200;not null"`
	TeacherID   uint64    `gorm:"not null;index:idx_lectures_teacher,priority:1"`
	Speaker     string    `gorm:"size:100;not null"` // the teacher's name when the lecture was saved
	StartsAt    time.Time `gorm:"not null;index:idx_lectures_owner,priority:2;index:idx_lectures_status,priority:2;index:idx_lectures_teacher,priority:3"`
	EndsAt      time.Time `gorm:"not null"`
	Place       string    `gorm:"size:200;not null"`
	Audience    string    `gorm:"size:500;not null;default:''"`
	Capacity    int       `gorm:"not null;default:0"` // 0: not limited
	Status      string    `gorm:"size:20;not null;index:idx_lectures_status,priority:1;index:idx_lectures_teacher,priority:2"`
	Reason      string    `gorm:"size:500;not null;default:''"` // why it was cancelled
	Code        string    `gorm:"size:12;not null;default:''"`  // sign-in code on the host's screen
	CourseID    uint64    `gorm:"not null;default:0"`           // the catalog course of its recording
	CreatedBy   uint64    `gorm:"not null;default:0"`
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// LectureAttendance is one cadre signed in at a lecture.
type LectureAttendance struct {
	ID        uint64    `gorm:"primaryKey"`
	LectureID uint64    `gorm:"not null;uniqueIndex:uq_lecture_attendance,priority:1"`
	UserID    uint64    `gorm:"not null;uniqueIndex:uq_lecture_attendance,priority:2;index:idx_lecture_attendance_user"`
	Name      string    `gorm:"size:100;not null"`
	OrgID     uint64    `gorm:"not null;default:0"`
	SignedAt  time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (LectureAttendance) TableName() string { return "lecture_attendance" }

// lecturesMigration creates the lectures and their attendance.
func lecturesMigration() db.Migration {
	return db.Migration{
		ID: "0031_lectures_create",
		Up: func(tx *gorm.DB) error {
			type lecture struct {
				ID          uint64    `gorm:"primaryKey"`
				OwnerOrgID  uint64    `gorm:"not null;index:idx_lectures_owner,priority:1"`
				Series      string    `gorm:"size:100;not null"`
				Topic       string    `gorm:"size:200;not null"`
				TeacherID   uint64    `gorm:"not null;index:idx_lectures_teacher,priority:1"`
				Speaker     string    `gorm:"size:100;not null"`
				StartsAt    time.Time `gorm:"not null;index:idx_lectures_owner,priority:2;index:idx_lectures_status,priority:2;index:idx_lectures_teacher,priority:3"`
				EndsAt      time.Time `gorm:"not null"`
				Place       string    `gorm:"size:200;not null"`
				Audience    string    `gorm:"size:500;not null;default:''"`
				Capacity    int       `gorm:"not null;default:0"`
				Status      string    `gorm:"size:20;not null;index:idx_lectures_status,priority:1;index:idx_lectures_teacher,priority:2"`
				Reason      string    `gorm:"size:500;not null;default:''"`
				Code        string    `gorm:"size:12;not null;default:''"`
				CourseID    uint64    `gorm:"not null;default:0"`
				CreatedBy   uint64    `gorm:"not null;default:0"`
				PublishedAt *time.Time
				CreatedAt   time.Time
				UpdatedAt   time.Time
			}
			type attendance struct {
				ID        uint64    `gorm:"primaryKey"`
				LectureID uint64    `gorm:"not null;uniqueIndex:uq_lecture_attendance,priority:1"`
				UserID    uint64    `gorm:"not null;uniqueIndex:uq_lecture_attendance,priority:2;index:idx_lecture_attendance_user"`
				Name      string    `gorm:"size:100;not null"`
				OrgID     uint64    `gorm:"not null;default:0"`
				SignedAt  time.Time `gorm:"not null"`
			}
			if err := tx.Table("lectures").Migrator().CreateTable(&lecture{}); err != nil {
				return err
			}
			return tx.Table("lecture_attendance").Migrator().CreateTable(&attendance{})
		},
	}
}
