package identity

import (
	"context"
	"fmt"
	"strings"

	"college/modules/web"
	"college/storage/db"
)

// EnsureRoot creates the root org department on first start.
func (s *Service) EnsureRoot(ctx context.Context) (*Org, error) {
	root, err := s.store.Root(ctx)
	if err != nil || root != nil {
		return root, err
	}
	root = &Org{Name: "市委组织部", Code: "ROOT", Kind: KindDepartment}
	if err := s.store.CreateOrg(ctx, root, "/"); err != nil {
		return nil, fmt.Errorf("identity: create root org: %w", err)
	}
	return root, nil
}

// CreateOrg adds an organization under a parent in the caller's scope.
func (s *Service) CreateOrg(ctx context.Context, p *web.Principal, in OrgRequest) (*Org, error) {
	f := web.Fields{}
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 100)
	f.Required("code", in.Code)
	f.MaxLen("code", in.Code, 50)
	f.Check(in.Code == "" || !strings.ContainsAny(in.Code, " \t/\\"), "code", "代码不能包含空格或斜杠")
	if in.Kind == "" {
		f.Add("kind", "必填")
	} else if _, ok := KindNames[in.Kind]; !ok {
		f.Add("kind", "应为 department、college 或 unit")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	parent, err := s.parentOrg(ctx, p, in.ParentID)
	if err != nil {
		return nil, err
	}
	o := &Org{ParentID: &parent.ID, Name: in.Name, Code: in.Code, Kind: in.Kind, Sort: in.Sort}
	err = s.change(ctx, func(st *Store) error { return st.CreateOrg(ctx, o, parent.Path) }, func() web.AuditEntry {
		return web.AuditBy(p, "org.create", "org", o.ID, map[string]any{"name": o.Name, "code": o.Code, "kind": o.Kind})
	})
	if err != nil {
		return nil, orgSaveError(err)
	}
	return o, nil
}

// parentOrg is the parent of a new org: the one named, or the root, when
// either is in the caller's scope (404 otherwise).
func (s *Service) parentOrg(ctx context.Context, p *web.Principal, id *uint64) (*Org, error) {
	if id != nil {
		return s.GetOrg(ctx, p, *id)
	}
	root, err := s.store.Root(ctx)
	if err != nil {
		return nil, web.Internal(err)
	}
	if root == nil || !p.InScope(root.Path) {
		return nil, web.NotFound()
	}
	return root, nil
}

// UpdateOrg edits an organization in scope.
func (s *Service) UpdateOrg(ctx context.Context, p *web.Principal, id uint64, in OrgRequest) (*Org, error) {
	o, err := s.GetOrg(ctx, p, id)
	if err != nil {
		return nil, err
	}
	f := web.Fields{}
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	f.Required("name", in.Name)
	f.MaxLen("name", in.Name, 100)
	f.Required("code", in.Code)
	if in.Kind != "" {
		_, ok := KindNames[in.Kind]
		f.Check(ok, "kind", "应为 department、college 或 unit")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	o.Name, o.Code, o.Sort = in.Name, in.Code, in.Sort
	if in.Kind != "" {
		o.Kind = in.Kind
	}
	err = s.change(ctx, func(st *Store) error { return st.UpdateOrg(ctx, o) }, func() web.AuditEntry {
		return web.AuditBy(p, "org.update", "org", o.ID, map[string]any{"name": o.Name, "code": o.Code})
	})
	if err != nil {
		return nil, orgSaveError(err)
	}
	return o, nil
}

// orgSaveError is the answer to a failed save of an org: a code already
// used is the caller's mistake.
func orgSaveError(err error) error {
	if db.IsDuplicate(err) {
		return web.Invalid(map[string]string{"code": "该代码已被使用"})
	}
	return web.AsError(err)
}

// ListOrgs returns the caller's subtree.
func (s *Service) ListOrgs(ctx context.Context, p *web.Principal) ([]Org, error) {
	orgs, err := s.store.ListOrgs(ctx, p)
	if err != nil {
		return nil, web.Internal(err)
	}
	return orgs, nil
}

// GetOrg returns one org in scope.
func (s *Service) GetOrg(ctx context.Context, p *web.Principal, id uint64) (*Org, error) {
	return web.Load[Org](s.store.orgsOf(ctx, p), id)
}

// OrgName returns an org's name for display.
func (s *Service) OrgName(ctx context.Context, id uint64) string {
	names, _ := s.store.OrgNames(ctx, []uint64{id})
	return names[id]
}

// checkOrg refuses an org of a user's record that the caller cannot see.
func (s *Service) checkOrg(ctx context.Context, p *web.Principal, id uint64) error {
	org, err := s.store.OrgByID(ctx, p, id)
	if err != nil {
		return web.Internal(err)
	}
	if org == nil {
		return errOrgOutOfScope()
	}
	return nil
}

// errOrgOutOfScope is 404: the org named in the request is not one the
// caller can see; the field says which.
func errOrgOutOfScope() *web.Error {
	e := web.NotFound()
	e.Message = "组织不存在或不在您的管理范围内"
	e.Fields = map[string]string{"org_id": e.Message}
	return e
}

// EnsureOrg returns the org with code, creating it under parent when missing.
func (s *Service) EnsureOrg(ctx context.Context, parent *Org, name, code, kind string) (*Org, error) {
	o, err := s.store.OrgByCode(ctx, code)
	if err != nil || o != nil {
		return o, err
	}
	o = &Org{ParentID: &parent.ID, Name: name, Code: code, Kind: kind}
	if err := s.store.CreateOrg(ctx, o, parent.Path); err != nil {
		return nil, fmt.Errorf("identity: create org %s: %w", code, err)
	}
	return o, nil
}
