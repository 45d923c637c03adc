package bases

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Kinds of training bases.
const (
	KindParty      = "party"      // 党性教育基地
	KindUniversity = "university" // 高校基地
	KindGrassroots = "grassroots" // 基层干部培训特色基地
	KindOther      = "other"      // 其他
)

// Statuses of a base: applied → approved → filed ⇄ suspended; applied →
// rejected; approved, filed or suspended → withdrawn.
const (
	StatusApplied   = "applied"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusFiled     = "filed"
	StatusSuspended = "suspended"
	StatusWithdrawn = "withdrawn"
)

// Results of a yearly re-check (复核).
const (
	ResultPass    = "pass"
	ResultRectify = "rectify"
	ResultFail    = "fail"
)

// KindNames, StatusNames and ResultNames are the Chinese names shown in the UI.
var (
	KindNames   = map[string]string{KindParty: "党性教育基地", KindUniversity: "高校基地", KindGrassroots: "基层干部培训特色基地", KindOther: "其他"}
	StatusNames = map[string]string{StatusApplied: "已申请", StatusApproved: "准入通过", StatusRejected: "未通过",
		StatusFiled: "已备案", StatusSuspended: "已暂停", StatusWithdrawn: "已撤销"}
	ResultNames = map[string]string{ResultPass: "合格", ResultRectify: "限期整改", ResultFail: "不合格"}
	kindOrder   = []string{KindParty, KindUniversity, KindGrassroots, KindOther}
)

// Base is a training base (培训基地) managed by an org. Only an office phone
// is kept for the contact: no personal mobile number is stored.
type Base struct {
	ID          uint64 `gorm:"primaryKey"`
	Name        string `gorm:"size:200;not null"`
	Kind        string `gorm:"size:20;not null"`
	OrgID       uint64 `gorm:"not null;index"` // the managing unit: who applies and sees it
	Address     string `gorm:"size:255;not null;default:''"`
	Capacity    int    `gorm:"not null;default:0"`
	Contact     string `gorm:"size:50;not null;default:''"`
	OfficePhone string `gorm:"size:30;not null;default:''"`
	Intro       string `gorm:"type:text;not null"`
	Status      string `gorm:"size:20;not null"`
	Reason      string `gorm:"size:500;not null;default:''"` // of the last rejection, suspension or withdrawal
	AppliedBy   uint64 `gorm:"not null;default:0"`
	FiledAt     *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName keeps the table next to the training module's.
func (Base) TableName() string { return "training_bases" }

// Document is a file of an application (准入材料).
type Document struct {
	ID          uint64 `gorm:"primaryKey"`
	BaseID      uint64 `gorm:"not null;index"`
	Name        string `gorm:"size:200;not null"`
	ObjectKey   string `gorm:"size:255;not null"`
	ContentType string `gorm:"size:100;not null"`
	Size        int64  `gorm:"not null"`
	UploadedBy  uint64 `gorm:"not null;default:0"`
	CreatedAt   time.Time
}

// TableName names the documents' table.
func (Document) TableName() string { return "training_base_documents" }

// Check is the yearly re-check (复核) of a base: one per base and year.
type Check struct {
	ID        uint64 `gorm:"primaryKey"`
	BaseID    uint64 `gorm:"not null;uniqueIndex:idx_base_checks_year,priority:1"`
	Year      int    `gorm:"not null;uniqueIndex:idx_base_checks_year,priority:2"`
	Result    string `gorm:"size:20;not null"`
	Note      string `gorm:"size:1000;not null;default:''"`
	CheckedBy uint64 `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// TableName names the checks' table.
func (Check) TableName() string { return "training_base_checks" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0029_bases",
		Up: func(tx *gorm.DB) error {
			type base struct {
				ID          uint64 `gorm:"primaryKey"`
				Name        string `gorm:"size:200;not null"`
				Kind        string `gorm:"size:20;not null"`
				OrgID       uint64 `gorm:"not null;index:idx_training_bases_org"`
				Address     string `gorm:"size:255;not null;default:''"`
				Capacity    int    `gorm:"not null;default:0"`
				Contact     string `gorm:"size:50;not null;default:''"`
				OfficePhone string `gorm:"size:30;not null;default:''"`
				Intro       string `gorm:"type:text;not null"`
				Status      string `gorm:"size:20;not null;index:idx_training_bases_status,priority:1"`
				Reason      string `gorm:"size:500;not null;default:''"`
				AppliedBy   uint64 `gorm:"not null;default:0"`
				FiledAt     *time.Time
				CreatedAt   time.Time `gorm:"index:idx_training_bases_status,priority:2"`
				UpdatedAt   time.Time
			}
			type document struct {
				ID          uint64 `gorm:"primaryKey"`
				BaseID      uint64 `gorm:"not null;index:idx_training_base_documents_base"`
				Name        string `gorm:"size:200;not null"`
				ObjectKey   string `gorm:"size:255;not null"`
				ContentType string `gorm:"size:100;not null"`
				Size        int64  `gorm:"not null"`
				UploadedBy  uint64 `gorm:"not null;default:0"`
				CreatedAt   time.Time
			}
			type check struct {
				ID        uint64 `gorm:"primaryKey"`
				BaseID    uint64 `gorm:"not null;uniqueIndex:idx_base_checks_year,priority:1"`
				Year      int    `gorm:"not null;uniqueIndex:idx_base_checks_year,priority:2"`
				Result    string `gorm:"size:20;not null"`
				Note      string `gorm:"size:1000;not null;default:''"`
				CheckedBy uint64 `gorm:"not null;default:0"`
				CreatedAt time.Time
			}
			if err := tx.Table("training_bases").Migrator().CreateTable(&base{}); err != nil {
				return err
			}
			if err := tx.Table("training_base_documents").Migrator().CreateTable(&document{}); err != nil {
				return err
			}
			return tx.Table("training_base_checks").Migrator().CreateTable(&check{})
		},
	}}
}
