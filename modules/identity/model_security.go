package identity

import (
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// UserMFA is a user's second factor: a TOTP secret, sealed like personal
// data. PendingSealed holds a secret being enrolled until its first code is
// confirmed.
type UserMFA struct {
	UserID        uint64 `gorm:"primaryKey;autoIncrement:false"`
	SecretSealed  string `gorm:"size:255;not null;default:''"`
	PendingSealed string `gorm:"size:255;not null;default:''"`
	EnabledAt     *time.Time
	UpdatedAt     time.Time
}

// TableName keeps the table name stable.
func (UserMFA) TableName() string { return "user_mfa" }

// RecoveryCode is one single-use recovery code, stored as a SHA-256 hash.
type RecoveryCode struct {
	ID       uint64 `gorm:"primaryKey"`
	UserID   uint64 `gorm:"not null;index"`
	CodeHash string `gorm:"size:64;not null;uniqueIndex"`
	UsedAt   *time.Time
}

// TableName keeps the table name stable.
func (RecoveryCode) TableName() string { return "user_recovery_codes" }

// PasswordHistory keeps the hashes of a user's earlier passwords.
type PasswordHistory struct {
	ID        uint64    `gorm:"primaryKey"`
	UserID    uint64    `gorm:"not null;index:idx_password_history_user"`
	Hash      string    `gorm:"size:255;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (PasswordHistory) TableName() string { return "password_history" }

// securityMigrations add the second factor, the password history, and make
// the three system administrator roles exclusive on existing accounts.
func securityMigrations() []db.Migration {
	return []db.Migration{{
		ID: "0013_identity_mfa",
		Up: func(tx *gorm.DB) error {
			type userMFA struct {
				UserID        uint64 `gorm:"primaryKey;autoIncrement:false"`
				SecretSealed  string `gorm:"size:255;not null;default:''"`
				PendingSealed string `gorm:"size:255;not null;default:''"`
				EnabledAt     *time.Time
				UpdatedAt     time.Time
			}
			type recoveryCode struct {
				ID       uint64 `gorm:"primaryKey"`
				UserID   uint64 `gorm:"not null;index:idx_recovery_codes_user"`
				CodeHash string `gorm:"size:64;not null;uniqueIndex:uq_recovery_codes_hash"`
				UsedAt   *time.Time
			}
			type passwordHistory struct {
				ID        uint64    `gorm:"primaryKey"`
				UserID    uint64    `gorm:"not null;index:idx_password_history_user"`
				Hash      string    `gorm:"size:255;not null"`
				CreatedAt time.Time `gorm:"not null"`
			}
			if err := tx.Table("user_mfa").Migrator().CreateTable(&userMFA{}); err != nil {
				return err
			}
			if err := tx.Table("user_recovery_codes").Migrator().CreateTable(&recoveryCode{}); err != nil {
				return err
			}
			if err := tx.Table("password_history").Migrator().CreateTable(&passwordHistory{}); err != nil {
				return err
			}
			return exclusiveSystemRoles(tx)
		},
	}}
}

// exclusiveSystemRoles (三员分立) leaves an account that holds a system
// administrator role with that role only (the first of sysadmin, secadmin,
// auditor). The first start's old "admin" (sysadmin + org_admin) loses
// org_admin: the security administrator grants it to a named account.
func exclusiveSystemRoles(tx *gorm.DB) error {
	for _, role := range []string{web.RoleSysAdmin, web.RoleSecAdmin, web.RoleAuditor} {
		// The derived table lets MySQL delete from the table it reads.
		if err := tx.Exec("DELETE FROM user_roles WHERE role <> ? AND user_id IN (SELECT user_id FROM (SELECT user_id FROM user_roles WHERE role = ?) AS holders)", role, role).Error; err != nil {
			return err
		}
	}
	return nil
}
