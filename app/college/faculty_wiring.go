package college

import (
	"cmp"
	"context"
	"time"

	"college/modules/assess"
	"college/modules/catalog"
	"college/modules/faculty"
	"college/modules/identity"
	"college/modules/training"
	"college/modules/web"
)

// facultyTimetable reads a teacher's sessions from the training module.
type facultyTimetable struct{ training *training.Service }

// SessionsTaughtBy lists the sessions linked to a teacher.
func (f facultyTimetable) SessionsTaughtBy(ctx context.Context, teacherID uint64, limit int) ([]faculty.TaughtSession, error) {
	rows, err := f.training.SessionsTaughtBy(ctx, teacherID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]faculty.TaughtSession, len(rows))
	for i, x := range rows {
		out[i] = faculty.TaughtSession{ID: x.ID, ClassID: x.ClassID, ClassTitle: x.ClassTitle, Topic: x.Topic, StartsAt: x.StartsAt, Hours: x.Hours}
	}
	return out, nil
}

// SessionCounts counts the sessions each teacher gave in [from, to).
func (f facultyTimetable) SessionCounts(ctx context.Context, teacherIDs []uint64, from, to time.Time) (map[uint64]int, error) {
	return f.training.SessionCounts(ctx, teacherIDs, from, to)
}

// SessionsOfTeachers lists the sessions the teachers gave in [from, to).
func (f facultyTimetable) SessionsOfTeachers(ctx context.Context, teacherIDs []uint64, from, to time.Time) ([]faculty.TeacherSession, error) {
	rows, err := f.training.SessionsOfTeachers(ctx, teacherIDs, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]faculty.TeacherSession, len(rows))
	for i, x := range rows {
		out[i] = faculty.TeacherSession{ID: x.ID, TeacherID: x.TeacherID, Hours: x.Hours}
	}
	return out, nil
}

// UpcomingSessions lists a teacher's coming sessions.
func (f facultyTimetable) UpcomingSessions(ctx context.Context, teacherID uint64, from time.Time, limit int) ([]faculty.ScheduledSession, error) {
	rows, err := f.training.UpcomingSessionsOf(ctx, teacherID, from, limit)
	if err != nil {
		return nil, err
	}
	out := make([]faculty.ScheduledSession, len(rows))
	for i, x := range rows {
		out[i] = faculty.ScheduledSession{ID: x.ID, ClassID: x.ClassID, ClassTitle: x.ClassTitle, Topic: x.Topic, StartsAt: x.StartsAt, EndsAt: x.EndsAt,
			Place: x.Place, Site: x.Site, Hours: x.Hours}
	}
	return out, nil
}

// facultyEvaluations reads a teacher's evaluations from the assess module.
type facultyEvaluations struct{ assess *assess.Service }

// TeacherEvaluation sums up the evaluations of sessions and of an account.
func (f facultyEvaluations) TeacherEvaluation(ctx context.Context, sessionIDs []uint64, userID uint64) (faculty.Evaluation, error) {
	a, err := f.assess.TeacherRecord(ctx, sessionIDs, userID)
	if err != nil {
		return faculty.Evaluation{}, err
	}
	out := faculty.Evaluation{Responses: a.Responses, Average: a.Score, SatisfactionRate: a.SatisfactionRate, Bar: a.Bar,
		Evaluations: make([]faculty.EvaluationScore, len(a.Evaluations))}
	for i, e := range a.Evaluations {
		out.Evaluations[i] = faculty.EvaluationScore{ID: e.ID, ClassTitle: e.ClassTitle, Label: e.Target.Label, Responses: e.Responses,
			Score: e.Score, SatisfactionRate: e.SatisfactionRate, MeetsBar: e.MeetsBar}
	}
	out.Trend = make([]faculty.TrendPoint, len(a.Trend))
	for i, x := range a.Trend {
		out.Trend[i] = faculty.TrendPoint{Period: x.Period, Responses: x.Responses, Score: x.Score, SatisfactionRate: x.SatisfactionRate}
	}
	return out, nil
}

// trainingTeachers gives the timetable the faculty's teachers.
type trainingTeachers struct{ *faculty.Service }

// TeachingOptions are the active teachers the caller may put on a timetable.
func (t trainingTeachers) TeachingOptions(ctx context.Context, p *web.Principal) ([]training.TeacherOption, error) {
	ts, err := t.Service.TeachingOptions(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]training.TeacherOption, len(ts))
	for i, x := range ts {
		note := faculty.KindNames[x.Kind]
		if extra := cmp.Or(x.Post, x.Title); extra != "" {
			note += "，" + extra
		}
		out[i] = training.TeacherOption{ID: x.ID, Name: x.Name, Note: note}
	}
	return out, nil
}

// facultyTrainings reads the teachers' own training from the training module.
type facultyTrainings struct{ training *training.Service }

// TeacherClassGraduations lists graduations from 师资培训 classes.
func (f facultyTrainings) TeacherClassGraduations(ctx context.Context, userIDs []uint64, from, to time.Time) ([]faculty.TrainingCompletion, error) {
	rows, err := f.training.GraduationsOfKind(ctx, training.TeacherKind, userIDs, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]faculty.TrainingCompletion, len(rows))
	for i, x := range rows {
		out[i] = faculty.TrainingCompletion{UserID: x.UserID, ClassID: x.ClassID, Title: x.Title, GraduatedAt: x.GraduatedAt}
	}
	return out, nil
}

// facultyLectures reads, for the lectures, the catalog's courses and the
// names of the cadres' units.
type facultyLectures struct {
	catalog *catalog.Service
	store   *identity.Store
}

// Course finds a catalog course and whether it is published.
func (f facultyLectures) Course(ctx context.Context, id uint64) (faculty.LectureCourse, bool, error) {
	c, err := f.catalog.CourseByID(ctx, id)
	if err != nil || c == nil {
		return faculty.LectureCourse{}, false, err
	}
	return faculty.LectureCourse{ID: c.ID, Title: c.Title, Published: c.Status == catalog.StatusPublished}, true, nil
}

// OrgNames names organizations.
func (f facultyLectures) OrgNames(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	found, err := f.store.OrgsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]string, len(found))
	for id, org := range found {
		out[id] = org.Name
	}
	return out, nil
}

// facultyCourses reads a teacher's online courses from the catalog.
type facultyCourses struct{ catalog *catalog.Service }

// PublishedCourses are the published courses naming the teacher.
func (f facultyCourses) PublishedCourses(ctx context.Context, name string, limit int) ([]faculty.AuthoredCourse, error) {
	rows, err := f.catalog.PublishedByTeacher(ctx, name, limit)
	if err != nil {
		return nil, err
	}
	out := make([]faculty.AuthoredCourse, len(rows))
	for i, c := range rows {
		out[i] = faculty.AuthoredCourse{ID: c.ID, Title: c.Title}
	}
	return out, nil
}
