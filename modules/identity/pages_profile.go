package identity

import (
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"
)

func (h *Handlers) profilePage(c *fiber.Ctx) error {
	p := web.Caller(c)
	u, err := h.svc.GetUser(c.UserContext(), p, p.UserID)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "identity/profile", "个人信息", h.svc.ResponseOf(c.UserContext(), u))
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
