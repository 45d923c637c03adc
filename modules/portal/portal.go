// Package portal serves the college's home page: the college's name and the
// sections the visitor can use.
package portal

import (
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Section is one card on the home page.
type Section struct {
	Title string
	Desc  string
	Href  string
	Icon  string
	Roles []string // empty: every logged-in user
}

// Handlers serves the portal pages.
type Handlers struct {
	pages    *web.Engine
	sections []Section
	member   fiber.Handler // the home of a signed-in user
	visitors fiber.Handler // what "/" shows a visitor who is not logged in
}

// New makes the portal with the sections the wired modules offer.
func New(pages *web.Engine, sections []Section) *Handlers {
	return &Handlers{pages: pages, sections: sections}
}

// SetMemberHome makes h what "/" shows a signed-in user.
func (h *Handlers) SetMemberHome(member fiber.Handler) { h.member = member }

// ForVisitors makes "/" show visitors who are not logged in page instead
// (the public portal).
func (h *Handlers) ForVisitors(page fiber.Handler) *Handlers {
	h.visitors = page
	return h
}

// Register lists the routes of the module.
func (h *Handlers) Register(r fiber.Router) {
	r.Get("/", h.home)
}

// Visible returns the sections the caller may open.
func (h *Handlers) Visible(p *web.Principal) []Section {
	if p == nil {
		return nil
	}
	var out []Section
	for _, s := range h.sections {
		if len(s.Roles) == 0 || p.HasAny(s.Roles...) {
			out = append(out, s)
		}
	}
	return out
}

func (h *Handlers) home(c *fiber.Ctx) error {
	p := web.Caller(c)
	if p != nil && h.member != nil && !p.MustChangePassword {
		return h.member(c)
	}
	if p == nil && h.visitors != nil {
		return h.visitors(c)
	}
	welcome := "欢迎访问干部网络学院。请登录后学习课程、参加考试和培训。"
	if p != nil {
		welcome = p.Name + "，您好！"
	}
	return h.pages.Render(c, fiber.StatusOK, "portal/home", "首页", map[string]any{"Sections": h.Visible(p), "Welcome": welcome})
}
