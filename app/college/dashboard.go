package college

import (
	"context"
	"errors"

	"college/modules/dashboard"
	"college/modules/identity"

	"gorm.io/gorm"
)

// directory adapts the identity module to the dashboards.
type directory struct {
	id    *identity.Service
	store *identity.Store
}

func dashOrg(o identity.Org) dashboard.Org {
	return dashboard.Org{ID: o.ID, Name: o.Name, Path: o.Path, Kind: o.Kind}
}

// Root is the city's org department.
func (d directory) Root(ctx context.Context) (dashboard.Org, error) {
	o, err := d.store.Root(ctx)
	if err != nil {
		return dashboard.Org{}, err
	}
	if o == nil {
		return dashboard.Org{}, errors.New("no root organization")
	}
	return dashOrg(*o), nil
}

// Org finds an org by id.
func (d directory) Org(ctx context.Context, id uint64) (dashboard.Org, bool, error) {
	found, err := d.store.OrgsByID(ctx, []uint64{id})
	if err != nil {
		return dashboard.Org{}, false, err
	}
	o, ok := found[id]
	return dashOrg(o), ok, nil
}

// Children lists an org's direct children.
func (d directory) Children(ctx context.Context, id uint64) ([]dashboard.Org, error) {
	found, err := d.store.ChildOrgs(ctx, id)
	out := make([]dashboard.Org, len(found))
	for i, o := range found {
		out[i] = dashOrg(o)
	}
	return out, err
}

// EachCadre streams the cadres of a subtree.
func (d directory) EachCadre(ctx context.Context, orgPath string, fn func(dashboard.Cadre) error) error {
	return d.store.EachCadre(ctx, orgPath, func(c identity.Cadre) error {
		return fn(dashboard.Cadre{ID: c.ID, OrgID: c.OrgID, OrgPath: c.OrgPath, Level: c.Level})
	})
}

// CadreIDs is a subquery of a subtree's cadre ids.
func (d directory) CadreIDs(orgPath string) *gorm.DB { return d.store.CadreIDs(orgPath) }

// People names cadres.
func (d directory) People(ctx context.Context, ids []uint64) (map[uint64]dashboard.Person, error) {
	found, err := d.id.PeopleByIDs(ctx, ids)
	return convertByID(found, err, func(x identity.Person) dashboard.Person {
		return dashboard.Person{Name: x.Name, OrgName: x.OrgName}
	})
}

// OrgsUnder lists the orgs of a subtree.
func (d directory) OrgsUnder(ctx context.Context, orgPath string) ([]dashboard.Org, error) {
	found, err := d.store.OrgsUnder(ctx, orgPath)
	out := make([]dashboard.Org, len(found))
	for i, o := range found {
		out[i] = dashOrg(o)
	}
	return out, err
}
