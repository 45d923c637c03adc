package college

import (
	"context"

	"college/modules/faculty"
	"college/modules/followup"
	"college/modules/identity"
	"college/modules/throughtrain"
	"college/modules/training"
	"college/modules/web"
)

// throughClasses gives the through-train the classes a cadre graduated from.
type throughClasses struct{ training *training.Service }

// GraduateOf reads a class and whether the user graduated from it.
func (t throughClasses) GraduateOf(ctx context.Context, classID, userID uint64) (throughtrain.Graduation, error) {
	g, err := t.training.GraduateOf(ctx, classID, userID)
	return throughtrain.Graduation{Title: g.Title, HostOrgID: g.HostOrgID, Found: g.Found, Graduated: g.Graduated}, err
}

// GraduatedClasses lists the classes the user holds a certificate of.
func (t throughClasses) GraduatedClasses(ctx context.Context, userID uint64) ([]throughtrain.ClassOption, error) {
	certs, err := t.training.MyCertificates(ctx, &web.Principal{UserID: userID})
	if err != nil {
		return nil, err
	}
	out := make([]throughtrain.ClassOption, len(certs))
	for i, c := range certs {
		out[i] = throughtrain.ClassOption{ID: c.ClassID, Title: c.ClassTitle}
	}
	return out, nil
}

// throughPeople gives the through-train people and org paths.
type throughPeople struct {
	id    *identity.Service
	store *identity.Store
}

// Person loads a user with their org path.
func (t throughPeople) Person(ctx context.Context, id uint64) (throughtrain.Person, bool, error) {
	u, err := t.id.PersonByID(ctx, id)
	if err != nil || u == nil {
		return throughtrain.Person{}, false, err
	}
	return throughtrain.Person{ID: u.ID, Name: u.Name, OrgID: u.OrgID, OrgPath: u.OrgPath}, true, nil
}

// OrgPath is an org's materialized path.
func (t throughPeople) OrgPath(ctx context.Context, id uint64) (string, error) {
	paths, err := t.store.OrgPaths(ctx, []uint64{id})
	return paths[id], err
}

// UsersWithRole lists the users holding role in the orgs.
func (t throughPeople) UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error) {
	return t.id.UsersWithRole(ctx, role, orgIDs)
}

// throughTeachers gives the through-train the faculty the assigning admin
// manages.
type throughTeachers struct{ faculty *faculty.Service }

// TeacherAccount loads a teacher the admin manages, with the linked account.
func (t throughTeachers) TeacherAccount(ctx context.Context, p *web.Principal, id uint64) (throughtrain.Teacher, error) {
	x, err := t.faculty.Teacher(ctx, p, id)
	if err != nil {
		return throughtrain.Teacher{}, err
	}
	return throughtrain.Teacher{ID: x.ID, Name: x.Name, UserID: x.UserID}, nil
}

// Assignable lists the first teachers the admin manages that have an account.
func (t throughTeachers) Assignable(ctx context.Context, p *web.Principal) ([]throughtrain.Teacher, error) {
	items, _, err := t.faculty.List(ctx, p, faculty.Filter{}, web.Page{Page: 1, PageSize: web.MaxPageSize})
	if err != nil {
		return nil, err
	}
	var out []throughtrain.Teacher
	for _, x := range items {
		if x.UserID != 0 {
			out = append(out, throughtrain.Teacher{ID: x.ID, Name: x.Name, UserID: x.UserID})
		}
	}
	return out, nil
}

// followupThrough gives the follow-up round page a graduate's through-train
// threads of the class.
type followupThrough struct{ through *throughtrain.Service }

// ThreadsOf lists the graduate's threads of the class.
func (f followupThrough) ThreadsOf(ctx context.Context, graduateID, classID uint64) ([]followup.ThroughThread, error) {
	rows, err := f.through.ThreadsOf(ctx, graduateID, classID)
	if err != nil {
		return nil, err
	}
	out := make([]followup.ThroughThread, len(rows))
	for i, x := range rows {
		out[i] = followup.ThroughThread{Subject: x.Subject, StatusName: x.StatusName, TeacherName: x.TeacherName, Satisfaction: x.Satisfaction,
			GoodCase: x.GoodCase, CreatedAt: x.CreatedAt}
	}
	return out, nil
}
