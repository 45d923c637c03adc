// Package audit keeps the audit log: logins, every administrative change and
// role change, exports, listings of people and refusals, with who, when, from
// where and what. Only auditors read it; nothing in the application edits or
// deletes it, and every row is chained to the one before by an HMAC, so that
// an edited, deleted or reordered row shows (college audit verify).
package audit

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Log is one stored audit entry. Seq, MAC and KeyID are empty until the
// sealer has chained the row.
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
	Seq       *uint64   `gorm:"column:seq;uniqueIndex:uq_audit_logs_seq"`
	MAC       string    `gorm:"column:mac;size:64;not null;default:''"`
	KeyID     string    `gorm:"column:key_id;size:16;not null;default:''"`
}

// TableName keeps the table name stable.
func (Log) TableName() string { return "audit_logs" }

// ChainHead is the one row that holds the end of the chain; sealers lock it,
// so that they take turns.
type ChainHead struct {
	ID        uint64 `gorm:"primaryKey;autoIncrement:false"`
	Seq       uint64 `gorm:"not null"`
	MAC       string `gorm:"column:mac;size:64;not null;default:''"`
	UpdatedAt time.Time
}

// TableName keeps the table name stable.
func (ChainHead) TableName() string { return "audit_chain_head" }

// Checkpoint records a retention purge: the last purged row's seq and MAC,
// from which verification continues, sealed with the chain key.
type Checkpoint struct {
	ID       uint64    `gorm:"primaryKey"`
	Seq      uint64    `gorm:"not null;index"`
	MAC      string    `gorm:"column:mac;size:64;not null"`
	Rows     int64     `gorm:"not null"`
	Cutoff   time.Time `gorm:"not null"`
	PurgedAt time.Time `gorm:"not null"`
	KeyID    string    `gorm:"column:key_id;size:16;not null"`
	Seal     string    `gorm:"size:64;not null"`
}

// TableName keeps the table name stable.
func (Checkpoint) TableName() string { return "audit_checkpoints" }

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
	}, {
		ID: "0014_audit_chain",
		Up: func(tx *gorm.DB) error {
			type auditLog struct {
				ID    uint64    `gorm:"primaryKey;index:idx_audit_logs_unsealed,priority:3"`
				At    time.Time `gorm:"not null;index:idx_audit_logs_unsealed,priority:2"`
				Seq   *uint64   `gorm:"column:seq;uniqueIndex:uq_audit_logs_seq;index:idx_audit_logs_unsealed,priority:1"`
				MAC   string    `gorm:"column:mac;size:64;not null;default:''"`
				KeyID string    `gorm:"column:key_id;size:16;not null;default:''"`
			}
			type chainHead struct {
				ID        uint64 `gorm:"primaryKey;autoIncrement:false"`
				Seq       uint64 `gorm:"not null"`
				MAC       string `gorm:"column:mac;size:64;not null;default:''"`
				UpdatedAt time.Time
			}
			type checkpoint struct {
				ID       uint64    `gorm:"primaryKey"`
				Seq      uint64    `gorm:"not null;index:idx_audit_checkpoints_seq"`
				MAC      string    `gorm:"column:mac;size:64;not null"`
				Rows     int64     `gorm:"not null"`
				Cutoff   time.Time `gorm:"not null"`
				PurgedAt time.Time `gorm:"not null"`
				KeyID    string    `gorm:"column:key_id;size:16;not null"`
				Seal     string    `gorm:"size:64;not null"`
			}
			m := tx.Table("audit_logs").Migrator()
			for _, col := range []string{"Seq", "MAC", "KeyID"} {
				if err := m.AddColumn(&auditLog{}, col); err != nil {
					return err
				}
			}
			for _, idx := range []string{"uq_audit_logs_seq", "idx_audit_logs_unsealed"} {
				if err := m.CreateIndex(&auditLog{}, idx); err != nil {
					return err
				}
			}
			if err := tx.Table("audit_chain_head").Migrator().CreateTable(&chainHead{}); err != nil {
				return err
			}
			if err := tx.Table("audit_chain_head").Create(&chainHead{ID: 1, UpdatedAt: time.Now().UTC()}).Error; err != nil {
				return err
			}
			return tx.Table("audit_checkpoints").Migrator().CreateTable(&checkpoint{})
		},
	}}
}
