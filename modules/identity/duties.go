package identity

import (
	"slices"

	"college/modules/web"
)

// Separation of duties (三员分立): the system, security and audit
// administrators are three accounts with one role each. Only the security
// administrator grants roles and manages those three accounts; nobody
// manages their own account through the administration routes.

// systemRoles are the three administrator roles that exclude every other.
var systemRoles = []string{web.RoleSysAdmin, web.RoleSecAdmin, web.RoleAuditor}

// isSystemRole reports whether r is one of the three administrator roles.
func isSystemRole(r string) bool { return slices.Contains(systemRoles, r) }

// holdsSystemRole reports whether a user holds one of the three roles.
func holdsSystemRole(u *User) bool {
	for _, r := range u.Roles {
		if isSystemRole(r.Role) {
			return true
		}
	}
	return false
}

// onlyLearner reports whether roles are just the learner role.
func onlyLearner(roles []string) bool {
	for _, r := range roles {
		if r != web.RoleLearner {
			return false
		}
	}
	return true
}

// errRolesBySecAdmin refuses a role given by anyone but the security
// administrator, naming the field.
func errRolesBySecAdmin() *web.Error {
	e := web.NewError(403, "forbidden", "新建或导入的账号只能是学员，其他角色由安全管理员分配")
	e.Fields = map[string]string{"roles": e.Message}
	return e
}

// checkNewRoles validates the roles of an account being created or imported:
// known roles, and the learner role only.
func checkNewRoles(f web.Fields, roles []string) error {
	for _, r := range roles {
		if !validRole(r) {
			f.Add("roles", "未知角色："+r)
			return nil
		}
	}
	if !onlyLearner(roles) {
		return errRolesBySecAdmin()
	}
	return nil
}

// checkGrantedRoles validates roles the security administrator sets: known
// roles, and a system administrator role only on its own.
func checkGrantedRoles(f web.Fields, roles []string) {
	for _, r := range roles {
		if !validRole(r) {
			f.Add("roles", "未知角色："+r)
			return
		}
	}
	for _, r := range roles {
		if isSystemRole(r) && len(roles) > 1 {
			f.Add("roles", web.RoleNames[r]+"不能与其他角色同时授予（三员分立）")
			return
		}
	}
}

// mayManage reports whether the caller may edit, move, disable, unlock or
// reset the password of u (already known to be in the caller's scope).
func mayManage(p *web.Principal, u *User) bool {
	if u.ID == p.UserID {
		return false
	}
	if holdsSystemRole(u) {
		return p.Has(web.RoleSecAdmin)
	}
	if p.Has(web.RoleSysAdmin) {
		return true
	}
	if p.Has(web.RoleUnitAdmin) {
		return onlyLearner(u.RoleList())
	}
	return false
}
