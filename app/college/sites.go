package college

import (
	"context"

	"college/modules/identity"
	"college/modules/sites"
	"college/modules/training"
	"college/modules/web"
)

// siteOrgs adapts the identity module to the sites.
type siteOrgs struct {
	store *identity.Store
}

// Orgs names orgs and gives their paths.
func (o siteOrgs) Orgs(ctx context.Context, ids []uint64) (map[uint64]sites.Org, error) {
	found, err := o.store.OrgsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]sites.Org, len(found))
	for id, org := range found {
		out[id] = sites.Org{ID: org.ID, Name: org.Name, Path: org.Path}
	}
	return out, nil
}

// siteSessions adapts the training timetable to the sites' bookings.
type siteSessions struct {
	training *training.Service
}

// SiteSession reads a session's day, times and class size.
func (s siteSessions) SiteSession(ctx context.Context, p *web.Principal, id uint64) (sites.SessionSlot, bool, error) {
	slot, found, err := s.training.SiteSession(ctx, p, id)
	return sites.SessionSlot{Date: slot.Date, StartsAt: slot.StartsAt, EndsAt: slot.EndsAt, GroupSize: slot.GroupSize, Topic: slot.Topic}, found, err
}

// trainingSites gives the timetable the field teaching sites: where its
// sessions are booked, and booking one for a session.
type trainingSites struct{ sites *sites.Service }

// SessionSites maps sessions to the sites they are booked at.
func (t trainingSites) SessionSites(ctx context.Context, ids []uint64) (map[uint64]training.BookedSite, error) {
	got, err := t.sites.SessionSites(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]training.BookedSite, len(got))
	for id, b := range got {
		out[id] = training.BookedSite{SiteID: b.SiteID, Name: b.Name, Confirmed: b.Confirmed}
	}
	return out, nil
}

// BookableSites are the in-use sites the caller may book.
func (t trainingSites) BookableSites(ctx context.Context, p *web.Principal) ([]training.SiteOption, error) {
	rows, err := t.sites.BookableSites(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]training.SiteOption, len(rows))
	for i, x := range rows {
		out[i] = training.SiteOption{ID: x.ID, Name: x.Name, Category: x.Category, Capacity: x.Capacity}
	}
	return out, nil
}

// BookSession books a site for a timetable session and names the site.
func (t trainingSites) BookSession(ctx context.Context, p *web.Principal, siteID, sessionID uint64) (string, error) {
	if _, err := t.sites.Book(ctx, p, siteID, sites.BookingRequest{SessionID: sessionID}); err != nil {
		return "", err
	}
	site, err := t.sites.Site(ctx, p, siteID)
	if err != nil {
		return "", err
	}
	return site.Name, nil
}
