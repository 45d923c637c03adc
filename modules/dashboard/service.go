// Package dashboard is the overview (综合管理) of the org department and the
// unit administrators: who meets the study-hour requirements of a year, by
// unit and by person, and how candidates fare in the exams. It owns no
// table: it reads the identity, hours and exam modules through ports.
package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"college/modules/exam"
	"college/modules/hours"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/cache"

	"gorm.io/gorm"
)

// Roles that read the dashboards.
var Roles = []string{web.RoleOrgAdmin, web.RoleUnitAdmin}

// Org is an organization as the dashboards show it.
type Org struct {
	ID   uint64
	Name string
	Path string
	Kind string
}

// Cadre is one counted cadre.
type Cadre struct {
	ID      uint64
	OrgID   uint64
	OrgPath string
	Level   string
}

// Person names a cadre in the people list.
type Person struct {
	Name    string
	OrgName string
}

// Directory is what the dashboards need of the identity module.
type Directory interface {
	Root(ctx context.Context) (Org, error)
	// Org returns the org with this id; ok is false when there is none.
	Org(ctx context.Context, id uint64) (o Org, ok bool, err error)
	Children(ctx context.Context, id uint64) ([]Org, error)
	// EachCadre streams the cadres of a subtree; fn must not query the
	// database.
	EachCadre(ctx context.Context, orgPath string, fn func(Cadre) error) error
	// CadreIDs is a subquery of the ids of the cadres of a subtree.
	CadreIDs(orgPath string) *gorm.DB
	People(ctx context.Context, ids []uint64) (map[uint64]Person, error)
	// OrgsUnder lists every org of a subtree, the org at orgPath included.
	OrgsUnder(ctx context.Context, orgPath string) ([]Org, error)
}

// Ledger is what the dashboards need of the hours module.
type Ledger interface {
	EachYearSums(ctx context.Context, year int, users *gorm.DB, fn func(hours.YearSums) error) error
	EachCentralizedSum(ctx context.Context, from, to int, users *gorm.DB, fn func(userID uint64, h web.Hours) error) error
}

// Exams is what the dashboards need of the exam module.
type Exams interface {
	ExamsStartedIn(ctx context.Context, from, to time.Time) ([]exam.ExamHeader, error)
	EachTally(ctx context.Context, from, to time.Time, fn func(exam.Tally) error) error
}

// Deps are the service's collaborators.
type Deps struct {
	Directory Directory
	Ledger    Ledger
	Exams     Exams
	// Trainings, Followups and Assessments feed the coverage, registration,
	// follow-up and satisfaction sections.
	Trainings   Trainings
	Followups   FollowupRounds
	Assessments Assessments
	Settings    *settings.Service
	Cache       *cache.Cache
	Audit       web.Auditor
	Log         *slog.Logger
}

// Service computes the dashboards.
type Service struct {
	d   Deps
	now func() time.Time
}

// NewService builds the service and declares its settings.
func NewService(d Deps) *Service {
	d.Settings.Define(SettingDefs...)
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d, now: time.Now}
}

// CurrentYear is this year in the college's time zone.
func (s *Service) CurrentYear() int { return hours.YearOf(s.now()) }

// Rules are the compliance rules now in force.
func (s *Service) Rules(ctx context.Context) Rules { return RulesFrom(ctx, s.d.Settings) }

// scopedOrg is the org the caller asks about: id 0 means the root for the
// org department and the caller's own org for a unit administrator. An org
// outside the caller's subtree answers 404, like any record out of scope.
func (s *Service) scopedOrg(ctx context.Context, p *web.Principal, id uint64) (Org, error) {
	if !p.HasAny(Roles...) {
		return Org{}, web.Forbidden()
	}
	if id == 0 {
		if p.Has(web.RoleOrgAdmin) {
			root, err := s.d.Directory.Root(ctx)
			if err != nil {
				return Org{}, web.Internal(err)
			}
			if p.InScope(root.Path) {
				return root, nil
			}
		}
		id = p.OrgID
	}
	o, ok, err := s.d.Directory.Org(ctx, id)
	if err != nil {
		return Org{}, web.Internal(err)
	}
	if !ok || !p.InScope(o.Path) {
		return Org{}, web.NotFound()
	}
	return o, nil
}

// unitOf is the direct child of the org at path that holds orgPath, or 0
// for a cadre of the org itself.
func unitOf(path, orgPath string) uint64 {
	rest := strings.TrimPrefix(orgPath, path)
	if rest == "" || rest == orgPath {
		return 0
	}
	seg, _, _ := strings.Cut(rest, "/")
	id, _ := strconv.ParseUint(seg, 10, 64)
	return id
}

// judged is one cadre with their standing.
type judged struct {
	Cadre
	Unit uint64
	Standing
}

// judge applies the rules to every cadre of org's subtree for year and
// hands each to fn. The ledger is summed in SQL: the year's hours of every
// user (and last year's when the carry-over is on), and the centralized
// hours of the cycle's earlier years; these
// queries and the scan of the cadres run at once, each on its own
// connection when the database has several.
func (s *Service) judge(ctx context.Context, org Org, year int, r Rules, fn func(judged)) error {
	from, _ := r.Cycle(year)
	var users *gorm.DB
	if strings.Count(org.Path, "/") > 2 {
		users = s.d.Directory.CadreIDs(org.Path) // below the root: only the subtree's users
	}
	cur, prev := map[uint64]hours.YearSums{}, map[uint64]hours.YearSums{}
	cycle := map[uint64]web.Hours{}
	var cadres []Cadre
	jobs := []func() error{
		func() error {
			return s.d.Ledger.EachYearSums(ctx, year, users, func(u hours.YearSums) error { cur[u.UserID] = u; return nil })
		},
		func() error {
			return s.d.Directory.EachCadre(ctx, org.Path, func(c Cadre) error { cadres = append(cadres, c); return nil })
		},
	}
	if r.CarryOver {
		jobs = append(jobs, func() error {
			return s.d.Ledger.EachYearSums(ctx, year-1, users, func(u hours.YearSums) error { prev[u.UserID] = u; return nil })
		})
	}
	if from < year {
		jobs = append(jobs, func() error {
			return s.d.Ledger.EachCentralizedSum(ctx, from, year-1, users, func(id uint64, h web.Hours) error { cycle[id] = h; return nil })
		})
	}
	if err := all(jobs); err != nil {
		return err
	}
	for _, c := range cadres {
		y, p := cur[c.ID], prev[c.ID]
		sums := hours.UserSums{UserID: c.ID, Online: y.Online, Centralized: y.Centralized, PrevOnline: p.Online, PrevCentralized: p.Centralized,
			CycleCentralized: cycle[c.ID] + y.Centralized}
		fn(judged{Cadre: c, Unit: unitOf(org.Path, c.OrgPath), Standing: r.Judge(c.Level, sums, year)})
	}
	return nil
}

// all runs the jobs at once and returns the first error.
func all(jobs []func() error) error {
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = job() }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Tally counts cadres.
type Tally struct {
	Cadres, Met, Behind int
}

// Rate is the share of cadres who meet the requirements, 0..1 to 4 places.
func (t Tally) Rate() float64 {
	if t.Cadres == 0 {
		return 0
	}
	return float64(t.Met*10000/t.Cadres) / 10000
}

func (t *Tally) add(met bool) {
	t.Cadres++
	if met {
		t.Met++
	} else {
		t.Behind++
	}
}

// UnitTally is one direct child of the org (or the org's own cadres).
type UnitTally struct {
	Org
	Own bool // the cadres attached to the org itself, not to a child
	Tally
}

// Compliance is the summary of an org subtree for a year.
type Compliance struct {
	Org   Org
	Year  int
	Rules Rules
	Tally
	Units []UnitTally
}

// Compliance counts the cadres of org's subtree who meet the year's
// requirements, in total and for each direct child of the org. Results are
// cached for dashboard.cache_seconds under a key that holds the rules.
func (s *Service) Compliance(ctx context.Context, p *web.Principal, orgID uint64, year int) (Compliance, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return Compliance{}, err
	}
	r := s.Rules(ctx)
	ttl := time.Duration(s.d.Settings.Int(ctx, SetCacheSecs)) * time.Second
	key := s.d.Cache.Key("dash", "compliance", strconv.FormatUint(org.ID, 10), strconv.Itoa(year), r.key())
	if ttl > 0 {
		if b, err := s.d.Cache.Get(ctx, key).Bytes(); err == nil {
			var c Compliance
			if json.Unmarshal(b, &c) == nil {
				return c, nil
			}
		}
	}
	c, err := s.compliance(ctx, org, year, r)
	if err != nil {
		return Compliance{}, web.Internal(err)
	}
	if ttl > 0 {
		if b, err := json.Marshal(c); err == nil {
			if err := s.d.Cache.Set(ctx, key, b, ttl).Err(); err != nil {
				s.d.Log.Warn("dashboard: cache write", "err", err)
			}
		}
	}
	return c, nil
}

func (s *Service) compliance(ctx context.Context, org Org, year int, r Rules) (Compliance, error) {
	children, err := s.d.Directory.Children(ctx, org.ID)
	if err != nil {
		return Compliance{}, err
	}
	c := Compliance{Org: org, Year: year, Rules: r}
	byID := map[uint64]*Tally{}
	for _, ch := range children {
		byID[ch.ID] = &Tally{}
	}
	var own Tally
	err = s.judge(ctx, org, year, r, func(j judged) {
		c.add(j.Met)
		if t := byID[j.Unit]; t != nil {
			t.add(j.Met)
		} else {
			own.add(j.Met)
		}
	})
	if err != nil {
		return Compliance{}, err
	}
	if own.Cadres > 0 {
		c.Units = append(c.Units, UnitTally{Org: org, Own: true, Tally: own})
	}
	for _, ch := range children {
		c.Units = append(c.Units, UnitTally{Org: ch, Tally: *byID[ch.ID]})
	}
	return c, nil
}

// parentInScope is the parent of org when the caller may see it, else 0:
// the dashboard's "up one level" link.
func (s *Service) parentInScope(ctx context.Context, p *web.Principal, org Org) uint64 {
	parent := unitParent(org.Path)
	if parent == 0 {
		return 0
	}
	o, ok, err := s.d.Directory.Org(ctx, parent)
	if err != nil || !ok || !p.InScope(o.Path) {
		return 0
	}
	return parent
}

// unitParent reads the parent's id from a path: "/1/4/9/" → 4.
func unitParent(path string) uint64 {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(segs[len(segs)-2], 10, 64)
	return id
}
