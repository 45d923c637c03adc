// Package catalog holds the course catalog: courses with their lessons
// (video, article, document), categories and topics (专题), the media of
// each lesson in the object store, and who may see what.
package catalog

import (
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Course kinds and statuses.
const (
	KindRequired = "required" // 必修
	KindElective = "elective" // 选修

	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// Lesson types.
const (
	LessonVideo    = "video"
	LessonArticle  = "article"
	LessonDocument = "document"
)

// Course is a unit of online study owned by a college.
type Course struct {
	ID             uint64    `gorm:"primaryKey"`
	CollegeID      uint64    `gorm:"not null;index"`
	Title          string    `gorm:"size:200;not null"`
	Summary        string    `gorm:"type:text"`
	Category       string    `gorm:"size:50;not null;default:'';index"`
	Kind           string    `gorm:"size:20;not null"`
	Teacher        string    `gorm:"size:100;not null;default:''"`
	CoverKey       string    `gorm:"size:255;not null;default:''"`
	AudienceLevels string    `gorm:"size:255;not null;default:''"` // ",县处级,乡科级," or empty for everyone
	Hours          web.Hours `gorm:"column:hours_x100;not null;default:0"`
	HoursManual    bool      `gorm:"not null;default:false"`
	Featured       bool      `gorm:"not null;default:false"` // shown on the public portal
	Status         string    `gorm:"size:20;not null;index"`
	PublishedAt    *time.Time
	CreatedBy      uint64 `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CourseOrg limits a course to the people of an org subtree; a course
// without rows is open to every org.
type CourseOrg struct {
	CourseID uint64 `gorm:"primaryKey;autoIncrement:false"`
	OrgID    uint64 `gorm:"primaryKey;autoIncrement:false"`
}

// Lesson is one part of a course, in order.
type Lesson struct {
	ID              uint64  `gorm:"primaryKey"`
	CourseID        uint64  `gorm:"not null;index"`
	Seq             int     `gorm:"not null;default:0"`
	Title           string  `gorm:"size:200;not null"`
	Type            string  `gorm:"size:20;not null"`
	Body            string  `gorm:"type:text"`
	MediaKey        string  `gorm:"size:255;not null;default:''"`
	MediaSize       int64   `gorm:"not null;default:0"`
	ContentType     string  `gorm:"size:100;not null;default:''"`
	DurationSeconds float64 `gorm:"not null;default:0"`
	MinReadSeconds  int     `gorm:"not null;default:0"`
	MediaVersion    int     `gorm:"not null;default:0"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Topic (专题) is a curated group of courses, possibly with a deadline.
type Topic struct {
	ID        uint64 `gorm:"primaryKey"`
	CollegeID uint64 `gorm:"not null;index"`
	Title     string `gorm:"size:200;not null"`
	Summary   string `gorm:"type:text"`
	Deadline  *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TopicCourse places a course in a topic.
type TopicCourse struct {
	TopicID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	CourseID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Seq      int    `gorm:"not null;default:0"`
}

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0005_catalog",
		Up: func(tx *gorm.DB) error {
			type course struct {
				ID             uint64 `gorm:"primaryKey"`
				CollegeID      uint64 `gorm:"not null;index:idx_courses_college"`
				Title          string `gorm:"size:200;not null"`
				Summary        string `gorm:"type:text"`
				Category       string `gorm:"size:50;not null;default:'';index:idx_courses_category"`
				Kind           string `gorm:"size:20;not null"`
				Teacher        string `gorm:"size:100;not null;default:''"`
				CoverKey       string `gorm:"size:255;not null;default:''"`
				AudienceLevels string `gorm:"size:255;not null;default:''"`
				Hours          int64  `gorm:"column:hours_x100;not null;default:0"`
				HoursManual    bool   `gorm:"not null;default:false"`
				Status         string `gorm:"size:20;not null;index:idx_courses_status"`
				PublishedAt    *time.Time
				CreatedBy      uint64 `gorm:"not null;default:0"`
				CreatedAt      time.Time
				UpdatedAt      time.Time
			}
			type courseOrg struct {
				CourseID uint64 `gorm:"primaryKey;autoIncrement:false"`
				OrgID    uint64 `gorm:"primaryKey;autoIncrement:false;index:idx_course_orgs_org"`
			}
			type lesson struct {
				ID              uint64  `gorm:"primaryKey"`
				CourseID        uint64  `gorm:"not null;index:idx_lessons_course"`
				Seq             int     `gorm:"not null;default:0"`
				Title           string  `gorm:"size:200;not null"`
				Type            string  `gorm:"size:20;not null"`
				Body            string  `gorm:"type:text"`
				MediaKey        string  `gorm:"size:255;not null;default:''"`
				MediaSize       int64   `gorm:"not null;default:0"`
				ContentType     string  `gorm:"size:100;not null;default:''"`
				DurationSeconds float64 `gorm:"not null;default:0"`
				MinReadSeconds  int     `gorm:"not null;default:0"`
				MediaVersion    int     `gorm:"not null;default:0"`
				CreatedAt       time.Time
				UpdatedAt       time.Time
			}
			type topic struct {
				ID        uint64 `gorm:"primaryKey"`
				CollegeID uint64 `gorm:"not null;index:idx_topics_college"`
				Title     string `gorm:"size:200;not null"`
				Summary   string `gorm:"type:text"`
				Deadline  *time.Time
				CreatedAt time.Time
				UpdatedAt time.Time
			}
			type topicCourse struct {
				TopicID  uint64 `gorm:"primaryKey;autoIncrement:false"`
				CourseID uint64 `gorm:"primaryKey;autoIncrement:false"`
				Seq      int    `gorm:"not null;default:0"`
			}
			for name, m := range map[string]any{"courses": &course{}, "course_orgs": &courseOrg{}, "lessons": &lesson{}, "topics": &topic{}, "topic_courses": &topicCourse{}} {
				if err := tx.Table(name).Migrator().CreateTable(m); err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		ID: "0021_catalog_featured",
		Up: func(tx *gorm.DB) error {
			if err := tx.Exec("ALTER TABLE courses ADD COLUMN featured BOOLEAN NOT NULL DEFAULT false").Error; err != nil {
				return err
			}
			return tx.Exec("CREATE INDEX idx_courses_featured ON courses (featured, status, published_at)").Error
		},
	}, homeIndexes, {
		ID: "0026_catalog_title_grams",
		Up: func(tx *gorm.DB) error {
			type courseTitleGram struct {
				Gram     uint64 `gorm:"primaryKey;autoIncrement:false"`
				CourseID uint64 `gorm:"primaryKey;autoIncrement:false;index:idx_course_title_grams_course"`
			}
			if err := tx.Table("course_title_grams").AutoMigrate(&courseTitleGram{}); err != nil {
				return err
			}
			_, err := IndexAllTitles(tx.Statement.Context, tx)
			return err
		},
	}, courseTeacherIndex}
}
