package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// Store holds the identity queries. Every query over org-owned rows takes the
// caller and applies web.OrgScope.
type Store struct{ db *gorm.DB }

// NewStore wraps the database.
func NewStore(gdb *gorm.DB) *Store { return &Store{db: gdb} }

// DB exposes the handle for transactions.
func (s *Store) DB() *gorm.DB { return s.db }

// Root returns the root organization (the city org department).
func (s *Store) Root(ctx context.Context) (*Org, error) {
	var o Org
	err := s.db.WithContext(ctx).Where("parent_id IS NULL").Order("created_at").First(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity store: root: %w", err)
	}
	return &o, nil
}

// orgsOf is the orgs the caller may see (all of them when p is nil).
func (s *Store) orgsOf(ctx context.Context, p *web.Principal) *gorm.DB {
	q := s.db.WithContext(ctx)
	if p != nil {
		q = q.Scopes(web.OrgScope(p, "id"))
	}
	return q
}

// usersOf is the users the caller may see (all of them when p is nil), with
// their roles.
func (s *Store) usersOf(ctx context.Context, p *web.Principal) *gorm.DB {
	q := s.db.WithContext(ctx).Preload("Roles")
	if p != nil {
		q = q.Scopes(web.OrgScope(p, "org_id"))
	}
	return q
}

// OrgByID returns an org within the caller's scope (nil p: unscoped).
func (s *Store) OrgByID(ctx context.Context, p *web.Principal, id uint64) (*Org, error) {
	var o Org
	err := s.orgsOf(ctx, p).First(&o, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity store: org %d: %w", id, err)
	}
	return &o, nil
}

// OrgByCode finds an org by its code (unscoped).
func (s *Store) OrgByCode(ctx context.Context, code string) (*Org, error) {
	var o Org
	err := s.db.WithContext(ctx).Where("code = ?", code).First(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity store: org %s: %w", code, err)
	}
	return &o, nil
}

// ListOrgs returns the caller's subtree ordered for a tree view.
func (s *Store) ListOrgs(ctx context.Context, p *web.Principal) ([]Org, error) {
	var orgs []Org
	if err := s.db.WithContext(ctx).Scopes(web.OrgScope(p, "id")).Order("path").Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("identity store: list orgs: %w", err)
	}
	return orgs, nil
}

// CreateOrg inserts the org and sets its path from the new id.
func (s *Store) CreateOrg(ctx context.Context, o *Org, parentPath string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		o.Path = "pending"
		if err := tx.Create(o).Error; err != nil {
			return err
		}
		o.Path = fmt.Sprintf("%s%d/", parentPath, o.ID)
		return tx.Model(o).Update("path", o.Path).Error
	})
}

// UpdateOrg saves name, code and sort.
func (s *Store) UpdateOrg(ctx context.Context, o *Org) error {
	return s.db.WithContext(ctx).Model(o).Select("name", "code", "sort", "kind").Updates(o).Error
}

// OrgNames maps ids to names for display.
func (s *Store) OrgNames(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return s.orgColumn(ctx, ids, "name", func(o Org) string { return o.Name })
}

// OrgPaths returns the materialized paths of orgs by id.
func (s *Store) OrgPaths(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return s.orgColumn(ctx, ids, "path", func(o Org) string { return o.Path })
}

// orgColumn reads one column of some orgs, by id.
func (s *Store) orgColumn(ctx context.Context, ids []uint64, column string, value func(Org) string) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var orgs []Org
	if err := s.db.WithContext(ctx).Select("id", column).Where("id IN ?", ids).Find(&orgs).Error; err != nil {
		return nil, err
	}
	for _, o := range orgs {
		out[o.ID] = value(o)
	}
	return out, nil
}

// TermsEndOn returns the 任现职期满 dates (YYYY-MM-DD) of the users that have
// one; they are stored as UTC midnights of the dates entered.
func (s *Store) TermsEndOn(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	for i := 0; i < len(ids); i += 1000 {
		var users []User
		if err := s.db.WithContext(ctx).Select("id", "term_ends_on").Where("id IN ? AND term_ends_on IS NOT NULL", ids[i:min(i+1000, len(ids))]).
			Find(&users).Error; err != nil {
			return nil, fmt.Errorf("identity store: terms: %w", err)
		}
		for _, u := range users {
			if u.TermEndsOn != nil && !u.TermEndsOn.IsZero() {
				out[u.ID] = u.TermEndsOn.UTC().Format(time.DateOnly)
			}
		}
	}
	return out, nil
}

// OrgsForPicker lists up to limit orgs of the given kinds (any kind when
// none) in tree order; with a caller, only those in the caller's subtree.
func (s *Store) OrgsForPicker(ctx context.Context, p *web.Principal, kinds []string, limit int) ([]Org, error) {
	q := s.db.WithContext(ctx).Select("id", "name", "path", "kind").Order("path").Limit(limit)
	if len(kinds) > 0 {
		q = q.Where("kind IN ?", kinds)
	}
	if p != nil {
		q = q.Scopes(web.OrgScope(p, "id"))
	}
	var orgs []Org
	if err := q.Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("identity store: org picker: %w", err)
	}
	return orgs, nil
}

// OrgsByID returns orgs by id; ids that do not exist are absent.
func (s *Store) OrgsByID(ctx context.Context, ids []uint64) (map[uint64]Org, error) {
	out := map[uint64]Org{}
	if len(ids) == 0 {
		return out, nil
	}
	var orgs []Org
	if err := s.db.WithContext(ctx).Select("id", "name", "path", "kind").Where("id IN ?", ids).Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("identity store: orgs by id: %w", err)
	}
	for _, o := range orgs {
		out[o.ID] = o
	}
	return out, nil
}

// LockUser holds the user's row until tx ends, so that work serialized per
// person (a cadre's registrations) queues on MySQL; SQLite has one writer.
func (s *Store) LockUser(tx *gorm.DB, id uint64) error {
	if !db.IsMySQL(tx) {
		return nil
	}
	var got uint64
	return tx.Raw("SELECT id FROM users WHERE id = ? FOR UPDATE", id).Scan(&got).Error
}

// UserIDsLike is a subquery of the ids of users whose name or username
// contains q, for another module's filters ("user_id IN (?)").
func (s *Store) UserIDsLike(q string) *gorm.DB {
	return s.db.Model(&User{}).Select("id").Where("name LIKE ? ESCAPE '!' OR username LIKE ? ESCAPE '!'", web.Contains(q), web.Contains(q))
}

// UserFilter selects users.
type UserFilter struct {
	Q        string   // username or name contains
	Hashes   []string // exact ID number or phone: its keyed hashes under every key
	OrgID    uint64   // within this org's subtree
	OrgPath  string
	Role     string
	Disabled *bool
}

// ListUsers returns a page of users in the caller's scope.
func (s *Store) ListUsers(ctx context.Context, p *web.Principal, f UserFilter, pg web.Page) ([]User, int64, error) {
	q := s.db.WithContext(ctx).Model(&User{}).Scopes(web.OrgScope(p, "users.org_id"))
	if len(f.Hashes) > 0 {
		q = q.Where("users.id_number_hash IN ? OR users.phone_hash IN ? OR users.username LIKE ? ESCAPE '!' OR users.name LIKE ? ESCAPE '!'", f.Hashes, f.Hashes, web.Contains(f.Q), web.Contains(f.Q))
	} else if f.Q != "" {
		q = q.Where("users.username LIKE ? ESCAPE '!' OR users.name LIKE ? ESCAPE '!'", web.Contains(f.Q), web.Contains(f.Q))
	}
	if f.OrgPath != "" {
		q = q.Where("users.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", f.OrgPath+"%")
	}
	if f.Role != "" {
		q = q.Where("users.id IN (SELECT user_id FROM user_roles WHERE role = ?)", f.Role)
	}
	if f.Disabled != nil {
		q = q.Where("users.disabled = ?", *f.Disabled)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("identity store: count users: %w", err)
	}
	var users []User
	if err := q.Preload("Roles").Order("users.created_at DESC").Order("users.username").Offset(pg.Offset()).Limit(pg.PageSize).Find(&users).Error; err != nil {
		return nil, 0, fmt.Errorf("identity store: list users: %w", err)
	}
	return users, total, nil
}

// UserByID returns a user in the caller's scope (nil p: unscoped).
func (s *Store) UserByID(ctx context.Context, p *web.Principal, id uint64) (*User, error) {
	var u User
	err := s.usersOf(ctx, p).First(&u, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity store: user %d: %w", id, err)
	}
	return &u, nil
}

// UserByUsername finds a user for login (unscoped).
func (s *Store) UserByUsername(ctx context.Context, username string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Preload("Roles").Where("username = ?", username).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity store: user %s: %w", username, err)
	}
	return &u, nil
}

// CreateUsers inserts users with their roles in one transaction, in batches.
func (s *Store) CreateUsers(ctx context.Context, users []*User) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		const batch = 500
		for i := 0; i < len(users); i += batch {
			end := min(i+batch, len(users))
			chunk := users[i:end]
			roles := make([][]UserRole, len(chunk))
			for j, u := range chunk {
				roles[j], u.Roles = u.Roles, nil
			}
			if err := tx.Omit("Roles").CreateInBatches(chunk, batch).Error; err != nil {
				return err
			}
			var all []UserRole
			for j, u := range chunk {
				for _, r := range roles[j] {
					all = append(all, UserRole{UserID: u.ID, Role: r.Role})
				}
				u.Roles = roles[j]
				for k := range u.Roles {
					u.Roles[k].UserID = u.ID
				}
			}
			if len(all) > 0 {
				if err := tx.CreateInBatches(all, batch).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// SaveUser updates the profile columns.
func (s *Store) SaveUser(ctx context.Context, u *User, cols ...string) error {
	return s.db.WithContext(ctx).Model(u).Select(cols).Updates(u).Error
}

// SetRoles replaces a user's roles.
func (s *Store) SetRoles(ctx context.Context, uid uint64, roles []string, also func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", uid).Delete(&UserRole{}).Error; err != nil {
			return err
		}
		for _, r := range roles {
			if err := tx.Create(&UserRole{UserID: uid, Role: r}).Error; err != nil {
				return err
			}
		}
		return also(tx)
	})
}

// ExistingUsernames returns which of names are taken.
func (s *Store) ExistingUsernames(ctx context.Context, names []string) (map[string]bool, error) {
	return s.existing(ctx, "username", names)
}

// UserIDByIDHash returns the id of a user with one of those ID number
// hashes (0: none), other than except.
func (s *Store) UserIDByIDHash(ctx context.Context, hashes []string, except uint64) (uint64, error) {
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("id_number_hash IN ? AND id <> ?", hashes, except).Limit(1).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("identity store: user by id hash: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// ExistingIDHashes returns which ID number hashes are taken.
func (s *Store) ExistingIDHashes(ctx context.Context, hashes []string) (map[string]bool, error) {
	return s.existing(ctx, "id_number_hash", hashes)
}

func (s *Store) existing(ctx context.Context, col string, vals []string) (map[string]bool, error) {
	out := map[string]bool{}
	for i := 0; i < len(vals); i += 1000 {
		var found []string
		if err := s.db.WithContext(ctx).Model(&User{}).Where(col+" IN ?", vals[i:min(i+1000, len(vals))]).Pluck(col, &found).Error; err != nil {
			return nil, fmt.Errorf("identity store: existing %s: %w", col, err)
		}
		for _, f := range found {
			out[f] = true
		}
	}
	return out, nil
}

// ActiveLearnerIDs is a subquery of the ids of enabled accounts holding the
// learner role, for another module's rankings ("user_id IN (?)").
func (s *Store) ActiveLearnerIDs() *gorm.DB {
	return s.db.Model(&User{}).Select("users.id").
		Where("users.disabled = ? AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = ?)", false, web.RoleLearner)
}

// UnitCadres is a subquery of (user_id, unit_id): the enabled learners whose
// org is a unit, for another module's per-unit figures.
func (s *Store) UnitCadres() *gorm.DB {
	return s.db.Model(&User{}).Select("users.id AS user_id, users.org_id AS unit_id").
		Where("users.disabled = ? AND users.org_id IN (SELECT id FROM orgs WHERE kind = ?)", false, KindUnit).
		Where("EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = ?)", web.RoleLearner)
}
