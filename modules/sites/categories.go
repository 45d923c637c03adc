package sites

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// RenameCategory renames a category and the sites filed under it, in one
// step (org department).
func (s *Service) RenameCategory(ctx context.Context, p *web.Principal, id uint64, in CategoryRequest) (CategoryResponse, error) {
	if !p.HasAny(Deciders...) {
		return CategoryResponse{}, web.Forbidden()
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || tooLong(name, 50) {
		return CategoryResponse{}, web.Invalid(map[string]string{"name": "类别名称应为 1 至 50 字"})
	}
	var c Category
	err := web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.First(&c, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return web.AuditEntry{}, web.NotFound()
		} else if err != nil {
			return web.AuditEntry{}, err
		}
		var n int64
		if err := tx.Model(&Category{}).Where("name = ? AND id <> ?", name, id).Count(&n).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if n > 0 {
			return web.AuditEntry{}, web.Conflict("duplicate", "该类别已存在")
		}
		old := c.Name
		if err := tx.Model(&Category{}).Where("id = ?", id).Update("name", name).Error; err != nil {
			return web.AuditEntry{}, err
		}
		res := tx.Model(&Site{}).Where("category = ?", old).Update("category", name)
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		c.Name = name
		return web.AuditBy(p, "site_category.rename", "site_category", id, map[string]any{"from": old, "to": name, "sites": res.RowsAffected}), nil
	})
	if err != nil {
		return CategoryResponse{}, err
	}
	return CategoryResponse{ID: c.ID, Name: c.Name}, nil
}

func (h *Handlers) renameCategory(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in CategoryRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := h.svc.RenameCategory(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// categoriesPage lists the categories with forms to add and rename.
func (h *Handlers) categoriesPage(c *fiber.Ctx) error {
	return h.renderCategories(c, fiber.StatusOK, "")
}

func (h *Handlers) renderCategories(c *fiber.Ctx, status int, problem string) error {
	cats, err := h.svc.Categories(c.UserContext())
	if err != nil {
		return err
	}
	return h.pages.Render(c, status, "sites/categories", "现场教学点类别", map[string]any{"Categories": cats, "Problem": problem})
}

// categoryForm adds a category (no id) or renames one.
func (h *Handlers) categoryForm(c *fiber.Ctx) error {
	in := CategoryRequest{Name: c.FormValue("name")}
	var err error
	if id := c.Params("id"); id != "" {
		var n uint64
		if n, err = web.ParamID(c, "id"); err == nil {
			_, err = h.svc.RenameCategory(c.UserContext(), web.Caller(c), n, in)
		}
	} else {
		_, err = h.svc.AddCategory(c.UserContext(), web.Caller(c), in)
	}
	if err != nil {
		e := web.AsError(err)
		if e.Status == fiber.StatusBadRequest || e.Status == fiber.StatusConflict {
			return h.renderCategories(c, e.Status, e.Message+fieldText(e.Fields))
		}
		return err
	}
	web.Flash(c, fmt.Sprintf("已保存类别“%s”", strings.TrimSpace(in.Name)))
	return c.Redirect(AdminPath+"/categories", fiber.StatusSeeOther)
}

// fieldText joins the messages of refused fields.
func fieldText(f map[string]string) string {
	var out []string
	for _, m := range f {
		out = append(out, m)
	}
	if len(out) == 0 {
		return ""
	}
	return "（" + strings.Join(out, "；") + "）"
}
