package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

const preLoginCookie = "college_prelogin"

func (h *Handlers) registerPages(r fiber.Router) {
	managers := web.RequireRole(web.RoleSysAdmin, web.RoleUnitAdmin)
	accountManagers := web.RequireRole(web.RoleSysAdmin, web.RoleUnitAdmin, web.RoleSecAdmin)
	secAdmins := web.RequireRole(web.RoleSecAdmin)
	viewers := web.RequireRole(web.RoleSysAdmin, web.RoleSecAdmin, web.RoleUnitAdmin, web.RoleOrgAdmin, web.RoleCollegeAdmin)
	orgAdmins := web.RequireRole(web.RoleSysAdmin, web.RoleOrgAdmin)
	r.Get("/login", h.loginPage)
	r.Post("/login", h.loginSubmit)
	r.Post("/logout", web.RequireLogin, h.logoutSubmit)
	r.Get("/profile", web.RequireLogin, h.profilePage)
	r.Get("/profile/password", web.RequireLogin, h.passwordPage)
	r.Post("/profile/password", web.RequireLogin, h.passwordSubmit)
	r.Get("/profile/mfa", web.RequireLogin, h.mfaPage)
	r.Post("/profile/mfa", web.RequireLogin, h.mfaBeginSubmit)
	r.Post("/profile/mfa/confirm", web.RequireLogin, h.mfaConfirmSubmit)
	r.Get("/profile/mfa/qr.png", web.RequireLogin, h.mfaQR)
	r.Get("/admin/orgs", viewers, h.orgsPage)
	r.Post("/admin/orgs", orgAdmins, h.orgCreateSubmit)
	r.Get("/admin/users", viewers, h.usersPage)
	r.Get("/admin/users/new", managers, h.userNewPage)
	r.Post("/admin/users/new", managers, h.userCreateSubmit)
	r.Get("/admin/users/import", managers, h.importPage)
	r.Post("/admin/users/import", managers, h.importSubmit)
	r.Get("/admin/users/:id", viewers, h.userEditPage)
	r.Post("/admin/users/:id", accountManagers, h.userUpdateSubmit)
	r.Post("/admin/users/:id/disable", accountManagers, h.userDisableSubmit)
	r.Post("/admin/users/:id/enable", accountManagers, h.userEnableSubmit)
	r.Post("/admin/users/:id/roles", secAdmins, h.userRolesSubmit)
	r.Post("/admin/users/:id/password", accountManagers, h.userPasswordSubmit)
	r.Post("/admin/users/:id/mfa-reset", secAdmins, h.userMFAResetSubmit)
	r.Post("/admin/users/:id/unlock", secAdmins, h.userUnlockSubmit)
}

func randomToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (h *Handlers) renderLogin(c *fiber.Ctx, status int, username, msg string) error {
	return h.renderLoginOTP(c, status, username, msg, false)
}

// renderLoginOTP shows the login form; otp asks for the second factor.
func (h *Handlers) renderLoginOTP(c *fiber.Ctx, status int, username, msg string, otp bool) error {
	tok := randomToken()
	c.Cookie(&fiber.Cookie{Name: preLoginCookie, Value: tok, Path: "/login", HTTPOnly: true, SameSite: "Strict", Secure: h.secureCookie})
	next := c.Query("next")
	if next == "" {
		next = c.FormValue("next")
	}
	return h.pages.Render(c, status, "identity/login", "登录", map[string]any{"Next": web.SafeNext(next), "Username": username, "Error": msg, "Token": tok, "OTP": otp})
}

func (h *Handlers) loginPage(c *fiber.Ctx) error {
	if web.Caller(c) != nil {
		return c.Redirect(web.SafeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return h.renderLogin(c, fiber.StatusOK, "", "")
}

func (h *Handlers) loginSubmit(c *fiber.Ctx) error {
	ck, form := c.Cookies(preLoginCookie), c.FormValue(web.CSRFField)
	if ck == "" || subtle.ConstantTimeCompare([]byte(ck), []byte(form)) != 1 {
		return h.renderLogin(c, fiber.StatusForbidden, c.FormValue("username"), "页面已过期，请重新登录")
	}
	username, password := c.FormValue("username"), c.FormValue("password")
	if strings.TrimSpace(username) == "" || password == "" {
		return h.renderLogin(c, fiber.StatusBadRequest, "", "请输入用户名和密码")
	}
	token, u, err := h.svc.Login(c.UserContext(), LoginAttempt{Username: username, Password: password, OTP: c.FormValue("otp"), IP: c.IP()})
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 && we.Status != fiber.StatusServiceUnavailable {
			return err
		}
		if we.Fields != nil {
			username = "" // over the caps: never echoed back
		}
		return h.renderLoginOTP(c, we.Status, username, we.Message, we.Code == "otp_required" || we.Code == "otp_invalid")
	}
	h.setCookie(c, token)
	c.ClearCookie(preLoginCookie)
	if u.MustChangePassword {
		return c.Redirect("/profile/password", fiber.StatusSeeOther)
	}
	if p, err := h.svc.Authenticate(c.UserContext(), token); err == nil && p.MFAEnrol {
		return c.Redirect("/profile/mfa", fiber.StatusSeeOther)
	}
	return c.Redirect(web.SafeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

func (h *Handlers) logoutSubmit(c *fiber.Ctx) error {
	err := h.svc.Logout(c.UserContext(), web.Caller(c))
	c.ClearCookie(CookieName)
	if err != nil {
		return err
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}
