package training

import (
	"errors"
	"net/url"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

type learnerCertData struct {
	CertificateView
	From      string
	To        string
	Issued    string
	VerifyURL string
	QR        string
	Owner     bool // the caller's own; else a manager of the class looks
}

// learnerCertificate loads a certificate for its owner or a manager of its class.
func (h *Handlers) learnerCertificate(c *fiber.Ctx) (CertificateView, error) {
	ctx, p := c.UserContext(), web.Caller(c)
	v, err := h.svc.VerifyCertificate(ctx, c.Params("serial"))
	if err != nil {
		return v, err
	}
	if v.UserID == p.UserID {
		return v, nil
	}
	if p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin) {
		if _, err := h.svc.managedClass(ctx, p, v.ClassID); err == nil {
			return v, nil
		} else if !web.IsStatus(err, fiber.StatusNotFound) && !web.IsStatus(err, fiber.StatusForbidden) {
			return v, err
		}
	}
	return CertificateView{}, web.NotFound()
}

func (h *Handlers) learnerCertificatePage(c *fiber.Ctx) error {
	v, err := h.learnerCertificate(c)
	if err != nil {
		return err
	}
	d := learnerCertData{CertificateView: v, From: learnerCNDate(v.StartsOn), To: learnerCNDate(v.EndsOn), Issued: learnerCNDate(v.IssuedOn),
		VerifyURL: web.PublicURL(c) + "/verify/" + url.PathEscape(v.Serial), QR: "/certificates/" + url.PathEscape(v.Serial) + "/qr.png",
		Owner: v.UserID == web.Caller(c).UserID}
	return h.pages.Render(c, fiber.StatusOK, "training/cert_print", "结业证书", d)
}

func (h *Handlers) learnerCertificateQR(c *fiber.Ctx) error {
	v, err := h.learnerCertificate(c)
	if err != nil {
		return err
	}
	return web.QRPNG(c, "/verify/"+url.PathEscape(v.Serial), 240)
}

type learnerVerifyData struct {
	Serial   string
	Cert     *CertificateCheck
	Dates    string
	Issued   string
	NotFound bool
}

// learnerVerifyPage checks a certificate by its serial, for anyone.
func (h *Handlers) learnerVerifyPage(c *fiber.Ctx) error {
	serial := c.Params("serial")
	if serial == "" {
		if q := strings.ToUpper(strings.TrimSpace(c.Query("serial"))); q != "" {
			return c.Redirect("/verify/"+url.PathEscape(q), fiber.StatusSeeOther)
		}
		return h.pages.Render(c, fiber.StatusOK, "training/cert_verify", "结业证书查验", learnerVerifyData{})
	}
	if s, err := url.PathUnescape(serial); err == nil {
		serial = s
	}
	d := learnerVerifyData{Serial: strings.ToUpper(strings.TrimSpace(serial))}
	if r := []rune(d.Serial); len(r) > 40 {
		d.Serial = string(r[:40]) + "…"
	}
	v, err := h.svc.CheckCertificate(c.UserContext(), c.IP(), serial)
	var we *web.Error
	if errors.As(err, &we) && we.Status == fiber.StatusNotFound {
		d.NotFound = true
		return h.pages.Render(c, fiber.StatusNotFound, "training/cert_verify", "结业证书查验", d)
	}
	if err != nil {
		return err
	}
	d.Cert, d.Dates, d.Issued = &v, learnerCNDate(v.StartsOn)+" 至 "+learnerCNDate(v.EndsOn), learnerCNDate(v.IssuedOn)
	return h.pages.Render(c, fiber.StatusOK, "training/cert_verify", "结业证书查验", d)
}
