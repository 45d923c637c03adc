package catalog

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
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
	accounts Accounts
	accMu    sync.Mutex
	accCache map[uint64]accountState
	signKey  []byte
	log      *slog.Logger
	now      func() time.Time
}

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Objects  objects.Store
	Settings *settings.Service
	Orgs     OrgChecker
	SignKey  []byte // signs short-lived stream links
	Log      *slog.Logger
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	return &Service{store: NewStore(d.DB), objects: d.Objects, settings: d.Settings, orgs: d.Orgs, signKey: d.SignKey, log: d.Log, now: time.Now}
}

// CourseForLearner loads a course the learner may see.
func (s *Service) CourseForLearner(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	return s.store.CourseForLearner(ctx, p, id)
}

// CourseForManager loads a course in the manager's scope.
func (s *Service) CourseForManager(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	return s.store.CourseForManager(ctx, p, id)
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

// canManage: a college's administrators manage its courses.
func canManage(p *web.Principal) bool { return p.Has(web.RoleCollegeAdmin) }

// canOversee: the org department reads every course in its subtree.
func canOversee(p *web.Principal) bool { return p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin) }

func (s *Service) validateCourse(ctx context.Context, p *web.Principal, in *CourseRequest) error {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	in.Category = strings.TrimSpace(in.Category)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	f.MaxLen("summary", in.Summary, 5000)
	f.MaxLen("category", in.Category, 50)
	f.MaxLen("teacher", in.Teacher, 100)
	if in.Kind == "" {
		f.Add("kind", "必填")
	} else if _, ok := KindNames[in.Kind]; !ok {
		f.Add("kind", "应为 required（必修）或 elective（选修）")
	}
	for _, l := range in.AudienceLevels {
		if !slices.Contains(Levels, l) {
			f.Add("audience_levels", "未知职级："+l)
		}
	}
	if in.Hours != nil && *in.Hours > 100*100 {
		f.Add("hours", "学时不能超过 100")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if len(in.AudienceOrgIDs) > 0 && s.orgs != nil {
		ok, err := s.orgs.OrgsExist(ctx, in.AudienceOrgIDs)
		if err != nil {
			return web.Internal(err)
		}
		if !ok {
			return web.Invalid(map[string]string{"audience_org_ids": "组织不存在"})
		}
	}
	return nil
}

// CreateCourse adds a draft course to the caller's college.
func (s *Service) CreateCourse(ctx context.Context, p *web.Principal, in CourseRequest) (*Course, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	if err := s.validateCourse(ctx, p, &in); err != nil {
		return nil, err
	}
	c := &Course{CollegeID: p.OrgID, Title: in.Title, Summary: in.Summary, Category: in.Category, Kind: in.Kind, Teacher: strings.TrimSpace(in.Teacher),
		AudienceLevels: levelsColumn(in.AudienceLevels), Status: StatusDraft, CreatedBy: p.UserID}
	if in.Hours != nil {
		c.Hours, c.HoursManual = *in.Hours, true
	}
	orgs := in.AudienceOrgIDs
	if orgs == nil {
		orgs = []uint64{}
	}
	if err := s.store.SaveCourse(ctx, c, orgs); err != nil {
		return nil, web.Internal(err)
	}
	return c, nil
}

// managed loads a course the caller may change.
func (s *Service) managed(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	c, err := s.store.CourseForManager(ctx, p, id)
	if err != nil {
		return nil, web.Internal(err)
	}
	if c == nil {
		return nil, web.NotFound()
	}
	return c, nil
}

// UpdateCourse edits a course that is not archived.
func (s *Service) UpdateCourse(ctx context.Context, p *web.Principal, id uint64, in CourseRequest) (*Course, error) {
	c, err := s.managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusArchived {
		return nil, web.Conflict("course_archived", "课程已归档，不能修改")
	}
	if err := s.validateCourse(ctx, p, &in); err != nil {
		return nil, err
	}
	c.Title, c.Summary, c.Category, c.Kind, c.Teacher = in.Title, in.Summary, in.Category, in.Kind, strings.TrimSpace(in.Teacher)
	c.AudienceLevels = levelsColumn(in.AudienceLevels)
	if in.Hours != nil {
		c.Hours, c.HoursManual = *in.Hours, true
	} else {
		c.HoursManual = false
		if err := s.refreshHours(ctx, c); err != nil {
			return nil, err
		}
	}
	orgs := in.AudienceOrgIDs
	if orgs == nil {
		orgs = []uint64{}
	}
	if err := s.store.SaveCourse(ctx, c, orgs); err != nil {
		return nil, web.Internal(err)
	}
	return c, nil
}

// ProposeHours applies the crediting rule set to a total study length.
func (s *Service) ProposeHours(ctx context.Context, seconds float64) web.Hours {
	if seconds <= 0 {
		return 0
	}
	minutes := seconds / 60
	switch {
	case minutes >= float64(s.settings.Int(ctx, SetHoursLongMinutes)):
		return web.HoursFromFloat(s.settings.Float(ctx, SetHoursLong))
	case minutes >= float64(s.settings.Int(ctx, SetHoursShortMinutes)):
		return web.HoursFromFloat(s.settings.Float(ctx, SetHoursShort))
	default:
		return web.HoursFromFloat(s.settings.Float(ctx, SetHoursMicro))
	}
}

// studySeconds is the length a learner spends on the lessons: video
// durations plus the minimum reading time of the other lessons.
func studySeconds(lessons []Lesson) float64 {
	total := 0.0
	for _, l := range lessons {
		if l.Type == LessonVideo {
			total += l.DurationSeconds
		} else {
			total += float64(l.MinReadSeconds)
		}
	}
	return total
}

// refreshHours recomputes the proposed hours of a course whose hours were
// not set by hand.
func (s *Service) refreshHours(ctx context.Context, c *Course) error {
	if c.HoursManual {
		return nil
	}
	lessons, err := s.store.Lessons(ctx, c.ID)
	if err != nil {
		return web.Internal(err)
	}
	c.Hours = s.ProposeHours(ctx, studySeconds(lessons))
	return nil
}

func (s *Service) saveHours(ctx context.Context, c *Course) error {
	if err := s.refreshHours(ctx, c); err != nil {
		return err
	}
	if err := s.store.UpdateCourseColumns(ctx, c, "hours_x100"); err != nil {
		return web.Internal(err)
	}
	return nil
}

func validateLesson(in *LessonRequest, creating bool) error {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	if creating {
		if in.Type == "" {
			f.Add("type", "必填")
		} else if _, ok := LessonTypeNames[in.Type]; !ok {
			f.Add("type", "应为 video（视频）、article（图文）或 document（文档）")
		}
	}
	f.MaxLen("body", in.Body, 200000)
	f.Check(in.MinReadSeconds >= 0 && in.MinReadSeconds <= 24*3600, "min_read_seconds", "应在 0 到 86400 秒之间")
	if (in.Type == LessonArticle || in.Type == LessonDocument) && in.MinReadSeconds == 0 {
		in.MinReadSeconds = 60
	}
	return f.Err()
}

// AddLesson appends a lesson to a course.
func (s *Service) AddLesson(ctx context.Context, p *web.Principal, courseID uint64, in LessonRequest) (*Lesson, error) {
	c, err := s.managed(ctx, p, courseID)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusArchived {
		return nil, web.Conflict("course_archived", "课程已归档，不能修改")
	}
	if err := validateLesson(&in, true); err != nil {
		return nil, err
	}
	lessons, err := s.store.Lessons(ctx, courseID)
	if err != nil {
		return nil, web.Internal(err)
	}
	seq := 1
	if n := len(lessons); n > 0 {
		seq = lessons[n-1].Seq + 1
	}
	l := &Lesson{CourseID: courseID, Seq: seq, Title: in.Title, Type: in.Type, Body: in.Body, MinReadSeconds: in.MinReadSeconds}
	if err := s.store.SaveLesson(ctx, l); err != nil {
		return nil, web.Internal(err)
	}
	if err := s.saveHours(ctx, c); err != nil {
		return nil, err
	}
	return l, nil
}

// managedLesson loads a lesson of a course the caller manages.
func (s *Service) managedLesson(ctx context.Context, p *web.Principal, id uint64) (*Lesson, *Course, error) {
	l, err := s.store.LessonByID(ctx, id)
	if err != nil {
		return nil, nil, web.Internal(err)
	}
	if l == nil {
		return nil, nil, web.NotFound()
	}
	c, err := s.managed(ctx, p, l.CourseID)
	if err != nil {
		return nil, nil, err
	}
	return l, c, nil
}

// UpdateLesson edits a lesson's title, text and reading time.
func (s *Service) UpdateLesson(ctx context.Context, p *web.Principal, id uint64, in LessonRequest) (*Lesson, error) {
	l, c, err := s.managedLesson(ctx, p, id)
	if err != nil {
		return nil, err
	}
	in.Type = l.Type
	if err := validateLesson(&in, false); err != nil {
		return nil, err
	}
	l.Title, l.Body, l.MinReadSeconds = in.Title, in.Body, in.MinReadSeconds
	if err := s.store.SaveLesson(ctx, l); err != nil {
		return nil, web.Internal(err)
	}
	if err := s.saveHours(ctx, c); err != nil {
		return nil, err
	}
	return l, nil
}

// DeleteLesson removes a lesson of a draft course and its media.
func (s *Service) DeleteLesson(ctx context.Context, p *web.Principal, id uint64) error {
	l, c, err := s.managedLesson(ctx, p, id)
	if err != nil {
		return err
	}
	if c.Status != StatusDraft {
		return web.Conflict("course_published", "课程已发布，不能删除课时；如需调整请先复制为新课程")
	}
	if err := s.store.DeleteLesson(ctx, l.ID); err != nil {
		return web.Internal(err)
	}
	if l.MediaKey != "" {
		_ = s.objects.Delete(ctx, l.MediaKey)
	}
	return s.saveHours(ctx, c)
}

// Reorder sets the lesson order of a course; the ids must be exactly its lessons.
func (s *Service) Reorder(ctx context.Context, p *web.Principal, courseID uint64, ids []uint64) error {
	if _, err := s.managed(ctx, p, courseID); err != nil {
		return err
	}
	lessons, err := s.store.Lessons(ctx, courseID)
	if err != nil {
		return web.Internal(err)
	}
	have := make([]uint64, len(lessons))
	for i, l := range lessons {
		have[i] = l.ID
	}
	want := slices.Clone(ids)
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		return web.Invalid(map[string]string{"lesson_ids": "须按新顺序列出本课程的全部课时，且不能重复"})
	}
	if err := s.store.Reorder(ctx, courseID, ids); err != nil {
		return web.Internal(err)
	}
	return nil
}

// Publish makes a complete course visible to its audience.
func (s *Service) Publish(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	c, err := s.managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusPublished {
		return c, nil
	}
	lessons, err := s.store.Lessons(ctx, id)
	if err != nil {
		return nil, web.Internal(err)
	}
	if len(lessons) == 0 {
		return nil, web.Unprocessable("no_lessons", "课程还没有课时，不能发布")
	}
	for _, l := range lessons {
		if l.Type != LessonArticle && l.MediaKey == "" {
			return nil, web.Unprocessable("media_missing", "课时“"+l.Title+"”还没有上传文件，不能发布")
		}
	}
	if err := s.refreshHours(ctx, c); err != nil {
		return nil, err
	}
	if c.Hours <= 0 {
		return nil, web.Unprocessable("no_hours", "课程学时为 0，请设置学时后再发布")
	}
	now := s.now().UTC()
	c.Status, c.PublishedAt = StatusPublished, &now
	if err := s.store.UpdateCourseColumns(ctx, c, "status", "published_at", "hours_x100"); err != nil {
		return nil, web.Internal(err)
	}
	return c, nil
}

// Archive withdraws a course from the catalog; learners keep their credits.
func (s *Service) Archive(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	c, err := s.managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	c.Status = StatusArchived
	if err := s.store.UpdateCourseColumns(ctx, c, "status"); err != nil {
		return nil, web.Internal(err)
	}
	return c, nil
}

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
		Hours: c.Hours, HoursManual: c.HoursManual, ProposedHours: s.ProposeHours(ctx, studySeconds(lessons)), Status: c.Status,
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

// Accounts tells whether a user's account may still be used (the identity
// module): a signed stream link dies with its account.
type Accounts interface {
	Active(ctx context.Context, userID uint64) (bool, error)
}

// SetAccounts wires the account check of signed stream links.
func (s *Service) SetAccounts(a Accounts) { s.accounts = a }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// accountTTL is how long an account check is reused: a disabled account's
// links stop working within this time on every instance.
const accountTTL = 5 * time.Second

type accountState struct {
	active bool
	at     time.Time
}

// accountActive checks the account behind a signed link, cached briefly
// because a player fetches many ranges of one video.
func (s *Service) accountActive(ctx context.Context, userID uint64) (bool, error) {
	if s.accounts == nil {
		return false, nil
	}
	now := s.now()
	s.accMu.Lock()
	st, ok := s.accCache[userID]
	s.accMu.Unlock()
	if ok && now.Sub(st.at) >= 0 && now.Sub(st.at) < accountTTL {
		return st.active, nil
	}
	active, err := s.accounts.Active(ctx, userID)
	if err != nil {
		return false, err
	}
	s.accMu.Lock()
	if s.accCache == nil || len(s.accCache) > 10000 {
		s.accCache = map[uint64]accountState{}
	}
	s.accCache[userID] = accountState{active: active, at: now}
	s.accMu.Unlock()
	return active, nil
}

// SignStream makes a short-lived link to a lesson's media for one user.
func (s *Service) SignStream(ctx context.Context, lessonID, userID uint64) (string, time.Time) {
	exp := s.now().Add(time.Duration(s.settings.Int(ctx, SetLinkMinutes)) * time.Minute).Unix()
	q := "u=" + strconv.FormatUint(userID, 10) + "&e=" + strconv.FormatInt(exp, 10) + "&s=" + s.sign(lessonID, userID, exp)
	return fmt.Sprintf("/api/v1/lessons/%d/stream?%s", lessonID, q), time.Unix(exp, 0).UTC()
}

func (s *Service) sign(lessonID, userID uint64, exp int64) string {
	m := hmac.New(sha256.New, s.signKey)
	fmt.Fprintf(m, "stream:%d:%d:%d", lessonID, userID, exp)
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// CheckStreamSignature verifies a signed link and that the account it was
// made for is still enabled; it returns that user.
func (s *Service) CheckStreamSignature(ctx context.Context, lessonID uint64, u, e, sig string) (uint64, bool, error) {
	uid, err1 := strconv.ParseUint(u, 10, 64)
	exp, err2 := strconv.ParseInt(e, 10, 64)
	if err1 != nil || err2 != nil || s.now().Unix() > exp {
		return 0, false, nil
	}
	if !hmac.Equal([]byte(sig), []byte(s.sign(lessonID, uid, exp))) {
		return 0, false, nil
	}
	active, err := s.accountActive(ctx, uid)
	if err != nil || !active {
		return 0, false, err
	}
	return uid, true, nil
}
