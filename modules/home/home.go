// Package home renders what each signed-in user sees first: a cadre's
// hours against this year's targets, the required courses still to study,
// where to continue, open exams, classes and what is due; a teacher's
// coming sessions with their sign-in codes and their evaluation results; a
// unit admin's nominations, compliance and open classes; a college admin's
// courses and classes by state, grading queues and evaluations below the
// bar; the org department's compliance; every administrator's to-dos and
// the pages of their work. It reads the other modules through
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

// Count is a number of things in one state, with where to see them.
type Count struct {
	Label string
	N     int64
	Href  string
}

// Compliance is how many of the cadres of an org subtree meet this
// year's hours.
type Compliance struct {
	Scope               string // "本单位", "全市"
	Cadres, Met, Behind int
	Rate                float64 // 0..1
	Href                string  // the dashboard
	BehindHref          string  // the cadres behind
}

// Percent is the rate in whole percent, rounded down.
func (c Compliance) Percent() int { return int(math.Floor(c.Rate*100 + 1e-9)) }

// Session is a timetable session the teacher teaches.
type Session struct {
	ID         uint64
	Topic      string
	ClassTitle string
	Place      string
	Site       string // the field teaching site it is at, if any
	StartsAt   time.Time
	EndsAt     time.Time
	Running    bool   // the class is in session: trainees may sign in
	ScreenHref string // the sign-in code screen
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// Day is the session's date in Beijing, "12月9日 周三".
func (s Session) Day() string {
	t := s.StartsAt.In(web.Shanghai)
	return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), weekdays[t.Weekday()])
}

// Hours is the session's time of day in Beijing, "09:00–12:00".
func (s Session) Hours() string {
	return s.StartsAt.In(web.Shanghai).Format("15:04") + "–" + s.EndsAt.In(web.Shanghai).Format("15:04")
}

// Result is one evaluation's result in short.
type Result struct {
	Class     string
	Target    string
	Responses int
	Score     float64 // out of 100
	Rate      float64 // satisfaction rate, 0..1
	MeetsBar  bool
	Withheld  bool // too few answers to show
	Href      string
}

// Teaching is the teacher's latest evaluation results and their total.
type Teaching struct {
	Bar         float64
	Evaluations int // counted in the total
	Responses   int
	Score       float64
	Rate        float64
	MeetsBar    bool
	Latest      []Result
}

// Nominations are one class's registrations from the unit awaiting the
// host's decision.
type Nominations struct {
	Class      string
	StartsOn   string
	Pending    int64
	Waitlisted int64
	Href       string
}

// Review is an exam with answers waiting for a grader.
type Review struct {
	Exam string
	N    int64
	Href string
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

	// Teaching lists a teacher's coming sessions, soonest first.
	Teaching func(ctx context.Context, p *web.Principal) ([]Session, error)
	// Results sums up a teacher's latest evaluation results.
	Results func(ctx context.Context, p *web.Principal) (Teaching, error)
	// Nominations lists, per class, a unit admin's registrations awaiting
	// a decision.
	Nominations func(ctx context.Context, p *web.Principal) ([]Nominations, error)
	// Compliance counts the cadres of a unit admin's or the org
	// department's subtree meeting the year's hours.
	Compliance func(ctx context.Context, p *web.Principal, year int) (Compliance, error)
	// UnitClasses lists the classes open to a unit admin's cadres (the
	// first few) and how many there are.
	UnitClasses func(ctx context.Context, p *web.Principal) ([]Class, int, error)
	// Courses counts a college admin's courses by state.
	Courses func(ctx context.Context, p *web.Principal) ([]Count, error)
	// ClassStates counts a college admin's classes by state.
	ClassStates func(ctx context.Context, p *web.Principal) ([]Count, error)
	// Reviews lists a college admin's exams with answers to grade.
	Reviews func(ctx context.Context, p *web.Principal) ([]Review, error)
	// BelowBar lists a college admin's latest evaluations under the
	// satisfaction bar, and the bar.
	BelowBar func(ctx context.Context, p *web.Principal) ([]Result, float64, error)
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

	// The parts of each role's work; Has tells which were read.
	Sessions    []Session
	Teaching    Teaching
	Nominations []Nominations
	Compliance  Compliance
	UnitOpen    []Class
	UnitOpenN   int
	Courses     []Count
	ClassStates []Count
	Reviews     []Review
	BelowBar    []Result
	Bar         float64
	shown       map[string]bool
}

// Parts of the home that only some roles have, as Has names them.
const (
	PartSessions    = "sessions"
	PartTeaching    = "teaching"
	PartNominations = "nominations"
	PartCompliance  = "compliance"
	PartUnitClasses = "unit_classes"
	PartCourses     = "courses"
	PartClassStates = "class_states"
	PartReviews     = "reviews"
	PartBelowBar    = "below_bar"
)

// Has tells whether a part of the caller's role was read, and so is shown.
func (v View) Has(part string) bool { return v.shown[part] }

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
	v.shown = map[string]bool{}
	// show runs f and, when it succeeds, shows the role's part key.
	show := func(key, part string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				h.log.Warn("home: part unavailable", "part", part, "user", p.UserID, "err", err)
				v.Failed = append(v.Failed, part)
				return
			}
			if key != "" {
				v.shown[key] = true
			}
		}()
	}
	run := func(part string, f func() error) { show("", part, f) }
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
	if p.Has(web.RoleTeacher) {
		if s.Teaching != nil {
			show(PartSessions, "授课安排", func() (err error) { v.Sessions, err = s.Teaching(ctx, p); return })
		}
		if s.Results != nil {
			show(PartTeaching, "教学评价", func() (err error) { v.Teaching, err = s.Results(ctx, p); return })
		}
	}
	if p.Has(web.RoleUnitAdmin) {
		if s.Nominations != nil {
			show(PartNominations, "待审核的报名", func() (err error) { v.Nominations, err = s.Nominations(ctx, p); return })
		}
		if s.UnitClasses != nil {
			show(PartUnitClasses, "可推荐参训的班次", func() (err error) { v.UnitOpen, v.UnitOpenN, err = s.UnitClasses(ctx, p); return })
		}
	}
	if p.HasAny(web.RoleUnitAdmin, web.RoleOrgAdmin) && s.Compliance != nil {
		show(PartCompliance, "学时达标情况", func() (err error) { v.Compliance, err = s.Compliance(ctx, p, v.Year); return })
	}
	if p.Has(web.RoleCollegeAdmin) {
		if s.Courses != nil {
			show(PartCourses, "课程", func() (err error) { v.Courses, err = s.Courses(ctx, p); return })
		}
		if s.ClassStates != nil {
			show(PartClassStates, "班次", func() (err error) { v.ClassStates, err = s.ClassStates(ctx, p); return })
		}
		if s.Reviews != nil {
			show(PartReviews, "待阅卷", func() (err error) { v.Reviews, err = s.Reviews(ctx, p); return })
		}
		if s.BelowBar != nil {
			show(PartBelowBar, "评估未达标", func() (err error) { v.BelowBar, v.Bar, err = s.BelowBar(ctx, p); return })
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
