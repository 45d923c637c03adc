package web

import "net/http"

// MayStudy refuses study actions (exams, practice, classes, courses,
// evaluations) to the three system administrators: those accounts run the
// system and never study in it.
func MayStudy(p *Principal) error {
	if p == nil {
		return Unauthorized()
	}
	if p.IsSystemAdmin() {
		return NewError(http.StatusForbidden, "admin_account", "系统管理员、安全管理员和审计管理员账号不能用于学习、考试和培训")
	}
	return nil
}
