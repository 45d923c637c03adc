package college

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/catalog"
	"college/modules/home"
	"college/modules/portal"
	"college/modules/training"
	"college/modules/web"
)

// homeItems bounds each list on the home page.
const homeItems = 5

// homeSources wires the home page to the modules.
func (a *App) homeSources() home.Sources {
	s := home.Sources{
		Rings: func(ctx context.Context, p *web.Principal, year int) ([]home.Ring, error) {
			s, err := a.Hours.Year(ctx, p.UserID, year)
			if err != nil {
				return nil, err
			}
			rings := []home.Ring{{Label: "网络学习", Done: s.OnlineDone().Float(), Target: s.Targets.Online.Float(), Note: "本年度"}}
			if s.Targets.Senior {
				rings = append(rings, home.Ring{Label: "集中培训", Done: s.Targets.Centralized5yDone.Float(), Target: s.Targets.Centralized5y.Float(),
					Note: fmt.Sprintf("%d 年起五年累计", s.Targets.Centralized5yFrom)})
			} else {
				rings = append(rings, home.Ring{Label: "集中培训", Done: s.CentralizedDone().Float(), Target: s.Targets.Centralized.Float(), Note: "本年度"})
			}
			return rings, nil
		},
		Required: func(ctx context.Context, p *web.Principal) ([]home.Course, error) {
			courses, _, err := a.Catalog.List(ctx, p, catalog.CourseFilter{Kind: "required"}, web.Page{Page: 1, PageSize: 50})
			if err != nil {
				return nil, err
			}
			done, err := a.Learning.MyCourses(ctx, p, "completed")
			if err != nil {
				return nil, err
			}
			finished := map[uint64]bool{}
			for _, c := range done {
				finished[c.CourseID] = true
			}
			// A course in a topic with a deadline is due by the earliest one,
			// and comes first.
			topics, err := a.Catalog.Topics(ctx, p)
			if err != nil {
				return nil, err
			}
			due := map[uint64]string{}
			for _, t := range topics {
				for _, c := range t.Courses {
					if t.Deadline != "" && (due[c.ID] == "" || t.Deadline < due[c.ID]) {
						due[c.ID] = t.Deadline
					}
				}
			}
			var out []home.Course
			for _, c := range courses {
				if !finished[c.ID] {
					out = append(out, home.Course{ID: c.ID, Title: c.Title, Hours: c.Hours.String(), Due: due[c.ID]})
				}
			}
			slices.SortStableFunc(out, func(x, y home.Course) int {
				switch {
				case x.Due == y.Due:
					return 0
				case x.Due == "":
					return 1
				case y.Due == "":
					return -1
				}
				return strings.Compare(x.Due, y.Due)
			})
			return out[:min(len(out), homeItems)], nil
		},
		Continue: func(ctx context.Context, p *web.Principal) ([]home.Course, error) {
			mine, err := a.Learning.MyCourses(ctx, p, "in_progress")
			if err != nil {
				return nil, err
			}
			var out []home.Course
			for _, c := range mine[:min(len(mine), homeItems)] {
				out = append(out, home.Course{ID: c.CourseID, Title: c.Title, Hours: c.Hours.String(), Progress: fmt.Sprintf("已学 %d/%d 课时", c.LessonsCompleted, c.Lessons)})
			}
			return out, nil
		},
		Exams: func(ctx context.Context, p *web.Principal) ([]home.Exam, error) {
			exams, err := a.Exams.MyExams(ctx, p)
			if err != nil {
				return nil, err
			}
			var out []home.Exam
			for _, e := range exams {
				if (e.State == "open" || e.State == "upcoming") && len(out) < homeItems {
					out = append(out, home.Exam{ID: e.ID, Title: e.Title, State: e.State, OpensAt: e.OpensAt, ClosesAt: e.ClosesAt, AttemptsLeft: e.AttemptsLeft, InProgress: e.Open != nil})
				}
			}
			return out, nil
		},
		Classes: func(ctx context.Context, p *web.Principal) (mine, open []home.Class, err error) {
			regs, err := a.Training.MyRegistrations(ctx, p)
			if err != nil {
				return nil, nil, err
			}
			in := map[uint64]bool{}
			today := time.Now().In(web.Shanghai).Format("2006-01-02")
			for _, r := range regs {
				in[r.ClassID] = true
				switch r.Status {
				case training.RegPending, training.RegApproved, training.RegWaitlisted:
				default:
					continue
				}
				if r.Class.EndsOn < today || len(mine) >= homeItems {
					continue
				}
				mine = append(mine, home.Class{ID: r.ClassID, Title: r.Class.Title, Host: r.Class.HostName, StartsOn: r.Class.StartsOn, EndsOn: r.Class.EndsOn, Status: r.StatusName})
			}
			classes, err := a.Training.OpenClasses(ctx, p)
			if err != nil {
				return nil, nil, err
			}
			for _, c := range classes {
				if !in[c.ID] && len(open) < 3 {
					open = append(open, home.Class{ID: c.ID, Title: c.Title, StartsOn: c.StartsOn, EndsOn: c.EndsOn})
				}
			}
			return mine, open, nil
		},
		Notices: func(ctx context.Context, p *web.Principal) ([]home.Link, error) {
			portal, err := a.Portal.Portal(ctx, p)
			if err != nil {
				return nil, err
			}
			var out []home.Link
			for _, n := range portal.Notices[:min(len(portal.Notices), 3)] {
				desc := ""
				if n.PublishedAt != nil {
					desc = n.PublishedAt.In(web.Shanghai).Format("2006-01-02")
				}
				out = append(out, home.Link{Title: n.Title, Desc: desc, Href: fmt.Sprintf("/notices/%d", n.ID)})
			}
			return out, nil
		},
		Todos:  a.homeTodos,
		Unread: a.Notify.Unread,
	}
	a.homeWork(&s)
	return s
}

// homeTodos counts what waits for p in each of their roles.
func (a *App) homeTodos(ctx context.Context, p *web.Principal) ([]home.Todo, error) {
	var out []home.Todo
	add := func(label, href string, n int64) {
		if n > 0 {
			out = append(out, home.Todo{Label: label, Count: n, Href: href})
		}
	}
	if studies(p) {
		evals, err := a.Assess.MyEvaluations(ctx, p)
		if err != nil {
			return nil, err
		}
		n := int64(0)
		for _, e := range evals {
			if e.Open && !e.Done {
				n++
			}
		}
		add("待填写的评估", "/me/evaluations", n)
		fu, err := a.Followup.MyFollowUp(ctx, p)
		if err != nil {
			return nil, err
		}
		n = 0
		for _, t := range fu.Tasks {
			if !t.Done {
				n++
			}
		}
		add("跟踪问效待办", "/me/followup", n)
	}
	if p.HasAny(web.RoleOrgAdmin) {
		_, n, err := a.Training.ListManaged(ctx, p, training.ListFilter{Status: training.StatusFiling}, web.Page{Page: 1, PageSize: 1})
		if err != nil {
			return nil, err
		}
		add("待审核的班次备案", "/admin/filings", n)
	}
	// A college admin's classes by state and a unit admin's compliance and
	// open classes are parts of their own (homeWork).
	return out, nil
}

func studies(p *web.Principal) bool {
	return p.HasAny(web.RoleLearner, web.RoleUnitAdmin, web.RoleCollegeAdmin, web.RoleTeacher, web.RoleOrgAdmin)
}

// homeGroups sorts the caller's pages into learning, the unit's work,
// administration and the account.
func homeGroups(sections []portal.Section) func(p *web.Principal) []home.Group {
	return func(p *web.Principal) []home.Group {
		order := []string{"学习", "本单位工作", "管理工作", "账号与消息"}
		byGroup := map[string][]home.Link{}
		for _, s := range sections {
			if len(s.Roles) > 0 && !p.HasAny(s.Roles...) {
				continue
			}
			g := "学习"
			switch {
			case strings.HasPrefix(s.Href, "/admin/"):
				g = "管理工作"
			case strings.HasPrefix(s.Href, "/unit/"):
				g = "本单位工作"
			case s.Href == "/profile" || s.Href == "/me/notifications":
				g = "账号与消息"
			}
			byGroup[g] = append(byGroup[g], home.Link{Title: s.Title, Desc: s.Desc, Href: s.Href})
		}
		var out []home.Group
		for _, g := range order {
			if len(byGroup[g]) > 0 {
				out = append(out, home.Group{Title: g, Links: byGroup[g], Work: g == "本单位工作" || g == "管理工作"})
			}
		}
		return out
	}
}
