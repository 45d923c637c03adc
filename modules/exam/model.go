// Package exam runs online theory exams: question banks, papers fixed or
// drawn by rules, timed attempts that autosave and submit themselves, and
// grading.
package exam

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Bank is a question bank of a college.
type Bank struct {
	ID        uint64 `gorm:"primaryKey"`
	CollegeID uint64 `gorm:"not null;index"`
	Name      string `gorm:"size:200;not null"`
	Practice  bool   `gorm:"not null;default:false"` // open to learners for practice
	CreatedBy uint64 `gorm:"not null;default:0"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Question is a stored question; options and key are JSON.
type Question struct {
	ID         uint64 `gorm:"primaryKey"`
	BankID     uint64 `gorm:"not null;index"`
	Type       string `gorm:"size:20;not null;index"`
	Stem       string `gorm:"type:text;not null"`
	Options    string `gorm:"type:text"`
	Key        string `gorm:"column:answer_key;type:text"`
	Score      int64  `gorm:"column:score_x100;not null"`
	Difficulty int    `gorm:"not null;default:3"`
	Tags       string `gorm:"size:500;not null;default:''"` // ",党史,理论,"
	Analysis   string `gorm:"type:text"`
	FixedOrder bool   `gorm:"not null;default:false"` // options keep their order when shuffled
	Version    int    `gorm:"not null;default:1"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Exam is a timed test over a paper.
type Exam struct {
	ID              uint64 `gorm:"primaryKey"`
	CollegeID       uint64 `gorm:"not null;index"`
	Title           string `gorm:"size:200;not null"`
	DurationMinutes int    `gorm:"not null"`
	PassScore       int64  `gorm:"column:pass_score_x100;not null"`
	TotalScore      int64  `gorm:"column:total_score_x100;not null"`
	MaxAttempts     int    `gorm:"not null;default:1"`
	OpensAt         time.Time
	ClosesAt        time.Time
	Shuffle         bool   `gorm:"not null;default:false"`
	PartialMultiple bool   `gorm:"not null;default:false"`
	PaperMode       string `gorm:"size:20;not null"`
	Paper           string `gorm:"type:text"`                              // JSON: question ids or rules
	Release         string `gorm:"size:20;not null;default:'immediately'"` // immediately, after_close, manual
	Released        bool   `gorm:"not null;default:false"`
	AudienceLevels  string `gorm:"size:255;not null;default:''"`  // ",县处级," or empty: every level
	AudienceOrgs    string `gorm:"size:1000;not null;default:''"` // ",3,17," or empty: every org
	LeaveLimit      int    `gorm:"not null;default:0"`            // leaving the page more often submits the attempt; 0: no limit
	CourseID        uint64 `gorm:"not null;default:0"`            // a course test: passing it credits study hours
	Annual          bool   `gorm:"not null;default:false"`        // the yearly theory exam (年度理论考试): a high score exempts next year
	Fullscreen      bool   `gorm:"not null;default:false"`        // the exam page asks for full screen
	ClassID         uint64 `gorm:"not null;default:0"`            // a class exam: only the class's trainees sit it
	Status          string `gorm:"size:20;not null;index"`
	CreatedBy       uint64 `gorm:"not null;default:0"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Attempt is one candidate's sitting of an exam, with its frozen paper.
type Attempt struct {
	ID          uint64  `gorm:"primaryKey"`
	ExamID      uint64  `gorm:"not null;index;uniqueIndex:uq_attempts_no,priority:1"`
	UserID      uint64  `gorm:"not null;index;uniqueIndex:uq_attempts_no,priority:2"`
	No          int     `gorm:"not null;uniqueIndex:uq_attempts_no,priority:3"`
	OpenKey     *string `gorm:"size:64;uniqueIndex:uq_attempts_open"` // set while in progress: one open attempt per candidate and exam
	Status      string  `gorm:"size:20;not null;index"`
	StartedAt   time.Time
	Deadline    time.Time  `gorm:"index"`
	SubmittedAt *time.Time // when the candidate submitted, or the deadline for an attempt closed after it
	ClosedAt    *time.Time // when the college closed it (the sweeper's run for an expired attempt)
	Score       int64      `gorm:"column:score_x100;not null;default:0"`
	Passed      bool       `gorm:"not null;default:false"`
	Paper       string     `gorm:"type:mediumtext"`
	Answers     string     `gorm:"type:mediumtext"`
	AnswersRev  int64      `gorm:"not null;default:0"` // counts the saves: a grade is closed on the answers it read
	Marks       string     `gorm:"type:text"`
	TabSwitches int        `gorm:"not null;default:0"`
	Comments    string     `gorm:"type:text"` // grader comments by question id (JSON)
}

// GraderAssignment gives a grader the short answers of one question, or
// of one candidate, in an exam.
type GraderAssignment struct {
	ID          uint64 `gorm:"primaryKey"`
	ExamID      uint64 `gorm:"not null;index"`
	GraderID    uint64 `gorm:"not null;index"`
	QuestionID  uint64 `gorm:"not null;default:0"`
	CandidateID uint64 `gorm:"not null;default:0"`
}

// WrongAnswer is a question in a learner's wrong-answer book (错题本).
type WrongAnswer struct {
	UserID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Times      int    `gorm:"not null;default:1"`
	LastAt     time.Time
}

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0007_exam",
		Up: func(tx *gorm.DB) error {
			type bank struct {
				ID        uint64 `gorm:"primaryKey"`
				CollegeID uint64 `gorm:"not null;index:idx_banks_college"`
				Name      string `gorm:"size:200;not null"`
				Practice  bool   `gorm:"not null;default:false"`
				CreatedBy uint64 `gorm:"not null;default:0"`
				CreatedAt time.Time
				UpdatedAt time.Time
			}
			type question struct {
				ID         uint64 `gorm:"primaryKey"`
				BankID     uint64 `gorm:"not null;index:idx_questions_bank"`
				Type       string `gorm:"size:20;not null;index:idx_questions_type"`
				Stem       string `gorm:"type:text;not null"`
				Options    string `gorm:"type:text"`
				Key        string `gorm:"column:answer_key;type:text"`
				Score      int64  `gorm:"column:score_x100;not null"`
				Difficulty int    `gorm:"not null;default:3"`
				Tags       string `gorm:"size:500;not null;default:''"`
				Analysis   string `gorm:"type:text"`
				Version    int    `gorm:"not null;default:1"`
				CreatedAt  time.Time
				UpdatedAt  time.Time
			}
			type exam struct {
				ID              uint64 `gorm:"primaryKey"`
				CollegeID       uint64 `gorm:"not null;index:idx_exams_college"`
				Title           string `gorm:"size:200;not null"`
				DurationMinutes int    `gorm:"not null"`
				PassScore       int64  `gorm:"column:pass_score_x100;not null"`
				TotalScore      int64  `gorm:"column:total_score_x100;not null"`
				MaxAttempts     int    `gorm:"not null;default:1"`
				OpensAt         time.Time
				ClosesAt        time.Time
				Shuffle         bool   `gorm:"not null;default:false"`
				PartialMultiple bool   `gorm:"not null;default:false"`
				PaperMode       string `gorm:"size:20;not null"`
				Paper           string `gorm:"type:text"`
				Release         string `gorm:"size:20;not null;default:'immediately'"`
				Released        bool   `gorm:"not null;default:false"`
				AudienceLevels  string `gorm:"size:255;not null;default:''"`
				AudienceOrgs    string `gorm:"size:1000;not null;default:''"`
				LeaveLimit      int    `gorm:"not null;default:0"`
				CourseID        uint64 `gorm:"not null;default:0"`
				Annual          bool   `gorm:"not null;default:false"`
				Fullscreen      bool   `gorm:"not null;default:false"`
				Status          string `gorm:"size:20;not null;index:idx_exams_status"`
				CreatedBy       uint64 `gorm:"not null;default:0"`
				CreatedAt       time.Time
				UpdatedAt       time.Time
			}
			type attempt struct {
				ID          uint64  `gorm:"primaryKey"`
				ExamID      uint64  `gorm:"not null;index:idx_attempts_exam;uniqueIndex:uq_attempts_no,priority:1"`
				UserID      uint64  `gorm:"not null;index:idx_attempts_user;uniqueIndex:uq_attempts_no,priority:2"`
				No          int     `gorm:"not null;uniqueIndex:uq_attempts_no,priority:3"`
				OpenKey     *string `gorm:"size:64;uniqueIndex:uq_attempts_open"`
				Status      string  `gorm:"size:20;not null;index:idx_attempts_status"`
				StartedAt   time.Time
				Deadline    time.Time `gorm:"index:idx_attempts_deadline"`
				SubmittedAt *time.Time
				Score       int64  `gorm:"column:score_x100;not null;default:0"`
				Passed      bool   `gorm:"not null;default:false"`
				Paper       string `gorm:"type:mediumtext"`
				Answers     string `gorm:"type:mediumtext"`
				Marks       string `gorm:"type:text"`
				TabSwitches int    `gorm:"not null;default:0"`
				Comments    string `gorm:"type:text"`
			}
			type graderAssignment struct {
				ID          uint64 `gorm:"primaryKey"`
				ExamID      uint64 `gorm:"not null;index:idx_grader_assignments_exam"`
				GraderID    uint64 `gorm:"not null;index:idx_grader_assignments_grader"`
				QuestionID  uint64 `gorm:"not null;default:0"`
				CandidateID uint64 `gorm:"not null;default:0"`
			}
			type wrongAnswer struct {
				UserID     uint64 `gorm:"primaryKey;autoIncrement:false"`
				QuestionID uint64 `gorm:"primaryKey;autoIncrement:false"`
				Times      int    `gorm:"not null;default:1"`
				LastAt     time.Time
			}
			for name, m := range map[string]any{"banks": &bank{}, "questions": &question{}, "exams": &exam{}, "attempts": &attempt{}, "wrong_answers": &wrongAnswer{}, "grader_assignments": &graderAssignment{}} {
				if err := tx.Table(name).Migrator().CreateTable(m); err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		ID: "0010_exam_class",
		Up: func(tx *gorm.DB) error {
			type exam struct {
				ClassID uint64 `gorm:"not null;default:0"`
			}
			return tx.Table("exams").Migrator().AddColumn(&exam{}, "ClassID")
		},
	}, {
		ID: "0015_exam_fixed_order",
		Up: func(tx *gorm.DB) error {
			type question struct {
				FixedOrder bool `gorm:"not null;default:false"`
			}
			return tx.Table("questions").Migrator().AddColumn(&question{}, "FixedOrder")
		},
	}, {
		ID: "0016_exam_answers_rev",
		Up: func(tx *gorm.DB) error {
			type attempt struct {
				AnswersRev int64 `gorm:"not null;default:0"`
			}
			return tx.Table("attempts").Migrator().AddColumn(&attempt{}, "AnswersRev")
		},
	}, {
		ID: "0017_exam_closed_at",
		Up: func(tx *gorm.DB) error {
			type attempt struct {
				ClosedAt *time.Time
			}
			return tx.Table("attempts").Migrator().AddColumn(&attempt{}, "ClosedAt")
		},
	}, {
		// The exam dashboard reads a year's attempts by their start.
		ID: "0020_exam_attempts_started_index",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX idx_attempts_started_at ON attempts (started_at)").Error
		},
	}}
}
