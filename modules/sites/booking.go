package sites

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// errSiteFull is the answer when the people already booked in an
// overlapping slot leave no room for the group.
func errSiteFull(left int) *web.Error {
	return web.Conflict("site_full", fmt.Sprintf("该时段接待能力已满（剩余 %d 人）", max(left, 0)))
}

// Book books a slot of an in-use site for a group. The site's day row is
// updated first, so the bookings of one site and day are decided one at a
// time (a row lock on MySQL/MariaDB, the single writer on SQLite); under
// that lock the most people present at once during the slot are counted
// against the capacity: 409 site_full when the group does not fit.
func (s *Service) Book(ctx context.Context, p *web.Principal, siteID uint64, in BookingRequest) (BookingResponse, error) {
	in.Purpose = strings.TrimSpace(in.Purpose)
	if err := in.Validate(); err != nil {
		return BookingResponse{}, err
	}
	if in.SessionID != 0 {
		if s.sessions == nil {
			return BookingResponse{}, web.Invalid(map[string]string{"session_id": "无法读取课表场次"})
		}
		slot, found, err := s.sessions.SiteSession(ctx, p, in.SessionID)
		if err != nil {
			return BookingResponse{}, fmt.Errorf("sites: session: %w", err)
		}
		if !found {
			return BookingResponse{}, web.Invalid(map[string]string{"session_id": "课表场次不存在或不在本人管理的班次中"})
		}
		in.Date, in.StartsAt, in.EndsAt, in.GroupSize = slot.Date, slot.StartsAt, slot.EndsAt, max(slot.GroupSize, 1)
		if in.Purpose == "" {
			in.Purpose = slot.Topic
		}
	}
	b := Booking{SiteID: siteID, Date: in.Date, StartsAt: in.StartsAt, EndsAt: in.EndsAt, GroupSize: in.GroupSize, SessionID: in.SessionID,
		Purpose: in.Purpose, Status: BookingPending, BookedBy: p.UserID, OrgID: p.OrgID}
	err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		site, err := s.load(ctx, tx, p, siteID)
		if err != nil {
			return web.AuditEntry{}, err
		}
		if p.Has(web.RoleUnitAdmin) && !p.HasAny(web.RoleOrgAdmin, web.RoleCollegeAdmin) && !p.InScope(site.OrgPath) {
			return web.AuditEntry{}, web.NotFound()
		}
		if err := sessionBooked(tx, b.SessionID); err != nil {
			return web.AuditEntry{}, err
		}
		if site.Status != StatusInUse {
			return web.AuditEntry{}, web.Conflict("wrong_state", "教学点当前为“"+StatusNames[site.Status]+"”，只有使用中的教学点可以预约")
		}
		if err := openAt(site, b.Date, b.StartsAt, b.EndsAt); err != nil {
			return web.AuditEntry{}, err
		}
		if b.GroupSize > site.Capacity {
			return web.AuditEntry{}, errSiteFull(site.Capacity)
		}
		// The day row: created once, then updated by every booking of the
		// day before it counts, which serializes them.
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Day{SiteID: siteID, Date: b.Date}).Error; err != nil {
			return web.AuditEntry{}, err
		}
		res := tx.Model(&Day{}).Where("site_id = ? AND date = ?", siteID, b.Date).
			Updates(map[string]any{"bookings": gorm.Expr("bookings + 1"), "people": gorm.Expr("people + ?", b.GroupSize)})
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected != 1 {
			return web.AuditEntry{}, errors.New("sites: day row missing")
		}
		var overlapping []Booking
		if err := tx.Select("starts_at", "ends_at", "group_size").
			Where("site_id = ? AND date = ? AND status IN ? AND starts_at < ? AND ends_at > ?", siteID, b.Date, []string{BookingPending, BookingConfirmed}, b.EndsAt, b.StartsAt).
			Find(&overlapping).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if taken := peak(overlapping, b.StartsAt, b.EndsAt); taken+b.GroupSize > site.Capacity {
			return web.AuditEntry{}, errSiteFull(site.Capacity - taken)
		}
		if err := tx.Create(&b).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "site.book", "site_booking", b.ID, map[string]any{"site_id": siteID, "date": b.Date, "slot": b.StartsAt + "-" + b.EndsAt, "group_size": b.GroupSize}), nil
	})
	if err != nil {
		return BookingResponse{}, err
	}
	return bookingResponse(&b), nil
}

// peak is the most people the bookings have at the site at one moment
// between from and to: the count only rises at a start, so the moments to
// look at are from and the starts inside the slot.
func peak(bookings []Booking, from, to string) int {
	most := 0
	points := []string{from}
	for _, b := range bookings {
		if b.StartsAt > from && b.StartsAt < to {
			points = append(points, b.StartsAt)
		}
	}
	for _, at := range points {
		n := 0
		for _, b := range bookings {
			if b.StartsAt <= at && at < b.EndsAt {
				n += b.GroupSize
			}
		}
		most = max(most, n)
	}
	return most
}

// openAt checks that the slot lies on an open day within opening hours.
func openAt(site *Site, date, starts, ends string) error {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return web.Invalid(map[string]string{"date": "日期格式应为 YYYY-MM-DD"})
	}
	wd := int(d.Weekday())
	if wd == 0 {
		wd = 7
	}
	if !strings.Contains(site.OpenDays, strconv.Itoa(wd)) {
		return web.Unprocessable("outside_hours", "该日教学点不开放（开放日："+weekdayNames(site.OpenDays)+"）")
	}
	if starts < site.OpensAt || ends > site.ClosesAt {
		return web.Unprocessable("outside_hours", "预约时段不在开放时间 "+site.OpensAt+"–"+site.ClosesAt+" 内")
	}
	return nil
}

// weekdayNames spells ISO weekdays in Chinese: "12345" gives "周一、周二…".
func weekdayNames(days string) string {
	names := []string{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}
	var out []string
	for _, r := range days {
		if r >= '1' && r <= '7' {
			out = append(out, names[r-'0'])
		}
	}
	return strings.Join(out, "、")
}

// Decide confirms or declines a pending booking: the site's host (a unit
// administrator of its org) or the org department. A declined booking
// gives its people back to the day.
func (s *Service) Decide(ctx context.Context, p *web.Principal, bookingID uint64, confirm bool, in StepRequest) (BookingResponse, error) {
	reason := strings.TrimSpace(in.Reason)
	if !confirm && reason == "" {
		return BookingResponse{}, web.Invalid(map[string]string{"reason": "请填写婉拒原因"})
	}
	if tooLong(reason, 500) {
		return BookingResponse{}, web.Invalid(map[string]string{"reason": "原因不超过 500 字"})
	}
	to, action := BookingConfirmed, "site.booking.confirm"
	if !confirm {
		to, action = BookingDeclined, "site.booking.decline"
	}
	var b Booking
	err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.First(&b, bookingID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return web.AuditEntry{}, web.NotFound()
		} else if err != nil {
			return web.AuditEntry{}, err
		}
		site, err := s.load(ctx, tx, p, b.SiteID)
		if err != nil {
			return web.AuditEntry{}, err
		}
		if !canManage(p, site) {
			return web.AuditEntry{}, web.Forbidden()
		}
		res := tx.Model(&Booking{}).Where("id = ? AND status = ?", b.ID, BookingPending).Updates(map[string]any{"status": to, "reason": reason})
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "该预约已处理（"+BookingNames[b.Status]+"）")
		}
		if !confirm {
			if err := tx.Model(&Day{}).Where("site_id = ? AND date = ?", b.SiteID, b.Date).
				Updates(map[string]any{"bookings": gorm.Expr("bookings - 1"), "people": gorm.Expr("people - ?", b.GroupSize)}).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		b.Status, b.Reason = to, reason
		return web.AuditBy(p, action, "site_booking", b.ID, map[string]any{"site_id": b.SiteID, "reason": reason}), nil
	})
	if err != nil {
		return BookingResponse{}, err
	}
	return bookingResponse(&b), nil
}

// Bookings lists a site's bookings from a date on (the site calendar), by
// date and time.
func (s *Service) Bookings(ctx context.Context, p *web.Principal, siteID uint64, from string) ([]BookingResponse, error) {
	if from != "" && !validDate(from) {
		return nil, web.Invalid(map[string]string{"from": "日期格式应为 YYYY-MM-DD"})
	}
	if _, err := s.load(ctx, s.d.DB, p, siteID); err != nil {
		return nil, err
	}
	var rows []Booking
	q := s.d.DB.WithContext(ctx).Where("site_id = ?", siteID)
	if from != "" {
		q = q.Where("date >= ?", from)
	}
	if err := q.Order("date, starts_at").Limit(500).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sites: bookings: %w", err)
	}
	out := make([]BookingResponse, len(rows))
	for i := range rows {
		out[i] = bookingResponse(&rows[i])
	}
	return out, nil
}
