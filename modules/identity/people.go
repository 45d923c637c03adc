package identity

import (
	"context"
	"fmt"

	"college/modules/web"
)

// Person is what other modules may know of a user: no secrets, the ID
// number masked.
type Person struct {
	ID       uint64
	Username string
	Name     string
	OrgID    uint64
	OrgName  string
	OrgPath  string // materialized path of the org, "/1/4/"
	Level    string
	Post     string
	IDNumber string // masked
	// SystemAdmin: the account holds one of the three administrator roles
	// (三员), which never study or train.
	SystemAdmin bool
}

// PersonByID returns a user's public profile (nil when unknown).
func (s *Service) PersonByID(ctx context.Context, id uint64) (*Person, error) {
	u, err := s.store.UserByID(ctx, nil, id)
	if err != nil || u == nil {
		return nil, err
	}
	r := s.Response(ctx, u, s.OrgName(ctx, u.OrgID))
	paths, err := s.store.OrgPaths(ctx, []uint64{u.OrgID})
	if err != nil {
		return nil, err
	}
	return &Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: r.OrgName, OrgPath: paths[u.OrgID], Level: u.Level, Post: u.Post, IDNumber: r.IDNumber,
		SystemAdmin: holdsSystemRole(u)}, nil
}

// UserInScope reports whether a user exists in the caller's org subtree.
func (s *Service) UserInScope(ctx context.Context, p *web.Principal, id uint64) (bool, error) {
	u, err := s.store.UserByID(ctx, p, id)
	return u != nil, err
}

// OrgsInScope reports whether every org id exists in the caller's subtree
// (anywhere when p is nil).
func (s *Service) OrgsInScope(ctx context.Context, p *web.Principal, ids []uint64) (bool, error) {
	for _, id := range ids {
		o, err := s.store.OrgByID(ctx, p, id)
		if err != nil || o == nil {
			return false, err
		}
	}
	return true, nil
}

// PeopleByIDs returns the public profiles of many users at once.
func (s *Service) PeopleByIDs(ctx context.Context, ids []uint64) (map[uint64]Person, error) {
	out := map[uint64]Person{}
	if len(ids) == 0 {
		return out, nil
	}
	var users []User
	for i := 0; i < len(ids); i += 1000 {
		var part []User
		if err := s.store.db.WithContext(ctx).Select("id", "username", "name", "org_id", "level", "post").Where("id IN ?", ids[i:min(i+1000, len(ids))]).Find(&part).Error; err != nil {
			return nil, err
		}
		users = append(users, part...)
	}
	orgIDs := make([]uint64, len(users))
	for i, u := range users {
		orgIDs[i] = u.OrgID
	}
	names, err := s.store.OrgNames(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	paths, err := s.store.OrgPaths(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		out[u.ID] = Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: names[u.OrgID], OrgPath: paths[u.OrgID], Level: u.Level, Post: u.Post}
	}
	return out, nil
}

// UsersWithRole returns the enabled users holding role whose org is one of orgIDs.
func (s *Service) UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error) {
	var ids []uint64
	if len(orgIDs) == 0 {
		return ids, nil
	}
	err := s.store.db.WithContext(ctx).Model(&User{}).
		Where("disabled = ? AND org_id IN ? AND id IN (SELECT user_id FROM user_roles WHERE role = ?)", false, orgIDs, role).
		Order("id").Pluck("id", &ids).Error
	return ids, err
}

// IDsByUsername returns the ids of the named accounts that exist.
func (s *Service) IDsByUsername(ctx context.Context, names []string) (map[string]uint64, error) {
	var rows []struct {
		ID       uint64
		Username string
	}
	if err := s.store.db.WithContext(ctx).Model(&User{}).Select("id", "username").Where("username IN ?", names).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("identity: ids of %d usernames: %w", len(names), err)
	}
	out := make(map[string]uint64, len(rows))
	for _, r := range rows {
		out[r.Username] = r.ID
	}
	return out, nil
}
