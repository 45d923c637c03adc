// Package training runs training classes (班次) and registration (调训报名):
// class plans filed with the org department, quotas per unit, nomination
// and self-registration with a waitlist, sign-in and leave during the
// class, and graduation with study hours and certificates.
package training

import (
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Class is a training class of a host college.
type Class struct {
	ID             uint64    `gorm:"primaryKey"`
	HostOrgID      uint64    `gorm:"not null;index"`
	Title          string    `gorm:"size:200;not null"`
	Kind           string    `gorm:"size:20;not null"`
	Entrusted      string    `gorm:"size:200;not null;default:''"` // 委托单位: the unit a branch runs the class for
	CoHostOrgID    uint64    `gorm:"not null;default:0"`           // 市县统筹办学: the county or district college running the class with the host; 0: none
	BaseID         uint64    `gorm:"not null;default:0"`           // the filed training base hosting the class; 0: the college's own premises
	StartsOn       string    `gorm:"size:10;not null;index"`       // YYYY-MM-DD
	EndsOn         string    `gorm:"size:10;not null"`
	Place          string    `gorm:"size:200;not null;default:''"`
	Online         bool      `gorm:"not null;default:false"`
	Quota          int       `gorm:"not null"`
	Enrolled       int       `gorm:"not null;default:0"` // registrations holding a seat
	Hours          web.Hours `gorm:"column:hours_x100;not null;default:0"`
	SelfRegister   bool      `gorm:"column:self_registration;not null;default:false"`
	AutoApprove    bool      `gorm:"not null;default:false"`
	Waitlist       bool      `gorm:"not null"`                      // no default tag: GORM would not insert false
	Levels         string    `gorm:"size:255;not null;default:''"`  // ",县处级," or empty: every level
	AudienceOrgs   string    `gorm:"size:1000;not null;default:''"` // ",3,17," or empty: every org
	RegOpensAt     time.Time `gorm:"column:registration_opens_at"`
	RegClosesAt    time.Time `gorm:"column:registration_closes_at"`
	FollowUp       bool      `gorm:"not null;default:false"`
	Contact        string    `gorm:"size:100;not null;default:''"`
	ContactPhone   string    `gorm:"size:50;not null;default:''"`
	Description    string    `gorm:"type:text"`
	MinAttendance  int       `gorm:"not null;default:0"` // percent of sessions signed in to graduate; 0: not checked
	RequireCourses bool      `gorm:"not null;default:false"`
	ExamID         uint64    `gorm:"not null;default:0"` // an exam the trainee must pass to graduate
	RequireEval    bool      `gorm:"not null;default:false"`
	Status         string    `gorm:"size:30;not null;index"`
	RejectReason   string    `gorm:"size:500;not null;default:''"`
	SubmittedAt    *time.Time
	ApprovedAt     *time.Time
	ApprovedBy     uint64 `gorm:"not null;default:0"`
	GraduatedAt    *time.Time
	CreatedBy      uint64 `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName keeps the table name stable.
func (Class) TableName() string { return "training_classes" }

// Quota is a unit's share of a class's seats (名额分配); it covers the
// unit's whole subtree.
type Quota struct {
	ClassID uint64 `gorm:"primaryKey;autoIncrement:false"`
	OrgID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Quota   int    `gorm:"not null"`
	Used    int    `gorm:"not null;default:0"`
}

// TableName keeps the table name stable.
func (Quota) TableName() string { return "class_quotas" }

// ClassCourse links a catalog course to a class as its online part.
type ClassCourse struct {
	ClassID  uint64    `gorm:"primaryKey;autoIncrement:false"`
	CourseID uint64    `gorm:"primaryKey;autoIncrement:false"`
	Required bool      `gorm:"not null;default:true"`
	Hours    web.Hours `gorm:"column:hours_x100;not null;default:0"`
	Sort     int       `gorm:"not null;default:0"`
}

// TableName keeps the table name stable.
func (ClassCourse) TableName() string { return "class_courses" }

// Session is one item of a class's timetable.
type Session struct {
	ID       uint64    `gorm:"primaryKey"`
	ClassID  uint64    `gorm:"not null;index"`
	Topic    string    `gorm:"size:200;not null"`
	Teacher  string    `gorm:"size:100;not null;default:''"`
	Place    string    `gorm:"size:200;not null;default:''"`
	Site     string    `gorm:"size:200;not null;default:''"` // 现场教学点
	StartsAt time.Time `gorm:"not null"`
	EndsAt   time.Time `gorm:"not null"`
	Hours    web.Hours `gorm:"column:hours_x100;not null;default:0"`
	Code     string    `gorm:"size:12;not null;default:''"` // sign-in code shown by the teacher

	TeacherID uint64 `gorm:"not null;default:0;index"` // a teacher of the faculty; 0: free text only

	// The field teaching site the session is booked at, read from the
	// sites' bookings (see withBookedSites); not stored here.
	SiteID        uint64 `gorm:"-"`
	SiteConfirmed bool   `gorm:"-"`
}

// TableName keeps the table name stable.
func (Session) TableName() string { return "class_sessions" }

// Registration is one cadre in one class.
type Registration struct {
	ID          uint64 `gorm:"primaryKey"`
	ClassID     uint64 `gorm:"not null;uniqueIndex:uq_registrations_class_user,priority:1;index:idx_registrations_class_status,priority:1"`
	UserID      uint64 `gorm:"not null;uniqueIndex:uq_registrations_class_user,priority:2;index"`
	OrgID       uint64 `gorm:"not null;index"`         // the cadre's org when registered
	QuotaOrgID  uint64 `gorm:"not null;default:0"`     // the unit quota charged; 0: none
	Seat        bool   `gorm:"not null;default:false"` // holds one of the class's seats
	Status      string `gorm:"size:20;not null;index:idx_registrations_class_status,priority:2"`
	Source      string `gorm:"size:20;not null"` // nomination, self
	NominatedBy uint64 `gorm:"not null;default:0"`
	Flags       string `gorm:"size:200;not null;default:''"` // ",similar,long,leave,"
	Note        string `gorm:"size:500;not null;default:''"` // reason of the last decision
	DecidedBy   uint64 `gorm:"not null;default:0"`
	DecidedAt   *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName keeps the table name stable.
func (Registration) TableName() string { return "registrations" }

// Attendance is one trainee signed in to one session.
type Attendance struct {
	SessionID uint64    `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64    `gorm:"primaryKey;autoIncrement:false"`
	ClassID   uint64    `gorm:"not null;index"`
	Method    string    `gorm:"size:20;not null"` // code, host
	SignedAt  time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Attendance) TableName() string { return "class_attendance" }

// Leave is a trainee's request to miss part of a class.
type Leave struct {
	ID        uint64    `gorm:"primaryKey"`
	ClassID   uint64    `gorm:"not null;index"`
	UserID    uint64    `gorm:"not null;index"`
	Sessions  string    `gorm:"size:500;not null;default:''"` // ",4,5,"
	Hours     web.Hours `gorm:"column:hours_x100;not null"`
	Reason    string    `gorm:"size:500;not null"`
	Status    string    `gorm:"size:20;not null"` // pending, approved, rejected
	DecidedBy uint64    `gorm:"not null;default:0"`
	DecidedAt *time.Time
	CreatedAt time.Time
}

// TableName keeps the table name stable.
func (Leave) TableName() string { return "class_leaves" }

// File is a document the host attaches to a class (plan, sign-in sheets, timetable).
type File struct {
	ID         uint64 `gorm:"primaryKey"`
	ClassID    uint64 `gorm:"not null;index"`
	Kind       string `gorm:"size:20;not null"`
	Name       string `gorm:"size:255;not null"`
	ObjectKey  string `gorm:"size:255;not null"`
	Size       int64  `gorm:"not null"`
	UploadedBy uint64 `gorm:"not null"`
	CreatedAt  time.Time
}

// TableName keeps the table name stable.
func (File) TableName() string { return "class_files" }

// Certificate is a graduation certificate (结业证书).
type Certificate struct {
	Serial     string    `gorm:"primaryKey;size:40"`
	ClassID    uint64    `gorm:"not null;uniqueIndex:uq_certificates_class_user,priority:1"`
	UserID     uint64    `gorm:"not null;uniqueIndex:uq_certificates_class_user,priority:2;index"`
	Name       string    `gorm:"size:64;not null"`
	ClassTitle string    `gorm:"size:200;not null"`
	HostName   string    `gorm:"size:100;not null;default:''"`
	Hours      web.Hours `gorm:"column:hours_x100;not null"`
	IssuedOn   string    `gorm:"size:10;not null"`
	CreatedAt  time.Time
}

// TableName keeps the table name stable.
func (Certificate) TableName() string { return "certificates" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0009_training",
		Up: func(tx *gorm.DB) error {
			type trainingClass struct {
				ID             uint64    `gorm:"primaryKey"`
				HostOrgID      uint64    `gorm:"not null;index:idx_training_classes_host"`
				Title          string    `gorm:"size:200;not null"`
				Kind           string    `gorm:"size:20;not null"`
				Entrusted      string    `gorm:"size:200;not null;default:''"`
				StartsOn       string    `gorm:"size:10;not null;index:idx_training_classes_starts"`
				EndsOn         string    `gorm:"size:10;not null"`
				Place          string    `gorm:"size:200;not null;default:''"`
				Online         bool      `gorm:"not null;default:false"`
				Quota          int       `gorm:"not null"`
				Enrolled       int       `gorm:"not null;default:0"`
				HoursX100      int64     `gorm:"column:hours_x100;not null;default:0"`
				SelfRegister   bool      `gorm:"column:self_registration;not null;default:false"`
				AutoApprove    bool      `gorm:"not null;default:false"`
				Waitlist       bool      `gorm:"not null"` // no default tag: GORM would not insert false
				Levels         string    `gorm:"size:255;not null;default:''"`
				AudienceOrgs   string    `gorm:"size:1000;not null;default:''"`
				RegOpensAt     time.Time `gorm:"column:registration_opens_at"`
				RegClosesAt    time.Time `gorm:"column:registration_closes_at"`
				FollowUp       bool      `gorm:"not null;default:false"`
				Contact        string    `gorm:"size:100;not null;default:''"`
				ContactPhone   string    `gorm:"size:50;not null;default:''"`
				Description    string    `gorm:"type:text"`
				MinAttendance  int       `gorm:"not null;default:0"`
				RequireCourses bool      `gorm:"not null;default:false"`
				ExamID         uint64    `gorm:"not null;default:0"`
				RequireEval    bool      `gorm:"not null;default:false"`
				Status         string    `gorm:"size:30;not null;index:idx_training_classes_status"`
				RejectReason   string    `gorm:"size:500;not null;default:''"`
				SubmittedAt    *time.Time
				ApprovedAt     *time.Time
				ApprovedBy     uint64 `gorm:"not null;default:0"`
				GraduatedAt    *time.Time
				CreatedBy      uint64 `gorm:"not null;default:0"`
				CreatedAt      time.Time
				UpdatedAt      time.Time
			}
			type classQuota struct {
				ClassID uint64 `gorm:"primaryKey;autoIncrement:false"`
				OrgID   uint64 `gorm:"primaryKey;autoIncrement:false"`
				Quota   int    `gorm:"not null"`
				Used    int    `gorm:"not null;default:0"`
			}
			type classCourse struct {
				ClassID   uint64 `gorm:"primaryKey;autoIncrement:false"`
				CourseID  uint64 `gorm:"primaryKey;autoIncrement:false"`
				Required  bool   `gorm:"not null;default:true"`
				HoursX100 int64  `gorm:"column:hours_x100;not null;default:0"`
				Sort      int    `gorm:"not null;default:0"`
			}
			type classSession struct {
				ID        uint64    `gorm:"primaryKey"`
				ClassID   uint64    `gorm:"not null;index:idx_class_sessions_class"`
				Topic     string    `gorm:"size:200;not null"`
				Teacher   string    `gorm:"size:100;not null;default:''"`
				Place     string    `gorm:"size:200;not null;default:''"`
				Site      string    `gorm:"size:200;not null;default:''"`
				StartsAt  time.Time `gorm:"not null"`
				EndsAt    time.Time `gorm:"not null"`
				HoursX100 int64     `gorm:"column:hours_x100;not null;default:0"`
				Code      string    `gorm:"size:12;not null;default:''"`
			}
			type registration struct {
				ID          uint64 `gorm:"primaryKey"`
				ClassID     uint64 `gorm:"not null;uniqueIndex:uq_registrations_class_user,priority:1;index:idx_registrations_class_status,priority:1"`
				UserID      uint64 `gorm:"not null;uniqueIndex:uq_registrations_class_user,priority:2;index:idx_registrations_user"`
				OrgID       uint64 `gorm:"not null;index:idx_registrations_org"`
				QuotaOrgID  uint64 `gorm:"not null;default:0"`
				Seat        bool   `gorm:"not null;default:false"`
				Status      string `gorm:"size:20;not null;index:idx_registrations_class_status,priority:2"`
				Source      string `gorm:"size:20;not null"`
				NominatedBy uint64 `gorm:"not null;default:0"`
				Flags       string `gorm:"size:200;not null;default:''"`
				Note        string `gorm:"size:500;not null;default:''"`
				DecidedBy   uint64 `gorm:"not null;default:0"`
				DecidedAt   *time.Time
				CreatedAt   time.Time
				UpdatedAt   time.Time
			}
			type classAttendance struct {
				SessionID uint64    `gorm:"primaryKey;autoIncrement:false"`
				UserID    uint64    `gorm:"primaryKey;autoIncrement:false"`
				ClassID   uint64    `gorm:"not null;index:idx_class_attendance_class"`
				Method    string    `gorm:"size:20;not null"`
				SignedAt  time.Time `gorm:"not null"`
			}
			type classLeave struct {
				ID        uint64 `gorm:"primaryKey"`
				ClassID   uint64 `gorm:"not null;index:idx_class_leaves_class"`
				UserID    uint64 `gorm:"not null;index:idx_class_leaves_user"`
				Sessions  string `gorm:"size:500;not null;default:''"`
				HoursX100 int64  `gorm:"column:hours_x100;not null"`
				Reason    string `gorm:"size:500;not null"`
				Status    string `gorm:"size:20;not null"`
				DecidedBy uint64 `gorm:"not null;default:0"`
				DecidedAt *time.Time
				CreatedAt time.Time
			}
			type classFile struct {
				ID         uint64 `gorm:"primaryKey"`
				ClassID    uint64 `gorm:"not null;index:idx_class_files_class"`
				Kind       string `gorm:"size:20;not null"`
				Name       string `gorm:"size:255;not null"`
				ObjectKey  string `gorm:"size:255;not null"`
				Size       int64  `gorm:"not null"`
				UploadedBy uint64 `gorm:"not null"`
				CreatedAt  time.Time
			}
			type certificate struct {
				Serial     string `gorm:"primaryKey;size:40"`
				ClassID    uint64 `gorm:"not null;uniqueIndex:uq_certificates_class_user,priority:1"`
				UserID     uint64 `gorm:"not null;uniqueIndex:uq_certificates_class_user,priority:2;index:idx_certificates_user"`
				Name       string `gorm:"size:64;not null"`
				ClassTitle string `gorm:"size:200;not null"`
				HostName   string `gorm:"size:100;not null;default:''"`
				HoursX100  int64  `gorm:"column:hours_x100;not null"`
				IssuedOn   string `gorm:"size:10;not null"`
				CreatedAt  time.Time
			}
			tables := []struct {
				name  string
				model any
			}{
				{"training_classes", &trainingClass{}}, {"class_quotas", &classQuota{}}, {"class_courses", &classCourse{}},
				{"class_sessions", &classSession{}}, {"registrations", &registration{}}, {"class_attendance", &classAttendance{}},
				{"class_leaves", &classLeave{}}, {"class_files", &classFile{}}, {"certificates", &certificate{}},
			}
			for _, t := range tables {
				if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
					return err
				}
			}
			return nil
		},
	}, homeIndexes, {
		ID: "0026_training_co_host",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("ALTER TABLE training_classes ADD COLUMN co_host_org_id BIGINT UNSIGNED NOT NULL DEFAULT 0").Error
		},
	}, classBaseMigration, sessionTeacherMigration}
}
