package throughtrain

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"college/modules/notify"
	"college/modules/web"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Graduation is what the training module says of a class and one cadre.
type Graduation struct {
	Title     string
	HostOrgID uint64
	Found     bool // the class exists
	Graduated bool // the cadre graduated from it
}

// ClassOption is a class a cadre graduated from.
type ClassOption struct {
	ID    uint64
	Title string
}

// Classes reads the training module; app/college wires it.
type Classes interface {
	GraduateOf(ctx context.Context, classID, userID uint64) (Graduation, error)
	GraduatedClasses(ctx context.Context, userID uint64) ([]ClassOption, error)
}

// Person is a cadre as the module needs them.
type Person struct {
	ID      uint64
	Name    string
	OrgID   uint64
	OrgPath string
}

// People reads the identity module; app/college wires it.
type People interface {
	// Person loads a user; ok false when there is none.
	Person(ctx context.Context, id uint64) (p Person, ok bool, err error)
	OrgPath(ctx context.Context, orgID uint64) (string, error)
	UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error)
}

// Teacher is a teacher of the faculty with their linked account.
type Teacher struct {
	ID     uint64
	Name   string
	UserID uint64 // 0: no linked account
}

// Teachers reads the faculty as the assigning admin may see it; app/college
// wires it. A teacher outside the admin's reach is web.NotFound.
type Teachers interface {
	TeacherAccount(ctx context.Context, p *web.Principal, teacherID uint64) (Teacher, error)
	// Assignable lists the teachers with a linked account p may assign.
	Assignable(ctx context.Context, p *web.Principal) ([]Teacher, error)
}

// Notifier sends in-app notifications (the notify module).
type Notifier interface {
	Send(ctx context.Context, tx *gorm.DB, userIDs []uint64, m notify.Message) error
}

// Courses makes the draft course a good case becomes (the catalog module,
// the same path the follow-up's excellent cases take).
type Courses interface {
	CreateCaseCourse(ctx context.Context, actor *web.Principal, collegeID uint64, title, summary string, entry func(courseID uint64) web.AuditEntry) (uint64, error)
}

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Objects  objects.Store
	Classes  Classes
	People   People
	Teachers Teachers
	Notifier Notifier
	Courses  Courses
	Audit    web.Auditor
	Log      *slog.Logger
}

// Service holds the rules of the through-train.
type Service struct {
	db       *gorm.DB
	objects  objects.Store
	classes  Classes
	people   People
	teachers Teachers
	notifier Notifier
	courses  Courses
	audit    web.Auditor
	log      *slog.Logger
	now      func() time.Time
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, objects: d.Objects, classes: d.Classes, people: d.People, teachers: d.Teachers, notifier: d.Notifier,
		courses: d.Courses, audit: d.Audit, log: d.Log, now: time.Now}
}

// collegeAdmin reports whether p administers the college that hosted t's class.
func collegeAdmin(p *web.Principal, t *Thread) bool {
	return p.Has(web.RoleCollegeAdmin) && p.InScope(t.HostOrgPath)
}

// unitAdmin reports whether p administers the graduate's unit (or above it).
func unitAdmin(p *web.Principal, t *Thread) bool {
	return p.Has(web.RoleUnitAdmin) && p.InScope(t.GraduateOrgPath)
}

// sideOf is the side p speaks for on t; "" when p may not see t.
func sideOf(p *web.Principal, t *Thread) string {
	switch {
	case p == nil:
		return ""
	case p.UserID == t.GraduateID:
		return SideGraduate
	case t.AssigneeID != 0 && p.UserID == t.AssigneeID, collegeAdmin(p, t):
		return SideCollege
	case unitAdmin(p, t):
		return SideGraduate
	}
	return ""
}

// Actions are what p may do on t now.
func Actions(p *web.Principal, t *Thread) []string {
	out := []string{}
	if sideOf(p, t) == "" {
		return out
	}
	if t.Status != StatusClosed {
		out = append(out, "message", "attach")
		if collegeAdmin(p, t) {
			out = append(out, "assign")
		}
	}
	if t.Status == StatusAnswered && p.UserID == t.GraduateID {
		out = append(out, "close")
	}
	if t.Status == StatusClosed && collegeAdmin(p, t) {
		out = append(out, "mark_case")
		if t.GoodCase {
			out = append(out, "case_course")
		}
	}
	return out
}

// visibleTo narrows a query to the threads p may see.
func visibleTo(q *gorm.DB, p *web.Principal) *gorm.DB {
	cond := q.Session(&gorm.Session{NewDB: true}).Where("graduate_id = ?", p.UserID).Or("assignee_id = ?", p.UserID)
	if p.Has(web.RoleUnitAdmin) && p.OrgPath != "" {
		cond = cond.Or("graduate_org_path LIKE ?", p.OrgPath+"%")
	}
	if p.Has(web.RoleCollegeAdmin) && p.OrgPath != "" {
		cond = cond.Or("host_org_path LIKE ?", p.OrgPath+"%")
	}
	return q.Where(cond)
}

// Visible loads a thread p may see; 404 otherwise, whoever asks.
func (s *Service) Visible(ctx context.Context, p *web.Principal, id uint64) (*Thread, error) {
	t, err := web.Load[Thread](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if sideOf(p, t) == "" {
		return nil, web.NotFound()
	}
	return t, nil
}

func wrongState(t *Thread, verb string) error {
	return web.Conflict("wrong_state", fmt.Sprintf("该事项当前为“%s”，不能%s", StatusNames[t.Status], verb))
}

// Filter narrows a list.
type Filter struct {
	Status  string
	ClassID uint64
}

func (f Filter) apply(q *gorm.DB) *gorm.DB {
	if StatusNames[f.Status] != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ClassID != 0 {
		q = q.Where("class_id = ?", f.ClassID)
	}
	return q
}

// List is a page of the threads p may see, the latest active first.
func (s *Service) List(ctx context.Context, p *web.Principal, f Filter, pg web.Page) ([]ThreadItem, int64, error) {
	q := f.apply(visibleTo(s.db.WithContext(ctx).Model(&Thread{}), p))
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	var rows []Thread
	if err := q.Order("updated_at DESC, id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, web.Internal(err)
	}
	out := make([]ThreadItem, len(rows))
	for i := range rows {
		out[i] = itemOf(&rows[i])
	}
	return out, total, nil
}

// Detail is a thread with its conversation, for p.
func (s *Service) Detail(ctx context.Context, p *web.Principal, id uint64) (ThreadResponse, error) {
	t, err := s.Visible(ctx, p, id)
	if err != nil {
		return ThreadResponse{}, err
	}
	var msgs []Message
	if err := s.db.WithContext(ctx).Where("thread_id = ?", id).Order("id").Limit(2000).Find(&msgs).Error; err != nil {
		return ThreadResponse{}, web.Internal(err)
	}
	var files []Attachment
	if err := s.db.WithContext(ctx).Where("thread_id = ?", id).Order("id").Limit(500).Find(&files).Error; err != nil {
		return ThreadResponse{}, web.Internal(err)
	}
	out := ThreadResponse{ThreadItem: itemOf(t), CloseNote: t.CloseNote, CaseNote: t.CaseNote, CaseCourse: t.CaseCourseID, Actions: Actions(p, t),
		Messages: make([]MessageResponse, len(msgs)), Attachments: make([]AttachmentResponse, len(files))}
	for i, m := range msgs {
		out.Messages[i] = MessageResponse{ID: m.ID, AuthorName: m.AuthorName, Side: m.Side, Body: m.Body, CreatedAt: m.CreatedAt}
	}
	for i, f := range files {
		out.Attachments[i] = AttachmentResponse{ID: f.ID, Name: f.Name, Size: f.Size, Side: f.Side, CreatedAt: f.CreatedAt}
	}
	return out, nil
}

// GraduatedClasses are the classes p graduated from, for the raise form.
func (s *Service) GraduatedClasses(ctx context.Context, p *web.Principal) ([]ClassOption, error) {
	return s.classes.GraduatedClasses(ctx, p.UserID)
}

// Assignable lists the teachers p may assign to t (none unless p is an
// admin of its host college).
func (s *Service) Assignable(ctx context.Context, p *web.Principal, t *Thread) ([]Teacher, error) {
	if !collegeAdmin(p, t) || t.Status == StatusClosed {
		return nil, nil
	}
	return s.teachers.Assignable(ctx, p)
}

// ThreadsOf lists a graduate's threads of a class, for the follow-up
// round of that graduate (whose page checks who may read it).
func (s *Service) ThreadsOf(ctx context.Context, graduateID, classID uint64) ([]ThreadItem, error) {
	var rows []Thread
	if err := s.db.WithContext(ctx).Where("class_id = ? AND graduate_id = ?", classID, graduateID).Order("updated_at DESC, id DESC").
		Limit(100).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]ThreadItem, len(rows))
	for i := range rows {
		out[i] = itemOf(&rows[i])
	}
	return out, nil
}
