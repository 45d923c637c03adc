// Package throughtrain keeps the graduates' through-train (直通车): after a
// class, its graduates bring practical questions or ask for help with a
// piece of work; the host college answers, through a teacher it assigns.
package throughtrain

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Statuses of a thread: open → answered (the college side has written) →
// closed (the graduate closes it with a satisfaction mark).
const (
	StatusOpen     = "open"
	StatusAnswered = "answered"
	StatusClosed   = "closed"
)

// StatusNames are the Chinese names shown in the UI.
var StatusNames = map[string]string{StatusOpen: "待答复", StatusAnswered: "已答复", StatusClosed: "已办结"}

// Sides of a conversation.
const (
	SideGraduate = "graduate" // the graduate, or a unit admin on their behalf
	SideCollege  = "college"  // the assigned teacher or the host college's admins
)

// Thread is one question or request of a graduate of a class.
type Thread struct {
	ID              uint64 `gorm:"primaryKey"`
	ClassID         uint64 `gorm:"not null;index:idx_tt_threads_class_graduate,priority:1"`
	ClassTitle      string `gorm:"size:200;not null"`
	HostOrgID       uint64 `gorm:"not null"`
	HostOrgPath     string `gorm:"size:255;not null;index:idx_tt_threads_host"`
	GraduateID      uint64 `gorm:"not null;index:idx_tt_threads_graduate,priority:1;index:idx_tt_threads_class_graduate,priority:2"`
	GraduateName    string `gorm:"size:64;not null"`
	GraduateOrgID   uint64 `gorm:"not null"`
	GraduateOrgPath string `gorm:"size:255;not null;index:idx_tt_threads_graduate_org"` // the graduate's org when raised: whose unit admins see it
	RaisedBy        uint64 `gorm:"not null"`
	Subject         string `gorm:"size:200;not null"`
	Status          string `gorm:"size:20;not null;index:idx_tt_threads_status,priority:1"`
	TeacherID       uint64 `gorm:"not null;default:0"` // the faculty's teacher assigned; 0: none
	TeacherName     string `gorm:"size:100;not null;default:''"`
	AssigneeID      uint64 `gorm:"not null;default:0;index:idx_tt_threads_assignee"` // the teacher's linked account
	Satisfaction    int    `gorm:"not null;default:0"`                               // 1–5 once closed
	CloseNote       string `gorm:"size:500;not null;default:''"`
	GoodCase        bool   `gorm:"not null;default:false"` // 优秀案例, marked by the college
	CaseNote        string `gorm:"size:500;not null;default:''"`
	CaseCourseID    uint64 `gorm:"not null;default:0"` // the draft course the good case became; 0: none
	ClosedAt        *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time `gorm:"index:idx_tt_threads_graduate,priority:2;index:idx_tt_threads_status,priority:2"`
}

// TableName names the threads' table.
func (Thread) TableName() string { return "through_train_threads" }

// Message is one message of a thread.
type Message struct {
	ID         uint64 `gorm:"primaryKey"`
	ThreadID   uint64 `gorm:"not null;index:idx_tt_messages_thread"`
	AuthorID   uint64 `gorm:"not null"`
	AuthorName string `gorm:"size:64;not null"`
	Side       string `gorm:"size:20;not null"`
	Body       string `gorm:"type:text;not null"`
	CreatedAt  time.Time
}

// TableName names the messages' table.
func (Message) TableName() string { return "through_train_messages" }

// Attachment is a file added to a thread, kept in the object store.
type Attachment struct {
	ID          uint64 `gorm:"primaryKey"`
	ThreadID    uint64 `gorm:"not null;index:idx_tt_attachments_thread"`
	Name        string `gorm:"size:200;not null"`
	ObjectKey   string `gorm:"size:255;not null"`
	ContentType string `gorm:"size:100;not null"`
	Size        int64  `gorm:"not null"`
	UploadedBy  uint64 `gorm:"not null"`
	Side        string `gorm:"size:20;not null"`
	CreatedAt   time.Time
}

// TableName names the attachments' table.
func (Attachment) TableName() string { return "through_train_attachments" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0038_throughtrain_threads",
		Up: func(tx *gorm.DB) error {
			type thread struct {
				ID              uint64 `gorm:"primaryKey"`
				ClassID         uint64 `gorm:"not null;index:idx_tt_threads_class_graduate,priority:1"`
				ClassTitle      string `gorm:"size:200;not null"`
				HostOrgID       uint64 `gorm:"not null"`
				HostOrgPath     string `gorm:"size:255;not null;index:idx_tt_threads_host"`
				GraduateID      uint64 `gorm:"not null;index:idx_tt_threads_graduate,priority:1;index:idx_tt_threads_class_graduate,priority:2"`
				GraduateName    string `gorm:"size:64;not null"`
				GraduateOrgID   uint64 `gorm:"not null"`
				GraduateOrgPath string `gorm:"size:255;not null;index:idx_tt_threads_graduate_org"`
				RaisedBy        uint64 `gorm:"not null"`
				Subject         string `gorm:"size:200;not null"`
				Status          string `gorm:"size:20;not null;index:idx_tt_threads_status,priority:1"`
				TeacherID       uint64 `gorm:"not null;default:0"`
				TeacherName     string `gorm:"size:100;not null;default:''"`
				AssigneeID      uint64 `gorm:"not null;default:0;index:idx_tt_threads_assignee"`
				Satisfaction    int    `gorm:"not null;default:0"`
				CloseNote       string `gorm:"size:500;not null;default:''"`
				GoodCase        bool   `gorm:"not null;default:false"`
				CaseNote        string `gorm:"size:500;not null;default:''"`
				CaseCourseID    uint64 `gorm:"not null;default:0"`
				ClosedAt        *time.Time
				CreatedAt       time.Time
				UpdatedAt       time.Time `gorm:"index:idx_tt_threads_graduate,priority:2;index:idx_tt_threads_status,priority:2"`
			}
			type message struct {
				ID         uint64 `gorm:"primaryKey"`
				ThreadID   uint64 `gorm:"not null;index:idx_tt_messages_thread"`
				AuthorID   uint64 `gorm:"not null"`
				AuthorName string `gorm:"size:64;not null"`
				Side       string `gorm:"size:20;not null"`
				Body       string `gorm:"type:text;not null"`
				CreatedAt  time.Time
			}
			type attachment struct {
				ID          uint64 `gorm:"primaryKey"`
				ThreadID    uint64 `gorm:"not null;index:idx_tt_attachments_thread"`
				Name        string `gorm:"size:200;not null"`
				ObjectKey   string `gorm:"size:255;not null"`
				ContentType string `gorm:"size:100;not null"`
				Size        int64  `gorm:"not null"`
				UploadedBy  uint64 `gorm:"not null"`
				Side        string `gorm:"size:20;not null"`
				CreatedAt   time.Time
			}
			if err := tx.Table("through_train_threads").Migrator().CreateTable(&thread{}); err != nil {
				return err
			}
			if err := tx.Table("through_train_messages").Migrator().CreateTable(&message{}); err != nil {
				return err
			}
			return tx.Table("through_train_attachments").Migrator().CreateTable(&attachment{})
		},
	}}
}
