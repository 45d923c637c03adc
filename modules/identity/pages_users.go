package identity

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) usersPage(c *fiber.Ctx) error {
	list, orgID, err := h.userList(c)
	if err != nil {
		return err
	}
	orgs, err := h.svc.ListOrgs(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/users", "用户管理", map[string]any{
		"List": list, "Q": c.Query("q"), "OrgID": orgID, "Role": c.Query("role"),
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
	_, u, err := web.WithID(c, h.svc.GetUser)
	if err != nil {
		return err
	}
	resp := h.svc.ResponseOf(c.UserContext(), u)
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
	return backToUser(c, "已保存")
}

func (h *Handlers) userDisableSubmit(c *fiber.Ctx) error { return h.toggleSubmit(c, true) }

func (h *Handlers) userEnableSubmit(c *fiber.Ctx) error { return h.toggleSubmit(c, false) }

func (h *Handlers) toggleSubmit(c *fiber.Ctx, disabled bool) error {
	u, err := h.toggle(c, disabled)
	if err != nil {
		return err
	}
	if disabled {
		return backToUser(c, "已停用账号："+u.Name)
	}
	return backToUser(c, "已启用账号："+u.Name)
}

// backToUser answers a form of the user page: the page again, with msg.
func backToUser(c *fiber.Ctx, msg string) error {
	web.Flash(c, msg)
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
	return backToUser(c, "角色已更新，该用户需重新登录")
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
	return backToUser(c, "密码已重置，该用户下次登录时须修改密码")
}

func (h *Handlers) userMFAResetSubmit(c *fiber.Ctx) error {
	if err := onUser(c, h.svc.ResetMFA); err != nil {
		return err
	}
	return backToUser(c, "已重置动态验证码，该用户下次登录时须重新绑定")
}

func (h *Handlers) userUnlockSubmit(c *fiber.Ctx) error {
	if err := onUser(c, h.svc.Unlock); err != nil {
		return err
	}
	return backToUser(c, "已解除登录锁定")
}
