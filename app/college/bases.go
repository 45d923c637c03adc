package college

import (
	"context"

	"college/modules/bases"
	"college/modules/identity"
	"college/modules/training"
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

// trainingBases gives the class form the filed training bases.
type trainingBases struct{ *bases.Service }

// FiledBases are the bases a class may be hosted at now.
func (t trainingBases) FiledBases(ctx context.Context) ([]training.BaseOption, error) {
	rows, err := t.Public(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]training.BaseOption, len(rows))
	for i, b := range rows {
		out[i] = training.BaseOption{ID: b.ID, Name: b.Name, KindName: b.KindName}
	}
	return out, nil
}
