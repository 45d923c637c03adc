package hours

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"college/modules/settings"
	"college/modules/web"

	"gorm.io/gorm"
)

// Setting keys of this module.
const (
	SetOnlineYearly      = "hours.online_yearly"
	SetCentralizedYearly = "hours.centralized_yearly"
	SetCentralized5y     = "hours.centralized_5y"
	SetDayHours          = "hours.day_hours"
	SetHalfDayHours      = "hours.half_day_hours"
	SetCarryOver         = "hours.carry_over"
)

const settingsGroup = "学时要求"

// SettingDefs declares the study-hour requirements (条例 2023 第十三至十五条
// and the 2023–2027 plan) as settings.
var SettingDefs = []settings.Def{
	{Key: SetOnlineYearly, Group: settingsGroup, Label: "网络学习每年学时要求", Help: "每名干部每年网络自学应完成的学时", Kind: settings.KindNumber, Default: "50", Min: 0, Max: 2000},
	{Key: SetCentralizedYearly, Group: settingsGroup, Label: "乡科级及以下干部每年集中培训学时", Kind: settings.KindNumber, Default: "90", Min: 0, Max: 2000},
	{Key: SetCentralized5y, Group: settingsGroup, Label: "县处级及以上干部每五年集中培训学时", Kind: settings.KindNumber, Default: "550", Min: 0, Max: 10000},
	{Key: SetDayHours, Group: settingsGroup, Label: "培训每天折算学时", Kind: settings.KindNumber, Default: "6", Min: 0.5, Max: 24},
	{Key: SetHalfDayHours, Group: settingsGroup, Label: "培训每半天折算学时", Kind: settings.KindNumber, Default: "3", Min: 0.25, Max: 12},
	{Key: SetCarryOver, Group: settingsGroup, Label: "超出学时结转下一年选修", Help: "开启后，上一年网络学习（乡科级及以下还有集中培训）超出年度要求的学时，计入本年度达标进度（作为选修），不改变台账记录", Kind: settings.KindBool, Default: "false"},
}

// SeniorLevels have the 5-year centralized requirement (县处级及以上);
// every other level, or none, has the yearly one.
var SeniorLevels = []string{"省部级", "厅局级", "县处级"}

// IsSenior reports whether a cadre of this level falls under the 5-year rule.
func IsSenior(level string) bool { return slices.Contains(SeniorLevels, strings.TrimSpace(level)) }

// Levels tells the cadre level (职级) of a user; the identity module
// implements it. An empty level counts as 乡科级及以下.
type Levels interface {
	Level(ctx context.Context, userID uint64) (string, error)
}

// Service is the ledger: other modules credit hours through it.
type Service struct {
	store    *store
	settings *settings.Service
	levels   Levels
	audit    web.Auditor
	now      func() time.Time
	settle   func(ctx context.Context, userID uint64) error
}

// SetAuditor records the exports of learning archives.
func (s *Service) SetAuditor(a web.Auditor) { s.audit = a }

// SetSettler wires what completes a learner's earned but not yet credited
// courses (learning) before their hours are read, so 我的学时 never shows
// a finished course without its hours.
func (s *Service) SetSettler(f func(ctx context.Context, userID uint64) error) { s.settle = f }

// New builds the service and declares its settings.
func New(gdb *gorm.DB, set *settings.Service, levels Levels) *Service {
	set.Define(SettingDefs...)
	return &Service{store: &store{db: gdb}, settings: set, levels: levels, now: time.Now}
}

// MaxCredit bounds a single credit; more is a unit mistake (minutes for hours).
const MaxCredit = web.Hours(2000 * 100)

// Credit is one grant of study hours.
type Credit struct {
	UserID     uint64
	Hours      web.Hours
	Category   string // CategoryOnline or CategoryCentralized
	Kind       string // KindRequired or KindElective
	SourceType string // SourceCourse, SourceExam or SourceClass
	SourceID   uint64
	Title      string
	EarnedAt   time.Time // zero: now
}

// Validate returns the field errors of a credit, nil when it is acceptable.
func (c Credit) Validate() error {
	f := web.Fields{}
	f.Check(c.UserID != 0, "user_id", "必须指定学员")
	f.Check(c.Hours > 0, "hours", "学时必须大于 0")
	f.Check(c.Hours <= MaxCredit, "hours", "单次学时不能超过 2000")
	f.Check(CategoryNames[c.Category] != "", "category", "类别必须是 online 或 centralized")
	f.Check(KindNames[c.Kind] != "", "kind", "性质必须是 required 或 elective")
	f.Check(SourceNames[c.SourceType] != "", "source_type", "来源必须是 course、exam 或 class")
	f.Check(c.SourceID != 0, "source_id", "必须指定来源编号")
	f.Required("title", c.Title)
	f.MaxLen("title", strings.TrimSpace(c.Title), 200)
	return f.Err()
}

// YearOf is the year a moment counts for: its calendar year in the
// college's time zone, so 00:30 on 1 January in Beijing is the new year.
func YearOf(t time.Time) int { return t.In(web.Shanghai).Year() }

// Credit records c once: created is false when this source was already credited to this user.
// tx, when not nil, is the caller's transaction (so a completion and its credit commit together).
func (s *Service) Credit(ctx context.Context, tx *gorm.DB, c Credit) (created bool, err error) {
	if err := c.Validate(); err != nil {
		return false, err
	}
	earned := c.EarnedAt
	if earned.IsZero() {
		earned = s.now()
	}
	// Milliseconds are what both databases keep; cutting here means the year
	// is computed from the stored moment, never from one rounded later.
	earned = earned.UTC().Truncate(time.Millisecond)
	e := &Entry{
		UserID: c.UserID, Year: YearOf(earned), Hours: c.Hours, Category: c.Category, Kind: c.Kind,
		SourceType: c.SourceType, SourceID: c.SourceID, Title: strings.TrimSpace(c.Title),
		EarnedAt: earned, CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	}
	created, err = s.store.insert(ctx, tx, e)
	if err != nil {
		return false, fmt.Errorf("hours: credit %s %d to user %d: %w", c.SourceType, c.SourceID, c.UserID, err)
	}
	return created, nil
}

// DayHours is what one day of training counts for (培训每天折算学时).
func (s *Service) DayHours(ctx context.Context) web.Hours {
	return web.HoursFromFloat(s.settings.Float(ctx, SetDayHours))
}

// HalfDayHours is what half a day of training counts for.
func (s *Service) HalfDayHours(ctx context.Context) web.Hours {
	return web.HoursFromFloat(s.settings.Float(ctx, SetHalfDayHours))
}

// CurrentYear is this year in the college's time zone.
func (s *Service) CurrentYear() int { return YearOf(s.now()) }

// Totals are sums of ledger entries, split two ways: Online + Centralized
// and Required + Elective both equal Total.
type Totals struct {
	Total, Online, Centralized, Required, Elective web.Hours
}

func (t *Totals) add(e Entry) {
	t.Total += e.Hours
	if e.Category == CategoryOnline {
		t.Online += e.Hours
	} else {
		t.Centralized += e.Hours
	}
	if e.Kind == KindRequired {
		t.Required += e.Hours
	} else {
		t.Elective += e.Hours
	}
}

// Targets are the requirements that apply to one learner in one year.
type Targets struct {
	Senior bool      // 县处级及以上: the 5-year centralized rule
	Online web.Hours // yearly online target
	// Centralized is the yearly centralized target (乡科级及以下 only).
	Centralized web.Hours
	// Centralized5y is the 5-year target (县处级及以上 only); Centralized5yDone
	// sums the centralized hours of the years Centralized5yFrom..year.
	Centralized5y     web.Hours
	Centralized5yDone web.Hours
	Centralized5yFrom int
}

// Carry is last year's surplus counted toward this year's targets as
// elective hours when the carry-over setting is on. It is not in the ledger
// and not in the totals.
type Carry struct {
	Online, Centralized web.Hours
}

// Summary is one learner's year: totals, targets and entries (newest first).
type Summary struct {
	UserID  uint64
	Year    int
	Level   string
	Totals  Totals
	Targets Targets
	Carry   *Carry // nil when carry-over is off
	Entries []Entry
}

// OnlineDone is the progress toward the online target, carry-over included.
func (s Summary) OnlineDone() web.Hours {
	if s.Carry != nil {
		return s.Totals.Online + s.Carry.Online
	}
	return s.Totals.Online
}

// CentralizedDone is the progress toward the yearly centralized target.
func (s Summary) CentralizedDone() web.Hours {
	if s.Carry != nil {
		return s.Totals.Centralized + s.Carry.Centralized
	}
	return s.Totals.Centralized
}

// level asks for the learner's level; without a source every learner has
// the yearly rule.
func (s *Service) level(ctx context.Context, userID uint64) (string, error) {
	if s.levels == nil {
		return "", nil
	}
	l, err := s.levels.Level(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("hours: level of user %d: %w", userID, err)
	}
	return l, nil
}

// targets reads the requirements for a learner of level in year.
func (s *Service) targets(ctx context.Context, level string, year int) Targets {
	t := Targets{Senior: IsSenior(level), Online: web.HoursFromFloat(s.settings.Float(ctx, SetOnlineYearly))}
	if t.Senior {
		t.Centralized5y = web.HoursFromFloat(s.settings.Float(ctx, SetCentralized5y))
		t.Centralized5yFrom = year - 4
	} else {
		t.Centralized = web.HoursFromFloat(s.settings.Float(ctx, SetCentralizedYearly))
	}
	return t
}

// Year sums a learner's ledger for one calendar year and sets it against
// the targets of the learner's level.
func (s *Service) Year(ctx context.Context, userID uint64, year int) (Summary, error) {
	if s.settle != nil {
		if err := s.settle(ctx, userID); err != nil {
			return Summary{}, err
		}
	}
	level, err := s.level(ctx, userID)
	if err != nil {
		return Summary{}, err
	}
	entries, err := s.store.entries(ctx, userID, year)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{UserID: userID, Year: year, Level: level, Entries: entries, Targets: s.targets(ctx, level, year)}
	for _, e := range entries {
		sum.Totals.add(e)
	}
	if sum.Targets.Senior {
		if sum.Targets.Centralized5yDone, err = s.store.sumByCategory(ctx, userID, CategoryCentralized, sum.Targets.Centralized5yFrom, year); err != nil {
			return Summary{}, err
		}
	}
	if s.settings.Bool(ctx, SetCarryOver) {
		if sum.Carry, err = s.carry(ctx, userID, year, sum.Targets); err != nil {
			return Summary{}, err
		}
	}
	return sum, nil
}

// carry is the surplus of year-1 over this year's yearly targets. Only the
// ledger of year-1 counts: a surplus carries one year, never further.
func (s *Service) carry(ctx context.Context, userID uint64, year int, t Targets) (*Carry, error) {
	c := &Carry{}
	online, err := s.store.sumByCategory(ctx, userID, CategoryOnline, year-1, year-1)
	if err != nil {
		return nil, err
	}
	c.Online = max(0, online-t.Online)
	if !t.Senior {
		cent, err := s.store.sumByCategory(ctx, userID, CategoryCentralized, year-1, year-1)
		if err != nil {
			return nil, err
		}
		c.Centralized = max(0, cent-t.Centralized)
	}
	return c, nil
}

// Years lists the years in which a learner has credits, newest first.
func (s *Service) Years(ctx context.Context, userID uint64) ([]int, error) {
	return s.store.years(ctx, userID)
}

// YearRecord is one year of the archive.
type YearRecord struct {
	Year    int
	Totals  Totals
	Entries []Entry // newest first
}

// Archive is a learner's whole record, newest year first, with the yearly
// targets of the learner's current level.
type Archive struct {
	UserID  uint64
	Level   string
	Targets Targets // of the current year
	Years   []YearRecord
	Totals  Totals        // every year together
	Notes   []ArchiveNote // follow-up results and the like, newest first
}

// Archive lists every year of a learner's ledger with its totals and entries.
func (s *Service) Archive(ctx context.Context, userID uint64) (Archive, error) {
	level, err := s.level(ctx, userID)
	if err != nil {
		return Archive{}, err
	}
	entries, err := s.store.entries(ctx, userID, 0)
	if err != nil {
		return Archive{}, err
	}
	a := Archive{UserID: userID, Level: level, Targets: s.targets(ctx, level, s.CurrentYear())}
	byYear := map[int]*YearRecord{}
	for _, e := range entries {
		r := byYear[e.Year]
		if r == nil {
			r = &YearRecord{Year: e.Year}
			byYear[e.Year] = r
		}
		r.Totals.add(e)
		r.Entries = append(r.Entries, e)
		a.Totals.add(e)
	}
	for _, r := range byYear {
		a.Years = append(a.Years, *r)
	}
	slices.SortFunc(a.Years, func(x, y YearRecord) int { return y.Year - x.Year })
	return a, nil
}
