// Package identity knows the college's people: the organization tree, users
// and their roles, passwords, sessions and login, and the import of users
// from Excel.
package identity

import (
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Org kinds.
const (
	KindDepartment = "department" // 组织部门
	KindCollege    = "college"    // 学院 (总部或分院)
	KindUnit       = "unit"       // 单位
)

// KindNames are the Chinese names of org kinds.
var KindNames = map[string]string{KindDepartment: "组织部门", KindCollege: "学院", KindUnit: "单位"}

// Org is a node of the organization tree. Path is the chain of ids from the
// root ("/1/4/9/"), so a subtree is a prefix match.
type Org struct {
	ID        uint64  `gorm:"primaryKey"`
	ParentID  *uint64 `gorm:"index"`
	Name      string  `gorm:"size:100;not null"`
	Code      string  `gorm:"size:50;not null;uniqueIndex"`
	Kind      string  `gorm:"size:20;not null"`
	Path      string  `gorm:"size:255;not null;index"`
	Sort      int     `gorm:"not null;default:0"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// User is a person with an account. ID number and phone are stored sealed
// (AES-GCM) with a keyed hash beside them for look-ups.
type User struct {
	ID                 uint64  `gorm:"primaryKey"`
	Username           string  `gorm:"size:64;not null;uniqueIndex"`
	Name               string  `gorm:"size:64;not null"`
	PasswordHash       string  `gorm:"size:255;not null"`
	OrgID              uint64  `gorm:"not null;index"`
	Level              string  `gorm:"size:32;not null;default:''"`
	Post               string  `gorm:"size:100;not null;default:''"`
	IDNumberSealed     string  `gorm:"size:255;not null;default:''"`
	IDNumberHash       *string `gorm:"size:64;uniqueIndex"`
	PhoneSealed        string  `gorm:"size:255;not null;default:''"`
	PhoneHash          *string `gorm:"size:64;index"`
	TermEndsOn         *time.Time
	AppointedOn        string `gorm:"size:10;not null;default:''"` // YYYY-MM-DD: appointed to the current post (任现职时间); empty: unknown
	Disabled           bool   `gorm:"not null;default:false"`
	MustChangePassword bool   `gorm:"not null;default:false"`
	PasswordChangedAt  time.Time
	LastLoginAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Roles              []UserRole `gorm:"foreignKey:UserID"`
}

// UserRole grants one role to one user.
type UserRole struct {
	UserID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Role   string `gorm:"primaryKey;size:32"`
}

// RoleList returns the role names in the canonical order of web.AllRoles.
func (u *User) RoleList() []string {
	out := make([]string, 0, len(u.Roles))
	for _, r := range web.AllRoles {
		for _, ur := range u.Roles {
			if ur.Role == r {
				out = append(out, r)
			}
		}
	}
	return out
}

// Levels of cadres (职级), in display order.
var Levels = []string{"省部级", "厅局级", "县处级", "乡科级", "科员及以下", "其他"}

// Migrations of this module. The structs are frozen copies: later changes
// to the models above need a new migration.
func Migrations() []db.Migration {
	return append([]db.Migration{{
		ID: "0001_identity",
		Up: func(tx *gorm.DB) error {
			type org struct {
				ID        uint64  `gorm:"primaryKey"`
				ParentID  *uint64 `gorm:"index:idx_orgs_parent"`
				Name      string  `gorm:"size:100;not null"`
				Code      string  `gorm:"size:50;not null;uniqueIndex:uq_orgs_code"`
				Kind      string  `gorm:"size:20;not null"`
				Path      string  `gorm:"size:255;not null;index:idx_orgs_path"`
				Sort      int     `gorm:"not null;default:0"`
				CreatedAt time.Time
				UpdatedAt time.Time
			}
			type user struct {
				ID                 uint64  `gorm:"primaryKey"`
				Username           string  `gorm:"size:64;not null;uniqueIndex:uq_users_username"`
				Name               string  `gorm:"size:64;not null"`
				PasswordHash       string  `gorm:"size:255;not null"`
				OrgID              uint64  `gorm:"not null;index:idx_users_org"`
				Level              string  `gorm:"size:32;not null;default:''"`
				Post               string  `gorm:"size:100;not null;default:''"`
				IDNumberSealed     string  `gorm:"size:255;not null;default:''"`
				IDNumberHash       *string `gorm:"size:64;uniqueIndex:uq_users_id_number"`
				PhoneSealed        string  `gorm:"size:255;not null;default:''"`
				PhoneHash          *string `gorm:"size:64;index:idx_users_phone"`
				TermEndsOn         *time.Time
				Disabled           bool `gorm:"not null;default:false"`
				MustChangePassword bool `gorm:"not null;default:false"`
				PasswordChangedAt  time.Time
				LastLoginAt        *time.Time
				CreatedAt          time.Time
				UpdatedAt          time.Time
			}
			type userRole struct {
				UserID uint64 `gorm:"primaryKey;autoIncrement:false"`
				Role   string `gorm:"primaryKey;size:32;index:idx_user_roles_role"`
			}
			m := tx.Migrator()
			if err := tx.Table("orgs").Migrator().CreateTable(&org{}); err != nil {
				return err
			}
			if err := tx.Table("users").Migrator().CreateTable(&user{}); err != nil {
				return err
			}
			_ = m
			return tx.Table("user_roles").Migrator().CreateTable(&userRole{})
		},
	}}, append(append(securityMigrations(), sessionMigrations()...), targetMigrations()...)...)
}
