package training

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// SiteDirectory is what the timetable needs of the field teaching sites;
// app/college wires it to the sites module, which owns the bookings.
type SiteDirectory interface {
	// SessionSites maps sessions to the sites they are booked at.
	SessionSites(ctx context.Context, sessionIDs []uint64) (map[uint64]BookedSite, error)
	// BookableSites are the in-use sites the caller may book.
	BookableSites(ctx context.Context, p *web.Principal) ([]SiteOption, error)
	// BookSession books a site for a session as the caller, and names the
	// site; a refusal (site full, closed that day…) is a web error.
	BookSession(ctx context.Context, p *web.Principal, siteID, sessionID uint64) (string, error)
}

// BookedSite is the site a session is booked at.
type BookedSite struct {
	SiteID    uint64
	Name      string
	Confirmed bool
}

// SiteOption is a site the timetable's booking picker offers.
type SiteOption struct {
	ID       uint64
	Name     string
	Category string
	Capacity int
}

// SetSites links the timetable to the field teaching sites.
func (s *Service) SetSites(d SiteDirectory) { s.sites = d }

// withBookedSites shows on each session the site it is booked at: a
// booking names the site, over the free text typed on the timetable.
func (s *Service) withBookedSites(ctx context.Context, rows []Session) error {
	if s.sites == nil || len(rows) == 0 {
		return nil
	}
	ids := make([]uint64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	booked, err := s.sites.SessionSites(ctx, ids)
	if err != nil {
		return web.Internal(err)
	}
	for i := range rows {
		if b, ok := booked[rows[i].ID]; ok {
			rows[i].Site, rows[i].SiteID, rows[i].SiteConfirmed = b.Name, b.SiteID, b.Confirmed
		}
	}
	return nil
}

// BookSessionSite books a field teaching site for a session of a class
// the caller runs, for the time of the session and the size of the class.
// The session comes back whenever it was found, so a refusal can be shown
// on its class.
func (s *Service) BookSessionSite(ctx context.Context, p *web.Principal, sessionID, siteID uint64) (*Session, string, error) {
	var x Session
	if err := s.db.WithContext(ctx).First(&x, sessionID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", web.NotFound()
	} else if err != nil {
		return nil, "", web.Internal(fmt.Errorf("training: session site: %w", err))
	}
	c, err := s.managedClass(ctx, p, x.ClassID)
	if err != nil {
		return nil, "", err
	}
	if !canHost(p) {
		return nil, "", web.Forbidden()
	}
	if c.Status == StatusGraduated || c.Status == StatusArchived || !x.EndsAt.After(s.now()) {
		return &x, "", web.Conflict("wrong_state", "已结束的课程不能再预约现场教学点")
	}
	if siteID == 0 {
		return &x, "", web.Invalid(map[string]string{"site_id": "请选择现场教学点"})
	}
	if s.sites == nil {
		return &x, "", web.Unprocessable("sites_unavailable", "现场教学点功能未启用")
	}
	name, err := s.sites.BookSession(ctx, p, siteID, sessionID)
	return &x, name, err
}

// adminSessionSiteSubmit books a site from the class timetable.
func (h *Handlers) adminSessionSiteSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	siteID, _ := strconv.ParseUint(c.FormValue("site_id"), 10, 64)
	x, name, err := h.svc.BookSessionSite(c.UserContext(), web.Caller(c), id, siteID)
	if err != nil {
		if x == nil {
			return err
		}
		return h.adminFailed(c, x.ClassID, err, "sessions", nil)
	}
	web.Flash(c, "已为“"+x.Topic+"”预约现场教学点“"+name+"”，待教学点确认")
	return c.Redirect(adminClassURL(x.ClassID, "sessions"), fiber.StatusSeeOther)
}
