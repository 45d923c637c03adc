package identity

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// CookieName is the session cookie of the pages.
const CookieName = "college_session"

// MaxImportBytes bounds an import upload.
const MaxImportBytes = 20 << 20

// Handlers serves the identity API and pages.
type Handlers struct {
	svc          *Service
	pages        *web.Engine
	secureCookie bool
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine, secureCookie bool) *Handlers {
	return &Handlers{svc: svc, pages: pages, secureCookie: secureCookie}
}

// Authenticate finds the caller from the bearer token or the session cookie.
// It never refuses a request: routes that need a login say so.
func (h *Handlers) Authenticate(c *fiber.Ctx) error {
	token, viaCookie := "", false
	if auth := c.Get(fiber.HeaderAuthorization); auth != "" {
		if t, ok := strings.CutPrefix(auth, "Bearer "); ok {
			token = strings.TrimSpace(t)
		}
	} else if ck := c.Cookies(CookieName); ck != "" {
		token, viaCookie = ck, true
	}
	if token == "" {
		return c.Next()
	}
	p, err := h.svc.Authenticate(c.UserContext(), token)
	if err != nil {
		if errors.Is(err, ErrNoSession) {
			if viaCookie {
				c.ClearCookie(CookieName)
			}
			return c.Next()
		}
		return web.Internal(err)
	}
	p.ViaCookie, p.IP = viaCookie, c.IP()
	web.SetCaller(c, p)
	return c.Next()
}

// RequirePasswordChange keeps a user whose password was set by someone else
// (or has expired) on the change-password page until they choose their own,
// and an administrator without a second factor on the enrolment page.
func (h *Handlers) RequirePasswordChange(c *fiber.Ctx) error {
	p := web.Caller(c)
	if p == nil || (!p.MustChangePassword && !p.MFAEnrol) {
		return c.Next()
	}
	switch c.Path() {
	case "/logout", "/api/v1/me", "/api/v1/auth/logout":
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	if p.MustChangePassword {
		switch c.Path() {
		case "/profile/password", "/api/v1/me/password":
			return c.Next()
		}
		if web.IsAPI(c) {
			return web.NewError(fiber.StatusForbidden, "password_change_required", "请先修改初始密码")
		}
		return c.Redirect("/profile/password", fiber.StatusSeeOther)
	}
	switch c.Path() {
	case "/profile/mfa", "/profile/mfa/confirm", "/profile/mfa/qr.png", "/api/v1/me/mfa/totp", "/api/v1/me/mfa/totp/confirm", "/profile/password", "/api/v1/me/password":
		return c.Next()
	}
	if web.IsAPI(c) {
		return web.NewError(fiber.StatusForbidden, "mfa_enrolment_required", "管理员账号须先绑定动态验证码")
	}
	return c.Redirect("/profile/mfa", fiber.StatusSeeOther)
}

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	auth := api.Tag("identity")
	admins := []string{web.RoleSysAdmin, web.RoleSecAdmin, web.RoleUnitAdmin, web.RoleOrgAdmin, web.RoleCollegeAdmin}
	managers := []string{web.RoleSysAdmin, web.RoleUnitAdmin}
	// The security administrator also manages the three administrator
	// accounts (the service decides whom each may manage).
	accountManagers := []string{web.RoleSysAdmin, web.RoleUnitAdmin, web.RoleSecAdmin}
	auth.Post("/auth/login", web.Doc{Summary: "登录（启用动态验证码的账号须带 otp）", Body: LoginRequest{}, Resp: LoginResponse{}, Public: true}, h.login)
	auth.Post("/auth/logout", web.Doc{Summary: "退出登录", Status: 204, Account: true}, h.logout)
	auth.Get("/me", web.Doc{Summary: "当前用户", Resp: MeUser{}, Account: true}, h.me)
	auth.Put("/me/password", web.Doc{Summary: "修改自己的密码", Body: PasswordRequest{}, Resp: LoginResponse{}, Account: true}, h.changeOwnPassword)
	auth.Post("/me/mfa/totp", web.Doc{Summary: "开始绑定动态验证码（TOTP）", Resp: TOTPStart{}, Account: true, OptionalBody: true}, web.ForCaller(h.svc.BeginTOTP))
	auth.Post("/me/mfa/totp/confirm", web.Doc{Summary: "确认绑定动态验证码，返回恢复码", Body: TOTPConfirmRequest{}, Resp: TOTPConfirmed{}, Account: true}, h.confirmTOTP)
	auth.Get("/orgs", web.Doc{Summary: "组织机构（本级及下级）", Resp: []OrgResponse{}, Roles: admins}, h.listOrgs)
	auth.Get("/orgs/:id", web.Doc{Summary: "组织机构详情", Resp: OrgResponse{}, Roles: admins}, h.getOrg)
	auth.Post("/orgs", web.Doc{Summary: "新建组织机构", Body: OrgRequest{}, Resp: OrgResponse{}, Status: 201, Roles: []string{web.RoleSysAdmin, web.RoleOrgAdmin}}, h.createOrg)
	auth.Put("/orgs/:id", web.Doc{Summary: "修改组织机构", Body: OrgRequest{}, Resp: OrgResponse{}, Roles: []string{web.RoleSysAdmin, web.RoleOrgAdmin}}, h.updateOrg)
	auth.Get("/users", web.Doc{Summary: "用户列表", Resp: web.List[UserResponse]{}, Roles: admins, Query: []string{"q", "org_id", "role", "page", "page_size"}}, h.listUsers)
	auth.Get("/users/import-template", web.Doc{Summary: "下载用户导入模板（.xlsx）", Roles: managers}, h.importTemplate)
	auth.Post("/users/import", web.Doc{Summary: "从 Excel 导入用户（全部成功或全部不导入）", Multipart: []string{"file", "initial_password"}, Resp: ImportResponse{}, Roles: managers}, h.importUsers)
	auth.Get("/users/:id", web.Doc{Summary: "用户详情", Account: true}, h.getUser)
	auth.Post("/users", web.Doc{Summary: "新建用户", Body: UserRequest{}, Resp: UserResponse{}, Status: 201, Roles: managers}, h.createUser)
	auth.Put("/users/:id", web.Doc{Summary: "修改用户资料", Body: UserRequest{}, Resp: UserResponse{}, Roles: accountManagers}, h.updateUser)
	auth.Put("/users/:id/roles", web.Doc{Summary: "设置用户角色（安全管理员）", Body: RolesRequest{}, Resp: UserResponse{}, Roles: []string{web.RoleSecAdmin}}, h.setRoles)
	auth.Put("/users/:id/targeting", web.Doc{Summary: "设置任现职时间和人员标签（如驻村第一书记），供重点培训项目确定培训对象", Body: TargetingRequest{}, Resp: TargetingResponse{},
		Roles: []string{web.RoleOrgAdmin, web.RoleUnitAdmin}}, h.setTargeting)
	auth.Post("/users/:id/disable", web.Doc{Summary: "停用账号", Resp: UserResponse{}, Roles: accountManagers}, h.disable)
	auth.Post("/users/:id/enable", web.Doc{Summary: "启用账号", Resp: UserResponse{}, Roles: accountManagers}, h.enable)
	auth.Post("/users/:id/password", web.Doc{Summary: "重置用户密码", Body: PasswordRequest{}, Status: 204, Roles: accountManagers}, h.resetPassword)
	auth.Post("/users/:id/mfa/reset", web.Doc{Summary: "重置用户的动态验证码（安全管理员）", Status: 204, Roles: []string{web.RoleSecAdmin}, OptionalBody: true}, h.resetMFA)
	auth.Post("/users/:id/unlock", web.Doc{Summary: "解除登录锁定（安全管理员）", Status: 204, Roles: []string{web.RoleSecAdmin}, OptionalBody: true}, h.unlock)
	h.registerPages(pages)
}

func (h *Handlers) setCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: CookieName, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: h.secureCookie})
}

func meUser(p *web.Principal) MeUser {
	roles := p.Roles
	if roles == nil {
		roles = []string{}
	}
	me := MeUser{ID: p.UserID, Username: p.Username, Name: p.Name, Roles: roles, OrgID: p.OrgID, MustChangePassword: p.MustChangePassword, MFAEnrolmentRequired: p.MFAEnrol}
	if p.ViaCookie {
		me.CSRFToken = p.CSRF
	}
	return me
}

func (h *Handlers) login(c *fiber.Ctx) error {
	var in LoginRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	token, u, err := h.svc.Login(c.UserContext(), LoginAttempt{Username: in.Username, Password: in.Password, OTP: in.OTP, IP: c.IP()})
	if err != nil {
		return err
	}
	p, err := h.svc.Authenticate(c.UserContext(), token)
	if err != nil {
		return web.Internal(err)
	}
	return c.JSON(LoginResponse{Token: token, User: MeUser{ID: u.ID, Username: u.Username, Name: u.Name, Roles: u.RoleList(), OrgID: u.OrgID, MustChangePassword: p.MustChangePassword, MFAEnrolmentRequired: p.MFAEnrol}})
}

func (h *Handlers) logout(c *fiber.Ctx) error {
	p := web.Caller(c)
	err := h.svc.Logout(c.UserContext(), p)
	if p.ViaCookie {
		c.ClearCookie(CookieName)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) me(c *fiber.Ctx) error {
	return c.JSON(meUser(web.Caller(c)))
}

func (h *Handlers) changeOwnPassword(c *fiber.Ctx) error {
	var in PasswordRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := web.Caller(c)
	token, err := h.svc.ChangeOwnPassword(c.UserContext(), p, in.OldPassword, in.NewPassword)
	if err != nil {
		return err
	}
	if p.ViaCookie {
		h.setCookie(c, token)
	}
	np := *p
	np.MustChangePassword = false
	return c.JSON(LoginResponse{Token: token, User: meUser(&np)})
}

func (h *Handlers) listOrgs(c *fiber.Ctx) error {
	orgs, err := h.svc.ListOrgs(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	out := make([]OrgResponse, len(orgs))
	for i := range orgs {
		out[i] = orgResponse(&orgs[i])
	}
	return c.JSON(out)
}

func (h *Handlers) getOrg(c *fiber.Ctx) error {
	_, o, err := web.WithID(c, h.svc.GetOrg)
	if err != nil {
		return err
	}
	return c.JSON(orgResponse(o))
}

func (h *Handlers) createOrg(c *fiber.Ctx) error {
	o, err := web.WithBody(c, h.svc.CreateOrg)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(orgResponse(o))
}

func (h *Handlers) updateOrg(c *fiber.Ctx) error {
	_, o, err := web.WithIDBody(c, h.svc.UpdateOrg)
	if err != nil {
		return err
	}
	return c.JSON(orgResponse(o))
}

func (h *Handlers) listUsers(c *fiber.Ctx) error {
	list, _, err := h.userList(c)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// userList is the page of users the request's query asks for (q, org_id,
// role, page), and the org it names.
func (h *Handlers) userList(c *fiber.Ctx) (web.List[UserResponse], uint64, error) {
	pg, err := web.PageFrom(c)
	if err != nil {
		return web.List[UserResponse]{}, 0, err
	}
	orgID, err := web.QueryUint(c, "org_id")
	if err != nil {
		return web.List[UserResponse]{}, 0, err
	}
	users, total, err := h.svc.ListUsers(c.UserContext(), web.Caller(c), c.Query("q"), orgID, c.Query("role"), pg)
	if err != nil {
		return web.List[UserResponse]{}, 0, err
	}
	return web.NewList(h.svc.Responses(c.UserContext(), users), total, pg), orgID, nil
}

func (h *Handlers) getUser(c *fiber.Ctx) error {
	_, u, err := web.WithID(c, h.svc.GetUser)
	if err != nil {
		return err
	}
	return c.JSON(h.svc.ResponseOf(c.UserContext(), u))
}

func (h *Handlers) createUser(c *fiber.Ctx) error {
	u, err := web.WithBody(c, h.svc.CreateUser)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h.svc.ResponseOf(c.UserContext(), u))
}

func (h *Handlers) updateUser(c *fiber.Ctx) error {
	_, u, err := web.WithIDBody(c, h.svc.UpdateUser)
	if err != nil {
		return err
	}
	return c.JSON(h.svc.ResponseOf(c.UserContext(), u))
}

func (h *Handlers) setRoles(c *fiber.Ctx) error {
	id, in, err := web.IDBody[RolesRequest](c)
	if err != nil {
		return err
	}
	u, err := h.svc.SetRoles(c.UserContext(), web.Caller(c), id, in.Roles)
	if err != nil {
		return err
	}
	return c.JSON(h.svc.ResponseOf(c.UserContext(), u))
}

func (h *Handlers) setTargeting(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.SetTargeting)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) disable(c *fiber.Ctx) error { return h.setDisabled(c, true) }
func (h *Handlers) enable(c *fiber.Ctx) error  { return h.setDisabled(c, false) }

func (h *Handlers) setDisabled(c *fiber.Ctx, disabled bool) error {
	u, err := h.toggle(c, disabled)
	if err != nil {
		return err
	}
	return c.JSON(h.svc.ResponseOf(c.UserContext(), u))
}

// toggle disables or enables the account of the route's :id.
func (h *Handlers) toggle(c *fiber.Ctx, disabled bool) (*User, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	return h.svc.SetDisabled(c.UserContext(), web.Caller(c), id, disabled)
}

// onUser runs act as the caller on the account of the route's :id.
func onUser(c *fiber.Ctx, act func(ctx context.Context, p *web.Principal, id uint64) error) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return act(c.UserContext(), web.Caller(c), id)
}

func (h *Handlers) resetPassword(c *fiber.Ctx) error {
	id, in, err := web.IDBody[PasswordRequest](c)
	if err != nil {
		return err
	}
	if err := h.svc.ResetPassword(c.UserContext(), web.Caller(c), id, in.NewPassword); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) confirmTOTP(c *fiber.Ctx) error {
	var in TOTPConfirmRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := web.Caller(c)
	out, err := h.svc.ConfirmTOTP(c.UserContext(), p, in.Code)
	if err != nil {
		return err
	}
	if out.Token != "" && p.ViaCookie {
		h.setCookie(c, out.Token)
	}
	return c.JSON(out)
}

func (h *Handlers) resetMFA(c *fiber.Ctx) error {
	if err := onUser(c, h.svc.ResetMFA); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) unlock(c *fiber.Ctx) error {
	if err := onUser(c, h.svc.Unlock); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) importTemplate(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := ImportTemplate(&buf); err != nil {
		return web.Internal(err)
	}
	return web.Attachment(c, web.XLSX, "用户导入模板.xlsx", buf.Bytes())
}

func (h *Handlers) importUsers(c *fiber.Ctx) error {
	data, err := web.FormFileBytes(c, "file", MaxImportBytes)
	if err != nil {
		return err
	}
	res, err := h.svc.ImportUsers(c.UserContext(), web.Caller(c), data, c.FormValue("initial_password"))
	if err != nil {
		return err
	}
	return c.JSON(res)
}
