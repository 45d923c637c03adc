package training

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// The host college's and the org department's pages: the class list, the
// class plan form, the class workspace (quotas, courses, timetable,
// registrations, roster and attendance, leave, files, graduation), the
// teacher's sign-in screen and the filing queue. Every form posts to a page
// route that calls the same service method as the JSON API (which records
// the action), and redirects (303) with a flash message, or shows the
// refusal on the page it came from.
func (h *Handlers) hostPages(r fiber.Router) {
	managers := web.RequireRole(web.RoleCollegeAdmin, web.RoleOrgAdmin)
	host := web.RequireRole(web.RoleCollegeAdmin)
	orgDept := web.RequireRole(web.RoleOrgAdmin)
	r.Get("/admin/classes", managers, h.adminClassesPage)
	r.Get("/admin/classes/new", host, h.adminClassNewPage)
	r.Post("/admin/classes", host, h.adminClassCreateSubmit)
	r.Get("/admin/classes/:id/edit", host, h.adminClassEditPage)
	r.Get("/admin/classes/:id", managers, h.adminClassPage)
	r.Post("/admin/classes/:id", host, h.adminClassUpdateSubmit)
	r.Post("/admin/classes/:id/submit", host, h.adminClassActionSubmit("submit"))
	r.Post("/admin/classes/:id/approve", orgDept, h.adminClassActionSubmit("approve"))
	r.Post("/admin/classes/:id/reject", orgDept, h.adminClassActionSubmit("reject"))
	r.Post("/admin/classes/:id/open", host, h.adminClassActionSubmit("open"))
	r.Post("/admin/classes/:id/close", host, h.adminClassActionSubmit("close"))
	r.Post("/admin/classes/:id/start", host, h.adminClassActionSubmit("start"))
	r.Post("/admin/classes/:id/archive", managers, h.adminClassActionSubmit("archive"))
	r.Post("/admin/classes/:id/quotas", managers, h.adminQuotasSubmit)
	r.Post("/admin/classes/:id/courses", host, h.adminCoursesSubmit)
	r.Post("/admin/classes/:id/sessions", host, h.adminSessionAddSubmit)
	r.Post("/admin/classes/:id/files", host, h.adminFileUploadSubmit)
	r.Post("/admin/classes/:id/graduate", host, h.adminGraduateSubmit)
	r.Get("/admin/sessions/:id/screen", host, h.adminSessionScreenPage)
	r.Post("/admin/sessions/:id/code", host, h.adminSessionCodeSubmit)
	r.Post("/admin/sessions/:id/delete", host, h.adminSessionDeleteSubmit)
	r.Post("/admin/sessions/:id/site", host, h.adminSessionSiteSubmit)
	r.Post("/admin/sessions/:id/attendance", host, h.adminAttendanceSubmit)
	r.Post("/admin/registrations/:id/approve", host, h.adminRegistrationSubmit("approve"))
	r.Post("/admin/registrations/:id/reject", host, h.adminRegistrationSubmit("reject"))
	r.Post("/admin/registrations/:id/withdraw", host, h.adminRegistrationSubmit("withdraw"))
	r.Post("/admin/leaves/:id/approve", host, h.adminLeaveSubmit(true))
	r.Post("/admin/leaves/:id/reject", host, h.adminLeaveSubmit(false))
	r.Get("/admin/filings", orgDept, h.adminFilingsPage)
}

// adminStatusOrder lists the class statuses in life-cycle order.
var adminStatusOrder = []string{StatusDraft, StatusFiling, StatusApproved, StatusOpen, StatusClosed, StatusInSession, StatusGraduated, StatusArchived}

// adminRegStatusOrder lists the registration statuses in the order of the tabs.
var adminRegStatusOrder = []string{RegPending, RegApproved, RegWaitlisted, RegRejected, RegWithdrawn, RegReplaced, RegGraduated, RegIncomplete, RegAbsent}

var adminWeekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// adminLocalLayout is the format of <input type="datetime-local">.
const adminLocalLayout = "2006-01-02T15:04"

// adminErr is a refused action, shown in the section of the page it came from.
type adminErr struct {
	Section string
	Message string
	Fields  map[string]string
}

// Field is the message of one field ("" when none).
func (e *adminErr) Field(name string) string {
	if e == nil {
		return ""
	}
	return e.Fields[name]
}

// formMessage is the message to show above a form: none when the form
// marks the fields themselves.
func (e *adminErr) formMessage() string {
	if len(e.Fields) > 0 {
		return ""
	}
	return e.Message
}

// Extra lists the field messages that have no place on the form: those
// whose names start with none of the given prefixes.
func (e *adminErr) Extra(inline ...string) []string {
	if e == nil {
		return nil
	}
	var keys []string
	for k := range e.Fields {
		if !slices.ContainsFunc(inline, func(p string) bool { return strings.HasPrefix(k, p) }) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = e.Fields[k]
	}
	return out
}

// adminRefusal turns a service error into a message for the page, or returns
// the error itself for the error page: a server failure, a missing record
// or a caller without the right.
func adminRefusal(err error, section string) (*adminErr, int, error) {
	we := web.AsError(err)
	switch {
	case we.Status >= 500, we.Status == fiber.StatusUnauthorized, we.Status == fiber.StatusForbidden, we.Status == fiber.StatusNotFound:
		return nil, 0, err
	}
	return &adminErr{Section: section, Message: we.Message, Fields: we.Fields}, we.Status, nil
}

func adminClassURL(id uint64, anchor string) string {
	u := "/admin/classes/" + web.Itoa(id)
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

func adminParseHours(s string) (web.Hours, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	var h web.Hours
	if err := h.UnmarshalJSON([]byte(s)); err != nil {
		return 0, false
	}
	return h, true
}

func adminHoursText(h web.Hours) string {
	if h <= 0 {
		return ""
	}
	return h.String()
}

func adminLocalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(web.Shanghai).Format(adminLocalLayout)
}

func adminShortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(web.Shanghai).Format("2006-01-02 15:04")
}

func adminPostMulti(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

func adminPostIDs(c *fiber.Ctx, name string) []uint64 {
	var out []uint64
	for _, v := range adminPostMulti(c, name) {
		if id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func adminAt(xs []string, i int) string {
	if i < len(xs) {
		return strings.TrimSpace(xs[i])
	}
	return ""
}
