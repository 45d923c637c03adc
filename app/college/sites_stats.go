package college

import (
	"context"

	"college/modules/assess"
	"college/modules/catalog"
	"college/modules/sites"
)

// siteEvaluations reads the satisfaction of the booked timetable sessions
// from the assess module.
type siteEvaluations struct{ assess *assess.Service }

// SessionsSatisfaction joins the evaluations of the sessions.
func (e siteEvaluations) SessionsSatisfaction(ctx context.Context, sessionIDs []uint64) (sites.Satisfaction, error) {
	a, err := e.assess.TeacherRecord(ctx, sessionIDs, 0)
	if err != nil {
		return sites.Satisfaction{}, err
	}
	return sites.Satisfaction{Responses: a.Responses, Rate: a.SatisfactionRate}, nil
}

// siteCourses names the catalog courses linked to sites.
type siteCourses struct{ catalog *catalog.Service }

// CourseTitles returns the titles of the courses that exist.
func (c siteCourses) CourseTitles(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return c.catalog.CourseTitles(ctx, ids)
}

// CourseChoices lists published courses to link to a site.
func (c siteCourses) CourseChoices(ctx context.Context, limit int) ([]sites.CourseChoice, error) {
	rows, err := c.catalog.PublishedCourses(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]sites.CourseChoice, len(rows))
	for i, r := range rows {
		out[i] = sites.CourseChoice{ID: r.ID, Title: r.Title}
	}
	return out, nil
}

// wireSiteReads lets the sites read evaluations and course titles.
func wireSiteReads(a *App) {
	a.Sites.SetEvaluations(siteEvaluations{assess: a.Assess})
	a.Sites.SetCourses(siteCourses{catalog: a.Catalog})
}
