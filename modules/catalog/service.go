package catalog

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Setting keys of this module.
const (
	SetHoursLongMinutes  = "catalog.hours_long_minutes"
	SetHoursLong         = "catalog.hours_long"
	SetHoursShortMinutes = "catalog.hours_short_minutes"
	SetHoursShort        = "catalog.hours_short"
	SetHoursMicro        = "catalog.hours_micro"
	SetMaxUploadMB       = "catalog.max_upload_mb"
	SetLinkMinutes       = "catalog.stream_link_minutes"
)

// SettingDefs are the crediting rules (DOMAIN.md: Yunnan practice) and
// upload limits, as settings.
var SettingDefs = []settings.Def{
	{Key: SetHoursLongMinutes, Group: "课程学时规则", Label: "长课程时长下限（分钟）", Help: "课程总时长达到此值，建议学时取“长课程学时”", Kind: settings.KindInt, Default: "30", Min: 1, Max: 600},
	{Key: SetHoursLong, Group: "课程学时规则", Label: "长课程学时", Kind: settings.KindNumber, Default: "1", Min: 0, Max: 100},
	{Key: SetHoursShortMinutes, Group: "课程学时规则", Label: "短课程时长下限（分钟）", Help: "介于此值与长课程下限之间取“短课程学时”，更短的为微课", Kind: settings.KindInt, Default: "15", Min: 1, Max: 600},
	{Key: SetHoursShort, Group: "课程学时规则", Label: "短课程学时", Kind: settings.KindNumber, Default: "0.5", Min: 0, Max: 100},
	{Key: SetHoursMicro, Group: "课程学时规则", Label: "微课学时", Kind: settings.KindNumber, Default: "0.25", Min: 0, Max: 100},
	{Key: SetMaxUploadMB, Group: "课程资源", Label: "上传文件大小上限（MB）", Kind: settings.KindInt, Default: "2048", Min: 1, Max: 20480},
	{Key: SetLinkMinutes, Group: "课程资源", Label: "视频播放链接有效期（分钟）", Kind: settings.KindInt, Default: "240", Min: 1, Max: 1440},
}

// Levels a course audience may name.
var Levels = []string{"省部级", "厅局级", "县处级", "乡科级", "科员及以下", "其他"}

// MediaListener hears when a lesson's media is replaced, so that progress
// measured against the old file can be reset.
type MediaListener interface {
	MediaReplaced(ctx context.Context, lessonID uint64, version int) error
}

// OrgChecker tells whether orgs exist. A course may be meant for any unit
// of the city, not only for orgs under its college.
type OrgChecker interface {
	OrgsExist(ctx context.Context, ids []uint64) (bool, error)
}

// Service holds the catalog rules.
type Service struct {
	store    *Store
	objects  objects.Store
	settings *settings.Service
	orgs     OrgChecker
	listener MediaListener
	audit    web.Auditor
	accounts Accounts
	accMu    sync.Mutex
	accCache map[uint64]accountState
	signKey  []byte
	log      *slog.Logger
	now      func() time.Time
	// onFeatured hears that the featured courses changed.
	onFeatured func(ctx context.Context)
}

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Objects  objects.Store
	Settings *settings.Service
	Orgs     OrgChecker
	SignKey  []byte // signs short-lived stream links
	Audit    web.Auditor
	Log      *slog.Logger
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	return &Service{store: NewStore(d.DB), objects: d.Objects, settings: d.Settings, orgs: d.Orgs, signKey: d.SignKey, audit: d.Audit, log: d.Log, now: time.Now}
}

// CourseForLearner loads a course the learner may see.
func (s *Service) CourseForLearner(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	return s.store.CourseForLearner(ctx, p, id)
}

// CourseForManager loads a course in the manager's scope.
func (s *Service) CourseForManager(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	return s.store.CourseForManager(ctx, p, id)
}

// SearchCourses finds up to limit courses the caller may study by a part
// of their title.
func (s *Service) SearchCourses(ctx context.Context, p *web.Principal, q string, limit int) ([]Course, error) {
	return s.store.SearchCourses(ctx, p, q, limit)
}

// CourseByID loads a course regardless of scope, for other modules' reads.
func (s *Service) CourseByID(ctx context.Context, id uint64) (*Course, error) {
	return s.store.CourseByID(ctx, id)
}

// CourseTitles returns the titles of courses by id.
func (s *Service) CourseTitles(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return s.store.CourseTitles(ctx, ids)
}

// PublishedCourses lists up to limit published courses, newest first.
func (s *Service) PublishedCourses(ctx context.Context, limit int) ([]Course, error) {
	return s.store.PublishedCourses(ctx, limit)
}

// CourseLinks looks up courses for a manager linking them elsewhere.
func (s *Service) CourseLinks(ctx context.Context, p *web.Principal, ids []uint64) (map[uint64]CourseLink, error) {
	return s.store.CourseLinks(ctx, p, ids)
}

// Lessons lists a course's lessons in order.
func (s *Service) Lessons(ctx context.Context, courseID uint64) ([]Lesson, error) {
	return s.store.Lessons(ctx, courseID)
}

// LessonByID loads one lesson regardless of scope, for other modules' reads.
func (s *Service) LessonByID(ctx context.Context, id uint64) (*Lesson, error) {
	return s.store.LessonByID(ctx, id)
}

// SetMediaListener registers who hears about replaced media.
func (s *Service) SetMediaListener(l MediaListener) { s.listener = l }

// notForStudy: the three system administrators (the auditor reads the
// audit log and nothing else) neither study nor browse courses.
func notForStudy(p *web.Principal) bool { return p.IsSystemAdmin() }

// VisibleCourse returns a course the caller may study or oversee.
func (s *Service) VisibleCourse(ctx context.Context, p *web.Principal, id uint64) (*Course, bool, error) {
	if notForStudy(p) {
		return nil, false, web.Forbidden()
	}
	c, err := s.store.CourseForLearner(ctx, p, id)
	if err != nil {
		return nil, false, web.Internal(err)
	}
	if c != nil {
		return c, false, nil
	}
	if canOversee(p) {
		c, err = s.store.CourseForManager(ctx, p, id)
		if err != nil {
			return nil, false, web.Internal(err)
		}
		if c != nil {
			return c, true, nil
		}
	}
	return nil, false, web.NotFound()
}

// VisibleLesson returns a lesson of a course the caller may study or oversee.
func (s *Service) VisibleLesson(ctx context.Context, p *web.Principal, id uint64) (*Lesson, *Course, error) {
	l, err := s.store.LessonByID(ctx, id)
	if err != nil {
		return nil, nil, web.Internal(err)
	}
	if l == nil {
		return nil, nil, web.NotFound()
	}
	c, _, err := s.VisibleCourse(ctx, p, l.CourseID)
	if err != nil {
		return nil, nil, err
	}
	return l, c, nil
}

// Detail builds the full course answer.
func (s *Service) Detail(ctx context.Context, c *Course, withBodies bool) (CourseResponse, error) {
	lessons, err := s.store.Lessons(ctx, c.ID)
	if err != nil {
		return CourseResponse{}, web.Internal(err)
	}
	orgs, err := s.store.CourseOrgs(ctx, c.ID)
	if err != nil {
		return CourseResponse{}, web.Internal(err)
	}
	if orgs == nil {
		orgs = []uint64{}
	}
	r := CourseResponse{ID: c.ID, CollegeID: c.CollegeID, Title: c.Title, Summary: c.Summary, Category: c.Category, Kind: c.Kind, Teacher: c.Teacher,
		Hours: c.Hours, HoursManual: c.HoursManual, ProposedHours: s.ProposeHours(ctx, studySeconds(lessons)), Status: c.Status, Featured: c.Featured,
		AudienceLevels: levelsFromColumn(c.AudienceLevels), AudienceOrgIDs: orgs, HasCover: c.CoverKey != "", CoverURL: coverURL(c), DurationTotal: studySeconds(lessons),
		PublishedAt: c.PublishedAt, Lessons: make([]LessonResponse, len(lessons))}
	for i := range lessons {
		r.Lessons[i] = lessonResponse(&lessons[i], withBodies)
	}
	return r, nil
}

// List returns a page of courses: the catalog for learners, or the
// courses in scope for managers.
func (s *Service) List(ctx context.Context, p *web.Principal, f CourseFilter, pg web.Page) ([]Course, int64, error) {
	if (f.Manage && !canOversee(p)) || notForStudy(p) {
		return nil, 0, web.Forbidden()
	}
	out, total, err := s.store.ListCourses(ctx, p, f, pg)
	if err != nil {
		return nil, 0, web.Internal(err)
	}
	return out, total, nil
}
