package college

import (
	"context"

	"college/modules/identity"
	"college/modules/programs"
	"college/modules/web"

	"gorm.io/gorm"
)

// programPeople gives the programmes the cadres and the org tree from
// identity.
type programPeople struct {
	id    *identity.Service
	store *identity.Store
}

func (p programPeople) Levels() []string { return identity.Levels }

func (p programPeople) OrgPath(ctx context.Context, id uint64) (string, bool, error) {
	paths, err := p.store.OrgPaths(ctx, []uint64{id})
	if err != nil {
		return "", false, err
	}
	path, ok := paths[id]
	return path, ok, nil
}

func (p programPeople) OrgNames(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return p.store.OrgNames(ctx, ids)
}

func target(r programs.Rule) identity.Target {
	return identity.Target{Levels: r.Levels, OrgPath: r.OrgPath, PostContains: r.PostContains, AppointedSince: r.AppointedSince, Tags: r.Tags, WithinPath: r.WithinPath}
}

func (p programPeople) Count(ctx context.Context, r programs.Rule, in, notIn []*gorm.DB) (int64, error) {
	return p.id.CountTarget(ctx, target(r), identity.TargetFilter{In: in, NotIn: notIn})
}

func (p programPeople) List(ctx context.Context, r programs.Rule, in, notIn []*gorm.DB, pg web.Page) ([]programs.Person, int64, error) {
	found, total, err := p.id.TargetPeople(ctx, target(r), identity.TargetFilter{In: in, NotIn: notIn}, pg)
	if err != nil {
		return nil, 0, err
	}
	out := make([]programs.Person, len(found))
	for i, x := range found {
		out[i] = programs.Person{ID: x.ID, Name: x.Name, OrgName: x.OrgName, Level: x.Level}
	}
	return out, total, nil
}

func (p programPeople) Tally(ctx context.Context, r programs.Rule, completed, reached *gorm.DB) ([]programs.Tally, error) {
	rows, err := p.id.TallyTarget(ctx, target(r), completed, reached)
	if err != nil {
		return nil, err
	}
	out := make([]programs.Tally, len(rows))
	for i, x := range rows {
		out[i] = programs.Tally{OrgID: x.OrgID, Target: x.Target, Completed: x.Completed, Reached: x.Reached}
	}
	return out, nil
}
