package hours

import (
	"context"
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Years outside this range are refused as input.
const (
	MinYear = 2000
	MaxYear = 2100
)

// Profile is the archive's header about a learner (GB/T 38860 learner
// fields that exist today). IDNumber is already masked.
type Profile struct {
	Name     string
	Username string
	OrgName  string
	Level    string
	Post     string
	IDNumber string
}

// People is what the HTTP layer needs from the identity module.
type People interface {
	// Profile returns the learner's archive header, ID number masked.
	Profile(ctx context.Context, userID uint64) (Profile, error)
	// InScope reports whether the user exists and belongs to the caller's
	// organization subtree.
	InScope(ctx context.Context, p *web.Principal, userID uint64) (bool, error)
}

// Admins may read the hours of the learners in their subtree.
var Admins = []string{web.RoleSysAdmin, web.RoleOrgAdmin, web.RoleUnitAdmin, web.RoleCollegeAdmin}

// ArchiveNote is a line another module adds to a learner's archive: a
// follow-up round's conclusion (跟踪问效), for example.
type ArchiveNote struct {
	Year   int    // the year it belongs to
	Title  string // what it is about, e.g. the class
	Result string // e.g. the conclusion 优秀
	Date   string // YYYY-MM-DD, when it was concluded
}

// ArchiveExtras returns the notes of a learner's archive, newest first.
type ArchiveExtras func(ctx context.Context, userID uint64) ([]ArchiveNote, error)

// Handlers serves the hours API and pages.
type Handlers struct {
	svc    *Service
	people People
	pages  *web.Engine
	extras ArchiveExtras
}

// SetArchiveExtras adds the follow-up results (跟踪问效) to the archive page
// and its Excel export; the follow-up module provides them.
func (h *Handlers) SetArchiveExtras(f ArchiveExtras) { h.extras = f }

// archive is the learner's archive with the notes of other modules.
func (h *Handlers) archive(ctx context.Context, userID uint64) (Archive, error) {
	a, err := h.svc.Archive(ctx, userID)
	if err != nil || h.extras == nil {
		return a, err
	}
	a.Notes, err = h.extras(ctx, userID)
	return a, err
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, people People, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, people: people, pages: pages}
}

// Register lists every route of the module.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	api = api.Tag("hours")
	api.Get("/me/hours", web.Doc{Summary: "本人年度学时（默认本年度）", Resp: HoursResponse{}, Query: []string{"year"}}, h.myHours)
	api.Get("/me/archive.xlsx", web.Doc{Summary: "导出本人学习档案（.xlsx）"}, h.myArchiveExcel)
	api.Get("/users/:id/hours", web.Doc{Summary: "学员年度学时（本级及下级）", Resp: HoursResponse{}, Query: []string{"year"}, Roles: Admins}, h.userHours)
	api.Get("/users/:id/archive.xlsx", web.Doc{Summary: "导出学员学习档案（.xlsx，本级及下级）", Roles: Admins}, h.userArchiveExcel)
	pages.Get("/me/hours", web.RequireLogin, h.hoursPage)
	pages.Get("/me/archive", web.RequireLogin, h.myArchivePage)
	pages.Get("/admin/users/:id/archive", web.RequireRole(Admins...), h.userArchivePage)
}

// yearFrom reads ?year=, defaulting to this year in the college's time zone.
func (h *Handlers) yearFrom(c *fiber.Ctx) (int, error) {
	v := c.Query("year")
	if v == "" {
		return h.svc.CurrentYear(), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < MinYear || n > MaxYear {
		return 0, web.Invalid(map[string]string{"year": "年度必须是 2000 到 2100 之间的整数"})
	}
	return n, nil
}

// scopedUser reads :id and refuses users outside the caller's subtree
// with 404, so their existence is not revealed.
func (h *Handlers) scopedUser(c *fiber.Ctx) (uint64, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return 0, err
	}
	ok, err := h.people.InScope(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return 0, web.Internal(err)
	}
	if !ok {
		return 0, web.NotFound()
	}
	return id, nil
}

func (h *Handlers) yearJSON(c *fiber.Ctx, userID uint64) error {
	year, err := h.yearFrom(c)
	if err != nil {
		return err
	}
	sum, err := h.svc.Year(c.UserContext(), userID, year)
	if err != nil {
		return web.Internal(err)
	}
	return c.JSON(hoursResponse(sum))
}

func (h *Handlers) myHours(c *fiber.Ctx) error {
	return h.yearJSON(c, web.Caller(c).UserID)
}

func (h *Handlers) userHours(c *fiber.Ctx) error {
	id, err := h.scopedUser(c)
	if err != nil {
		return err
	}
	return h.yearJSON(c, id)
}

func (h *Handlers) myArchiveExcel(c *fiber.Ctx) error {
	return h.archiveExcel(c, web.Caller(c).UserID)
}

func (h *Handlers) userArchiveExcel(c *fiber.Ctx) error {
	id, err := h.scopedUser(c)
	if err != nil {
		return err
	}
	return h.archiveExcel(c, id)
}
