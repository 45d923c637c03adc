package sites

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// editableBy reports whether p may still change the proposal of a site in
// its state: the proposing district or the org department while it is
// proposed; once the experts have reviewed it only the org department may
// correct it (before approval), and after approval nobody may.
func editableBy(p *web.Principal, s *Site) error {
	switch {
	case s.Status == StatusProposed:
		return nil
	case s.Status == StatusReviewed && p.Has(web.RoleOrgAdmin):
		return nil
	case s.Status == StatusReviewed:
		return web.Conflict("wrong_state", "教学点已论证，只能由组织部门修改申报内容")
	default:
		return web.Conflict("wrong_state", fmt.Sprintf("教学点当前为“%s”，申报内容不能再修改", StatusNames[s.Status]))
	}
}

// Update changes the proposal of a site (name, category, capacity, address,
// coordinates, host, introduction, facilities, opening hours); the site
// stays with its district.
func (s *Service) Update(ctx context.Context, p *web.Principal, id uint64, in SiteRequest) (SiteResponse, error) {
	current, err := s.load(ctx, s.d.DB, p, id)
	if err != nil {
		return SiteResponse{}, err
	}
	if !canManage(p, current) {
		return SiteResponse{}, web.Forbidden()
	}
	if in.OrgID != 0 && in.OrgID != current.OrgID {
		return SiteResponse{}, web.Invalid(map[string]string{"org_id": "所属区县或单位不能修改"})
	}
	in.OrgID = current.OrgID
	in.normalize()
	if err := in.Validate(); err != nil {
		return SiteResponse{}, err
	}
	var site *Site
	err = web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		var err error
		if site, err = s.load(ctx, tx, p, id); err != nil {
			return web.AuditEntry{}, err
		}
		if err := editableBy(p, site); err != nil {
			return web.AuditEntry{}, err
		}
		var n int64
		if err := tx.Model(&Category{}).Where("name = ?", in.Category).Count(&n).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if n == 0 {
			return web.AuditEntry{}, web.Invalid(map[string]string{"category": "类别不在类别表中"})
		}
		upd := map[string]any{"name": in.Name, "category": in.Category, "address": in.Address, "lat": in.Lat, "lng": in.Lng,
			"capacity": in.Capacity, "host_name": in.HostName, "host_phone": in.HostPhone, "intro": in.Intro, "facilities": in.Facilities,
			"open_days": in.OpenDays, "opens_at": in.OpensAt, "closes_at": in.ClosesAt}
		res := tx.Model(&Site{}).Where("id = ? AND status = ?", id, site.Status).Updates(upd)
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "教学点状态已变化，请刷新后再改")
		}
		before := site.Name
		if err := tx.First(site, id).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "site.update", "site", id, map[string]any{"name": site.Name, "was": before, "status": site.Status}), nil
	})
	if err != nil {
		return SiteResponse{}, err
	}
	out, err := s.responses(ctx, []Site{*site})
	if err != nil {
		return SiteResponse{}, err
	}
	return out[0], nil
}

func (h *Handlers) update(c *fiber.Ctx) error {
	_, out, err := web.WithIDBody(c, h.svc.Update)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// editData is the edit form of a proposal.
type editData struct {
	ID         uint64
	In         SiteRequest
	Lat, Lng   string
	Categories []CategoryResponse
	Errors     map[string]string
	Message    string
}

func (h *Handlers) editPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	site, err := h.svc.load(c.UserContext(), h.svc.d.DB, p, id)
	if err != nil {
		return err
	}
	if !canManage(p, site) {
		return web.Forbidden()
	}
	in := SiteRequest{Name: site.Name, Category: site.Category, OrgID: site.OrgID, Capacity: site.Capacity, Address: site.Address, Lat: site.Lat, Lng: site.Lng,
		HostName: site.HostName, HostPhone: site.HostPhone, Intro: site.Intro, Facilities: site.Facilities, OpenDays: site.OpenDays, OpensAt: site.OpensAt, ClosesAt: site.ClosesAt}
	msg := ""
	if err := editableBy(p, site); err != nil {
		msg = web.AsError(err).Message
	}
	return h.renderEdit(c, fiber.StatusOK, id, in, nil, msg)
}

func (h *Handlers) renderEdit(c *fiber.Ctx, status int, id uint64, in SiteRequest, errs map[string]string, msg string) error {
	cats, err := h.svc.Categories(c.UserContext())
	if err != nil {
		return err
	}
	d := editData{ID: id, In: in, Categories: cats, Errors: errs, Message: msg}
	if in.Lat != nil && in.Lng != nil {
		d.Lat, d.Lng = strconv.FormatFloat(*in.Lat, 'f', -1, 64), strconv.FormatFloat(*in.Lng, 'f', -1, 64)
	}
	title := "修改申报内容"
	if id == 0 {
		title = "申报现场教学点"
	}
	return h.pages.Render(c, status, "sites/edit", title, d)
}

// formFloat reads an optional number of a form: nil when empty, ok false
// when it is not a number.
func formFloat(s string) (*float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, false
	}
	return &f, true
}

func (h *Handlers) editForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in, errs := siteForm(c)
	if errs != nil {
		return h.renderEdit(c, fiber.StatusBadRequest, id, in, errs, "")
	}
	if _, err := h.svc.Update(c.UserContext(), web.Caller(c), id, in); err != nil {
		e := web.AsError(err)
		if e.Status == fiber.StatusBadRequest || e.Status == fiber.StatusConflict || e.Status == fiber.StatusUnprocessableEntity {
			return h.renderEdit(c, e.Status, id, in, e.Fields, e.Message)
		}
		return err
	}
	web.Flash(c, "已保存申报内容")
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, id), fiber.StatusSeeOther)
}
