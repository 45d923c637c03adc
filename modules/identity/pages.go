package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"
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

func (h *Handlers) profilePage(c *fiber.Ctx) error {
	p := web.Caller(c)
	u, err := h.svc.GetUser(c.UserContext(), p, p.UserID)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/profile", "个人信息", h.svc.Response(c.UserContext(), u, h.svc.OrgName(c.UserContext(), u.OrgID)))
}

func (h *Handlers) passwordPage(c *fiber.Ctx) error {
	return h.renderPassword(c, fiber.StatusOK, nil)
}

// renderPassword shows the change-password form, with errs next to its
// fields.
func (h *Handlers) renderPassword(c *fiber.Ctx, status int, errs map[string]string) error {
	return h.pages.Render(c, status, "identity/password", "修改密码", map[string]any{"Must": web.Caller(c).MustChangePassword, "MinLen": h.svc.PasswordMinLen(c.UserContext()), "Errors": errs})
}

func (h *Handlers) passwordSubmit(c *fiber.Ctx) error {
	p := web.Caller(c)
	if c.FormValue("new_password") != c.FormValue("confirm_password") {
		return h.renderPassword(c, fiber.StatusBadRequest, map[string]string{"confirm_password": "两次输入的新密码不一致"})
	}
	token, err := h.svc.ChangeOwnPassword(c.UserContext(), p, c.FormValue("old_password"), c.FormValue("new_password"))
	if err != nil {
		we := web.AsError(err)
		if we.Status != fiber.StatusBadRequest && we.Status != fiber.StatusTooManyRequests {
			return err
		}
		errs := we.Fields
		if errs == nil {
			errs = map[string]string{"old_password": we.Message}
		}
		return h.renderPassword(c, we.Status, errs)
	}
	h.setCookie(c, token)
	web.Flash(c, "密码已修改")
	if p.MFAEnrol {
		return c.Redirect("/profile/mfa", fiber.StatusSeeOther)
	}
	return c.Redirect("/profile", fiber.StatusSeeOther)
}

type orgNode struct {
	OrgResponse
	KindName string
}

func (h *Handlers) orgsData(c *fiber.Ctx, form OrgRequest, errs map[string]string) (map[string]any, error) {
	orgs, err := h.svc.ListOrgs(c.UserContext(), web.Caller(c))
	if err != nil {
		return nil, err
	}
	nodes := make([]orgNode, len(orgs))
	for i := range orgs {
		nodes[i] = orgNode{OrgResponse: orgResponse(&orgs[i]), KindName: KindNames[orgs[i].Kind]}
	}
	var parent uint64
	if form.ParentID != nil {
		parent = *form.ParentID
	}
	return map[string]any{"Orgs": nodes, "Form": form, "ParentID": parent, "Errors": errs, "Kinds": KindNames}, nil
}

func (h *Handlers) orgsPage(c *fiber.Ctx) error {
	data, err := h.orgsData(c, OrgRequest{Kind: KindUnit}, nil)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/orgs", "组织机构", data)
}

func (h *Handlers) orgCreateSubmit(c *fiber.Ctx) error {
	in := OrgRequest{Name: c.FormValue("name"), Code: c.FormValue("code"), Kind: c.FormValue("kind")}
	if pid, err := web.ParseUint(c.FormValue("parent_id")); err == nil && pid > 0 {
		in.ParentID = &pid
	}
	o, err := h.svc.CreateOrg(c.UserContext(), web.Caller(c), in)
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 {
			return err
		}
		fields := we.Fields
		if fields == nil {
			fields = map[string]string{"parent_id": "上级组织不存在或不在您的管理范围内"}
		}
		data, derr := h.orgsData(c, in, fields)
		if derr != nil {
			return derr
		}
		return h.pages.Render(c, fiber.StatusBadRequest, "identity/orgs", "组织机构", data)
	}
	web.Flash(c, "已新建组织："+o.Name)
	return c.Redirect("/admin/orgs", fiber.StatusSeeOther)
}

func (h *Handlers) usersPage(c *fiber.Ctx) error {
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	orgID, err := web.QueryUint(c, "org_id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	users, total, err := h.svc.ListUsers(c.UserContext(), p, c.Query("q"), orgID, c.Query("role"), pg)
	if err != nil {
		return err
	}
	orgs, err := h.svc.ListOrgs(c.UserContext(), p)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/users", "用户管理", map[string]any{
		"List": web.NewList(h.svc.Responses(c.UserContext(), users), total, pg), "Q": c.Query("q"), "OrgID": orgID, "Role": c.Query("role"),
		"Orgs": orgs, "Roles": web.AllRoles,
	})
}

func userFromForm(c *fiber.Ctx) UserRequest {
	in := UserRequest{Username: c.FormValue("username"), Name: c.FormValue("name"), Password: c.FormValue("password"),
		Level: c.FormValue("level"), Post: c.FormValue("post"), IDNumber: c.FormValue("id_number"), Phone: c.FormValue("phone"), TermEndsOn: c.FormValue("term_ends_on")}
	in.OrgID, _ = web.ParseUint(c.FormValue("org_id"))
	in.MustChangePassword = c.FormValue("must_change_password") == "true"
	if args := c.Request().PostArgs(); args != nil {
		for _, v := range args.PeekMulti("roles") {
			in.Roles = append(in.Roles, string(v))
		}
	}
	return in
}

func (h *Handlers) userForm(c *fiber.Ctx, status int, title string, form UserRequest, user *UserResponse, errs map[string]string) error {
	orgs, err := h.svc.ListOrgs(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	canManage := user == nil
	if user != nil {
		if u, err := h.svc.GetUser(c.UserContext(), web.Caller(c), user.ID); err == nil {
			canManage = h.svc.CanManage(web.Caller(c), u)
		}
	}
	return h.pages.Render(c, status, "identity/user_form", title, map[string]any{"Form": form, "User": user, "Errors": errs, "Orgs": orgs, "Levels": Levels, "Roles": web.AllRoles,
		"MinLen": h.svc.PasswordMinLen(c.UserContext()), "CanManage": canManage})
}

func (h *Handlers) userNewPage(c *fiber.Ctx) error {
	in := UserRequest{Roles: []string{web.RoleLearner}, MustChangePassword: true}
	in.OrgID, _ = web.ParseUint(c.Query("org_id"))
	return h.userForm(c, fiber.StatusOK, "新建用户", in, nil, nil)
}

func (h *Handlers) userCreateSubmit(c *fiber.Ctx) error {
	in := userFromForm(c)
	u, err := h.svc.CreateUser(c.UserContext(), web.Caller(c), in)
	if err != nil {
		we := web.AsError(err)
		if we.Fields == nil {
			return err
		}
		in.Password = ""
		return h.userForm(c, fiber.StatusBadRequest, "新建用户", in, nil, we.Fields)
	}
	web.Flash(c, "已新建用户："+u.Name)
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

func (h *Handlers) userEditPage(c *fiber.Ctx) error {
	return h.userPage(c, fiber.StatusOK, nil)
}

// userPage shows a user's page with the stored values, and errs next to
// the fields of a refused action.
func (h *Handlers) userPage(c *fiber.Ctx, status int, errs map[string]string) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u, err := h.svc.GetUser(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	resp := h.svc.Response(c.UserContext(), u, h.svc.OrgName(c.UserContext(), u.OrgID))
	form := UserRequest{Username: u.Username, Name: u.Name, OrgID: u.OrgID, Roles: u.RoleList(), Level: u.Level, Post: u.Post, TermEndsOn: resp.TermEndsOn}
	return h.userForm(c, status, "用户："+u.Name, form, &resp, errs)
}

func (h *Handlers) userUpdateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := userFromForm(c)
	p := web.Caller(c)
	// Blank personal-data fields keep the stored values.
	cur, err := h.svc.GetUser(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	h.svc.KeepPersonalData(cur, &in)
	if _, err := h.svc.UpdateUser(c.UserContext(), p, id, in); err != nil {
		we := web.AsError(err)
		if we.Fields == nil {
			return err
		}
		resp := h.svc.Response(c.UserContext(), cur, h.svc.OrgName(c.UserContext(), cur.OrgID))
		in.IDNumber, in.Phone = "", ""
		in.Username = cur.Username
		in.Roles = cur.RoleList()
		return h.userForm(c, fiber.StatusBadRequest, "用户："+cur.Name, in, &resp, we.Fields)
	}
	web.Flash(c, "已保存")
	return c.Redirect("/admin/users/"+c.Params("id"), fiber.StatusSeeOther)
}

func (h *Handlers) userDisableSubmit(c *fiber.Ctx) error { return h.toggleSubmit(c, true) }
func (h *Handlers) userEnableSubmit(c *fiber.Ctx) error  { return h.toggleSubmit(c, false) }

func (h *Handlers) toggleSubmit(c *fiber.Ctx, disabled bool) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u, err := h.svc.SetDisabled(c.UserContext(), web.Caller(c), id, disabled)
	if err != nil {
		return err
	}
	if disabled {
		web.Flash(c, "已停用账号："+u.Name)
	} else {
		web.Flash(c, "已启用账号："+u.Name)
	}
	return c.Redirect("/admin/users/"+c.Params("id"), fiber.StatusSeeOther)
}

func (h *Handlers) userRolesSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var roles []string
	for _, v := range c.Request().PostArgs().PeekMulti("roles") {
		roles = append(roles, string(v))
	}
	_, err = h.svc.SetRoles(c.UserContext(), web.Caller(c), id, roles)
	if err != nil {
		return err
	}
	web.Flash(c, "角色已更新，该用户需重新登录")
	return c.Redirect("/admin/users/"+c.Params("id"), fiber.StatusSeeOther)
}

func (h *Handlers) importPage(c *fiber.Ctx) error {
	return h.pages.Render(c, fiber.StatusOK, "identity/import", "批量导入用户", map[string]any{})
}

func (h *Handlers) importSubmit(c *fiber.Ctx) error {
	data, err := web.FormFileBytes(c, "file", MaxImportBytes)
	if err == nil {
		var res ImportResponse
		res, err = h.svc.ImportUsers(c.UserContext(), web.Caller(c), data, c.FormValue("initial_password"))
		if err == nil {
			return h.pages.Render(c, fiber.StatusOK, "identity/import", "批量导入用户", map[string]any{"Result": res})
		}
	}
	we := web.AsError(err)
	if we.Status >= 500 {
		return err
	}
	return h.pages.Render(c, we.Status, "identity/import", "批量导入用户", map[string]any{"Error": we})
}

func (h *Handlers) userPasswordSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.ResetPassword(c.UserContext(), web.Caller(c), id, c.FormValue("new_password")); err != nil {
		we := web.AsError(err)
		if we.Fields == nil {
			return err
		}
		return h.userPage(c, fiber.StatusBadRequest, we.Fields)
	}
	web.Flash(c, "密码已重置，该用户下次登录时须修改密码")
	return c.Redirect("/admin/users/"+c.Params("id"), fiber.StatusSeeOther)
}

func (h *Handlers) userMFAResetSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.ResetMFA(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	web.Flash(c, "已重置动态验证码，该用户下次登录时须重新绑定")
	return c.Redirect("/admin/users/"+c.Params("id"), fiber.StatusSeeOther)
}

func (h *Handlers) userUnlockSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Unlock(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	web.Flash(c, "已解除登录锁定")
	return c.Redirect("/admin/users/"+c.Params("id"), fiber.StatusSeeOther)
}

// mfaPage shows the caller's second factor: enrolled, or a button to start.
func (h *Handlers) mfaPage(c *fiber.Ctx) error {
	p := web.Caller(c)
	on, err := h.svc.MFAEnabled(c.UserContext(), p.UserID)
	if err != nil {
		return web.Internal(err)
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/mfa", "动态验证码", map[string]any{"Enabled": on, "Required": p.MFAEnrol})
}

// mfaBeginSubmit makes a new secret and shows it as a QR code to scan.
func (h *Handlers) mfaBeginSubmit(c *fiber.Ctx) error {
	p := web.Caller(c)
	start, err := h.svc.BeginTOTP(c.UserContext(), p)
	if err != nil {
		return err
	}
	return h.renderMFAStart(c, fiber.StatusOK, start, "")
}

func (h *Handlers) renderMFAStart(c *fiber.Ctx, status int, start TOTPStart, msg string) error {
	return h.pages.Render(c, status, "identity/mfa", "动态验证码", map[string]any{"Start": start, "QR": "/profile/mfa/qr.png",
		"Secret": groupSecret(start.Secret), "Error": msg, "Required": web.Caller(c).MFAEnrol})
}

// mfaQR draws the pending enrolment's URI as a QR code (never cached).
func (h *Handlers) mfaQR(c *fiber.Ctx) error {
	start, err := h.svc.PendingTOTP(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(start.OTPAuthURI, qrcode.Medium, 240)
	if err != nil {
		return web.Internal(err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

// mfaConfirmSubmit enables the factor and shows the recovery codes once.
func (h *Handlers) mfaConfirmSubmit(c *fiber.Ctx) error {
	p := web.Caller(c)
	out, err := h.svc.ConfirmTOTP(c.UserContext(), p, c.FormValue("code"))
	if err != nil {
		we := web.AsError(err)
		if we.Status >= 500 {
			return err
		}
		msg := we.Message
		if f, ok := we.Fields["code"]; ok {
			msg = f
		}
		return h.pages.Render(c, we.Status, "identity/mfa", "动态验证码", map[string]any{"Error": msg, "Required": p.MFAEnrol})
	}
	if out.Token != "" {
		h.setCookie(c, out.Token)
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/mfa", "动态验证码", map[string]any{"Enabled": true, "Codes": out.RecoveryCodes})
}

// groupSecret splits a base32 secret in groups of four for typing.
func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
