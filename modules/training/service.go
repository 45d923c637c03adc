package training

import (
	"context"
	"log/slog"
	"time"

	"college/modules/hours"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Setting keys of this module.
const (
	SetSimilarFlag     = "training.similar_flag"
	SetSimilarRefuse   = "training.similar_refuse"
	SetLongClassDays   = "training.long_class_days"
	SetLongClassYears  = "training.long_class_years"
	SetSignInEarly     = "training.signin_early_minutes"
	SetLeaveDenom      = "training.leave_denominator"
	SetRequireFiles    = "training.graduation_requires_files"
	SetFollowUpMinDays = "training.follow_up_min_days"
)

const settingsGroup = "培训班规则"

// SettingDefs are the training rules as settings (DOMAIN.md).
var SettingDefs = []settings.Def{
	{Key: SetSimilarFlag, Group: settingsGroup, Label: "本年度已参加同类班次的学员报名时标记提示", Kind: settings.KindBool, Default: "true"},
	{Key: SetSimilarRefuse, Group: settingsGroup, Label: "本年度已参加同类班次的学员不得再报名", Kind: settings.KindBool, Default: "false"},
	{Key: SetLongClassDays, Group: settingsGroup, Label: "长期班次的天数（达到即为长期班）", Kind: settings.KindInt, Default: "60", Min: 1, Max: 365},
	{Key: SetLongClassYears, Group: settingsGroup, Label: "领导干部参加长期班次的间隔年数", Help: "间隔内再次报名长期班次时标记提示", Kind: settings.KindInt, Default: "3", Min: 1, Max: 10},
	{Key: SetSignInEarly, Group: settingsGroup, Label: "课前可提前签到的分钟数", Kind: settings.KindInt, Default: "30", Min: 0, Max: 240},
	{Key: SetLeaveDenom, Group: settingsGroup, Label: "请假上限：不超过班次学时的几分之一", Help: "默认 7，即请假超过班次学时的 1/7 时标记为应予退学", Kind: settings.KindInt, Default: "7", Min: 1, Max: 100},
	{Key: SetRequireFiles, Group: settingsGroup, Label: "结班前须上传培训方案、签到表和课程表", Kind: settings.KindBool, Default: "true"},
	{Key: SetFollowUpMinDays, Group: settingsGroup, Label: "结业后跟踪问效的班次最短天数", Help: "达到此天数的班次（约 1 个月）或标记了跟踪问效的班次，结业学员进入跟踪问效", Kind: settings.KindInt, Default: "30", Min: 1, Max: 365},
}

// Person is what this module needs to know of a user.
type Person struct {
	ID       uint64
	Username string
	Name     string
	OrgID    uint64
	OrgName  string
	OrgPath  string
	Level    string
	Post     string
	IDNumber string // masked
	// SystemAdmin: one of the three administrator accounts, never a trainee.
	SystemAdmin bool
}

// People is what this module asks of the identity module.
type People interface {
	// Person returns a user, nil when unknown.
	Person(ctx context.Context, id uint64) (*Person, error)
	// People returns many users by id.
	People(ctx context.Context, ids []uint64) (map[uint64]Person, error)
	// UsersWithRole returns the enabled users holding role in one of the orgs.
	UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error)
	// OrgName names an org.
	OrgName(ctx context.Context, id uint64) string
	// Search finds enabled users in the caller's org subtree by name,
	// username, ID number or phone, for nomination.
	Search(ctx context.Context, p *web.Principal, q string, limit int) ([]Person, error)
	// LockPerson holds the person's row until tx ends, so that one cadre's
	// registrations queue instead of both passing the overlap check.
	LockPerson(tx *gorm.DB, id uint64) error
	// IDsLike is a subquery of the ids of people whose name or username
	// contains q.
	IDsLike(q string) *gorm.DB
}

// Ledger credits study hours once per source (the hours module).
type Ledger interface {
	Credit(ctx context.Context, tx *gorm.DB, c hours.Credit) (bool, error)
	DayHours(ctx context.Context) web.Hours
}

// Message is an in-app notification.
type Message struct {
	Title, Body, Link string
}

// Notifier sends in-app notifications.
type Notifier interface {
	Notify(ctx context.Context, tx *gorm.DB, userIDs []uint64, m Message) error
}

// Progress tells how far trainees are in the online courses of a class,
// and whether they passed an exam.
type Progress interface {
	// Completed returns, per user, the ids of the given courses they completed.
	Completed(ctx context.Context, userIDs, courseIDs []uint64) (map[uint64]map[uint64]bool, error)
	// CourseTitles names courses; unknown ids are left out.
	CourseTitles(ctx context.Context, ids []uint64) (map[uint64]string, error)
	// CourseProblems says, per course id, why the caller may not link it into
	// a class ("" when they may): it must exist, be published, and be their
	// college's own or open city-wide.
	CourseProblems(ctx context.Context, p *web.Principal, ids []uint64) (map[uint64]string, error)
	// ExamTitle names an exam of the colleges under hostPath ("" when none).
	ExamTitle(ctx context.Context, examID uint64, hostPath string) (string, error)
	// PassedExam returns the users among userIDs who passed the exam.
	PassedExam(ctx context.Context, examID uint64, userIDs []uint64) (map[uint64]bool, error)
}

// Evaluations tells whether trainees submitted the evaluations a class
// requires before graduation (the assess module).
type Evaluations interface {
	// Missing counts, per user, the class's required evaluations they have not submitted.
	Missing(ctx context.Context, classID uint64, userIDs []uint64) (map[uint64]int, error)
}

// SetEvaluations wires the evaluation rule of graduation.
func (s *Service) SetEvaluations(e Evaluations) { s.evals = e }

// GraduationHook runs after a class graduates (follow-up plans, evaluations).
type GraduationHook func(ctx context.Context, c *Class, graduates []uint64) error

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Cache    *cache.Cache
	Objects  objects.Store
	Settings *settings.Service
	People   People
	Ledger   Ledger
	Notifier Notifier
	Progress Progress
	Audit    web.Auditor
	Log      *slog.Logger
}

// Service holds the training rules and workflows.
type Service struct {
	db       *gorm.DB
	cache    *cache.Cache
	objects  objects.Store
	settings *settings.Service
	people   People
	ledger   Ledger
	notifier Notifier
	progress Progress
	audit    web.Auditor
	pickers  Pickers
	orgTree  OrgTree
	bases    Bases
	log      *slog.Logger
	now      func() time.Time
	hooks    []GraduationHook
	evals    Evaluations
	teachers TeacherDirectory
	sites    SiteDirectory
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	d.Settings.Define(verifySettingDefs...)
	return &Service{db: d.DB, cache: d.Cache, objects: d.Objects, settings: d.Settings, people: d.People, ledger: d.Ledger,
		notifier: d.Notifier, progress: d.Progress, audit: d.Audit, log: d.Log, now: time.Now}
}

// OnGraduation adds a hook run after each graduation.
func (s *Service) OnGraduation(h GraduationHook) { s.hooks = append(s.hooks, h) }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// notify sends a message and logs a failure: a lost notification must not
// undo the decision it reports.
func (s *Service) notify(ctx context.Context, userIDs []uint64, m Message) {
	if s.notifier == nil || len(userIDs) == 0 {
		return
	}
	if err := s.notifier.Notify(ctx, nil, userIDs, m); err != nil {
		s.log.Warn("training: notification not sent", "err", err, "title", m.Title)
	}
}

// record writes the audit entry of an action of p that has taken effect;
// when it cannot be written the action fails.
func (s *Service) record(ctx context.Context, p *web.Principal, action, target string, id uint64, detail any) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.Record(ctx, web.AuditBy(p, action, target, id, detail))
}

// recordTx writes the audit entry of an action in the action's
// transaction, so that both commit or neither does.
func (s *Service) recordTx(tx *gorm.DB, p *web.Principal, action, target string, id uint64, detail any) error {
	if s.audit == nil {
		return nil
	}
	return web.RecordTx(s.audit, tx, web.AuditBy(p, action, target, id, detail))
}

// audited runs write and then the audit entry of p's action in one
// transaction, so that both commit or neither does. entry describes the
// action once write has run (the ids of new rows are known by then).
func (s *Service) audited(ctx context.Context, p *web.Principal, write func(tx *gorm.DB) error, entry func() (action, target string, id uint64, detail any)) error {
	return txError(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := write(tx); err != nil {
			return err
		}
		action, target, id, detail := entry()
		return s.recordTx(tx, p, action, target, id, detail)
	}))
}
