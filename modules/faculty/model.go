// Package faculty keeps the college's teachers (师资库): staff of the party
// school, outside experts and leading cadres who lecture, with the record of
// what they taught, how trainees rated them, and the corrections (整改) a
// rating under the bar calls for.
package faculty

import (
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Kinds of teachers.
const (
	KindInternal = "internal" // 校内教师
	KindExpert   = "expert"   // 外聘专家
	KindLeader   = "leader"   // 领导干部
)

// Statuses of a teacher and of a correction.
const (
	StatusActive     = "active"
	StatusInactive   = "inactive"
	CorrectionOpen   = "open"
	CorrectionClosed = "closed"
)

// KindNames, StatusNames and CorrectionNames are the Chinese names shown in the UI.
var (
	KindNames       = map[string]string{KindInternal: "校内教师", KindExpert: "外聘专家", KindLeader: "领导干部"}
	StatusNames     = map[string]string{StatusActive: "在库", StatusInactive: "停用"}
	CorrectionNames = map[string]string{CorrectionOpen: "整改中", CorrectionClosed: "已整改"}
)

// Teacher is one teacher of the faculty, owned by a college or the org
// department: who may edit it.
type Teacher struct {
	ID         uint64 `gorm:"primaryKey"`
	OwnerOrgID uint64 `gorm:"not null;index"`
	Name       string `gorm:"size:100;not null"`
	Kind       string `gorm:"size:20;not null;index"`
	UserID     uint64 `gorm:"not null;default:0;index"` // an internal teacher's account; 0: none
	Post       string `gorm:"size:100;not null;default:''"`
	OrgID      uint64 `gorm:"not null;default:0"` // a leader's unit
	Unit       string `gorm:"size:200;not null;default:''"`
	Title      string `gorm:"size:100;not null;default:''"` // 职称
	Fields     string `gorm:"size:500;not null;default:''"` // 专业领域
	Intro      string `gorm:"type:text;not null"`
	Status     string `gorm:"size:20;not null"`
	PhotoKey   string `gorm:"size:200;not null;default:''"` // the photo in the object store; "" for none
	CreatedBy  uint64 `gorm:"not null;default:0"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Correction is the 整改 asked of a teacher once per evaluation whose
// satisfaction rate fell under the bar, tracked to its closure.
type Correction struct {
	ID           uint64  `gorm:"primaryKey"`
	TeacherID    uint64  `gorm:"not null;uniqueIndex:uq_teacher_corrections,priority:1"`
	EvaluationID uint64  `gorm:"not null;uniqueIndex:uq_teacher_corrections,priority:2"`
	OwnerOrgID   uint64  `gorm:"not null;index"`
	Label        string  `gorm:"size:300;not null;default:''"` // the evaluation's class and target
	Rate         float64 `gorm:"not null"`
	Bar          float64 `gorm:"not null"`
	Status       string  `gorm:"size:20;not null;index"`
	DueOn        string  `gorm:"size:10;not null"`
	Note         string  `gorm:"type:text;not null"`
	ClosedBy     uint64  `gorm:"not null;default:0"`
	ClosedAt     *time.Time
	CreatedAt    time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Correction) TableName() string { return "teacher_corrections" }

// Decisions on the 名师 title.
const (
	MasterGrant  = "grant"  // 授予
	MasterRefuse = "refuse" // 不予授予
	MasterRevoke = "revoke" // 撤销
)

// MasterDecisionNames are the Chinese names of the decisions.
var MasterDecisionNames = map[string]string{MasterGrant: "授予", MasterRefuse: "不予授予", MasterRevoke: "撤销"}

// MasterTitle is one decision on a teacher's 名师 (renowned teacher) title,
// kept as history: a grant stays Active until a later grant replaces it or
// a review revokes it. The figures are those the decision was taken on.
type MasterTitle struct {
	ID         uint64    `gorm:"primaryKey"`
	TeacherID  uint64    `gorm:"not null;index:idx_master_titles_teacher,priority:1"`
	OwnerOrgID uint64    `gorm:"not null;index:idx_master_titles_owner_active,priority:1"`
	Active     bool      `gorm:"not null;default:false;index:idx_master_titles_owner_active,priority:2"`
	Year       int       `gorm:"not null"`
	Decision   string    `gorm:"size:20;not null"`
	Hours      web.Hours `gorm:"column:hours_x100;not null;default:0"`
	Responses  int       `gorm:"not null;default:0"`
	Rate       float64   `gorm:"not null;default:0"`
	Reason     string    `gorm:"size:500;not null;default:''"`
	DecidedBy  uint64    `gorm:"not null;default:0"`
	DecidedAt  time.Time `gorm:"not null;index:idx_master_titles_teacher,priority:2"`
}

// TableName keeps the table name stable.
func (MasterTitle) TableName() string { return "teacher_master_titles" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0027_faculty",
		Up: func(tx *gorm.DB) error {
			type teacher struct {
				ID         uint64 `gorm:"primaryKey"`
				OwnerOrgID uint64 `gorm:"not null;index"`
				Name       string `gorm:"size:100;not null"`
				Kind       string `gorm:"size:20;not null;index"`
				UserID     uint64 `gorm:"not null;default:0;index"`
				Post       string `gorm:"size:100;not null;default:''"`
				OrgID      uint64 `gorm:"not null;default:0"`
				Unit       string `gorm:"size:200;not null;default:''"`
				Title      string `gorm:"size:100;not null;default:''"`
				Fields     string `gorm:"size:500;not null;default:''"`
				Intro      string `gorm:"type:text;not null"`
				Status     string `gorm:"size:20;not null"`
				CreatedBy  uint64 `gorm:"not null;default:0"`
				CreatedAt  time.Time
				UpdatedAt  time.Time
			}
			type correction struct {
				ID           uint64  `gorm:"primaryKey"`
				TeacherID    uint64  `gorm:"not null;uniqueIndex:uq_teacher_corrections,priority:1"`
				EvaluationID uint64  `gorm:"not null;uniqueIndex:uq_teacher_corrections,priority:2"`
				OwnerOrgID   uint64  `gorm:"not null;index"`
				Label        string  `gorm:"size:300;not null;default:''"`
				Rate         float64 `gorm:"not null"`
				Bar          float64 `gorm:"not null"`
				Status       string  `gorm:"size:20;not null;index"`
				DueOn        string  `gorm:"size:10;not null"`
				Note         string  `gorm:"type:text;not null"`
				ClosedBy     uint64  `gorm:"not null;default:0"`
				ClosedAt     *time.Time
				CreatedAt    time.Time `gorm:"not null"`
			}
			if err := tx.Table("teachers").Migrator().CreateTable(&teacher{}); err != nil {
				return err
			}
			return tx.Table("teacher_corrections").Migrator().CreateTable(&correction{})
		},
	}, {
		ID: "0030_faculty_master_titles",
		Up: func(tx *gorm.DB) error {
			type masterTitle struct {
				ID         uint64    `gorm:"primaryKey"`
				TeacherID  uint64    `gorm:"not null;index:idx_master_titles_teacher,priority:1"`
				OwnerOrgID uint64    `gorm:"not null;index:idx_master_titles_owner_active,priority:1"`
				Active     bool      `gorm:"not null;default:false;index:idx_master_titles_owner_active,priority:2"`
				Year       int       `gorm:"not null"`
				Decision   string    `gorm:"size:20;not null"`
				Hours      int64     `gorm:"column:hours_x100;not null;default:0"`
				Responses  int       `gorm:"not null;default:0"`
				Rate       float64   `gorm:"not null;default:0"`
				Reason     string    `gorm:"size:500;not null;default:''"`
				DecidedBy  uint64    `gorm:"not null;default:0"`
				DecidedAt  time.Time `gorm:"not null;index:idx_master_titles_teacher,priority:2"`
			}
			return tx.Table("teacher_master_titles").Migrator().CreateTable(&masterTitle{})
		},
	}, teacherPhotoMigration, lecturesMigration()}
}
