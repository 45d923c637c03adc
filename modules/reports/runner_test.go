package reports_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"college/modules/dashboard"
	"college/modules/followup"
	"college/modules/reports"
	"college/modules/training"
	"college/modules/web"
	"college/storage/cache"
	"college/storage/cache/cachetest"
	"college/storage/db/dbtest"
	"college/storage/objects"
	"college/storage/objects/objectstest"

	"gorm.io/gorm"
)

// The runner's tests run the service over fake sources: a city of one
// org department (1) with two units (2, 3), unit 2 having one unit (4).

var fakeOrgs = []reports.Org{{ID: 1, Name: "市委组织部", Path: "/1/"}, {ID: 2, Name: "甲区", Path: "/1/2/"}, {ID: 4, Name: "甲区某局", Path: "/1/2/4/"}, {ID: 3, Name: "乙区", Path: "/1/3/"}}

type fakeDirectory struct{}

func (fakeDirectory) Root(context.Context) (reports.Org, error) { return fakeOrgs[0], nil }
func (fakeDirectory) Org(_ context.Context, id uint64) (reports.Org, bool, error) {
	for _, o := range fakeOrgs {
		if o.ID == id {
			return o, true, nil
		}
	}
	return reports.Org{}, false, nil
}
func (fakeDirectory) Subtree(_ context.Context, path string) ([]reports.Org, error) {
	var out []reports.Org
	for _, o := range fakeOrgs {
		if len(o.Path) >= len(path) && o.Path[:len(path)] == path {
			out = append(out, o)
		}
	}
	return out, nil
}
func (fakeDirectory) OrgNames(_ context.Context, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	for _, o := range fakeOrgs {
		out[o.ID] = o.Name
	}
	return out, nil
}
func (fakeDirectory) Principal(_ context.Context, id uint64) (*web.Principal, error) {
	return requester(id), nil
}

func requester(id uint64) *web.Principal {
	return &web.Principal{UserID: id, Username: "org" + strconv.FormatUint(id, 10), Roles: []string{web.RoleOrgAdmin}, OrgID: 1, OrgPath: "/1/"}
}

// fakeSources counts the calls of each job and can fail or watch them.
type fakeSources struct {
	mu       sync.Mutex
	calls    map[int]int // by year: every job of the tests has its own year
	failYear int
	onCall   func(year int)
	total    atomic.Int32
}

func (f *fakeSources) called(year int) error {
	f.mu.Lock()
	f.calls[year]++
	f.mu.Unlock()
	f.total.Add(1)
	if f.onCall != nil {
		f.onCall(year)
	}
	if year == f.failYear {
		return errors.New("source down")
	}
	return nil
}

func (f *fakeSources) Compliance(_ context.Context, _ *web.Principal, orgID uint64, year int) (dashboard.Compliance, error) {
	c := dashboard.Compliance{Year: year}
	for _, o := range fakeOrgs {
		if o.ID == orgID {
			c.Org = dashboard.Org{ID: o.ID, Name: o.Name, Path: o.Path}
		}
	}
	for _, o := range fakeOrgs {
		if o.ID != orgID && len(o.Path) > len(c.Org.Path) && o.Path[:len(c.Org.Path)] == c.Org.Path && len(o.Path)-len(c.Org.Path) <= 2 {
			c.Units = append(c.Units, dashboard.UnitTally{Org: dashboard.Org{ID: o.ID, Name: o.Name, Path: o.Path}, Tally: dashboard.Tally{Cadres: 2, Met: 1, Behind: 1}})
		}
	}
	return c, f.called(year)
}

func (f *fakeSources) PeopleExport(_ context.Context, _ *web.Principal, _ uint64, year int, _ string) (dashboard.Org, []dashboard.PersonRow, error) {
	return dashboard.Org{}, nil, f.called(year)
}

func (f *fakeSources) Exams(_ context.Context, _ *web.Principal, orgID uint64, year int) (dashboard.ExamBoard, error) {
	return dashboard.ExamBoard{Year: year, Rows: []dashboard.ExamUnitRow{{ExamID: 1, ExamTitle: "理论考试", Unit: dashboard.Org{ID: orgID, Name: "市委组织部"}, Candidates: 3, Sat: 2, Passed: 1}}}, f.called(year)
}

func (f *fakeSources) ClassYear(_ context.Context, _ string, year int) ([]training.ClassYearRow, error) {
	return nil, f.called(year)
}

func (f *fakeSources) Summary(_ context.Context, _ *web.Principal, sf followup.SummaryFilter) (followup.SummaryResponse, error) {
	return followup.SummaryResponse{Year: sf.Year}, f.called(sf.Year)
}

type nopAuditor struct{}

func (nopAuditor) Record(context.Context, web.AuditEntry) error { return nil }

// stores are what two instances share.
type stores struct {
	db      *gorm.DB
	cache   *cache.Cache
	objects objects.Store
}

func newStores(t *testing.T) stores {
	return stores{db: dbtest.New(t, reports.Migrations()...), cache: cachetest.New(t), objects: objectstest.New(t)}
}

func (s stores) instance(src *fakeSources) *reports.Service {
	return reports.NewService(reports.Deps{DB: s.db, Cache: s.cache, Objects: s.objects, Directory: fakeDirectory{},
		Dashboard: src, Classes: src, Followups: src, Audit: nopAuditor{}})
}

func request(t *testing.T, svc *reports.Service, kind string, year int) uint64 {
	t.Helper()
	j, err := svc.Request(context.Background(), requester(7), reports.ReportRequest{Kind: kind, Year: year})
	if err != nil {
		t.Fatal(err)
	}
	return j.ID
}

func job(t *testing.T, svc *reports.Service, id uint64) *reports.Job {
	t.Helper()
	j, err := svc.Get(context.Background(), requester(7), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestTwoRunnersRunEachJobOnce(t *testing.T) {
	s := newStores(t)
	src := &fakeSources{calls: map[int]int{}}
	a, b := s.instance(src), s.instance(src)
	var ids []uint64
	for i := range 12 {
		ids = append(ids, request(t, a, reports.KindExams, 2000+i))
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, svc := range []*reports.Service{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := svc.RunPending(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// A job whose lease another runner held was skipped; run once more.
	for _, svc := range []*reports.Service{a, b} {
		if err := svc.RunPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range ids {
		j := job(t, a, id)
		if j.State != reports.StateDone || j.ObjectKey == "" || j.Attempts != 1 {
			t.Errorf("job %d: state %s, key %q, attempts %d", id, j.State, j.ObjectKey, j.Attempts)
		}
		if n := src.calls[2000+i]; n != 1 {
			t.Errorf("job %d built %d times", id, n)
		}
	}
}

func TestJobOfDeadRunnerIsTakenOverWhenItsLeaseLapses(t *testing.T) {
	s := newStores(t)
	src := &fakeSources{calls: map[int]int{}}
	svc := s.instance(src)
	id := request(t, svc, reports.KindExams, 2020)
	ctx := context.Background()
	// A runner claimed the job and died holding its lease.
	if err := s.db.Exec("UPDATE report_jobs SET state = ?, runner = ?, attempts = 1, progress_total = 1 WHERE id = ?", reports.StateRunning, "dead", id).Error; err != nil {
		t.Fatal(err)
	}
	name := "report:" + strconv.FormatUint(id, 10)
	lease, err := s.cache.Acquire(ctx, name, time.Minute)
	if err != nil || lease == nil {
		t.Fatalf("lease: %v %v", lease, err)
	}
	restarted := s.instance(src)
	if err := restarted.RunPending(ctx); err != nil {
		t.Fatal(err)
	}
	if j := job(t, svc, id); j.State != reports.StateRunning || src.calls[2020] != 0 {
		t.Fatalf("taken while the lease was held: state %s, built %d times", j.State, src.calls[2020])
	}
	// The lease lapses (its key expires).
	if err := s.cache.Del(ctx, s.cache.Key("lease", name)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := restarted.RunPending(ctx); err != nil {
		t.Fatal(err)
	}
	j := job(t, svc, id)
	if j.State != reports.StateDone || j.Attempts != 2 || src.calls[2020] != 1 || j.ProgressDone != 1 || j.ProgressAll != 1 {
		t.Fatalf("after the lapse: state %s attempts %d built %d progress %d/%d", j.State, j.Attempts, src.calls[2020], j.ProgressDone, j.ProgressAll)
	}
	// The dead runner's late word changes nothing.
	res := s.db.Exec("UPDATE report_jobs SET state = ? WHERE id = ? AND runner = ? AND state = ?", reports.StateFailed, id, "dead", reports.StateRunning)
	if res.Error != nil || res.RowsAffected != 0 {
		t.Fatalf("stale runner still owns the job: %v %d", res.Error, res.RowsAffected)
	}
}

func TestProgressGoesFromZeroToTotal(t *testing.T) {
	s := newStores(t)
	src := &fakeSources{calls: map[int]int{}}
	svc := s.instance(src)
	id := request(t, svc, reports.KindHours, 2024)
	type seen struct{ done, total int }
	var steps []seen
	src.onCall = func(int) {
		var j reports.Job
		if err := s.db.First(&j, id).Error; err != nil {
			t.Error(err)
		}
		steps = append(steps, seen{j.ProgressDone, j.ProgressAll})
	}
	if err := svc.RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Org 1 and org 2 have units below them: two compliance calls, then
	// the people behind: 3 steps in all.
	want := []seen{{0, 3}, {1, 3}, {2, 3}}
	if len(steps) != len(want) {
		t.Fatalf("steps %v, want %v", steps, want)
	}
	for i := range want {
		if steps[i] != want[i] {
			t.Fatalf("steps %v, want %v", steps, want)
		}
	}
	j := job(t, svc, id)
	if j.State != reports.StateDone || j.ProgressDone != 3 || j.ProgressAll != 3 || j.FinishedAt == nil {
		t.Fatalf("finished job: %+v", j)
	}
}

func TestFailingSourceFailsTheJobAndTheNextRuns(t *testing.T) {
	s := newStores(t)
	src := &fakeSources{calls: map[int]int{}, failYear: 2021}
	svc := s.instance(src)
	bad := request(t, svc, reports.KindFollowup, 2021)
	good := request(t, svc, reports.KindFollowup, 2022)
	if err := svc.RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	j := job(t, svc, bad)
	if j.State != reports.StateFailed || j.Error != "报表生成失败，请稍后重新申请" || j.ObjectKey != "" {
		t.Fatalf("failed job: state %s error %q key %q", j.State, j.Error, j.ObjectKey)
	}
	if j := job(t, svc, good); j.State != reports.StateDone {
		t.Fatalf("next job: state %s error %q", j.State, j.Error)
	}
	// A failed job is not tried again.
	if err := svc.RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if src.calls[2021] != 1 {
		t.Fatalf("failed job built %d times", src.calls[2021])
	}
}
