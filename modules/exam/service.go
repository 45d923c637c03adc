package exam

import (
	"context"

	"college/modules/hours"
	"log/slog"
	"time"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Service holds the exam rules and workflows.
type Service struct {
	db       *gorm.DB
	cache    *cache.Cache
	settings *settings.Service
	log      *slog.Logger
	now      func() time.Time
	papers   paperCache
	people   People
	ledger   Ledger
	trainees Trainees
	courses  Courses
	audit    web.Auditor
	objects  objects.Store // questions' pictures, sounds and videos
	saver    *saver        // commits concurrent autosaves together
}

// Setting keys of this module.
const (
	SetCourseTestHours = "exam.course_test_hours"
	SetExemptScore     = "exam.exempt_score"
)

// SettingDefs are the exam rules as settings.
var SettingDefs = []settings.Def{
	{Key: SetCourseTestHours, Group: "考试规则", Label: "通过课程测试获得的学时", Kind: settings.KindNumber, Default: "0.5", Min: 0, Max: 10},
	{Key: SetExemptScore, Group: "考试规则", Label: "免考分数线", Help: "年度理论考试达到此分数的干部，次年可免考", Kind: settings.KindNumber, Default: "90", Min: 0, Max: 1000},
}

// Ledger credits study hours once per source (the hours module).
type Ledger interface {
	Credit(ctx context.Context, tx *gorm.DB, c hours.Credit) (bool, error)
}

// SetLedger wires the study-hours ledger for course tests.
func (s *Service) SetLedger(l Ledger) { s.ledger = l }

// Courses says whether the caller may make a course test of a course (the
// catalog): it must exist, be published, and be their college's own or open
// city-wide.
type Courses interface {
	// CourseProblems maps each id to why it may not be used ("" when it may).
	CourseProblems(ctx context.Context, p *web.Principal, ids []uint64) (map[uint64]string, error)
}

// SetCourses wires the catalog for course tests.
func (s *Service) SetCourses(c Courses) { s.courses = c }

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Cache    *cache.Cache
	Settings *settings.Service
	Audit    web.Auditor
	Log      *slog.Logger
	Objects  objects.Store
}

// NewService builds the service.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	s := &Service{db: d.DB, cache: d.Cache, settings: d.Settings, audit: d.Audit, log: d.Log, objects: d.Objects, now: time.Now}
	s.saver = newSaver(s)
	return s
}

// commit makes a change and writes its audit entry in one transaction:
// both are kept or neither is.
func (s *Service) commit(ctx context.Context, change func(tx *gorm.DB) (web.AuditEntry, error)) error {
	return web.ChangeAudited(ctx, s.db, s.audit, change)
}
