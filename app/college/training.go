package college

import (
	"context"

	"college/modules/catalog"
	"college/modules/exam"
	"college/modules/identity"
	"college/modules/learning"
	"college/modules/notify"
	"college/modules/training"
	"college/modules/web"

	"gorm.io/gorm"
)

// Person returns a user as the training module sees them.
func (p people) Person(ctx context.Context, id uint64) (*training.Person, error) {
	u, err := p.id.PersonByID(ctx, id)
	if err != nil || u == nil {
		return nil, err
	}
	return &training.Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: u.OrgName, OrgPath: u.OrgPath,
		Level: u.Level, Post: u.Post, IDNumber: u.IDNumber, SystemAdmin: u.SystemAdmin}, nil
}

// People returns many users as the training module sees them.
func (p people) People(ctx context.Context, ids []uint64) (map[uint64]training.Person, error) {
	found, err := p.id.PeopleByIDs(ctx, ids)
	return convertByID(found, err, func(u identity.Person) training.Person {
		return training.Person{ID: u.ID, Username: u.Username, Name: u.Name, OrgID: u.OrgID, OrgName: u.OrgName, OrgPath: u.OrgPath, Level: u.Level, Post: u.Post}
	})
}

// UsersWithRole returns the enabled holders of a role in some orgs.
func (p people) UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error) {
	return p.id.UsersWithRole(ctx, role, orgIDs)
}

// OrgName names an org.
func (p people) OrgName(ctx context.Context, id uint64) string { return p.id.OrgName(ctx, id) }

// Search finds users in the caller's subtree for nomination.
func (p people) Search(ctx context.Context, caller *web.Principal, q string, limit int) ([]training.Person, error) {
	users, _, err := p.id.ListUsers(ctx, caller, q, 0, "", web.Page{Page: 1, PageSize: limit})
	if err != nil {
		return nil, err
	}
	out := make([]training.Person, 0, len(users))
	for _, r := range p.id.Responses(ctx, users) {
		if r.Disabled {
			continue
		}
		out = append(out, training.Person{ID: r.ID, Username: r.Username, Name: r.Name, OrgID: r.OrgID, OrgName: r.OrgName, Level: r.Level, Post: r.Post, IDNumber: r.IDNumber})
	}
	return out, nil
}

// notifier sends the training module's messages as in-app notifications.
type notifier struct{ n *notify.Service }

func (n notifier) Notify(ctx context.Context, tx *gorm.DB, userIDs []uint64, m training.Message) error {
	return n.n.Send(ctx, tx, userIDs, notify.Message{Title: m.Title, Body: m.Body, Link: m.Link})
}

// progress reads course completions and exam passes for training classes
// from the modules that own them.
type progress struct {
	catalog  *catalog.Service
	learning *learning.Service
	exams    *exam.Service
}

func (p progress) Completed(ctx context.Context, userIDs, courseIDs []uint64) (map[uint64]map[uint64]bool, error) {
	return p.learning.Completed(ctx, userIDs, courseIDs)
}

func (p progress) CourseTitles(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return p.catalog.CourseTitles(ctx, ids)
}

// CourseProblems asks the catalog which courses the caller may not link.
func (p progress) CourseProblems(ctx context.Context, caller *web.Principal, ids []uint64) (map[uint64]string, error) {
	links, err := p.catalog.CourseLinks(ctx, caller, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]string, len(ids))
	for _, id := range ids {
		out[id] = links[id].Problem()
	}
	return out, nil
}

func (p progress) ExamTitle(ctx context.Context, examID uint64, hostPath string) (string, error) {
	return p.exams.ExamTitle(ctx, examID, hostPath)
}

func (p progress) PassedExam(ctx context.Context, examID uint64, userIDs []uint64) (map[uint64]bool, error) {
	return p.exams.PassedExam(ctx, examID, userIDs)
}

// pickers fills the training host pages' select boxes from identity, the
// catalog and exams.
type pickers struct {
	orgs    *identity.Store
	catalog *catalog.Service
	exams   *exam.Service
}

func (k pickers) Orgs(ctx context.Context, p *web.Principal, kinds []string, limit int) ([]training.PickOrg, error) {
	orgs, err := k.orgs.OrgsForPicker(ctx, p, kinds, limit)
	return convertAll(orgs, err, pickOrg)
}

func (k pickers) PublishedCourses(ctx context.Context, limit int) ([]training.PickItem, error) {
	courses, err := k.catalog.PublishedCourses(ctx, limit)
	return convertAll(courses, err, func(c catalog.Course) training.PickItem {
		return training.PickItem{ID: c.ID, Title: c.Title, Status: c.Status}
	})
}

func (k pickers) CollegeExams(ctx context.Context, p *web.Principal, limit int) ([]training.PickItem, error) {
	exams, err := k.exams.CollegeExams(ctx, p, limit)
	return convertAll(exams, err, func(e exam.Exam) training.PickItem {
		return training.PickItem{ID: e.ID, Title: e.Title, Status: e.Status}
	})
}

func (k pickers) OrgsByID(ctx context.Context, ids []uint64) (map[uint64]training.PickOrg, error) {
	orgs, err := k.orgs.OrgsByID(ctx, ids)
	return convertByID(orgs, err, pickOrg)
}

// LockPerson holds the person's user row until tx ends.
func (p people) LockPerson(tx *gorm.DB, id uint64) error { return p.store.LockUser(tx, id) }

// IDsLike is a subquery of the ids of users whose name or username contains q.
func (p people) IDsLike(q string) *gorm.DB { return p.store.UserIDsLike(q) }

func pickOrg(o identity.Org) training.PickOrg {
	return training.PickOrg{ID: o.ID, Name: o.Name, Path: o.Path, Kind: o.Kind}
}
