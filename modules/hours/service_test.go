package hours

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"college/modules/settings"
	"college/modules/web"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

// fakePeople stands in for the identity module: levels, org paths and
// profiles by user id.
type fakePeople struct {
	levels map[uint64]string
	paths  map[uint64]string
	names  map[uint64]string
}

func (f *fakePeople) Level(_ context.Context, id uint64) (string, error) { return f.levels[id], nil }

func (f *fakePeople) InScope(_ context.Context, p *web.Principal, id uint64) (bool, error) {
	path, ok := f.paths[id]
	return ok && p.InScope(path), nil
}

func (f *fakePeople) Profile(_ context.Context, id uint64) (Profile, error) {
	return Profile{Name: f.names[id], Username: fmt.Sprintf("user%d", id), OrgName: "市财政局", Level: f.levels[id], Post: "科长", IDNumber: "110***********1234"}, nil
}

func newTestService(t *testing.T) (*Service, *gorm.DB, *settings.Service) {
	t.Helper()
	gdb := dbtest.New(t, append(settings.Migrations(), Migrations()...)...)
	set := settings.New(gdb, nil)
	people := &fakePeople{levels: map[uint64]string{}, paths: map[uint64]string{}, names: map[uint64]string{}}
	svc := New(gdb, set, people)
	svc.now = func() time.Time { return time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) }
	return svc, gdb, set
}

func peopleOf(s *Service) *fakePeople { return s.levels.(*fakePeople) }

func course(user, id uint64, h web.Hours, at time.Time) Credit {
	return Credit{UserID: user, Hours: h, Category: CategoryOnline, Kind: KindRequired, SourceType: SourceCourse, SourceID: id, Title: "习近平新时代中国特色社会主义思想专题", EarnedAt: at}
}

func countEntries(t *testing.T, gdb *gorm.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := gdb.Model(&Entry{})
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreditSameSourceOnce(t *testing.T) {
	t.Parallel()
	svc, gdb, _ := newTestService(t)
	ctx := context.Background()
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	created, err := svc.Credit(ctx, nil, course(1, 7, 150, at))
	if err != nil || !created {
		t.Fatalf("first credit: created %v, err %v", created, err)
	}
	again := course(1, 7, 300, at.Add(time.Hour)) // even with other hours
	created, err = svc.Credit(ctx, nil, again)
	if err != nil || created {
		t.Fatalf("second credit: created %v, err %v", created, err)
	}
	if n := countEntries(t, gdb, ""); n != 1 {
		t.Fatalf("%d entries after crediting the same source twice", n)
	}
	var e Entry
	if err := gdb.First(&e).Error; err != nil {
		t.Fatal(err)
	}
	if e.Hours != 150 || !e.EarnedAt.Equal(at) || e.Year != 2026 || e.Title == "" {
		t.Fatalf("the first credit was not the one kept: %+v", e)
	}
	// Another user, or another source type with the same id, is a new credit.
	for _, c := range []Credit{course(2, 7, 150, at), {UserID: 1, Hours: 50, Category: CategoryOnline, Kind: KindElective, SourceType: SourceExam, SourceID: 7, Title: "考试", EarnedAt: at}} {
		if created, err := svc.Credit(ctx, nil, c); err != nil || !created {
			t.Fatalf("distinct credit %+v: created %v, err %v", c, created, err)
		}
	}
	if n := countEntries(t, gdb, ""); n != 3 {
		t.Fatalf("%d entries, want 3", n)
	}
}

func TestCreditConcurrentExactlyOnce(t *testing.T) {
	t.Parallel()
	svc, gdb, _ := newTestService(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	const workers = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	createdCount, errs := 0, []error{}
	start := make(chan struct{})
	for range workers {
		wg.Go(func() {
			<-start
			created, err := svc.Credit(ctx, nil, course(9, 42, 100, at))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if created {
				createdCount++
			}
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d concurrent credits failed, first: %v", len(errs), workers, errs[0])
	}
	if createdCount != 1 {
		t.Fatalf("%d credits reported created, want 1", createdCount)
	}
	if n := countEntries(t, gdb, "user_id = ? AND source_type = ? AND source_id = ?", 9, SourceCourse, 42); n != 1 {
		t.Fatalf("%d rows for one source credited concurrently", n)
	}
}

func TestCreditInCallerTransactionRollsBack(t *testing.T) {
	t.Parallel()
	svc, gdb, _ := newTestService(t)
	ctx := context.Background()
	boom := errors.New("completion failed")
	err := gdb.Transaction(func(tx *gorm.DB) error {
		created, err := svc.Credit(ctx, tx, course(3, 1, 100, time.Now()))
		if err != nil || !created {
			t.Errorf("credit in tx: created %v, err %v", created, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	if n := countEntries(t, gdb, ""); n != 0 {
		t.Fatalf("%d entries survived the caller's rollback", n)
	}
	// The same credit after the rollback is new, and commits with the caller.
	err = gdb.Transaction(func(tx *gorm.DB) error {
		_, err := svc.Credit(ctx, tx, course(3, 1, 100, time.Now()))
		return err
	})
	if err != nil || countEntries(t, gdb, "") != 1 {
		t.Fatalf("committed credit: err %v, %d entries", err, countEntries(t, gdb, ""))
	}
}

func TestDuplicateInsideCallerTransactionKeepsItUsable(t *testing.T) {
	t.Parallel()
	svc, gdb, _ := newTestService(t)
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	if _, err := svc.Credit(ctx, nil, course(4, 1, 100, at)); err != nil {
		t.Fatal(err)
	}
	// Record every statement that fails: the duplicate must not raise an
	// error at all, so nothing can poison the caller's transaction.
	var failed []string
	var mu sync.Mutex
	record := func(d *gorm.DB) {
		if d.Error != nil {
			mu.Lock()
			failed = append(failed, d.Statement.SQL.String()+": "+d.Error.Error())
			mu.Unlock()
		}
	}
	if err := gdb.Callback().Raw().After("gorm:raw").Register("test:record_raw", record); err != nil {
		t.Fatal(err)
	}
	if err := gdb.Callback().Create().After("gorm:create").Register("test:record_create", record); err != nil {
		t.Fatal(err)
	}
	err := gdb.Transaction(func(tx *gorm.DB) error {
		// The caller's own write, then a duplicate credit, then more work.
		if err := tx.Exec("INSERT INTO settings (setting_key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)", "probe", "1", time.Now().UTC(), 0).Error; err != nil {
			return err
		}
		created, err := svc.Credit(ctx, tx.Where("1 = 0"), course(4, 1, 100, at)) // stray conditions must not leak in
		if err != nil {
			return err
		}
		if created {
			t.Error("duplicate reported as created")
		}
		if created, err = svc.Credit(ctx, tx, course(4, 2, 50, at)); err != nil || !created {
			t.Errorf("credit after the duplicate: created %v, err %v", created, err)
		}
		return tx.Exec("UPDATE settings SET value = ? WHERE setting_key = ?", "2", "probe").Error
	})
	if err != nil {
		t.Fatalf("transaction with a duplicate credit failed: %v", err)
	}
	if n := countEntries(t, gdb, "user_id = ?", 4); n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
	var v string
	gdb.Table("settings").Where("setting_key = ?", "probe").Pluck("value", &v)
	if v != "2" {
		t.Fatalf("the caller's writes around the duplicate were lost: %q", v)
	}
	if len(failed) > 0 {
		t.Fatalf("the duplicate credit raised an error on %s: %v", dbtest.Driver(), failed)
	}
}

func TestYearBoundaryIsBeijingTime(t *testing.T) {
	t.Parallel()
	svc, gdb, _ := newTestService(t)
	ctx := context.Background()
	newYear := time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC) // 00:30, 1 Jan 2026 in Beijing
	oldYear := time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC) // 23:59, 31 Dec 2025 in Beijing
	if _, err := svc.Credit(ctx, nil, course(5, 1, 100, newYear)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Credit(ctx, nil, course(5, 2, 25, oldYear)); err != nil {
		t.Fatal(err)
	}
	if n := countEntries(t, gdb, "source_id = ? AND year = ?", 1, 2026); n != 1 {
		t.Fatal("00:30 Beijing on 1 January was not stored in the new year")
	}
	if n := countEntries(t, gdb, "source_id = ? AND year = ?", 2, 2025); n != 1 {
		t.Fatal("23:59 Beijing on 31 December was not stored in the old year")
	}
	for year, want := range map[int]web.Hours{2026: 100, 2025: 25} {
		s, err := svc.Year(ctx, 5, year)
		if err != nil {
			t.Fatal(err)
		}
		if s.Totals.Total != want || len(s.Entries) != 1 {
			t.Fatalf("year %d: total %v with %d entries, want %v", year, s.Totals.Total, len(s.Entries), want)
		}
	}
	if YearOf(time.Date(2026, 12, 31, 15, 59, 59, 999_900_000, time.UTC)) != 2026 {
		t.Fatal("YearOf")
	}
}

func TestCreditValidation(t *testing.T) {
	t.Parallel()
	svc, gdb, _ := newTestService(t)
	ok := course(1, 1, 100, time.Now())
	long := make([]rune, 201)
	for i := range long {
		long[i] = '学'
	}
	cases := []struct {
		field string
		edit  func(*Credit)
	}{
		{"user_id", func(c *Credit) { c.UserID = 0 }},
		{"hours", func(c *Credit) { c.Hours = 0 }},
		{"hours", func(c *Credit) { c.Hours = -50 }},
		{"hours", func(c *Credit) { c.Hours = MaxCredit + 1 }},
		{"category", func(c *Credit) { c.Category = "offline" }},
		{"kind", func(c *Credit) { c.Kind = "" }},
		{"source_type", func(c *Credit) { c.SourceType = "courses" }},
		{"source_id", func(c *Credit) { c.SourceID = 0 }},
		{"title", func(c *Credit) { c.Title = "  " }},
		{"title", func(c *Credit) { c.Title = string(long) }},
	}
	for _, tc := range cases {
		c := ok
		tc.edit(&c)
		created, err := svc.Credit(context.Background(), nil, c)
		var we *web.Error
		if created || !errors.As(err, &we) || we.Status != 400 || we.Fields[tc.field] == "" {
			t.Errorf("%s: created %v, err %v", tc.field, created, err)
		}
	}
	if n := countEntries(t, gdb, ""); n != 0 {
		t.Fatalf("%d invalid credits stored", n)
	}
	// Zero EarnedAt means now; 200 characters is allowed.
	c := ok
	c.EarnedAt, c.Title = time.Time{}, string(long[:200])
	if created, err := svc.Credit(context.Background(), nil, c); err != nil || !created {
		t.Fatalf("valid credit: %v, %v", created, err)
	}
	var e Entry
	gdb.First(&e)
	if !e.EarnedAt.Equal(svc.now()) {
		t.Fatalf("earned_at = %v, want now %v", e.EarnedAt, svc.now())
	}
}

func TestSummarySplitsAndTargetsByLevel(t *testing.T) {
	t.Parallel()
	svc, _, _ := newTestService(t)
	ctx := context.Background()
	people := peopleOf(svc)
	people.levels[10] = "科员及以下"
	people.levels[11] = "县处级"
	at := func(y int) time.Time { return time.Date(y, 6, 1, 4, 0, 0, 0, time.UTC) }
	credits := []Credit{
		{UserID: 10, Hours: 150, Category: CategoryOnline, Kind: KindRequired, SourceType: SourceCourse, SourceID: 1, Title: "课程一", EarnedAt: at(2026)},
		{UserID: 10, Hours: 25, Category: CategoryOnline, Kind: KindElective, SourceType: SourceCourse, SourceID: 2, Title: "微课", EarnedAt: at(2026).Add(time.Hour)},
		{UserID: 10, Hours: 50, Category: CategoryOnline, Kind: KindElective, SourceType: SourceExam, SourceID: 1, Title: "课程测试", EarnedAt: at(2026).Add(2 * time.Hour)},
		{UserID: 10, Hours: 3000, Category: CategoryCentralized, Kind: KindRequired, SourceType: SourceClass, SourceID: 1, Title: "乡科级干部培训班", EarnedAt: at(2026).Add(-time.Hour)},
		{UserID: 10, Hours: 999, Category: CategoryOnline, Kind: KindRequired, SourceType: SourceCourse, SourceID: 3, Title: "去年的课", EarnedAt: at(2025)},
	}
	// 县处级: centralized hours in 2021 fall outside the 2022–2026 window.
	for i, y := range []int{2021, 2022, 2024, 2026} {
		credits = append(credits, Credit{UserID: 11, Hours: web.Hours(10000 * (i + 1)), Category: CategoryCentralized, Kind: KindRequired, SourceType: SourceClass, SourceID: uint64(100 + i), Title: "县处级干部进修班", EarnedAt: at(y)})
	}
	credits = append(credits, Credit{UserID: 11, Hours: 700, Category: CategoryOnline, Kind: KindElective, SourceType: SourceCourse, SourceID: 1, Title: "课程", EarnedAt: at(2026)})
	for _, c := range credits {
		if _, err := svc.Credit(ctx, nil, c); err != nil {
			t.Fatal(err)
		}
	}

	s, err := svc.Year(ctx, 10, 2026)
	if err != nil {
		t.Fatal(err)
	}
	want := Totals{Total: 3225, Online: 225, Centralized: 3000, Required: 3150, Elective: 75}
	if s.Totals != want {
		t.Fatalf("totals = %+v, want %+v", s.Totals, want)
	}
	if s.Totals.Online+s.Totals.Centralized != s.Totals.Total || s.Totals.Required+s.Totals.Elective != s.Totals.Total {
		t.Fatal("splits do not add up")
	}
	if s.Targets.Senior || s.Targets.Centralized != 9000 || s.Targets.Online != 5000 || s.Targets.Centralized5y != 0 {
		t.Fatalf("科员 targets = %+v", s.Targets)
	}
	if len(s.Entries) != 4 || s.Entries[0].Title != "课程测试" || s.Entries[3].Title != "乡科级干部培训班" {
		t.Fatalf("entries not newest first: %+v", s.Entries)
	}
	if s.Carry != nil {
		t.Fatal("carry-over reported while the setting is off")
	}

	s, err = svc.Year(ctx, 11, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Targets.Senior || s.Targets.Centralized5y != 55000 || s.Targets.Centralized != 0 || s.Targets.Centralized5yFrom != 2022 {
		t.Fatalf("县处级 targets = %+v", s.Targets)
	}
	if s.Targets.Centralized5yDone != 20000+30000+40000 {
		t.Fatalf("5-year centralized = %v, want 900", s.Targets.Centralized5yDone)
	}
	if s.Totals.Centralized != 40000 || s.Totals.Online != 700 {
		t.Fatalf("县处级 2026 totals = %+v", s.Totals)
	}

	a, err := svc.Archive(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Years) != 2 || a.Years[0].Year != 2026 || a.Years[1].Year != 2025 || a.Years[0].Totals != want || a.Years[1].Totals.Online != 999 || a.Totals.Total != 3225+999 {
		t.Fatalf("archive = %+v", a)
	}
	years, err := svc.Years(ctx, 11)
	if err != nil || len(years) != 4 || years[0] != 2026 || years[3] != 2021 {
		t.Fatalf("years = %v, %v", years, err)
	}
}

func TestCarryOverCountsLastYearsSurplus(t *testing.T) {
	t.Parallel()
	svc, _, set := newTestService(t)
	ctx := context.Background()
	at := func(y int) time.Time { return time.Date(y, 6, 1, 4, 0, 0, 0, time.UTC) }
	for i, c := range []Credit{
		{Hours: 7000, Category: CategoryOnline, EarnedAt: at(2025)},      // 20 over 50
		{Hours: 9500, Category: CategoryCentralized, EarnedAt: at(2025)}, // 5 over 90
		{Hours: 1000, Category: CategoryOnline, EarnedAt: at(2026)},
		{Hours: 9000, Category: CategoryOnline, EarnedAt: at(2024)}, // two years back: never carried
	} {
		c.UserID, c.Kind, c.SourceType, c.SourceID, c.Title = 20, KindRequired, SourceClass, uint64(i+1), "班次"
		if _, err := svc.Credit(ctx, nil, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := set.Set(ctx, 1, map[string]string{SetCarryOver: "true"}); err != nil {
		t.Fatal(err)
	}
	s, err := svc.Year(ctx, 20, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if s.Carry == nil || s.Carry.Online != 2000 || s.Carry.Centralized != 500 {
		t.Fatalf("carry = %+v", s.Carry)
	}
	if s.Totals.Total != 1000 || s.OnlineDone() != 3000 || s.CentralizedDone() != 500 {
		t.Fatalf("totals %+v, online done %v, centralized done %v", s.Totals, s.OnlineDone(), s.CentralizedDone())
	}
	if r := hoursResponse(s); r.CarriedOver == nil || r.Total != 1000 {
		t.Fatalf("response = %+v", r)
	}
}

func TestDayHoursSettings(t *testing.T) {
	t.Parallel()
	svc, _, set := newTestService(t)
	ctx := context.Background()
	if svc.DayHours(ctx) != 600 || svc.HalfDayHours(ctx) != 300 {
		t.Fatalf("defaults: %v, %v", svc.DayHours(ctx), svc.HalfDayHours(ctx))
	}
	if err := set.Set(ctx, 1, map[string]string{SetDayHours: "8", SetOnlineYearly: "60.5"}); err != nil {
		t.Fatal(err)
	}
	if svc.DayHours(ctx) != 800 {
		t.Fatal("day hours setting ignored")
	}
	if s, _ := svc.Year(ctx, 1, 2026); s.Targets.Online != 6050 {
		t.Fatalf("online target = %v", s.Targets.Online)
	}
}
