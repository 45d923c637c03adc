package sites

import (
	"time"

	"gorm.io/gorm"
)

// Results of an inspection (督促检查).
const (
	ResultPass   = "pass"   // 合格
	ResultRework = "rework" // 需整改
	ResultFail   = "fail"   // 不合格
)

// ResultNames are the Chinese names of inspection results.
var ResultNames = map[string]string{ResultPass: "合格", ResultRework: "需整改", ResultFail: "不合格"}

// States of an inspection's rectification.
const (
	InspectionOpen   = "open"   // 整改中
	InspectionClosed = "closed" // 已办结
)

// Inspection is the org department's inspection of a site: its findings,
// result and, unless it passed clean, the rectification the district owes.
type Inspection struct {
	ID          uint64 `gorm:"primaryKey"`
	SiteID      uint64 `gorm:"not null"`
	OrgPath     string `gorm:"size:255;not null"` // the site's org path, for scope
	Date        string `gorm:"size:10;not null"`  // YYYY-MM-DD
	Findings    string `gorm:"type:text;not null"`
	Result      string `gorm:"size:20;not null"`
	Status      string `gorm:"size:20;not null"`
	Due         string `gorm:"size:10;not null;default:''"` // the earliest deadline of its items
	Note        string `gorm:"type:text;not null"`          // the district's account of the rectification
	RectifiedAt *time.Time
	RectifiedBy uint64 `gorm:"not null;default:0"`
	CreatedBy   uint64 `gorm:"not null"`
	CreatedAt   time.Time
}

// TableName keeps the table name stable.
func (Inspection) TableName() string { return "site_inspections" }

// InspectionItem is one rectification item of an inspection with its deadline.
type InspectionItem struct {
	InspectionID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Seq          int    `gorm:"primaryKey;autoIncrement:false"`
	Content      string `gorm:"size:500;not null"`
	Deadline     string `gorm:"size:10;not null"`
}

// TableName keeps the table name stable.
func (InspectionItem) TableName() string { return "site_inspection_items" }

// SiteCourse links a site to a premium course (精品课程) of the catalog
// taught there, with the guide (讲解员) who gives it.
type SiteCourse struct {
	SiteID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	CourseID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	GuideName string `gorm:"size:100;not null"`
	CreatedBy uint64 `gorm:"not null"`
	CreatedAt time.Time
}

// TableName keeps the table name stable.
func (SiteCourse) TableName() string { return "site_courses" }

func migrateInspections(tx *gorm.DB) error {
	type siteInspection struct {
		ID          uint64 `gorm:"primaryKey"`
		SiteID      uint64 `gorm:"not null;index:idx_site_inspections_site,priority:1"`
		OrgPath     string `gorm:"size:255;not null;index:idx_site_inspections_path"`
		Date        string `gorm:"size:10;not null;index:idx_site_inspections_site,priority:2;index:idx_site_inspections_closed,priority:2"`
		Findings    string `gorm:"type:text;not null"`
		Result      string `gorm:"size:20;not null"`
		Status      string `gorm:"size:20;not null;index:idx_site_inspections_status,priority:1;index:idx_site_inspections_closed,priority:1"`
		Due         string `gorm:"size:10;not null;default:'';index:idx_site_inspections_status,priority:2"`
		Note        string `gorm:"type:text;not null"`
		RectifiedAt *time.Time
		RectifiedBy uint64 `gorm:"not null;default:0"`
		CreatedBy   uint64 `gorm:"not null"`
		CreatedAt   time.Time
	}
	type siteInspectionItem struct {
		InspectionID uint64 `gorm:"primaryKey;autoIncrement:false"`
		Seq          int    `gorm:"primaryKey;autoIncrement:false"`
		Content      string `gorm:"size:500;not null"`
		Deadline     string `gorm:"size:10;not null"`
	}
	if err := tx.Table("site_inspections").Migrator().CreateTable(&siteInspection{}); err != nil {
		return err
	}
	return tx.Table("site_inspection_items").Migrator().CreateTable(&siteInspectionItem{})
}

func migrateCourses(tx *gorm.DB) error {
	type siteCourse struct {
		SiteID    uint64 `gorm:"primaryKey;autoIncrement:false"`
		CourseID  uint64 `gorm:"primaryKey;autoIncrement:false"`
		GuideName string `gorm:"size:100;not null"`
		CreatedBy uint64 `gorm:"not null"`
		CreatedAt time.Time
	}
	return tx.Table("site_courses").Migrator().CreateTable(&siteCourse{})
}
