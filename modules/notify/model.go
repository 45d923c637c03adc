// Package notify keeps the in-app notifications (站内消息): other modules
// send short messages to users, who read them on 消息通知 or through the API.
package notify

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Notification is one message to one user.
type Notification struct {
	ID        uint64     `gorm:"primaryKey;index:idx_notifications_user,priority:2"`
	UserID    uint64     `gorm:"not null;index:idx_notifications_user,priority:1"`
	Title     string     `gorm:"size:200;not null"`
	Body      string     `gorm:"type:text;not null"`
	Link      string     `gorm:"size:500;not null;default:''"` // a path on this site, or empty
	ReadAt    *time.Time // nil: unread
	CreatedAt time.Time  `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Notification) TableName() string { return "notifications" }

// Migrations of this module. The struct is a frozen copy: later changes to
// Notification need a new migration.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0008_notify",
		Up: func(tx *gorm.DB) error {
			type notification struct {
				ID        uint64 `gorm:"primaryKey;index:idx_notifications_user,priority:2"`
				UserID    uint64 `gorm:"not null;index:idx_notifications_user,priority:1"`
				Title     string `gorm:"size:200;not null"`
				Body      string `gorm:"type:text;not null"`
				Link      string `gorm:"size:500;not null;default:''"`
				ReadAt    *time.Time
				CreatedAt time.Time `gorm:"not null"`
			}
			return tx.Table("notifications").Migrator().CreateTable(&notification{})
		},
	}, {
		// The unread badge on every page counts a user's unread
		// notifications from the index alone.
		ID: "0026_notify_unread_index",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX idx_notifications_unread ON notifications (user_id, read_at)").Error
		},
	}}
}
