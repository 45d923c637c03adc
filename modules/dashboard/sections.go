package dashboard

import (
	"context"
	"time"

	"college/modules/assess"
	"college/modules/followup"
	"college/modules/training"
	"college/modules/web"

	"gorm.io/gorm"
)

// Trainings is what the coverage and registration sections need of the
// training module.
type Trainings interface {
	EachTrainedKind(ctx context.Context, since string, users *gorm.DB, fn func(training.TrainedKind) error) error
	ClassesStarting(ctx context.Context, from, to string) ([]training.ClassHeader, error)
	QuotaUses(ctx context.Context, from, to, orgPath string) ([]training.QuotaUse, error)
	RegistrationCounts(ctx context.Context, from, to, orgPath string) ([]training.RegCount, error)
}

// FollowupRounds is what the follow-up section needs of the followup module.
type FollowupRounds interface {
	RoundTallies(ctx context.Context, year int, today, orgPath string) ([]followup.RoundTally, error)
}

// Assessments is what the satisfaction section needs of the assess module.
type Assessments interface {
	EachEvaluationTally(ctx context.Context, from, to time.Time, hostPath string, fn func(assess.EvaluationTally) error) error
	Bar(ctx context.Context) float64
}

// units rolls orgs of a subtree up to the direct children of its org.
type units struct {
	org      Org
	children []Org
	unit     map[uint64]uint64 // every org of the subtree → its child of org, or org.ID
	orgs     map[uint64]Org
}

// unitsOf reads the subtree of org once.
func (s *Service) unitsOf(ctx context.Context, org Org) (units, error) {
	u := units{org: org, unit: map[uint64]uint64{}, orgs: map[uint64]Org{}}
	var err error
	if u.children, err = s.d.Directory.Children(ctx, org.ID); err != nil {
		return u, err
	}
	isChild := map[uint64]bool{}
	for _, c := range u.children {
		isChild[c.ID] = true
	}
	all, err := s.d.Directory.OrgsUnder(ctx, org.Path)
	if err != nil {
		return u, err
	}
	for _, o := range all {
		u.orgs[o.ID] = o
		id := unitOf(org.Path, o.Path)
		if !isChild[id] {
			id = org.ID
		}
		u.unit[o.ID] = id
	}
	return u, nil
}

// of is the unit of an org of the subtree; ok is false outside it.
func (u units) of(orgID uint64) (uint64, bool) {
	id, ok := u.unit[orgID]
	return id, ok
}

// list orders per-unit values as the page shows them: the org's own first
// (when it has any), then its children in display order.
func list[T any](u units, byUnit map[uint64]*T, fresh func() *T, hasOwn func(*T) bool) []UnitOf[T] {
	var out []UnitOf[T]
	if own := byUnit[u.org.ID]; own != nil && hasOwn(own) {
		out = append(out, UnitOf[T]{Org: u.org, Own: true, V: *own})
	}
	for _, c := range u.children {
		v := byUnit[c.ID]
		if v == nil {
			v = fresh()
		}
		out = append(out, UnitOf[T]{Org: c, V: *v})
	}
	return out
}

// UnitOf is one row of a per-unit table: a direct child of the org, or
// the org's own (Own) people.
type UnitOf[T any] struct {
	Org
	Own bool
	V   T
}

// rate is n over d, 0..1 to 4 places.
func rate(n, d int) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n*10000/d) / 10000
}

// today is the date in the college's time zone.
func (s *Service) today() time.Time { return s.now().In(web.Shanghai) }
