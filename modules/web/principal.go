package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"
)

// Roles of the college (API.md).
const (
	RoleLearner      = "learner"
	RoleUnitAdmin    = "unit_admin"
	RoleCollegeAdmin = "college_admin"
	RoleTeacher      = "teacher"
	RoleOrgAdmin     = "org_admin"
	RoleSysAdmin     = "sysadmin"
	RoleSecAdmin     = "secadmin"
	RoleAuditor      = "auditor"
)

// AllRoles lists the roles in display order.
var AllRoles = []string{RoleLearner, RoleUnitAdmin, RoleCollegeAdmin, RoleTeacher, RoleOrgAdmin, RoleSysAdmin, RoleSecAdmin, RoleAuditor}

// RoleNames are the Chinese names shown in the UI.
var RoleNames = map[string]string{
	RoleLearner:      "学员",
	RoleUnitAdmin:    "单位管理员",
	RoleCollegeAdmin: "学院管理员",
	RoleTeacher:      "教师",
	RoleOrgAdmin:     "组织部门管理员",
	RoleSysAdmin:     "系统管理员",
	RoleSecAdmin:     "安全管理员",
	RoleAuditor:      "审计管理员",
}

// Principal is the logged-in caller, as kept in the session.
type Principal struct {
	UserID             uint64   `json:"uid"`
	Username           string   `json:"un"`
	Name               string   `json:"nm"`
	Roles              []string `json:"r"`
	OrgID              uint64   `json:"o"`
	OrgPath            string   `json:"op"`
	Level              string   `json:"lv,omitempty"` // cadre level (职级), for course audiences
	CSRF               string   `json:"c"`
	SessionID          string   `json:"-"` // hash of the token, the session's key
	ViaCookie          bool     `json:"-"`
	MustChangePassword bool     `json:"mc,omitempty"`
	// MFAEnrol limits the session to enrolling a second factor, which the
	// account must have before it may do anything else.
	MFAEnrol bool `json:"mf,omitempty"`
	// IP is the client address of the request the principal came with;
	// services put it on the audit entries they write.
	IP string `json:"-"`
}

// Has reports whether the caller holds role.
func (p *Principal) Has(role string) bool { return p != nil && slices.Contains(p.Roles, role) }

// HasAny reports whether the caller holds one of roles.
func (p *Principal) HasAny(roles ...string) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

const principalKey = "principal"

// SetCaller stores the principal on the request.
func SetCaller(c *fiber.Ctx, p *Principal) { c.Locals(principalKey, p) }

// Caller returns the logged-in principal or nil.
func Caller(c *fiber.Ctx) *Principal {
	p, _ := c.Locals(principalKey).(*Principal)
	return p
}

// IsAPI reports whether the request is for the JSON API.
func IsAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return len(p) >= 5 && p[:5] == "/api/"
}

// RequireLogin refuses anonymous callers: 401 on the API, a redirect to the
// login page for pages.
func RequireLogin(c *fiber.Ctx) error {
	if Caller(c) != nil {
		return c.Next()
	}
	if IsAPI(c) {
		return Unauthorized()
	}
	return c.Redirect("/login?next="+urlQueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
}

// errRoleRequired is the refusal of a route's role gate.
var errRoleRequired = NewError(fiber.StatusForbidden, "forbidden", "您的角色无权使用此功能")

// IsGateRefusal reports whether err is a refusal by a route's role gate (as
// opposed to a service refusing one record).
func IsGateRefusal(code, message string) bool {
	return code == "forbidden" && (message == errRoleRequired.Message || message == errSystemAdminDuty.Message)
}

// RequireRole lets through callers holding one of roles (403 otherwise).
func RequireRole(roles ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := Caller(c)
		if p == nil {
			return RequireLogin(c)
		}
		if !p.HasAny(roles...) {
			return errRoleRequired
		}
		return c.Next()
	}
}

// OrgChain returns the ids of the caller's org and all its ancestors, from
// the org path ("/1/4/9/" gives 1, 4, 9).
func (p *Principal) OrgChain() []uint64 {
	var out []uint64
	var n uint64
	seen := false
	for i := 0; i < len(p.OrgPath); i++ {
		c := p.OrgPath[i]
		if c >= '0' && c <= '9' {
			n = n*10 + uint64(c-'0')
			seen = true
			continue
		}
		if seen {
			out = append(out, n)
		}
		n, seen = 0, false
	}
	return out
}

// IsSystemAdmin reports whether the caller holds one of the three system
// administrator roles (三员): they run the system and never study in it.
func (p *Principal) IsSystemAdmin() bool {
	return p.HasAny(RoleSysAdmin, RoleSecAdmin, RoleAuditor)
}
