package sites

import (
	"time"

	"college/storage/db"

	"gorm.io/gorm"
)

// States of a field teaching site.
const (
	StatusProposed  = "proposed"  // 申报
	StatusReviewed  = "reviewed"  // 已论证
	StatusApproved  = "approved"  // 已审批
	StatusInUse     = "in_use"    // 使用中
	StatusSuspended = "suspended" // 暂停使用
	StatusWithdrawn = "withdrawn" // 撤销
)

// StatusNames are the Chinese names shown in the UI.
var StatusNames = map[string]string{
	StatusProposed: "申报", StatusReviewed: "已论证", StatusApproved: "已审批",
	StatusInUse: "使用中", StatusSuspended: "暂停使用", StatusWithdrawn: "已撤销",
}

// States of a booking.
const (
	BookingPending   = "pending"   // 待确认
	BookingConfirmed = "confirmed" // 已确认
	BookingDeclined  = "declined"  // 已婉拒
)

// BookingNames are the Chinese names of booking states.
var BookingNames = map[string]string{BookingPending: "待确认", BookingConfirmed: "已确认", BookingDeclined: "已婉拒"}

// DefaultCategories are the categories a new college starts with.
var DefaultCategories = []string{"党的建设", "创新驱动发展", "开放合作", "绿色发展", "保障和改善民生"}

// Category is one entry of the editable list of site categories.
type Category struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:50;not null;uniqueIndex"`
	Sort      int    `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// TableName keeps the table name stable.
func (Category) TableName() string { return "site_categories" }

// Site is a field teaching site (现场教学点) of a district or unit.
type Site struct {
	ID            uint64 `gorm:"primaryKey"`
	Name          string `gorm:"size:200;not null"`
	Category      string `gorm:"size:50;not null"`
	OrgID         uint64 `gorm:"not null"`
	OrgPath       string `gorm:"size:255;not null"` // the org's path, for scope
	Address       string `gorm:"size:300;not null"`
	Lat, Lng      *float64
	Capacity      int    `gorm:"not null"`
	HostName      string `gorm:"size:100;not null;default:''"`
	HostPhone     string `gorm:"size:40;not null;default:''"`
	Intro         string `gorm:"type:text;not null"`
	Facilities    string `gorm:"type:text;not null"`
	OpenDays      string `gorm:"size:7;not null;default:'12345'"` // ISO weekdays open, 1 = Monday
	OpensAt       string `gorm:"size:5;not null;default:'09:00'"` // HH:MM Beijing time
	ClosesAt      string `gorm:"size:5;not null;default:'17:00'"`
	Status        string `gorm:"size:20;not null"`
	StatusReason  string `gorm:"size:500;not null;default:''"` // the reason of the last step
	ReviewOpinion string `gorm:"type:text;not null"`
	ProposedBy    uint64 `gorm:"not null;default:0"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Booking is a class's visit to a site in one time slot of one day.
type Booking struct {
	ID        uint64 `gorm:"primaryKey"`
	SiteID    uint64 `gorm:"not null"`
	Date      string `gorm:"size:10;not null"` // YYYY-MM-DD, Beijing
	StartsAt  string `gorm:"size:5;not null"`  // HH:MM
	EndsAt    string `gorm:"size:5;not null"`
	GroupSize int    `gorm:"not null"`
	SessionID uint64 `gorm:"not null;default:0"` // the timetable session, if booked for one
	Purpose   string `gorm:"size:200;not null;default:''"`
	Status    string `gorm:"size:20;not null"`
	Reason    string `gorm:"size:500;not null;default:''"`
	BookedBy  uint64 `gorm:"not null"`
	OrgID     uint64 `gorm:"not null;default:0"` // the booker's org
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name stable.
func (Booking) TableName() string { return "site_bookings" }

// Day is the lock row of one site on one date: every booking of that day
// updates it first, so bookings of a day are decided one at a time, and it
// counts the day's active bookings and people.
type Day struct {
	SiteID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Date     string `gorm:"primaryKey;size:10"`
	Bookings int    `gorm:"not null;default:0"`
	People   int    `gorm:"not null;default:0"`
}

// TableName keeps the table name stable.
func (Day) TableName() string { return "site_days" }

// Route is a themed teaching route (教学线路): sites visited in order.
type Route struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	Theme     string `gorm:"size:200;not null;default:''"`
	OrgPath   string `gorm:"size:255;not null"` // the author's org path, for scope
	Minutes   int    `gorm:"not null"`          // total: stays and travel
	CreatedBy uint64 `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// TableName keeps the table name stable.
func (Route) TableName() string { return "site_routes" }

// Stop is one site of a route, with the stay there and the travel from the
// stop before.
type Stop struct {
	RouteID       uint64 `gorm:"primaryKey;autoIncrement:false"`
	Seq           int    `gorm:"primaryKey;autoIncrement:false"`
	SiteID        uint64 `gorm:"not null"`
	StayMinutes   int    `gorm:"not null"`
	TravelMinutes int    `gorm:"not null;default:0"`
}

// TableName keeps the table name stable.
func (Stop) TableName() string { return "site_route_stops" }

// Migrations of this module, with frozen copies of the models.
func Migrations() []db.Migration {
	return []db.Migration{{
		ID: "0028_sites",
		Up: func(tx *gorm.DB) error {
			type siteCategory struct {
				ID        uint64 `gorm:"primaryKey"`
				Name      string `gorm:"size:50;not null;uniqueIndex:uq_site_categories_name"`
				Sort      int    `gorm:"not null;default:0"`
				CreatedAt time.Time
			}
			type site struct {
				ID            uint64 `gorm:"primaryKey"`
				Name          string `gorm:"size:200;not null"`
				Category      string `gorm:"size:50;not null;index:idx_sites_category"`
				OrgID         uint64 `gorm:"not null;index:idx_sites_org"`
				OrgPath       string `gorm:"size:255;not null;index:idx_sites_path"`
				Address       string `gorm:"size:300;not null"`
				Lat, Lng      *float64
				Capacity      int    `gorm:"not null"`
				HostName      string `gorm:"size:100;not null;default:''"`
				HostPhone     string `gorm:"size:40;not null;default:''"`
				Intro         string `gorm:"type:text;not null"`
				Facilities    string `gorm:"type:text;not null"`
				OpenDays      string `gorm:"size:7;not null;default:'12345'"`
				OpensAt       string `gorm:"size:5;not null;default:'09:00'"`
				ClosesAt      string `gorm:"size:5;not null;default:'17:00'"`
				Status        string `gorm:"size:20;not null;index:idx_sites_status"`
				StatusReason  string `gorm:"size:500;not null;default:''"`
				ReviewOpinion string `gorm:"type:text;not null"`
				ProposedBy    uint64 `gorm:"not null;default:0"`
				CreatedAt     time.Time
				UpdatedAt     time.Time
			}
			type siteBooking struct {
				ID        uint64 `gorm:"primaryKey"`
				SiteID    uint64 `gorm:"not null;index:idx_site_bookings_day,priority:1"`
				Date      string `gorm:"size:10;not null;index:idx_site_bookings_day,priority:2"`
				StartsAt  string `gorm:"size:5;not null"`
				EndsAt    string `gorm:"size:5;not null"`
				GroupSize int    `gorm:"not null"`
				SessionID uint64 `gorm:"not null;default:0"`
				Purpose   string `gorm:"size:200;not null;default:''"`
				Status    string `gorm:"size:20;not null"`
				Reason    string `gorm:"size:500;not null;default:''"`
				BookedBy  uint64 `gorm:"not null"`
				OrgID     uint64 `gorm:"not null;default:0"`
				CreatedAt time.Time
				UpdatedAt time.Time
			}
			type siteDay struct {
				SiteID   uint64 `gorm:"primaryKey;autoIncrement:false"`
				Date     string `gorm:"primaryKey;size:10"`
				Bookings int    `gorm:"not null;default:0"`
				People   int    `gorm:"not null;default:0"`
			}
			type siteRoute struct {
				ID        uint64 `gorm:"primaryKey"`
				Name      string `gorm:"size:200;not null"`
				Theme     string `gorm:"size:200;not null;default:''"`
				OrgPath   string `gorm:"size:255;not null;index:idx_site_routes_path"`
				Minutes   int    `gorm:"not null"`
				CreatedBy uint64 `gorm:"not null;default:0"`
				CreatedAt time.Time
			}
			type siteRouteStop struct {
				RouteID       uint64 `gorm:"primaryKey;autoIncrement:false"`
				Seq           int    `gorm:"primaryKey;autoIncrement:false"`
				SiteID        uint64 `gorm:"not null;index:idx_site_route_stops_site"`
				StayMinutes   int    `gorm:"not null"`
				TravelMinutes int    `gorm:"not null;default:0"`
			}
			for table, m := range map[string]any{"site_categories": &siteCategory{}, "sites": &site{}, "site_bookings": &siteBooking{}, "site_days": &siteDay{},
				"site_routes": &siteRoute{}, "site_route_stops": &siteRouteStop{}} {
				if err := tx.Table(table).Migrator().CreateTable(m); err != nil {
					return err
				}
			}
			for i, name := range DefaultCategories {
				if err := tx.Table("site_categories").Create(map[string]any{"name": name, "sort": i + 1, "created_at": time.Now().UTC()}).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}, bookingSessionIndex, sitePhotosMigration, {ID: "0032_sites_inspections", Up: migrateInspections}, {ID: "0032_sites_courses", Up: migrateCourses}}
}
