package college

import (
	"context"

	"college/modules/identity"
)

// basesOrgs gives the bases module the org tree.
type basesOrgs struct {
	id    *identity.Service
	store *identity.Store
}

// OrgPath is an org's materialized path.
func (o basesOrgs) OrgPath(ctx context.Context, id uint64) (string, bool, error) {
	paths, err := o.store.OrgPaths(ctx, []uint64{id})
	if err != nil {
		return "", false, err
	}
	p, ok := paths[id]
	return p, ok, nil
}

// OrgName is an org's name.
func (o basesOrgs) OrgName(ctx context.Context, id uint64) string { return o.id.OrgName(ctx, id) }
