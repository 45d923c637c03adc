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
