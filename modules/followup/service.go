package followup

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"college/modules/notify"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/objects"

	"gorm.io/gorm"
)

// Setting keys of this module.
const (
	SetDefaultTermYears = "followup.default_term_years"
	SetRemindDays       = "followup.remind_days_before"
)

const settingsGroup = "跟踪问效"

// SettingDefs are the follow-up rules as settings (DOMAIN.md, API.md).
var SettingDefs = []settings.Def{
	{Key: SetDefaultTermYears, Group: settingsGroup, Label: "任职期满日期未知时，跟踪问效持续的年数", Help: "从结业之日起计算；学员任现职期满日期已登记的，以登记的日期为准", Kind: settings.KindInt, Default: "3", Min: 1, Max: 10},
	{Key: SetRemindDays, Group: settingsGroup, Label: "任务到期前几天提醒学员和问效人员", Help: "自学计划、述学讲学、年度自述和年度问效到期前提醒一次；逾期后提醒派训单位一次", Kind: settings.KindInt, Default: "7", Min: 1, Max: 60},
}

// Person is what this module needs to know of a user.
type Person struct {
	ID         uint64
	Username   string
	Name       string
	OrgID      uint64
	OrgName    string
	OrgPath    string
	Post       string
	IDNumber   string // masked
	TermEndsOn string // YYYY-MM-DD, "" when unknown
}

// People is what this module asks of the identity module.
type People interface {
	// Person returns a user, nil when unknown.
	Person(ctx context.Context, id uint64) (*Person, error)
	// People returns many users by id (no ID numbers).
	People(ctx context.Context, ids []uint64) (map[uint64]Person, error)
	// TermsEndOn returns the 任现职期满 dates known of the users (YYYY-MM-DD).
	TermsEndOn(ctx context.Context, ids []uint64) (map[uint64]string, error)
	// UsersWithRole returns the enabled users holding role in one of the orgs.
	UsersWithRole(ctx context.Context, role string, orgIDs []uint64) ([]uint64, error)
	// OrgName names an org.
	OrgName(ctx context.Context, id uint64) string
	// OrgPath is the materialized path of an org ("/1/4/"), "" when unknown.
	OrgPath(ctx context.Context, id uint64) (string, error)
	// FindUser finds an enabled user by username, nil when none.
	FindUser(ctx context.Context, username string) (*Person, error)
}

// Notifier sends in-app notifications (the notify module).
type Notifier interface {
	Send(ctx context.Context, tx *gorm.DB, userIDs []uint64, m notify.Message) error
}

// Courses creates the draft course an excellent case becomes (the catalog module).
type Courses interface {
	// CreateCaseCourse adds a draft course to the college on behalf of actor
	// and returns its id.
	// entry is the audit entry of the whole action, written with the course.
	CreateCaseCourse(ctx context.Context, actor *web.Principal, collegeID uint64, title, summary string, entry func(courseID uint64) web.AuditEntry) (uint64, error)
}

// Deps are what the service needs.
type Deps struct {
	DB       *gorm.DB
	Cache    *cache.Cache
	Objects  objects.Store
	Settings *settings.Service
	People   People
	Notifier Notifier
	Courses  Courses
	Audit    web.Auditor
	Log      *slog.Logger
}

// Service holds the follow-up rules and workflows.
type Service struct {
	db       *gorm.DB
	cache    *cache.Cache
	objects  objects.Store
	settings *settings.Service
	people   People
	notifier Notifier
	courses  Courses
	through  ThroughTrain
	audit    web.Auditor
	log      *slog.Logger
	now      func() time.Time
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, cache: d.Cache, objects: d.Objects, settings: d.Settings, people: d.People, notifier: d.Notifier,
		courses: d.Courses, audit: d.Audit, log: d.Log, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// today is the date in Beijing, YYYY-MM-DD.
func (s *Service) today() string { return s.now().In(web.Shanghai).Format(time.DateOnly) }

// parseDate reads a YYYY-MM-DD date as a day in Beijing.
func parseDate(v string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), web.Shanghai)
}

// validDate reports whether v is a real YYYY-MM-DD date.
func validDate(v string) bool {
	t, err := parseDate(v)
	return err == nil && t.Format(time.DateOnly) == strings.TrimSpace(v)
}

// addMonths moves a date by months, keeping to the last day of a shorter
// month (31 January + 1 month is 28 or 29 February, not 3 March).
func addMonths(d string, months int) string {
	t, err := parseDate(d)
	if err != nil {
		return d
	}
	first := time.Date(t.Year(), t.Month()+time.Month(months), 1, 0, 0, 0, 0, web.Shanghai)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, web.Shanghai).Format(time.DateOnly)
}

// addDays moves a date by days.
func addDays(d string, days int) string {
	t, err := parseDate(d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, days).Format(time.DateOnly)
}

// cnDate writes a date as 2026年3月1日.
func cnDate(d string) string {
	t, err := parseDate(d)
	if err != nil {
		return d
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// dateOf is the Beijing date of a moment ("" for none).
func dateOf(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(web.Shanghai).Format(time.DateOnly)
}

// send delivers a notification and logs a failure: a lost notification
// must not undo the decision it reports.
func (s *Service) send(ctx context.Context, tx *gorm.DB, userIDs []uint64, m notify.Message) {
	if s.notifier == nil || len(userIDs) == 0 {
		return
	}
	if err := s.notifier.Send(ctx, tx, userIDs, m); err != nil {
		s.log.Warn("followup: notification not sent", "err", err, "title", m.Title)
	}
}

// orgChain returns the ids in an org path ("/1/4/9/" gives 1, 4, 9).
func orgChain(path string) []uint64 {
	return (&web.Principal{OrgPath: path}).OrgChain()
}

// inScope reports whether an org lies in the caller's subtree.
func (s *Service) inScope(ctx context.Context, p *web.Principal, orgID uint64) (bool, error) {
	if p == nil || orgID == 0 {
		return false, nil
	}
	path, err := s.people.OrgPath(ctx, orgID)
	if err != nil {
		return false, err
	}
	return path != "" && p.InScope(path), nil
}

// subtree is an SQL condition: column holds an org in the caller's subtree.
func subtree(p *web.Principal, column string) (string, []any) {
	switch {
	case p == nil || p.OrgPath == "":
		return "1 = 0", nil
	case p.OrgPath == "/":
		return "1 = 1", nil
	}
	return web.OrgSubtree(column, p.OrgPath)
}

// truncate cuts s to n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
