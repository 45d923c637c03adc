package sites

import (
	"fmt"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// newPage is the proposal form: a district proposes a site of its own.
func (h *Handlers) newPage(c *fiber.Ctx) error {
	return h.renderEdit(c, fiber.StatusOK, 0, SiteRequest{Capacity: 50, OpenDays: "12345", OpensAt: "09:00", ClosesAt: "17:00"}, nil, "")
}

// siteForm reads the site form shared by the proposal and the edit.
func siteForm(c *fiber.Ctx) (SiteRequest, map[string]string) {
	capacity, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("capacity")))
	in := SiteRequest{Name: c.FormValue("name"), Category: c.FormValue("category"), Capacity: capacity, Address: c.FormValue("address"),
		HostName: c.FormValue("host_name"), HostPhone: c.FormValue("host_phone"), Intro: c.FormValue("intro"), Facilities: c.FormValue("facilities"),
		OpenDays: strings.TrimSpace(c.FormValue("open_days")), OpensAt: c.FormValue("opens_at"), ClosesAt: c.FormValue("closes_at")}
	lat, okLat := formFloat(c.FormValue("lat"))
	lng, okLng := formFloat(c.FormValue("lng"))
	in.Lat, in.Lng = lat, lng
	if !okLat || !okLng {
		return in, map[string]string{"lat": "坐标应为数字"}
	}
	return in, nil
}

// proposeForm files the proposal for the caller's own org.
func (h *Handlers) proposeForm(c *fiber.Ctx) error {
	in, errs := siteForm(c)
	if errs != nil {
		return h.renderEdit(c, fiber.StatusBadRequest, 0, in, errs, "")
	}
	p := web.Caller(c)
	in.OrgID = p.OrgID
	out, err := h.svc.Propose(c.UserContext(), p, in)
	if err != nil {
		e := web.AsError(err)
		if e.Status == fiber.StatusBadRequest || e.Status == fiber.StatusUnprocessableEntity {
			return h.renderEdit(c, e.Status, 0, in, e.Fields, "")
		}
		return err
	}
	web.Flash(c, "已申报现场教学点，待组织部门论证")
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, out.ID), fiber.StatusSeeOther)
}
