package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// userEntry is the audit entry of a change to an account, with personal
// data left out.
func userEntry(p *web.Principal, action string, u *User) web.AuditEntry {
	return web.AuditBy(p, action, "user", u.ID, map[string]any{"username": u.Username, "name": u.Name, "org_id": u.OrgID, "roles": u.RoleList(), "disabled": u.Disabled})
}

// canCreateUsers: system administrators create accounts; unit administrators
// create the learners of their own units.
func canCreateUsers(p *web.Principal) bool {
	return p.HasAny(web.RoleSysAdmin, web.RoleUnitAdmin)
}

// canManageUsers: those who create accounts, and the security administrator,
// who manages the three administrator accounts (mayManage decides which).
func canManageUsers(p *web.Principal) bool {
	return p.HasAny(web.RoleSysAdmin, web.RoleUnitAdmin, web.RoleSecAdmin)
}

// canView: who may read user records (always within their org subtree).
func canView(p *web.Principal) bool {
	return p.HasAny(web.RoleSysAdmin, web.RoleSecAdmin, web.RoleUnitAdmin, web.RoleOrgAdmin, web.RoleCollegeAdmin)
}

// validateUser checks the profile fields shared by create, edit and import.
func (s *Service) validateUser(f web.Fields, in UserRequest, u *User) {
	in.Name = strings.TrimSpace(in.Name)
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 64)
	f.MaxLen("post", in.Post, 100)
	if in.Level != "" {
		f.Check(slices.Contains(Levels, in.Level), "level", "职级应为："+strings.Join(Levels, "、"))
	}
	if in.OrgID == 0 {
		f.Add("org_id", "必填")
	}
	id := NormalizeIDNumber(in.IDNumber)
	if id != "" && !ValidIDNumber(id) {
		f.Add("id_number", "身份证号码不正确（18 位，校验位不符）")
	}
	phone := NormalizePhone(in.Phone)
	if phone != "" && !ValidPhone(phone) {
		f.Add("phone", "手机号码不正确")
	}
	term, ok := parseDate(in.TermEndsOn)
	f.Check(ok, "term_ends_on", "日期格式应为 YYYY-MM-DD")
	u.Name, u.Level, u.Post, u.OrgID, u.TermEndsOn = in.Name, in.Level, strings.TrimSpace(in.Post), in.OrgID, term
	u.IDNumberSealed, u.IDNumberHash = s.sealer.Seal(id), s.sealer.Hash("id", id)
	u.PhoneSealed, u.PhoneHash = s.sealer.Seal(phone), s.sealer.Hash("phone", phone)
}

func normalizeRoles(roles []string) []string {
	out := []string{}
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = []string{web.RoleLearner}
	}
	return out
}

// CreateUser adds an account in an org of the caller's subtree.
func (s *Service) CreateUser(ctx context.Context, p *web.Principal, in UserRequest) (*User, error) {
	if !canCreateUsers(p) {
		return nil, web.Forbidden()
	}
	f := web.Fields{}
	in.Username = strings.TrimSpace(in.Username)
	f.Required("username", in.Username)
	f.MaxLen("username", in.Username, 64)
	f.Check(in.Username == "" || validUsername(in.Username), "username", "用户名只能包含字母、数字、下划线、点和短横线")
	minLen := s.settings.Int(ctx, SetPasswordMinLen)
	if in.Password == "" {
		f.Add("password", "必填")
	} else if msg := PasswordProblemFor(in.Password, minLen, in.Username); msg != "" {
		f.Add("password", msg)
	}
	roles := normalizeRoles(in.Roles)
	if err := checkNewRoles(f, roles); err != nil {
		return nil, err
	}
	// A password somebody else chose is changed at the first login.
	u := &User{Username: in.Username, PasswordChangedAt: s.now().UTC(), MustChangePassword: true}
	if err := s.fillUser(ctx, p, f, in, u); err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, web.Internal(err)
	}
	u.PasswordHash = hash
	for _, r := range roles {
		u.Roles = append(u.Roles, UserRole{Role: r})
	}
	err = s.change(ctx, func(st *Store) error { return st.CreateUsers(ctx, []*User{u}) }, func() web.AuditEntry { return userEntry(p, "user.create", u) })
	if err != nil {
		return nil, s.duplicateUser(err)
	}
	return u, nil
}

// fillUser checks a created or edited profile and copies it into u: the
// fields (with those already in f), an org the caller can see, and a
// username and ID number no other account has.
func (s *Service) fillUser(ctx context.Context, p *web.Principal, f web.Fields, in UserRequest, u *User) error {
	s.validateUser(f, in, u)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.checkOrg(ctx, p, in.OrgID); err != nil {
		return err
	}
	return s.checkTaken(ctx, p, u)
}

// checkTaken reports a username or ID number another account already has.
// The unique keys remain the guard against races; this gives the message,
// which says less when the other account is outside the caller's scope.
func (s *Service) checkTaken(ctx context.Context, p *web.Principal, u *User) error {
	f := web.Fields{}
	if u.ID == 0 {
		owner, err := s.store.UserByUsername(ctx, u.Username)
		if err != nil {
			return web.Internal(err)
		}
		if owner != nil {
			if visible, err := s.UserInScope(ctx, p, owner.ID); err == nil && visible {
				f.Add("username", "该用户名已被使用")
			} else {
				f.Add("username", "该用户名不可用，请换一个")
			}
		}
	}
	if u.IDNumberHash != nil {
		id, _ := s.sealer.Open(u.IDNumberSealed)
		owner, err := s.store.UserIDByIDHash(ctx, s.sealer.Hashes("id", id), u.ID)
		if err != nil {
			return web.Internal(err)
		}
		if owner != 0 && owner != u.ID {
			if visible, err := s.UserInScope(ctx, p, owner); err == nil && visible {
				f.Add("id_number", "该身份证号码已登记")
			} else {
				f.Add("id_number", "该身份证号码无法在此登记，请联系上级组织部门核实")
			}
		}
	}
	return f.Err()
}

func (s *Service) duplicateUser(err error) error {
	if db.IsDuplicate(err) {
		return web.Invalid(map[string]string{"username": "用户名或身份证号码不可用"})
	}
	return web.AsError(err)
}

func validUsername(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// CanManage reports whether the caller may edit, disable or reset u (u is
// already known to be in the caller's scope).
func (s *Service) CanManage(p *web.Principal, u *User) bool {
	return canManageUsers(p) && mayManage(p, u)
}

// manageable loads a user the caller may change: in scope, not the caller,
// the three administrator accounts only for the security administrator, and
// for unit administrators only plain learners.
func (s *Service) manageable(ctx context.Context, p *web.Principal, id uint64) (*User, error) {
	if !canManageUsers(p) {
		return nil, web.Forbidden()
	}
	u, err := web.Load[User](s.store.usersOf(ctx, p), id)
	if err != nil {
		return nil, err
	}
	if u.ID == p.UserID {
		return nil, web.Conflict("self", "不能在这里管理自己的账号，请在个人信息中修改")
	}
	if !mayManage(p, u) {
		return nil, web.Forbidden()
	}
	return u, nil
}

// secAdminTarget loads the account a security administrator acts on: in
// scope, or 404; anyone else is refused.
func (s *Service) secAdminTarget(ctx context.Context, p *web.Principal, id uint64) (*User, error) {
	if !p.Has(web.RoleSecAdmin) {
		return nil, web.Forbidden()
	}
	return web.Load[User](s.store.usersOf(ctx, p), id)
}

// UpdateUser edits a profile. Moving a user to another org ends their sessions.
func (s *Service) UpdateUser(ctx context.Context, p *web.Principal, id uint64, in UserRequest) (*User, error) {
	u, err := s.manageable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	oldOrg := u.OrgID
	f := web.Fields{}
	if in.OrgID == 0 {
		in.OrgID = u.OrgID
	}
	if err := s.fillUser(ctx, p, f, in, u); err != nil {
		return nil, err
	}
	err = s.change(ctx, func(st *Store) error {
		return st.SaveUser(ctx, u, "name", "level", "post", "org_id", "term_ends_on", "id_number_sealed", "id_number_hash", "phone_sealed", "phone_hash")
	}, func() web.AuditEntry { return userEntry(p, "user.update", u) })
	if err != nil {
		return nil, s.duplicateUser(err)
	}
	if oldOrg != u.OrgID {
		_ = s.sessions.EndUser(ctx, u.ID, "")
	}
	return u, nil
}

// KeepPersonalData fills the blank ID number and phone of an edit with the
// stored ones: the edit form never shows them, so blank means unchanged.
func (s *Service) KeepPersonalData(cur *User, in *UserRequest) {
	if in.IDNumber == "" {
		in.IDNumber, _ = s.sealer.Open(cur.IDNumberSealed)
	}
	if in.Phone == "" {
		in.Phone, _ = s.sealer.Open(cur.PhoneSealed)
	}
}

// SetDisabled disables or re-enables an account; disabling ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, p *web.Principal, id uint64, disabled bool) (*User, error) {
	u, err := s.manageable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if u.ID == p.UserID {
		return nil, web.Conflict("self", "不能停用自己的账号")
	}
	u.Disabled = disabled
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	if err := s.change(ctx, func(st *Store) error { return st.SaveUser(ctx, u, "disabled") }, func() web.AuditEntry { return userEntry(p, action, u) }); err != nil {
		return nil, web.AsError(err)
	}
	if disabled {
		if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
			return nil, web.Internal(err)
		}
	}
	return u, nil
}

// SetRoles replaces a user's roles: the security administrator's duty. Their
// sessions end so the new roles apply at once.
func (s *Service) SetRoles(ctx context.Context, p *web.Principal, id uint64, roles []string) (*User, error) {
	u, err := s.secAdminTarget(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if u.ID == p.UserID {
		return nil, web.Conflict("self", "不能修改自己的角色")
	}
	roles = normalizeRoles(roles)
	f := web.Fields{}
	checkGrantedRoles(f, roles)
	if err := f.Err(); err != nil {
		return nil, err
	}
	// The grant and its audit entry commit together.
	e := web.AuditBy(p, "user.roles", "user", u.ID, map[string]any{"username": u.Username, "roles": roles, "before": u.RoleList()})
	if err := s.store.SetRoles(ctx, u.ID, roles, func(tx *gorm.DB) error { return web.RecordTx(s.audit, tx, e) }); err != nil {
		return nil, web.AsError(err)
	}
	if err := s.sessions.EndUser(ctx, u.ID, ""); err != nil {
		return nil, web.Internal(err)
	}
	return s.store.UserByID(ctx, nil, u.ID)
}

// GetUser returns a user in the caller's scope.
func (s *Service) GetUser(ctx context.Context, p *web.Principal, id uint64) (*User, error) {
	if p.UserID != id && !canView(p) {
		return nil, web.Forbidden()
	}
	if p.UserID == id {
		return web.Load[User](s.store.usersOf(ctx, nil), id)
	}
	return web.Load[User](s.store.usersOf(ctx, p), id)
}

// ListUsers searches users in the caller's scope. A query that looks like an
// ID number or phone also matches those exactly.
func (s *Service) ListUsers(ctx context.Context, p *web.Principal, q string, orgID uint64, role string, pg web.Page) ([]User, int64, error) {
	if !canView(p) {
		return nil, 0, web.Forbidden()
	}
	f := UserFilter{Q: strings.TrimSpace(q), Role: role}
	if id := NormalizeIDNumber(f.Q); ValidIDNumber(id) {
		f.Hashes = s.sealer.Hashes("id", id)
	} else if ph := NormalizePhone(f.Q); ValidPhone(ph) {
		f.Hashes = s.sealer.Hashes("phone", ph)
	}
	if orgID != 0 {
		o, err := s.GetOrg(ctx, p, orgID)
		if err != nil {
			return nil, 0, err
		}
		f.OrgPath = o.Path
	}
	users, total, err := s.store.ListUsers(ctx, p, f, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	if err := s.audit.Record(ctx, listingEntry(p, q, orgID, role, pg, total, len(users))); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// listingEntry records a listing of people (who searched for whom and how
// many they saw), with an ID number or phone searched for masked. The
// listing is not shown unless the entry is written.
func listingEntry(p *web.Principal, q string, orgID uint64, role string, pg web.Page, total int64, shown int) web.AuditEntry {
	if id := NormalizeIDNumber(q); ValidIDNumber(id) {
		q = MaskIDNumber(id)
	} else if ph := NormalizePhone(q); ValidPhone(ph) {
		q = MaskPhone(ph)
	} else if r := []rune(q); len(r) > 64 {
		q = string(r[:64])
	}
	return web.AuditBy(p, "list.users", "user", 0, map[string]any{"q": q, "org_id": orgID, "role": role, "page": pg.Page, "total": total, "shown": shown})
}

// Response converts a user for output, with personal data masked.
func (s *Service) Response(ctx context.Context, u *User, orgName string) UserResponse {
	r := UserResponse{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: orgName, Roles: u.RoleList(),
		Level: u.Level, Post: u.Post, Disabled: u.Disabled, MustChangePassword: u.MustChangePassword, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt}
	if id, err := s.sealer.Open(u.IDNumberSealed); err == nil {
		r.IDNumber = MaskIDNumber(id)
	} else {
		s.log.ErrorContext(ctx, "identity: cannot open id number", "user", u.ID, "err", err)
	}
	if ph, err := s.sealer.Open(u.PhoneSealed); err == nil {
		r.Phone = MaskPhone(ph)
	}
	if u.TermEndsOn != nil {
		r.TermEndsOn = u.TermEndsOn.Format(dateLayout)
	}
	return r
}

// ResponseOf converts a user for output, with the name of their org.
func (s *Service) ResponseOf(ctx context.Context, u *User) UserResponse {
	return s.Response(ctx, u, s.OrgName(ctx, u.OrgID))
}

// Responses converts a page of users, with their org names.
func (s *Service) Responses(ctx context.Context, users []User) []UserResponse {
	ids := make([]uint64, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.OrgID)
	}
	names, _ := s.store.OrgNames(ctx, ids)
	out := make([]UserResponse, len(users))
	for i := range users {
		out[i] = s.Response(ctx, &users[i], names[users[i].OrgID])
	}
	return out
}

// Provision creates accounts that share one initial password (hashed once),
// for the demo city and bulk set-up; unlike an import the users need not
// change it. Existing usernames are skipped. It returns how many it made.
func (s *Service) Provision(ctx context.Context, reqs []UserRequest, password string) (int, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return 0, err
	}
	names := make([]string, len(reqs))
	for i, r := range reqs {
		names[i] = r.Username
	}
	taken, err := s.store.ExistingUsernames(ctx, names)
	if err != nil {
		return 0, err
	}
	var users []*User
	for _, in := range reqs {
		if taken[in.Username] {
			continue
		}
		u := &User{Username: in.Username, PasswordHash: hash, PasswordChangedAt: s.now().UTC()}
		f := web.Fields{}
		s.validateUser(f, in, u)
		if len(f) > 0 {
			return 0, fmt.Errorf("identity: provision %s: %v", in.Username, f)
		}
		roles := normalizeRoles(in.Roles)
		checkGrantedRoles(f, roles)
		if len(f) > 0 {
			return 0, fmt.Errorf("identity: provision %s: %v", in.Username, f)
		}
		for _, r := range roles {
			u.Roles = append(u.Roles, UserRole{Role: r})
		}
		users = append(users, u)
	}
	if err := s.store.CreateUsers(ctx, users); err != nil {
		return 0, err
	}
	return len(users), nil
}
