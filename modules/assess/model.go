// Package assess runs assessment and evaluation (考核评价): evaluation forms
// with weighted rating items, evaluations of a class, its courses, sessions
// and teachers filled anonymously by the trainees, results with the
// satisfaction rate against the bar, and the quality assessment of a
// training project (项目质量考核) on an indicator tree.
package assess

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Form is an evaluation form (评估表). Forms are never edited once saved, so
// the answers of an evaluation always line up with its form's items.
type Form struct {
	ID         uint64 `gorm:"primaryKey"`
	OwnerOrgID uint64 `gorm:"not null;index:idx_eval_forms_owner"` // 0 for the built-in forms
	Title      string `gorm:"size:200;not null"`
	Items      string `gorm:"type:text;not null"` // JSON []Item
	Builtin    bool   `gorm:"not null;default:false"`
	CreatedBy  uint64 `gorm:"not null;default:0"`
	CreatedAt  time.Time
}

// TableName keeps the table name stable.
func (Form) TableName() string { return "eval_forms" }

// Evaluation puts a form before the trainees of a class about one target:
// the class, one of its courses, one session, or a session's teacher.
type Evaluation struct {
	ID            uint64 `gorm:"primaryKey"`
	ClassID       uint64 `gorm:"not null;index:idx_evaluations_class;uniqueIndex:uq_evaluations_target,priority:1"`
	HostOrgID     uint64 `gorm:"not null;index:idx_evaluations_host"` // the class's host, for scoping results
	FormID        uint64 `gorm:"not null;index:idx_evaluations_form;uniqueIndex:uq_evaluations_target,priority:4"`
	TargetType    string `gorm:"size:10;not null;index:idx_evaluations_kind,priority:1;uniqueIndex:uq_evaluations_target,priority:2"`
	TargetID      uint64 `gorm:"not null;index:idx_evaluations_kind,priority:2;uniqueIndex:uq_evaluations_target,priority:3"`
	TargetLabel   string `gorm:"size:200;not null;default:''"`
	TeacherUserID uint64 `gorm:"not null;default:0;index:idx_evaluations_teacher"` // the teacher's account, who may read the results
	Required      bool   `gorm:"not null"`                                         // no default tag: GORM would not insert false
	OpensAt       *time.Time
	ClosesAt      *time.Time
	CreatedBy     uint64 `gorm:"not null;default:0"`
	CreatedAt     time.Time
}

// TableName keeps the table name stable.
func (Evaluation) TableName() string { return "evaluations" }

// Submission records that a trainee answered an evaluation, for the
// completion count and the graduation rule. It says nothing of the answers.
type Submission struct {
	EvaluationID uint64    `gorm:"primaryKey;autoIncrement:false"`
	UserID       uint64    `gorm:"primaryKey;autoIncrement:false"`
	SubmittedAt  time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Submission) TableName() string { return "eval_submissions" }

// Response holds one set of answers without its author: its key is random
// (so key order says nothing of who answered first) and it keeps only the
// month, so neither joins back to a submission.
type Response struct {
	ID           string `gorm:"primaryKey;size:32"`
	EvaluationID uint64 `gorm:"not null;index:idx_eval_responses_evaluation"`
	Answers      string `gorm:"type:text;not null"` // JSON array, one answer per item
	Period       string `gorm:"size:7;not null"`    // YYYY-MM, Beijing time
}

// TableName keeps the table name stable.
func (Response) TableName() string { return "eval_responses" }

// Indicator is a node of a class's quality indicator tree (项目质量考核).
type Indicator struct {
	ID           uint64 `gorm:"primaryKey"`
	ClassID      uint64 `gorm:"not null;index:idx_quality_indicators_class"`
	ParentID     uint64 `gorm:"not null;default:0"`
	Name         string `gorm:"size:100;not null"`
	Weight       int    `gorm:"not null"`                    // percent of the parent; siblings sum to 100
	Source       string `gorm:"size:10;not null;default:''"` // leaves: trainee, self, org
	EvaluationID uint64 `gorm:"not null;default:0"`          // trainee source: this evaluation's score; 0: all of the class's
	Sort         int    `gorm:"not null;default:0"`
}

// TableName keeps the table name stable.
func (Indicator) TableName() string { return "quality_indicators" }

// Score is the host's self-assessment (self) or the org department's
// review (org) of one leaf indicator.
type Score struct {
	IndicatorID uint64    `gorm:"primaryKey;autoIncrement:false"`
	Scorer      string    `gorm:"primaryKey;size:10"`
	Score       float64   `gorm:"not null"`
	Note        string    `gorm:"size:500;not null;default:''"`
	ScoredBy    uint64    `gorm:"not null"`
	ScoredAt    time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Score) TableName() string { return "quality_scores" }

// Migrations of this module, with frozen copies of the models. The
// built-in course card is created here so that it is there from the start.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0011_assess",
		Up: func(tx *gorm.DB) error {
			type evalForm struct {
				ID         uint64 `gorm:"primaryKey"`
				OwnerOrgID uint64 `gorm:"not null;index:idx_eval_forms_owner"`
				Title      string `gorm:"size:200;not null"`
				Items      string `gorm:"type:text;not null"`
				Builtin    bool   `gorm:"not null;default:false"`
				CreatedBy  uint64 `gorm:"not null;default:0"`
				CreatedAt  time.Time
			}
			type evaluation struct {
				ID            uint64 `gorm:"primaryKey"`
				ClassID       uint64 `gorm:"not null;index:idx_evaluations_class;uniqueIndex:uq_evaluations_target,priority:1"`
				HostOrgID     uint64 `gorm:"not null;index:idx_evaluations_host"`
				FormID        uint64 `gorm:"not null;index:idx_evaluations_form;uniqueIndex:uq_evaluations_target,priority:4"`
				TargetType    string `gorm:"size:10;not null;index:idx_evaluations_kind,priority:1;uniqueIndex:uq_evaluations_target,priority:2"`
				TargetID      uint64 `gorm:"not null;index:idx_evaluations_kind,priority:2;uniqueIndex:uq_evaluations_target,priority:3"`
				TargetLabel   string `gorm:"size:200;not null;default:''"`
				TeacherUserID uint64 `gorm:"not null;default:0;index:idx_evaluations_teacher"`
				Required      bool   `gorm:"not null"`
				OpensAt       *time.Time
				ClosesAt      *time.Time
				CreatedBy     uint64 `gorm:"not null;default:0"`
				CreatedAt     time.Time
			}
			type evalSubmission struct {
				EvaluationID uint64    `gorm:"primaryKey;autoIncrement:false"`
				UserID       uint64    `gorm:"primaryKey;autoIncrement:false"`
				SubmittedAt  time.Time `gorm:"not null"`
			}
			type evalResponse struct {
				ID           string `gorm:"primaryKey;size:32"`
				EvaluationID uint64 `gorm:"not null;index:idx_eval_responses_evaluation"`
				Answers      string `gorm:"type:text;not null"`
				Period       string `gorm:"size:7;not null"`
			}
			type qualityIndicator struct {
				ID           uint64 `gorm:"primaryKey"`
				ClassID      uint64 `gorm:"not null;index:idx_quality_indicators_class"`
				ParentID     uint64 `gorm:"not null;default:0"`
				Name         string `gorm:"size:100;not null"`
				Weight       int    `gorm:"not null"`
				Source       string `gorm:"size:10;not null;default:''"`
				EvaluationID uint64 `gorm:"not null;default:0"`
				Sort         int    `gorm:"not null;default:0"`
			}
			type qualityScore struct {
				IndicatorID uint64    `gorm:"primaryKey;autoIncrement:false"`
				Scorer      string    `gorm:"primaryKey;size:10"`
				Score       float64   `gorm:"not null"`
				Note        string    `gorm:"size:500;not null;default:''"`
				ScoredBy    uint64    `gorm:"not null"`
				ScoredAt    time.Time `gorm:"not null"`
			}
			tables := []struct {
				name  string
				model any
			}{
				{"eval_forms", &evalForm{}}, {"evaluations", &evaluation{}}, {"eval_submissions", &evalSubmission{}},
				{"eval_responses", &evalResponse{}}, {"quality_indicators", &qualityIndicator{}}, {"quality_scores", &qualityScore{}},
			}
			for _, t := range tables {
				if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
					return err
				}
			}
			// The default course card of DOMAIN.md, frozen as it was at this migration.
			card := `[{"kind":"rating","text":"现实针对性","weight":20,"required":true},` +
				`{"kind":"rating","text":"理论性","weight":20,"required":true},` +
				`{"kind":"rating","text":"信息量","weight":20,"required":true},` +
				`{"kind":"rating","text":"语言表达","weight":20,"required":true},` +
				`{"kind":"rating","text":"教风教态","weight":20,"required":true},` +
				`{"kind":"text","text":"意见和建议","required":false}]`
			return tx.Table("eval_forms").Create(&evalForm{Title: "课程评估表（默认）", Items: card, Builtin: true, CreatedAt: time.Now().UTC()}).Error
		},
	}, homeIndexes}
}
