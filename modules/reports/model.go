// Package reports builds the reports (报表) the org department sends
// upward: annual study-hour compliance per unit, class statistics, the
// theory exam report and the follow-up summary. A report is a job: it is
// requested, then built in the background by whichever instance takes its
// lease, and saved as an .xlsx in the object store for download. It owns
// the report_jobs table and reads everything else through ports.
package reports

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Kinds of reports.
const (
	KindHours    = "hours_compliance"
	KindClasses  = "class_stats"
	KindExams    = "exam_report"
	KindFollowup = "followup_summary"
)

// Kinds lists the kinds in display order.
var Kinds = []string{KindHours, KindClasses, KindExams, KindFollowup}

// KindNames are the Chinese names of the kinds.
var KindNames = map[string]string{
	KindHours:    "年度学时达标情况",
	KindClasses:  "班次统计",
	KindExams:    "理论考试情况",
	KindFollowup: "跟踪问效汇总",
}

// States of a job.
const (
	StateQueued  = "queued"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// StateNames are the Chinese names of the states.
var StateNames = map[string]string{StateQueued: "排队中", StateRunning: "生成中", StateDone: "已完成", StateFailed: "失败"}

// Job is one requested report.
type Job struct {
	ID           uint64 `gorm:"primaryKey"`
	Kind         string `gorm:"size:30;not null"`
	Year         int    `gorm:"not null"`
	OrgID        uint64 `gorm:"not null"`
	OrgName      string `gorm:"size:100;not null;default:''"`
	RequestedBy  uint64 `gorm:"not null"`
	State        string `gorm:"size:20;not null"`
	ProgressDone int    `gorm:"not null;default:0"`
	ProgressAll  int    `gorm:"column:progress_total;not null;default:0"`
	Attempts     int    `gorm:"not null;default:0"`
	Runner       string `gorm:"size:40;not null;default:''"`  // the token of the run that may finish it
	Error        string `gorm:"size:500;not null;default:''"` // for the requester, in Chinese
	ObjectKey    string `gorm:"size:255;not null;default:''"`
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
}

// TableName keeps the table name stable.
func (Job) TableName() string { return "report_jobs" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0024_reports_jobs",
		Up: func(tx *gorm.DB) error {
			type job struct {
				ID           uint64     `gorm:"primaryKey"`
				Kind         string     `gorm:"size:30;not null"`
				Year         int        `gorm:"not null"`
				OrgID        uint64     `gorm:"not null"`
				OrgName      string     `gorm:"size:100;not null;default:''"`
				RequestedBy  uint64     `gorm:"not null;index:idx_report_jobs_mine,priority:1"`
				State        string     `gorm:"size:20;not null;index:idx_report_jobs_state,priority:1"`
				ProgressDone int        `gorm:"not null;default:0"`
				ProgressAll  int        `gorm:"column:progress_total;not null;default:0"`
				Attempts     int        `gorm:"not null;default:0"`
				Runner       string     `gorm:"size:40;not null;default:''"`
				Error        string     `gorm:"size:500;not null;default:''"`
				ObjectKey    string     `gorm:"size:255;not null;default:''"`
				CreatedAt    time.Time  `gorm:"index:idx_report_jobs_mine,priority:2;index:idx_report_jobs_state,priority:2"`
				StartedAt    *time.Time `gorm:""`
				FinishedAt   *time.Time `gorm:""`
			}
			return tx.Table("report_jobs").Migrator().CreateTable(&job{})
		},
	}}
}
