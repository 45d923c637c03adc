package training

import (
	"fmt"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (h *Handlers) upload(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if cl := c.Request().Header.ContentLength(); cl > MaxFileBytes+1<<20 {
		return web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxFileBytes>>20))
	}
	up, err := web.MultipartUpload(c, "file")
	if err != nil {
		return err
	}
	kind := c.Query("kind")
	if kind == "" {
		kind = up.Fields["kind"]
	}
	if kind == "" {
		kind = c.FormValue("kind")
	}
	f, err := h.svc.AttachFile(c.UserContext(), web.Caller(c), id, kind, up.FileName(), up)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(FileResponse{ID: f.ID, Kind: f.Kind, KindName: FileKindNames[f.Kind], Name: f.Name, Size: f.Size, CreatedAt: f.CreatedAt})
}

func (h *Handlers) download(c *fiber.Ctx) error {
	_, f, err := web.WithID(c, h.svc.FileFor)
	if err != nil {
		return err
	}
	return web.ServeObject(c, h.objects, f.ObjectKey, web.ServeOptions{Filename: f.Name})
}

func (h *Handlers) graduate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in GraduateRequest
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	out, err := h.svc.Graduate(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) myCertificates(c *fiber.Ctx) error {
	rows, err := h.svc.MyCertificates(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	out := make([]CertificateView, 0, len(rows))
	for _, r := range rows {
		v, err := h.svc.VerifyCertificate(c.UserContext(), r.Serial)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	return c.JSON(out)
}

func (h *Handlers) verify(c *fiber.Ctx) error {
	v, err := h.svc.CheckCertificate(c.UserContext(), c.IP(), c.Params("serial"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}
