// Package home renders what each signed-in user sees first: a cadre's
// hours against this year's targets, the required courses still to study,
// where to continue, open exams, classes and what is due; an administrator's
// to-dos and the pages of their work. It reads the other modules through
// the Sources that app/ wires, all at once, and shows what it could read
// when one of them fails.
package home

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Ring is progress toward one target, drawn as a ring.
type Ring struct {
	Label  string
	Done   float64
	Target float64
	Note   string // how the target is counted
}

// Percent is the share done, 0..100.
func (r Ring) Percent() int {
	if r.Target <= 0 {
		return 100
	}
	return int(math.Min(100, math.Floor(r.Done/r.Target*100)))
}

// Dash is the SVG stroke-dasharray of the ring's arc on a circle of radius 42.
func (r Ring) Dash() string {
	c := 2 * math.Pi * 42
	return fmt.Sprintf("%.1f %.1f", c*float64(r.Percent())/100, c)
}

// Met tells whether the target is reached.
func (r Ring) Met() bool { return r.Done >= r.Target }

// Course is a course on the home page.
type Course struct {
	ID       uint64
	Title    string
	Hours    string
	Progress string // "3/5 课时"
	Due      string // a deadline, when one applies
}

// Exam is an exam the cadre may sit or is sitting.
type Exam struct {
	ID           uint64
	Title        string
	State        string // open, upcoming
	OpensAt      time.Time
	ClosesAt     time.Time
	AttemptsLeft int
	InProgress   bool
}

// Class is a class the user is in or may join.
type Class struct {
	ID       uint64
	Title    string
	Host     string
	StartsOn string
	EndsOn   string
	Status   string // the user's registration status, "" for an open class
}

// Todo is something waiting for the user, with where to do it.
type Todo struct {
	Label string
	Count int64
	Href  string
}

// Link is a page of the user's work.
type Link struct {
	Title, Desc, Href string
}

// Group is a titled set of links.
type Group struct {
	Title string
	Work  bool // administrative work, shown before the caller's own study
	Links []Link
}

// Sources are what the home page reads; app/ wires them to the modules. A
// nil source is left out.
type Sources struct {
	// Rings are the caller's hours this year against their targets.
	Rings func(ctx context.Context, p *web.Principal, year int) ([]Ring, error)
	// Required lists required courses the caller has not completed.
	Required func(ctx context.Context, p *web.Principal) ([]Course, error)
	// Continue lists the caller's courses in progress, latest first.
	Continue func(ctx context.Context, p *web.Principal) ([]Course, error)
	// Exams lists the caller's open and upcoming exams.
	Exams func(ctx context.Context, p *web.Principal) ([]Exam, error)
	// Classes lists the caller's current registrations and the classes open
	// to them.
	Classes func(ctx context.Context, p *web.Principal) (mine, open []Class, err error)
	// Todos are what waits for the caller in each role (evaluations, tasks,
	// filings, reviews, nominations…).
	Todos func(ctx context.Context, p *web.Principal) ([]Todo, error)
	// Notices are the latest notices the caller may read.
	Notices func(ctx context.Context, p *web.Principal) ([]Link, error)
	// Unread counts the caller's unread notifications.
	Unread func(ctx context.Context, uid uint64) (int64, error)
}

// View is the data of the home page.
type View struct {
	Name     string
	Year     int
	Learner  bool // studies: shows the rings, courses, exams and classes
	Rings    []Ring
	Required []Course
	Continue []Course
	Exams    []Exam
	Mine     []Class
	Open     []Class
	Todos    []Todo
	Unread   int64
	Notices  []Link
	Work     []Group  // the pages of the caller's administrative work
	Groups   []Group  // their own pages: learning, the account
	Failed   []string // parts that could not be read just now
}

// Handlers serves the home page.
type Handlers struct {
	pages  *web.Engine
	src    Sources
	groups func(p *web.Principal) []Group
	log    *slog.Logger
	now    func() time.Time
}

// New makes the home page; groups gives the caller's pages by role.
func New(pages *web.Engine, src Sources, groups func(p *web.Principal) []Group, log *slog.Logger) *Handlers {
	return &Handlers{pages: pages, src: src, groups: groups, log: log, now: time.Now}
}

// studies tells whether p takes courses and exams.
func studies(p *web.Principal) bool {
	return p.HasAny(web.RoleLearner, web.RoleUnitAdmin, web.RoleCollegeAdmin, web.RoleTeacher, web.RoleOrgAdmin)
}

// Build reads everything the caller's home shows, at once.
func (h *Handlers) Build(ctx context.Context, p *web.Principal) View {
	v := View{Name: p.Name, Year: h.now().In(web.Shanghai).Year(), Learner: studies(p)}
	if h.groups != nil {
		for _, g := range h.groups(p) {
			if g.Work {
				v.Work = append(v.Work, g)
			} else {
				v.Groups = append(v.Groups, g)
			}
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	run := func(part string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				h.log.Warn("home: part unavailable", "part", part, "user", p.UserID, "err", err)
				mu.Lock()
				v.Failed = append(v.Failed, part)
				mu.Unlock()
			}
		}()
	}
	s := h.src
	if v.Learner {
		if s.Rings != nil {
			run("学时", func() (err error) { v.Rings, err = s.Rings(ctx, p, v.Year); return })
		}
		if s.Required != nil {
			run("待学必修课", func() (err error) { v.Required, err = s.Required(ctx, p); return })
		}
		if s.Continue != nil {
			run("继续学习", func() (err error) { v.Continue, err = s.Continue(ctx, p); return })
		}
		if s.Exams != nil {
			run("考试", func() (err error) { v.Exams, err = s.Exams(ctx, p); return })
		}
		if s.Classes != nil {
			run("培训班次", func() (err error) { v.Mine, v.Open, err = s.Classes(ctx, p); return })
		}
	}
	if s.Todos != nil {
		run("待办", func() (err error) { v.Todos, err = s.Todos(ctx, p); return })
	}
	if s.Notices != nil {
		run("通知公告", func() (err error) { v.Notices, err = s.Notices(ctx, p); return })
	}
	if s.Unread != nil {
		run("消息", func() (err error) { v.Unread, err = s.Unread(ctx, p.UserID); return })
	}
	wg.Wait()
	return v
}

// Page renders the caller's home.
func (h *Handlers) Page(c *fiber.Ctx) error {
	p := web.Caller(c)
	if p == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	return h.pages.Render(c, fiber.StatusOK, "home/home", "首页", h.Build(c.UserContext(), p))
}
