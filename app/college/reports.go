package college

import (
	"context"
	"errors"

	"college/modules/identity"
	"college/modules/reports"
	"college/modules/web"
)

// reportsDirectory adapts the identity module to the reports.
type reportsDirectory struct {
	store *identity.Store
}

func reportOrg(o identity.Org) reports.Org { return reports.Org{ID: o.ID, Name: o.Name, Path: o.Path} }

// Root is the city's org department.
func (d reportsDirectory) Root(ctx context.Context) (reports.Org, error) {
	o, err := d.store.Root(ctx)
	if err != nil {
		return reports.Org{}, err
	}
	if o == nil {
		return reports.Org{}, errors.New("no root organization")
	}
	return reportOrg(*o), nil
}

// Org finds an org by id.
func (d reportsDirectory) Org(ctx context.Context, id uint64) (reports.Org, bool, error) {
	found, err := d.store.OrgsByID(ctx, []uint64{id})
	if err != nil {
		return reports.Org{}, false, err
	}
	o, ok := found[id]
	return reportOrg(o), ok, nil
}

// Subtree lists the orgs of a subtree in tree order.
func (d reportsDirectory) Subtree(ctx context.Context, path string) ([]reports.Org, error) {
	found, err := d.store.ListOrgs(ctx, &web.Principal{OrgPath: path})
	out := make([]reports.Org, len(found))
	for i, o := range found {
		out[i] = reportOrg(o)
	}
	return out, err
}

// OrgNames names orgs.
func (d reportsDirectory) OrgNames(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return d.store.OrgNames(ctx, ids)
}

// Principal is the requester of a report as they are now: a disabled or
// removed account has none, and a changed role or org applies at once.
func (d reportsDirectory) Principal(ctx context.Context, userID uint64) (*web.Principal, error) {
	u, err := d.store.UserByID(ctx, nil, userID)
	if err != nil || u == nil || u.Disabled {
		return nil, err
	}
	o, err := d.store.OrgByID(ctx, nil, u.OrgID)
	if err != nil || o == nil {
		return nil, err
	}
	return &web.Principal{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.RoleList(), OrgID: u.OrgID, OrgPath: o.Path, Level: u.Level}, nil
}
