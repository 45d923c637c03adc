package college

import (
	"context"

	"college/modules/catalog"
	"college/modules/followup"
	"college/modules/identity"
	"college/modules/web"
)

// followupPeople adapts the identity module to what the follow-up module
// asks of it: people with their 任现职期满 date, roles over orgs, org paths.
type followupPeople struct {
	id    *identity.Service
	store *identity.Store
}

func (p followupPeople) Person(ctx context.Context, id uint64) (*followup.Person, error) {
	u, err := p.id.PersonByID(ctx, id)
	if err != nil || u == nil {
		return nil, err
	}
	terms, err := p.TermsEndOn(ctx, []uint64{id})
	if err != nil {
		return nil, err
	}
	return &followup.Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: u.OrgName, OrgPath: u.OrgPath,
		Post: u.Post, IDNumber: u.IDNumber, TermEndsOn: terms[id]}, nil
}

func (p followupPeople) People(ctx context.Context, ids []uint64) (map[uint64]followup.Person, error) {
	found, err := p.id.PeopleByIDs(ctx, ids)
	return convertByID(found, err, func(u identity.Person) followup.Person {
		return followup.Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: u.OrgName, OrgPath: u.OrgPath, Post: u.Post}
	})
}

// TermsEndOn reads the 任现职期满 dates kept on the users.
func (p followupPeople) TermsEndOn(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return p.store.TermsEndOn(ctx, ids)
}

func (p followupPeople) UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error) {
	return p.id.UsersWithRole(ctx, role, orgIDs)
}

func (p followupPeople) OrgName(ctx context.Context, id uint64) string { return p.id.OrgName(ctx, id) }

func (p followupPeople) OrgPath(ctx context.Context, id uint64) (string, error) {
	paths, err := p.store.OrgPaths(ctx, []uint64{id})
	return paths[id], err
}

func (p followupPeople) FindUser(ctx context.Context, username string) (*followup.Person, error) {
	u, err := p.store.UserByUsername(ctx, username)
	if err != nil || u == nil || u.Disabled {
		return nil, err
	}
	return p.Person(ctx, u.ID)
}

// caseCourses makes the draft course of an excellent follow-up case in the
// college that hosted the class, on behalf of the org department or the
// college's admin who asked for it.
type caseCourses struct {
	catalog *catalog.Service
	store   *identity.Store
}

func (c caseCourses) CreateCaseCourse(ctx context.Context, actor *web.Principal, collegeID uint64, title, summary string, entry func(courseID uint64) web.AuditEntry) (uint64, error) {
	paths, err := c.store.OrgPaths(ctx, []uint64{collegeID})
	if err != nil {
		return 0, err
	}
	host := &web.Principal{UserID: actor.UserID, Username: actor.Username, Name: actor.Name, Roles: []string{web.RoleCollegeAdmin},
		OrgID: collegeID, OrgPath: paths[collegeID], IP: actor.IP}
	course, err := c.catalog.CreateCourseAs(ctx, host, catalog.CourseRequest{Title: title, Summary: summary, Category: "优秀实践案例", Kind: catalog.KindElective},
		func(course *catalog.Course) web.AuditEntry { return entry(course.ID) })
	if err != nil {
		return 0, err
	}
	return course.ID, nil
}
