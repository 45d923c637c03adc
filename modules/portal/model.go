package portal

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// Kinds of posts.
const (
	KindNotice = "notice" // 通知公告
	KindNews   = "news"   // 新闻动态
)

// Statuses of a post.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// KindNames and StatusNames are the Chinese names shown in the UI.
var (
	KindNames   = map[string]string{KindNotice: "通知公告", KindNews: "新闻动态"}
	StatusNames = map[string]string{StatusDraft: "草稿", StatusPublished: "已发布"}
)

// Notice is a notice (通知公告) or a news item (新闻动态) of an org: its body
// is sanitised HTML. A notice with an audience (an org subtree, cadre
// levels) is shown only to signed-in people inside it.
type Notice struct {
	ID             uint64 `gorm:"primaryKey"`
	Kind           string `gorm:"size:20;not null"`
	OwnerOrgID     uint64 `gorm:"not null;index"` // the author's college or department: who may edit it
	Title          string `gorm:"size:200;not null"`
	Body           string `gorm:"type:text;not null"`
	Pinned         bool   `gorm:"not null;default:false"`
	Status         string `gorm:"size:20;not null"`
	AudienceOrgID  uint64 `gorm:"not null;default:0"`           // 0: no org limit
	AudiencePath   string `gorm:"size:255;not null;default:''"` // the audience org's path
	AudienceLevels string `gorm:"size:255;not null;default:''"` // ",县处级," or empty: every level
	PublishedAt    *time.Time
	ExpiresAt      *time.Time
	CreatedBy      uint64 `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Public reports whether everyone, signed in or not, may read the notice.
func (n *Notice) Public() bool { return n.AudienceOrgID == 0 && n.AudienceLevels == "" }

// CollegeIntro is the introduction of a college (总部 or 分院) on its page.
type CollegeIntro struct {
	OrgID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	Body      string `gorm:"type:text;not null"`
	UpdatedBy uint64 `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0022_portal",
		Up: func(tx *gorm.DB) error {
			type notice struct {
				ID             uint64     `gorm:"primaryKey"`
				Kind           string     `gorm:"size:20;not null;index:idx_notices_listing,priority:2"`
				OwnerOrgID     uint64     `gorm:"not null;index"`
				Title          string     `gorm:"size:200;not null"`
				Body           string     `gorm:"type:text;not null"`
				Pinned         bool       `gorm:"not null;default:false"`
				Status         string     `gorm:"size:20;not null;index:idx_notices_listing,priority:1"`
				AudienceOrgID  uint64     `gorm:"not null;default:0"`
				AudiencePath   string     `gorm:"size:255;not null;default:''"`
				AudienceLevels string     `gorm:"size:255;not null;default:''"`
				PublishedAt    *time.Time `gorm:"index:idx_notices_listing,priority:3"`
				ExpiresAt      *time.Time
				CreatedBy      uint64 `gorm:"not null;default:0"`
				CreatedAt      time.Time
				UpdatedAt      time.Time
			}
			type collegeIntro struct {
				OrgID     uint64 `gorm:"primaryKey;autoIncrement:false"`
				Body      string `gorm:"type:text;not null"`
				UpdatedBy uint64 `gorm:"not null;default:0"`
				UpdatedAt time.Time
			}
			if err := tx.Table("notices").Migrator().CreateTable(&notice{}); err != nil {
				return err
			}
			return tx.Table("college_intros").Migrator().CreateTable(&collegeIntro{})
		},
	}, {
		ID: "0026_portal_title_grams",
		Up: func(tx *gorm.DB) error {
			type noticeTitleGram struct {
				Gram     uint64 `gorm:"primaryKey;autoIncrement:false"`
				NoticeID uint64 `gorm:"primaryKey;autoIncrement:false;index:idx_notice_title_grams_notice"`
			}
			if err := tx.Table("notice_title_grams").AutoMigrate(&noticeTitleGram{}); err != nil {
				return err
			}
			_, err := IndexAllTitles(tx.Statement.Context, tx)
			return err
		},
	}}
}
