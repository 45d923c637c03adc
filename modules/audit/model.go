// Package audit keeps the audit log: logins, every administrative change and
// role change, with who, when, from where and what. Only auditors read it.
package audit

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Log is one stored audit entry.
type Log struct {
	ID        uint64    `gorm:"primaryKey"`
	At        time.Time `gorm:"not null;index"`
	ActorID   uint64    `gorm:"not null;default:0;index"`
	ActorName string    `gorm:"size:64;not null;default:''"`
	IP        string    `gorm:"size:64;not null;default:''"`
	Action    string    `gorm:"size:64;not null;index"`
	Target    string    `gorm:"size:64;not null;default:''"`
	TargetID  uint64    `gorm:"not null;default:0"`
	Detail    string    `gorm:"type:text"`
	Success   bool      `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Log) TableName() string { return "audit_logs" }

// Migrations of this module.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0003_audit",
		Up: func(tx *gorm.DB) error {
			type auditLog struct {
				ID        uint64    `gorm:"primaryKey"`
				At        time.Time `gorm:"not null;index:idx_audit_logs_at"`
				ActorID   uint64    `gorm:"not null;default:0;index:idx_audit_logs_actor"`
				ActorName string    `gorm:"size:64;not null;default:''"`
				IP        string    `gorm:"size:64;not null;default:''"`
				Action    string    `gorm:"size:64;not null;index:idx_audit_logs_action"`
				Target    string    `gorm:"size:64;not null;default:''"`
				TargetID  uint64    `gorm:"not null;default:0"`
				Detail    string    `gorm:"type:text"`
				Success   bool      `gorm:"not null"`
			}
			return tx.Table("audit_logs").Migrator().CreateTable(&auditLog{})
		},
	}}
}
