// Package settings keeps the rule values that DOMAIN.md calls settings:
// defaults in code, overrides in the database, editable by the system
// administrator, cached in every instance and dropped everywhere on change.
package settings

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Setting is one stored override.
type Setting struct {
	Key       string    `gorm:"column:setting_key;primaryKey;size:100"`
	Value     string    `gorm:"size:500;not null"`
	UpdatedAt time.Time `gorm:"not null"`
	UpdatedBy uint64    `gorm:"not null;default:0"`
}

// Migrations of this module.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0002_settings",
		Up: func(tx *gorm.DB) error {
			type setting struct {
				Key       string    `gorm:"column:setting_key;primaryKey;size:100"`
				Value     string    `gorm:"size:500;not null"`
				UpdatedAt time.Time `gorm:"not null"`
				UpdatedBy uint64    `gorm:"not null;default:0"`
			}
			return tx.Table("settings").Migrator().CreateTable(&setting{})
		},
	}}
}
