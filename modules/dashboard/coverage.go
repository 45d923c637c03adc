package dashboard

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"college/modules/hours"
	"college/modules/training"
	"college/modules/web"

	"gorm.io/gorm"
)

// Coverage status filters of the people list.
const (
	CoverUncovered = "uncovered"
	CoverDue       = "due"
)

// MaxCoverageYears bounds the coverage window.
const MaxCoverageYears = 20

// CoverageTally counts cadres by training coverage: Covered graduated from
// a class (of the kind asked for, or of any kind) in the window; Seniors
// are 县处级及以上 and Due those of them due for centralized training.
type CoverageTally struct {
	Cadres, Covered, Seniors, Due int
	ByKind                        map[string]int // cadres who graduated from a class of each kind
}

// Uncovered is the cadres without a class in the window.
func (t CoverageTally) Uncovered() int { return t.Cadres - t.Covered }

// Rate is the share of covered cadres.
func (t CoverageTally) Rate() float64 { return rate(t.Covered, t.Cadres) }

func newCoverageTally() *CoverageTally { return &CoverageTally{ByKind: map[string]int{}} }

func (t *CoverageTally) add(r coverageRow) {
	t.Cadres++
	if r.Covered {
		t.Covered++
	}
	if r.Senior {
		t.Seniors++
	}
	if r.Due {
		t.Due++
	}
	for i, k := range training.Kinds {
		if r.kinds&(1<<i) != 0 {
			t.ByKind[k]++
		}
	}
}

// Coverage is the training coverage of an org subtree.
type Coverage struct {
	Org      Org
	Years    int
	From, To string // the window, YYYY-MM-DD: a graduation counts when its class ended on or after From
	Kind     string // "" for any kind
	Rules    Rules
	CoverageTally
	Units []UnitOf[CoverageTally]
}

// coverageRow is one cadre's coverage.
type coverageRow struct {
	Cadre
	Unit    uint64
	kinds   uint32 // bit i: graduated from a class of training.Kinds[i]
	Covered bool
	Senior  bool
	Cycle   web.Hours
	Due     bool
}

// Kinds lists the class kinds the cadre graduated from.
func (r coverageRow) Kinds() []string {
	var out []string
	for i, k := range training.Kinds {
		if r.kinds&(1<<i) != 0 {
			out = append(out, k)
		}
	}
	return out
}

// CoverageYears is the window asked for, or the setting's default.
func (s *Service) CoverageYears(ctx context.Context, years int) int {
	if years <= 0 {
		years = s.d.Settings.Int(ctx, SetCoverageYears)
	}
	return min(max(1, years), MaxCoverageYears)
}

// window is the last years calendar years up to today, in Beijing.
func window(today time.Time, years int) (from, to string) {
	return strconv.Itoa(today.Year()-years+1) + "-01-01", today.Format(time.DateOnly)
}

// walkCoverage judges every cadre of org's subtree (Unit: the child of
// org, among children, that holds them): the kinds of class they
// graduated from in the window, and for 县处级及以上 the centralized hours of
// the plan cycle so far. Three queries run at once: the cadres, their
// graduations grouped by user and kind, and their ledger sums.
func (s *Service) walkCoverage(ctx context.Context, org Org, children []Org, years int, kind string, r Rules, fn func(coverageRow)) (from, to string, err error) {
	today := s.today()
	from, to = window(today, years)
	var users *gorm.DB
	if strings.Count(org.Path, "/") > 2 {
		users = s.d.Directory.CadreIDs(org.Path)
	}
	isChild := map[uint64]bool{}
	for _, c := range children {
		isChild[c.ID] = true
	}
	kinds := map[uint64]uint32{}
	cycle := map[uint64]web.Hours{}
	var cadres []Cadre
	cycleFrom, _ := r.Cycle(today.Year())
	err = all([]func() error{
		func() error {
			return s.d.Directory.EachCadre(ctx, org.Path, func(c Cadre) error { cadres = append(cadres, c); return nil })
		},
		func() error {
			return s.d.Trainings.EachTrainedKind(ctx, from, users, func(t training.TrainedKind) error {
				if i := slices.Index(training.Kinds, t.Kind); i >= 0 {
					kinds[t.UserID] |= 1 << i
				} else {
					kinds[t.UserID] |= 1 << 31 // a kind no longer offered still covers
				}
				return nil
			})
		},
		func() error {
			return s.d.Ledger.EachCentralizedSum(ctx, cycleFrom, today.Year(), users, func(id uint64, h web.Hours) error { cycle[id] = h; return nil })
		},
	})
	if err != nil {
		return from, to, err
	}
	want := uint32(0xffffffff)
	if i := slices.Index(training.Kinds, kind); i >= 0 {
		want = 1 << i
	}
	for _, c := range cadres {
		u := unitOf(org.Path, c.OrgPath)
		if !isChild[u] {
			u = org.ID
		}
		row := coverageRow{Cadre: c, Unit: u, kinds: kinds[c.ID], Senior: hours.IsSenior(c.Level), Cycle: cycle[c.ID]}
		row.Covered = row.kinds&want != 0
		row.Due = r.LeaderDue(c.Level, row.Cycle, today)
		fn(row)
	}
	return from, to, nil
}

// Coverage counts, in org's subtree and for each direct child, the cadres
// who graduated from a class (of kind, or of any kind when kind is "") in
// the last years calendar years, and the 县处级及以上 leaders due for their
// centralized training.
func (s *Service) Coverage(ctx context.Context, p *web.Principal, orgID uint64, years int, kind string) (Coverage, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return Coverage{}, err
	}
	out := Coverage{Org: org, Years: s.CoverageYears(ctx, years), Kind: kind, Rules: s.Rules(ctx), CoverageTally: *newCoverageTally()}
	children, err := s.d.Directory.Children(ctx, org.ID)
	if err != nil {
		return Coverage{}, web.Internal(err)
	}
	byUnit := map[uint64]*CoverageTally{}
	out.From, out.To, err = s.walkCoverage(ctx, org, children, out.Years, kind, out.Rules, func(r coverageRow) {
		out.add(r)
		t := byUnit[r.Unit]
		if t == nil {
			t = newCoverageTally()
			byUnit[r.Unit] = t
		}
		t.add(r)
	})
	if err != nil {
		return Coverage{}, web.Internal(err)
	}
	out.Units = list(units{org: org, children: children}, byUnit, newCoverageTally, func(t *CoverageTally) bool { return t.Cadres > 0 })
	return out, nil
}

// CoveragePerson is one cadre of the coverage people list.
type CoveragePerson struct {
	ID      uint64
	Name    string
	OrgID   uint64
	OrgName string
	Level   string
	Kinds   []string
	Covered bool
	Senior  bool
	Cycle   web.Hours
	Due     bool
}

// CoveragePeoplePage is a page of the coverage people list.
type CoveragePeoplePage struct {
	Org    Org
	Years  int
	Kind   string
	Status string
	Rules  Rules
	Rows   []CoveragePerson
	Total  int64
	Page   web.Page
}

// coverageMatching lists the cadres of the subtree with status (uncovered,
// or leaders due), by org path and id.
func (s *Service) coverageMatching(ctx context.Context, org Org, years int, kind, status string, r Rules) ([]coverageRow, error) {
	var rows []coverageRow
	_, _, err := s.walkCoverage(ctx, org, nil, years, kind, r, func(c coverageRow) { // the list needs no units
		if (status == CoverDue && c.Due) || (status != CoverDue && !c.Covered) {
			rows = append(rows, c)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, k int) bool {
		if rows[i].OrgPath != rows[k].OrgPath {
			return rows[i].OrgPath < rows[k].OrgPath
		}
		return rows[i].ID < rows[k].ID
	})
	return rows, nil
}

// namedCoverage names the cadres of rows, a thousand at a time.
func (s *Service) namedCoverage(ctx context.Context, rows []coverageRow) ([]CoveragePerson, error) {
	out := make([]CoveragePerson, 0, len(rows))
	for i := 0; i < len(rows); i += 1000 {
		part := rows[i:min(i+1000, len(rows))]
		ids := make([]uint64, len(part))
		for k, r := range part {
			ids[k] = r.ID
		}
		who, err := s.d.Directory.People(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, r := range part {
			w := who[r.ID]
			out = append(out, CoveragePerson{ID: r.ID, Name: w.Name, OrgID: r.OrgID, OrgName: w.OrgName, Level: r.Level, Kinds: r.Kinds(),
				Covered: r.Covered, Senior: r.Senior, Cycle: r.Cycle, Due: r.Due})
		}
	}
	return out, nil
}

// CoveragePeople lists the cadres of org's subtree not covered in the
// window (status "uncovered") or the leaders due for training ("due").
func (s *Service) CoveragePeople(ctx context.Context, p *web.Principal, orgID uint64, years int, kind, status string, pg web.Page) (CoveragePeoplePage, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return CoveragePeoplePage{}, err
	}
	out := CoveragePeoplePage{Org: org, Years: s.CoverageYears(ctx, years), Kind: kind, Status: status, Rules: s.Rules(ctx), Page: pg}
	rows, err := s.coverageMatching(ctx, org, out.Years, kind, status, out.Rules)
	if err != nil {
		return CoveragePeoplePage{}, web.Internal(err)
	}
	out.Total = int64(len(rows))
	lo := min(pg.Offset(), len(rows))
	hi := min(lo+pg.PageSize, len(rows))
	if out.Rows, err = s.namedCoverage(ctx, rows[lo:hi]); err != nil {
		return CoveragePeoplePage{}, web.Internal(err)
	}
	return out, nil
}

// yearOf reads the year of a YYYY-MM-DD date.
func yearOf(date string) int {
	y, _ := strconv.Atoi(date[:min(4, len(date))])
	return y
}
