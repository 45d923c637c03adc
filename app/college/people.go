package college

import (
	"context"
	"errors"

	"college/modules/exam"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/web"
)

// people adapts the identity module to what other modules ask of it.
type people struct {
	id    *identity.Service
	store *identity.Store
}

var errNoUser = errors.New("no such user")

// Level is the cadre level of a user (hours targets depend on it).
func (p people) Level(ctx context.Context, userID uint64) (string, error) {
	u, err := p.id.PersonByID(ctx, userID)
	if err != nil {
		return "", err
	}
	if u == nil {
		return "", errNoUser
	}
	return u.Level, nil
}

// Profile is the header of a learner's archive.
func (p people) Profile(ctx context.Context, userID uint64) (hours.Profile, error) {
	u, err := p.id.PersonByID(ctx, userID)
	if err != nil {
		return hours.Profile{}, err
	}
	if u == nil {
		return hours.Profile{}, errNoUser
	}
	return hours.Profile{Name: u.Name, Username: u.Username, OrgName: u.OrgName, Level: u.Level, Post: u.Post, IDNumber: u.IDNumber}, nil
}

// InScope reports whether a user is in the caller's org subtree.
func (p people) InScope(ctx context.Context, caller *web.Principal, userID uint64) (bool, error) {
	return p.id.UserInScope(ctx, caller, userID)
}

// OrgsExist reports whether every org id exists.
func (p people) OrgsExist(ctx context.Context, ids []uint64) (bool, error) {
	return p.id.OrgsInScope(ctx, nil, ids)
}

// Candidates names exam candidates and their units.
func (p people) Candidates(ctx context.Context, ids []uint64) (map[uint64]exam.Candidate, error) {
	found, err := p.id.PeopleByIDs(ctx, ids)
	return convertByID(found, err, func(x identity.Person) exam.Candidate {
		return exam.Candidate{Name: x.Name, Username: x.Username, OrgID: x.OrgID, OrgName: x.OrgName}
	})
}
