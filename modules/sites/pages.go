package sites

import (
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Paths of the module's pages.
const (
	AdminPath  = "/admin/sites"
	PublicPath = "/sites"
)

type option struct{ Value, Name string }

// listData is what both site lists show.
type listData struct {
	Admin         bool
	CanCategories bool // the org department keeps the category list
	Sites         web.List[SiteResponse]
	Categories    []CategoryResponse
	Statuses      []option
	Filter        Filter
	Pages         int
	Query         string
}

// actionForm is one life-cycle step the caller may take on the detail page.
type actionForm struct {
	Step, Label string
	Reason      string // the label of the reason field; empty: none
}

// detailData is what the site detail shows.
type detailData struct {
	Site      SiteResponse
	Days      string
	Actions   []actionForm
	Bookings  []dayBookings
	CanBook   bool
	CanDecide bool
	Photos    []PhotoResponse
	CanEdit   bool
	// Inspections of the site, for those who manage it.
	Inspections []InspectionResponse
	CanInspect  bool
	CanRectify  bool
	Results     []option
	Today       string
	ItemErrors  []string
	// The premium courses taught at the site.
	Courses        []SiteCourseResponse
	CourseChoices  []CourseChoice
	CanLinkCourses bool
	Errors         map[string]string
	Message        string
}

// dayBookings are the bookings of one date (the site calendar).
type dayBookings struct {
	Date  string
	Items []BookingResponse
}

func (h *Handlers) registerPages(pages fiber.Router) {
	pages.Get(PublicPath, web.RequireRole(Viewers...), h.listPage(false))
	pages.Get(AdminPath, web.RequireRole(Managers...), h.listPage(true))
	h.registerExtraPages(pages)
	pages.Get(AdminPath+"/new", web.RequireRole(Managers...), h.newPage)
	pages.Post(AdminPath, web.RequireRole(Managers...), h.proposeForm)
	pages.Get(AdminPath+"/:id", web.RequireRole(Viewers...), h.detailPage)
	pages.Get(AdminPath+"/:id/edit", web.RequireRole(Managers...), h.editPage)
	pages.Post(AdminPath+"/:id/edit", web.RequireRole(Managers...), h.editForm)
	pages.Post(AdminPath+"/:id/step/:step", web.RequireRole(Managers...), h.stepForm)
	pages.Post(AdminPath+"/:id/book", web.RequireRole(Bookers...), h.bookForm)
	pages.Post(AdminPath+"/:id/bookings/:bid/:verb", web.RequireRole(Managers...), h.decideForm)
	pages.Post(AdminPath+"/:id/photos", web.RequireRole(Managers...), h.photoForm)
	pages.Post(AdminPath+"/:id/photos/:pid/delete", web.RequireRole(Managers...), h.photoDeleteForm)
}

func (h *Handlers) listPage(admin bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pg, err := web.PageFrom(c)
		if err != nil {
			return err
		}
		f := filterFrom(c)
		if !admin {
			f.Status = StatusInUse
		}
		items, total, err := h.svc.List(c.UserContext(), web.Caller(c), f, pg)
		if err != nil {
			return err
		}
		cats, err := h.svc.Categories(c.UserContext())
		if err != nil {
			return err
		}
		d := listData{Admin: admin, CanCategories: admin && web.Caller(c).HasAny(Deciders...), Sites: web.NewList(items, total, pg), Categories: cats, Filter: f,
			Pages: int((total + int64(pg.PageSize) - 1) / int64(max(pg.PageSize, 1)))}
		for _, st := range []string{StatusProposed, StatusReviewed, StatusApproved, StatusInUse, StatusSuspended, StatusWithdrawn} {
			d.Statuses = append(d.Statuses, option{st, StatusNames[st]})
		}
		d.Query = "category=" + urlEscape(f.Category) + "&status=" + urlEscape(f.Status)
		return h.pages.Render(c, fiber.StatusOK, "sites/list", "现场教学点", d)
	}
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "=", "%3D", "+", "%2B", " ", "%20", "#", "%23", "?", "%3F")
	return r.Replace(s)
}

func (h *Handlers) detailPage(c *fiber.Ctx) error {
	return h.renderDetail(c, fiber.StatusOK, nil, "")
}

func (h *Handlers) renderDetail(c *fiber.Ctx, status int, errs map[string]string, msg string) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderDetailOf(c, id, status, errs, msg)
}

func (h *Handlers) renderDetailOf(c *fiber.Ctx, id uint64, status int, errs map[string]string, msg string) error {
	p := web.Caller(c)
	site, err := h.svc.Site(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	bookings, err := h.svc.Bookings(c.UserContext(), p, id, "")
	if err != nil {
		return err
	}
	d := detailData{Site: site, Days: weekdayNames(site.OpenDays), Errors: errs, Message: msg,
		CanBook: site.Status == StatusInUse && p.HasAny(Bookers...)}
	manage := p.Has(web.RoleOrgAdmin) || (p.Has(web.RoleUnitAdmin) && site.Status != "" && h.svc.manages(c, p, id))
	d.CanDecide = manage
	if d.Photos, err = h.svc.Photos(c.UserContext(), p, id); err != nil {
		return err
	}
	d.CanEdit = manage && (site.Status == StatusProposed || (site.Status == StatusReviewed && p.Has(web.RoleOrgAdmin)))
	if manage {
		for _, name := range []string{"review", "approve", "activate", "suspend", "withdraw"} {
			st := steps[name]
			if (st.deciderOnly && !p.Has(web.RoleOrgAdmin)) || !containsString(st.from, site.Status) {
				continue
			}
			d.Actions = append(d.Actions, actionForm{Step: name, Label: stepLabels[name], Reason: st.reasonLabel})
		}
	}
	if manage {
		if d.Inspections, err = h.svc.SiteInspections(c.UserContext(), p, id); err != nil {
			return err
		}
		d.CanInspect = p.Has(web.RoleOrgAdmin) && site.Status != StatusWithdrawn
		d.CanRectify = p.Has(web.RoleUnitAdmin) && h.svc.manages(c, p, id)
		d.Results = []option{{ResultPass, ResultNames[ResultPass]}, {ResultRework, ResultNames[ResultRework]}, {ResultFail, ResultNames[ResultFail]}}
		d.Today = today()
		d.ItemErrors = itemErrors(errs)
	}
	if d.Courses, err = h.svc.SiteCourses(c.UserContext(), p, id); err != nil {
		return err
	}
	if d.CanLinkCourses = manage && site.Status != StatusWithdrawn; d.CanLinkCourses {
		if d.CourseChoices, err = h.svc.courseChoices(c.UserContext()); err != nil {
			return err
		}
	}
	for _, b := range bookings {
		if n := len(d.Bookings); n == 0 || d.Bookings[n-1].Date != b.Date {
			d.Bookings = append(d.Bookings, dayBookings{Date: b.Date})
		}
		d.Bookings[len(d.Bookings)-1].Items = append(d.Bookings[len(d.Bookings)-1].Items, b)
	}
	return h.pages.Render(c, status, "sites/detail", site.Name, d)
}

var stepLabels = map[string]string{"review": "论证", "approve": "审批通过", "activate": "启用", "suspend": "暂停使用", "withdraw": "撤销"}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// formError shows a refused form on the detail page, or fails the request.
func (h *Handlers) formError(c *fiber.Ctx, err error) error {
	e := web.AsError(err)
	if e.Status == fiber.StatusBadRequest || e.Status == fiber.StatusConflict || e.Status == fiber.StatusUnprocessableEntity {
		return h.renderDetail(c, e.Status, e.Fields, e.Message)
	}
	return err
}

func (h *Handlers) stepForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	name := c.Params("step")
	if _, ok := steps[name]; !ok {
		return web.NotFound()
	}
	if _, err := h.svc.Step(c.UserContext(), web.Caller(c), id, name, StepRequest{Reason: c.FormValue("reason")}); err != nil {
		return h.formError(c, err)
	}
	web.Flash(c, "已"+stepLabels[name])
	return c.Redirect(c.Path()[:strings.LastIndex(c.Path(), "/step/")], fiber.StatusSeeOther)
}

func (h *Handlers) bookForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	size, _ := web.ParseUint(c.FormValue("group_size"))
	in := BookingRequest{Date: c.FormValue("date"), StartsAt: c.FormValue("starts_at"), EndsAt: c.FormValue("ends_at"), GroupSize: int(min(size, 100000)), Purpose: c.FormValue("purpose")}
	if _, err := h.svc.Book(c.UserContext(), web.Caller(c), id, in); err != nil {
		return h.formError(c, err)
	}
	web.Flash(c, "已提交预约，待教学点确认")
	return c.Redirect(strings.TrimSuffix(c.Path(), "/book"), fiber.StatusSeeOther)
}

func (h *Handlers) decideForm(c *fiber.Ctx) error {
	bid, err := web.ParamID(c, "bid")
	if err != nil {
		return err
	}
	verb := c.Params("verb")
	if verb != "confirm" && verb != "decline" {
		return web.NotFound()
	}
	if _, err := h.svc.Decide(c.UserContext(), web.Caller(c), bid, verb == "confirm", StepRequest{Reason: c.FormValue("reason")}); err != nil {
		return h.formError(c, err)
	}
	web.Flash(c, map[bool]string{true: "已确认预约", false: "已婉拒预约"}[verb == "confirm"])
	return c.Redirect(c.Path()[:strings.LastIndex(c.Path(), "/bookings/")], fiber.StatusSeeOther)
}

// itemErrors spells the field errors of rectification items ("items.1.deadline")
// as lines naming the item.
func itemErrors(errs map[string]string) []string {
	var out []string
	for i := 0; i < maxRectItems; i++ {
		for _, f := range []string{"content", "deadline"} {
			if msg := errs["items."+strconv.Itoa(i)+"."+f]; msg != "" {
				out = append(out, "第 "+strconv.Itoa(i+1)+" 项："+msg)
			}
		}
	}
	return out
}
