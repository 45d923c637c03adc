package college

import (
	"context"
	"math"
	"sort"

	"college/modules/catalog"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/portal"
	"college/modules/training"
	"college/modules/web"
)

// portalSources adapts the catalog, training, hours and identity modules to
// what the public portal shows.
type portalSources struct {
	catalog  *catalog.Service
	training *training.Service
	hours    *hours.Service
	id       *identity.Service
	store    *identity.Store
}

// FeaturedCourses are the catalog's featured published courses.
func (s portalSources) FeaturedCourses(ctx context.Context, limit int) ([]portal.CourseCard, error) {
	items, err := s.catalog.FeaturedCourses(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]portal.CourseCard, len(items))
	for i, c := range items {
		out[i] = portal.CourseCard{ID: c.ID, Title: c.Title, Summary: c.Summary, Teacher: c.Teacher, Hours: c.Hours, CoverURL: c.CoverURL}
	}
	return out, nil
}

// OpenClasses are the classes taking registrations, with their hosts' names.
func (s portalSources) OpenClasses(ctx context.Context, hostOrgID uint64, limit int) ([]portal.ClassCard, error) {
	rows, err := s.training.PublicOpenClasses(ctx, hostOrgID, limit)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.HostOrgID
	}
	names, err := s.store.OrgNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]portal.ClassCard, len(rows))
	for i, r := range rows {
		out[i] = portal.ClassCard{ID: r.ID, Title: r.Title, HostOrgID: r.HostOrgID, HostName: names[r.HostOrgID], StartsOn: r.StartsOn, EndsOn: r.EndsOn,
			Place: r.Place, Online: r.Online, Quota: r.Quota, Enrolled: r.Enrolled, RegClosesAt: r.RegClosesAt}
	}
	return out, nil
}

// PeopleRanking ranks enabled learners by their hours of the year: names
// and units only.
func (s portalSources) PeopleRanking(ctx context.Context, year, limit int) ([]portal.PersonRank, error) {
	top, err := s.hours.TopLearners(ctx, year, s.store.ActiveLearnerIDs(), limit)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(top))
	for i, t := range top {
		ids[i] = t.UserID
	}
	people, err := s.id.PeopleByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]portal.PersonRank, len(top))
	for i, t := range top {
		out[i] = portal.PersonRank{Rank: i + 1, Name: people[t.UserID].Name, OrgName: people[t.UserID].OrgName, Hours: t.Hours}
	}
	return out, nil
}

// UnitRanking ranks units by the share of their cadres at the online target.
func (s portalSources) UnitRanking(ctx context.Context, year, limit int) ([]portal.UnitRank, web.Hours, error) {
	target := s.hours.OnlineTarget(ctx)
	rates, err := s.hours.UnitCompliance(ctx, year, target, s.store.UnitCadres())
	if err != nil {
		return nil, 0, err
	}
	sort.Slice(rates, func(i, j int) bool {
		a, b := rates[i], rates[j]
		if a.Met*b.Cadres != b.Met*a.Cadres {
			return a.Met*b.Cadres > b.Met*a.Cadres
		}
		if a.Cadres != b.Cadres {
			return a.Cadres > b.Cadres
		}
		return a.UnitID < b.UnitID
	})
	if len(rates) > limit {
		rates = rates[:limit]
	}
	ids := make([]uint64, len(rates))
	for i, r := range rates {
		ids[i] = r.UnitID
	}
	names, err := s.store.OrgNames(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]portal.UnitRank, len(rates))
	for i, r := range rates {
		out[i] = portal.UnitRank{Rank: i + 1, Name: names[r.UnitID], Cadres: r.Cadres, Met: r.Met, Percent: math.Round(r.Rate()*1000) / 10}
	}
	return out, target, nil
}

// Colleges are the orgs of kind college (总部 and 分院) in tree order.
func (s portalSources) Colleges(ctx context.Context) ([]portal.College, error) {
	orgs, err := s.store.OrgsForPicker(ctx, nil, []string{identity.KindCollege}, 100)
	if err != nil {
		return nil, err
	}
	out := make([]portal.College, len(orgs))
	for i, o := range orgs {
		out[i] = portal.College{ID: o.ID, Name: o.Name, Path: o.Path}
	}
	return out, nil
}

// OrgPath is an org's materialized path.
func (s portalSources) OrgPath(ctx context.Context, id uint64) (string, bool, error) {
	paths, err := s.store.OrgPaths(ctx, []uint64{id})
	if err != nil {
		return "", false, err
	}
	p, ok := paths[id]
	return p, ok, nil
}
