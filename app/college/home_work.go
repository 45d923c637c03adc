package college

import (
	"context"
	"fmt"

	"college/modules/catalog"
	"college/modules/home"
	"college/modules/training"
	"college/modules/web"
)

// homeWork wires the parts of each role's work on the home page: a
// teacher's sessions and results, a unit admin's nominations, compliance
// and classes, a college admin's courses, classes, grading and
// evaluations, the org department's compliance.
func (a *App) homeWork(s *home.Sources) {
	s.Teaching = func(ctx context.Context, p *web.Principal) ([]home.Session, error) {
		rows, err := a.Training.TeachingSessions(ctx, p, homeItems)
		if err != nil {
			return nil, err
		}
		out := make([]home.Session, 0, len(rows))
		for _, x := range rows {
			out = append(out, home.Session{ID: x.ID, Topic: x.Topic, ClassTitle: x.ClassTitle, Place: x.Place, Site: x.Site, StartsAt: x.StartsAt, EndsAt: x.EndsAt,
				Running: x.ClassStatus == training.StatusInSession, ScreenHref: fmt.Sprintf("/teach/sessions/%d/screen", x.ID)})
		}
		return out, nil
	}
	s.Results = func(ctx context.Context, p *web.Principal) (home.Teaching, error) {
		t, err := a.Assess.MyLatestTeaching(ctx, p, homeItems)
		if err != nil {
			return home.Teaching{}, err
		}
		out := home.Teaching{Bar: t.Bar, Evaluations: t.Evaluations, Responses: t.Responses, Score: t.Score, Rate: t.SatisfactionRate, MeetsBar: t.MeetsBar}
		ids := make([]uint64, len(t.Latest))
		for i, l := range t.Latest {
			ids[i] = l.ClassID
		}
		titles, err := a.Training.ClassTitles(ctx, ids)
		if err != nil {
			return home.Teaching{}, err
		}
		for _, l := range t.Latest {
			out.Latest = append(out.Latest, home.Result{Class: titles[l.ClassID], Target: l.Target.Label, Responses: l.Responses, Score: l.Score,
				Rate: l.SatisfactionRate, MeetsBar: l.MeetsBar, Withheld: l.Withheld, Href: fmt.Sprintf("/me/teaching/evaluations/%d", l.EvaluationID)})
		}
		return out, nil
	}
	s.Nominations = func(ctx context.Context, p *web.Principal) ([]home.Nominations, error) {
		rows, err := a.Training.UnitPending(ctx, p, homeItems)
		if err != nil {
			return nil, err
		}
		out := make([]home.Nominations, 0, len(rows))
		for _, r := range rows {
			out = append(out, home.Nominations{Class: r.ClassTitle, StartsOn: r.StartsOn, Pending: r.Pending, Waitlisted: r.Waitlisted,
				Href: fmt.Sprintf("/unit/classes/%d", r.ClassID)})
		}
		return out, nil
	}
	s.Compliance = func(ctx context.Context, p *web.Principal, year int) (home.Compliance, error) {
		c, err := a.Dash.Compliance(ctx, p, p.OrgID, year)
		if err != nil {
			return home.Compliance{}, err
		}
		return home.Compliance{Scope: c.Org.Name, Cadres: c.Cadres, Met: c.Met, Behind: c.Behind, Rate: c.Rate(),
			Href:       fmt.Sprintf("/admin/dashboard?org_id=%d&year=%d", c.Org.ID, year),
			BehindHref: fmt.Sprintf("/admin/dashboard/people?org_id=%d&year=%d&status=behind", c.Org.ID, year)}, nil
	}
	s.UnitClasses = func(ctx context.Context, p *web.Principal) ([]home.Class, int, error) {
		open, err := a.Training.OpenClasses(ctx, p)
		if err != nil {
			return nil, 0, err
		}
		var out []home.Class
		for _, c := range open[:min(len(open), 3)] {
			out = append(out, home.Class{ID: c.ID, Title: c.Title, StartsOn: c.StartsOn, EndsOn: c.EndsOn})
		}
		return out, len(open), nil
	}
	s.Courses = func(ctx context.Context, p *web.Principal) ([]home.Count, error) {
		n, err := a.Catalog.CourseStateCounts(ctx, p)
		if err != nil {
			return nil, err
		}
		var out []home.Count
		for _, st := range []string{catalog.StatusPublished, catalog.StatusDraft, catalog.StatusArchived} {
			out = append(out, home.Count{Label: catalog.StatusNames[st], N: n[st], Href: "/admin/courses?status=" + st})
		}
		return out, nil
	}
	s.ClassStates = func(ctx context.Context, p *web.Principal) ([]home.Count, error) {
		n, err := a.Training.ClassStateCounts(ctx, p)
		if err != nil {
			return nil, err
		}
		var out []home.Count
		for _, st := range []string{training.StatusDraft, training.StatusFiling, training.StatusOpen, training.StatusInSession, training.StatusGraduated} {
			out = append(out, home.Count{Label: training.StatusNames[st], N: n[st], Href: "/admin/classes?status=" + st})
		}
		return out, nil
	}
	s.Reviews = func(ctx context.Context, p *web.Principal) ([]home.Review, error) {
		rows, err := a.Exams.OpenReviews(ctx, p, homeItems)
		if err != nil {
			return nil, err
		}
		out := make([]home.Review, 0, len(rows))
		for _, r := range rows {
			out = append(out, home.Review{Exam: r.Title, N: r.Attempts, Href: fmt.Sprintf("/admin/exams/%d/review", r.ExamID)})
		}
		return out, nil
	}
	s.BelowBar = func(ctx context.Context, p *web.Principal) ([]home.Result, float64, error) {
		rows, bar, err := a.Assess.BelowBar(ctx, p, homeItems)
		if err != nil {
			return nil, bar, err
		}
		ids := make([]uint64, len(rows))
		for i, r := range rows {
			ids[i] = r.ClassID
		}
		titles, err := a.Training.ClassTitles(ctx, ids)
		if err != nil {
			return nil, bar, err
		}
		out := make([]home.Result, 0, len(rows))
		for _, r := range rows {
			out = append(out, home.Result{Class: titles[r.ClassID], Target: r.Target.Label, Responses: r.Responses, Score: r.Score, Rate: r.SatisfactionRate,
				Href: fmt.Sprintf("/admin/evaluations/%d/results", r.EvaluationID)})
		}
		return out, bar, nil
	}
}
