// Package programs keeps the city's key training programmes (重点培训项目):
// the groups of cadres each one targets, selected by rules over the cadres'
// records, the classes that deliver it, and how far each group is covered.
package programs

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Kinds of programmes.
const (
	KindLeaders    = "leaders"    // 领导干部轮训
	KindYoung      = "young"      // 年轻干部培训
	KindGrassroots = "grassroots" // 基层干部培训
	KindSpecial    = "special"    // 专题培训
	KindOther      = "other"      // 其他
)

// KindNames are the Chinese names of the kinds.
var KindNames = map[string]string{KindLeaders: "领导干部轮训", KindYoung: "年轻干部培训", KindGrassroots: "基层干部培训", KindSpecial: "专题培训", KindOther: "其他"}

// Program is a key training programme of an org department or a college.
type Program struct {
	ID         uint64 `gorm:"primaryKey"`
	OwnerOrgID uint64 `gorm:"not null;index:idx_programs_owner,priority:1"`
	Title      string `gorm:"size:200;not null"`
	Kind       string `gorm:"size:20;not null"`
	Year       int    `gorm:"not null;index:idx_programs_owner,priority:2"`
	CreatedBy  uint64 `gorm:"not null;default:0"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName names the programmes' table.
func (Program) TableName() string { return "programs" }

// Group is a target group (培训对象) of a programme and its rules; lists are
// stored ",a,b," and every rule left empty holds for everyone.
type Group struct {
	ID              uint64 `gorm:"primaryKey"`
	ProgramID       uint64 `gorm:"not null;index"`
	Name            string `gorm:"size:100;not null"`
	Levels          string `gorm:"size:255;not null;default:''"`
	OrgID           uint64 `gorm:"not null;default:0"`
	PostContains    string `gorm:"size:100;not null;default:''"`
	AppointedWithin int    `gorm:"column:appointed_within_months;not null;default:0"`
	Tags            string `gorm:"size:1000;not null;default:''"`
	Sort            int    `gorm:"not null;default:0"`
}

// TableName names the groups' table.
func (Group) TableName() string { return "program_groups" }

// ProgramClass links a training class to a programme.
type ProgramClass struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	ClassID   uint64 `gorm:"primaryKey;autoIncrement:false"`
}

// TableName names the links' table.
func (ProgramClass) TableName() string { return "program_classes" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0037_programs_tables",
		Up: func(tx *gorm.DB) error {
			type program struct {
				ID         uint64 `gorm:"primaryKey"`
				OwnerOrgID uint64 `gorm:"not null;index:idx_programs_owner,priority:1"`
				Title      string `gorm:"size:200;not null"`
				Kind       string `gorm:"size:20;not null"`
				Year       int    `gorm:"not null;index:idx_programs_owner,priority:2"`
				CreatedBy  uint64 `gorm:"not null;default:0"`
				CreatedAt  time.Time
				UpdatedAt  time.Time
			}
			type group struct {
				ID              uint64 `gorm:"primaryKey"`
				ProgramID       uint64 `gorm:"not null;index:idx_program_groups_program"`
				Name            string `gorm:"size:100;not null"`
				Levels          string `gorm:"size:255;not null;default:''"`
				OrgID           uint64 `gorm:"not null;default:0"`
				PostContains    string `gorm:"size:100;not null;default:''"`
				AppointedWithin int    `gorm:"column:appointed_within_months;not null;default:0"`
				Tags            string `gorm:"size:1000;not null;default:''"`
				Sort            int    `gorm:"not null;default:0"`
			}
			type programClass struct {
				ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
				ClassID   uint64 `gorm:"primaryKey;autoIncrement:false;index:idx_program_classes_class"`
			}
			if err := tx.Table("programs").Migrator().CreateTable(&program{}); err != nil {
				return err
			}
			if err := tx.Table("program_groups").Migrator().CreateTable(&group{}); err != nil {
				return err
			}
			return tx.Table("program_classes").Migrator().CreateTable(&programClass{})
		},
	}}
}
