package assess

import (
	"context"
	"log/slog"
	"time"

	"college/modules/settings"
	"college/modules/training"
	"college/modules/web"

	"gorm.io/gorm"
)

// Setting keys of this module.
const (
	SetSatisfactionBar = "assess.satisfaction_bar"
	SetTeacherMin      = "assess.teacher_min_responses"
)

const settingsGroup = "考核评价"

// SettingDefs are the assessment rules as settings (DOMAIN.md).
var SettingDefs = []settings.Def{
	{Key: SetSatisfactionBar, Group: settingsGroup, Label: "评估满意率达标线（0 到 1）", Help: "“非常满意”与“满意”所占比例达到此值即为达标，默认 0.85（85%）",
		Kind: settings.KindNumber, Default: "0.85", Min: 0.01, Max: 1},
	{Key: SetTeacherMin, Group: settingsGroup, Label: "教师查看本人评价结果所需的最少评价人数", Help: "评价人数少于此数时，教师本人看不到该次评估的结果，以免推断出评价人；主办学院不受此限",
		Kind: settings.KindInt, Default: "3", Min: 1, Max: 50},
}

// Classes is what this module asks of the training module.
type Classes interface {
	// ClassByID loads a class without a scope check (404 when unknown).
	ClassByID(ctx context.Context, id uint64) (*training.Class, error)
	// IsTrainee reports whether a user is admitted to or graduated from a class.
	IsTrainee(ctx context.Context, classID, userID uint64) (bool, error)
	// Hosts reports whether the caller hosts a class.
	Hosts(ctx context.Context, p *web.Principal, classID uint64) (bool, error)
	// Manages reports whether the caller hosts or oversees a class.
	Manages(ctx context.Context, p *web.Principal, classID uint64) (bool, error)
	// Sessions lists a class's timetable.
	Sessions(ctx context.Context, classID uint64) ([]training.Session, error)
	// Courses lists a class's online courses.
	Courses(ctx context.Context, classID uint64) ([]training.CourseItem, error)
	// Trainees lists the users admitted to or graduated from a class.
	Trainees(ctx context.Context, classID uint64) ([]uint64, error)
	// MyRegistrations lists the caller's registrations with their classes.
	MyRegistrations(ctx context.Context, p *web.Principal) ([]training.MyRegistration, error)
	// ListManaged lists the classes the caller hosts or oversees.
	ListManaged(ctx context.Context, p *web.Principal, f training.ListFilter, pg web.Page) ([]training.Class, int64, error)
	// Summary describes a class for lists.
	Summary(ctx context.Context, c *training.Class) training.ClassSummary
}

// Teacher is a teacher's account.
type Teacher struct {
	ID       uint64 `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// Teachers finds teacher accounts (the identity module), so that a
// teacher evaluation can be linked to the account that may read it.
type Teachers interface {
	// Teachers lists the enabled teacher accounts in the caller's org subtree.
	Teachers(ctx context.Context, p *web.Principal) ([]Teacher, error)
	// Teacher returns an enabled teacher account in the caller's subtree, nil when none.
	Teacher(ctx context.Context, p *web.Principal, id uint64) (*Teacher, error)
}

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Settings *settings.Service
	Training Classes
	Teachers Teachers
	Notifier Notifier
	Audit    web.Auditor
	Log      *slog.Logger
}

// Notifier sends in-app notifications.
type Notifier interface {
	Notify(ctx context.Context, userIDs []uint64, title, body, link string) error
}

// Service holds the assessment rules and workflows.
type Service struct {
	db       *gorm.DB
	settings *settings.Service
	classes  Classes
	notifier Notifier
	teachers Teachers
	audit    web.Auditor
	log      *slog.Logger
	now      func() time.Time
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	return &Service{db: d.DB, settings: d.Settings, classes: d.Training, teachers: d.Teachers, notifier: d.Notifier, audit: d.Audit, log: d.Log, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Bar is the satisfaction rate an evaluation must reach.
func (s *Service) Bar(ctx context.Context) float64 {
	b := s.settings.Float(ctx, SetSatisfactionBar)
	if b <= 0 || b > 1 {
		return 0.85
	}
	return b
}

// canManage reports whether the caller holds a role that runs classes.
func canManage(p *web.Principal) bool {
	return p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin)
}
