package sites

import (
	"context"
	"fmt"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// What a class timetable reads of the sites: the site each of its
// sessions is booked at, and the sites a host may book for a session.

// bookingSessionIndex finds a timetable session's booking.
var bookingSessionIndex = db.Migration{
	ID: "0033_sites_booking_session",
	Up: func(tx *gorm.DB) error {
		return tx.Exec("CREATE INDEX idx_site_bookings_session ON site_bookings (session_id, status)").Error
	},
}

// liveBookings are the states in which a booking holds its slot.
var liveBookings = []string{BookingPending, BookingConfirmed}

// SessionSite is the site a timetable session is booked at.
type SessionSite struct {
	SiteID    uint64
	Name      string
	Confirmed bool
}

// SessionSites maps timetable sessions to the sites they are booked at
// (pending or confirmed); a declined booking leaves its session unbooked.
func (s *Service) SessionSites(ctx context.Context, sessionIDs []uint64) (map[uint64]SessionSite, error) {
	out := map[uint64]SessionSite{}
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SessionID uint64
		SiteID    uint64
		Name      string
		Status    string
	}
	err := s.d.DB.WithContext(ctx).Table("site_bookings").
		Select("site_bookings.session_id, site_bookings.site_id, sites.name, site_bookings.status").
		Joins("JOIN sites ON sites.id = site_bookings.site_id").
		Where("site_bookings.session_id IN ? AND site_bookings.status IN ?", sessionIDs, liveBookings).
		Order("site_bookings.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sites: session sites: %w", err)
	}
	for _, r := range rows {
		out[r.SessionID] = SessionSite{SiteID: r.SiteID, Name: r.Name, Confirmed: r.Status == BookingConfirmed}
	}
	return out, nil
}

// BookableSites are the in-use sites the caller may book, by category and
// name, for the timetable's booking picker.
func (s *Service) BookableSites(ctx context.Context, p *web.Principal) ([]Site, error) {
	if !p.HasAny(Bookers...) {
		return nil, nil
	}
	var rows []Site
	err := s.d.DB.WithContext(ctx).Model(&Site{}).Scopes(visible(p)).Where("status = ?", StatusInUse).
		Order("category, name, id").Limit(web.MaxPageSize).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sites: bookable: %w", err)
	}
	return rows, nil
}

// sessionBooked refuses a second live booking for one timetable session.
func sessionBooked(tx *gorm.DB, sessionID uint64) error {
	if sessionID == 0 {
		return nil
	}
	var name string
	err := tx.Table("site_bookings").Select("sites.name").Joins("JOIN sites ON sites.id = site_bookings.site_id").
		Where("site_bookings.session_id = ? AND site_bookings.status IN ?", sessionID, liveBookings).Limit(1).Scan(&name).Error
	if err != nil {
		return err
	}
	if name != "" {
		return web.Conflict("session_booked", "该课次已预约现场教学点“"+name+"”，如需更换请先由教学点婉拒原预约")
	}
	return nil
}
