package portal_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/web"

	"gorm.io/gorm"
)

// countLedgerQueries counts the statements that read hour_entries.
func countLedgerQueries(t *testing.T, a *collegetest.App) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	cb := func(tx *gorm.DB) {
		sql := strings.TrimSpace(tx.Statement.SQL.String())
		if strings.HasPrefix(sql, "SELECT") && strings.Contains(sql, "hour_entries") {
			n.Add(1)
		}
	}
	for name, err := range map[string]error{
		"query": a.DB.Callback().Query().After("gorm:query").Register("test:ledger_query", cb),
		"row":   a.DB.Callback().Row().After("gorm:row").Register("test:ledger_row", cb),
		"raw":   a.DB.Callback().Raw().After("gorm:raw").Register("test:ledger_raw", cb),
	} {
		if err != nil {
			t.Fatalf("register %s callback: %v", name, err)
		}
	}
	return &n
}

func credit(t *testing.T, a *collegetest.App, user uint64, category string, h float64, source uint64, at time.Time) {
	t.Helper()
	_, err := a.Hours.Credit(context.Background(), nil, hours.Credit{UserID: user, Hours: web.HoursFromFloat(h), Category: category, Kind: hours.KindElective,
		SourceType: hours.SourceCourse, SourceID: source, Title: "课程", EarnedAt: at})
	if err != nil {
		t.Fatal(err)
	}
}

// truth computes the rankings with SQL of its own over the seeded rows.
func truth(t *testing.T, a *collegetest.App, year int, target float64) (people, units []string) {
	t.Helper()
	var ps []struct {
		Name  string
		Total int64
	}
	err := a.DB.Raw(`SELECT u.name AS name, SUM(e.hours_x100) AS total FROM hour_entries e JOIN users u ON u.id = e.user_id
WHERE e.year = ? AND u.disabled = ? AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'learner')
GROUP BY u.id, u.name ORDER BY total DESC, u.id LIMIT 10`, year, false).Scan(&ps).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		people = append(people, fmt.Sprintf("%s=%s", p.Name, web.Hours(p.Total)))
	}
	var us []struct {
		Name        string
		Cadres, Met int64
	}
	err = a.DB.Raw(`SELECT x.name, x.cadres, x.met FROM (SELECT o.id AS id, o.name AS name, COUNT(*) AS cadres,
  SUM(CASE WHEN (SELECT COALESCE(SUM(e.hours_x100), 0) FROM hour_entries e WHERE e.user_id = u.id AND e.year = ? AND e.category = 'online') >= ? THEN 1 ELSE 0 END) AS met
FROM users u JOIN orgs o ON o.id = u.org_id AND o.kind = 'unit'
WHERE u.disabled = ? AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'learner')
GROUP BY o.id, o.name) x ORDER BY x.met * 1.0 / x.cadres DESC, x.cadres DESC, x.id`, year, int64(target*100), false).Scan(&us).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		units = append(units, fmt.Sprintf("%s=%d/%d=%g", u.Name, u.Met, u.Cadres, math.Round(float64(u.Met)/float64(u.Cadres)*1000)/10))
	}
	return people, units
}

// ranked reads the rankings from the public portal.
func ranked(t *testing.T, a *collegetest.App) (people, units []string) {
	t.Helper()
	r := a.Do("GET", "/api/v1/portal", "", nil)
	collegetest.MustStatus(t, r, 200)
	rk := r.JSON(t)["rankings"].(map[string]any)
	for _, p := range rk["people"].([]any) {
		m := p.(map[string]any)
		if len(m) != 4 {
			t.Fatalf("a person in the ranking carries more than rank, name, unit and hours: %v", m)
		}
		people = append(people, fmt.Sprintf("%s=%v", m["name"], m["hours"]))
	}
	for _, u := range rk["units"].([]any) {
		m := u.(map[string]any)
		units = append(units, fmt.Sprintf("%s=%v/%v=%v", m["name"], m["met"], m["cadres"], m["percent"]))
	}
	return people, units
}

func TestRankingsAreCachedAndEqualTheLedger(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	a.Provision(
		identity.UserRequest{Username: "ua_c2", Name: "甲二", OrgID: c.UnitA, Roles: []string{"learner"}},
		identity.UserRequest{Username: "ub_c2", Name: "乙二", OrgID: c.UnitB, Roles: []string{"learner"}},
		identity.UserRequest{Username: "ub_c3", Name: "乙三", OrgID: c.UnitB, Roles: []string{"learner"}},
	)
	now := time.Now()
	year := now.In(web.Shanghai).Year()
	lastYear := time.Date(year-1, 6, 1, 0, 0, 0, 0, web.Shanghai)
	credit(t, a, c.IDs["ua_cadre"], hours.CategoryOnline, 60, 1, now)
	credit(t, a, a.UserID("ua_c2"), hours.CategoryOnline, 30, 2, now)
	credit(t, a, a.UserID("ua_c2"), hours.CategoryCentralized, 40, 3, now)
	credit(t, a, c.IDs["ub_cadre"], hours.CategoryOnline, 50, 4, now)
	credit(t, a, a.UserID("ub_c3"), hours.CategoryOnline, 55, 5, now)
	credit(t, a, a.UserID("ub_c2"), hours.CategoryOnline, 100, 6, lastYear)
	credit(t, a, c.IDs["col"], hours.CategoryOnline, 500, 7, now) // no learner role: not ranked

	queries := countLedgerQueries(t, a)
	people, units := ranked(t, a)
	if queries.Load() == 0 {
		t.Fatal("no ranking query counted: the counter sees nothing")
	}
	wantPeople, wantUnits := truth(t, a, year, 50)
	if fmt.Sprint(people) != fmt.Sprint(wantPeople) || fmt.Sprint(people) != "[测试ua_c2=70 测试ua_cadre=60 乙三=55 测试ub_cadre=50]" && fmt.Sprint(people) != "[甲二=70 测试ua_cadre=60 乙三=55 测试ub_cadre=50]" {
		t.Fatalf("people ranking %v, independent SQL %v", people, wantPeople)
	}
	if fmt.Sprint(units) != fmt.Sprint(wantUnits) || fmt.Sprint(units) != "[东城区教育局=2/3=66.7 东城区发改委=1/2=50]" {
		t.Fatalf("unit ranking %v, independent SQL %v", units, wantUnits)
	}
	first := queries.Load()

	// Warm: no ranking SQL, even as the ledger grows.
	credit(t, a, a.UserID("ub_c2"), hours.CategoryOnline, 80, 8, now)
	for range 3 {
		if p, _ := ranked(t, a); fmt.Sprint(p) != fmt.Sprint(people) {
			t.Fatalf("a cached ranking changed: %v", p)
		}
	}
	if n := queries.Load(); n != first {
		t.Fatalf("warm requests ran %d ranking queries", n-first)
	}

	// Past its lifetime the ranking is computed again.
	clock := now.Add(6 * time.Minute)
	a.Portal.SetClock(func() time.Time { return clock })
	people, units = ranked(t, a)
	if queries.Load() == first || !strings.HasPrefix(fmt.Sprint(people), "[乙二=80 ") || fmt.Sprint(units) != "[东城区教育局=3/3=100 东城区发改委=1/2=50]" {
		t.Fatalf("not refreshed after its lifetime: %v %v", people, units)
	}

	// A new online target drops it at once, on every instance.
	a.Setting(hours.SetOnlineYearly, "55")
	deadline := time.Now().Add(3 * time.Second)
	_, wantUnits = truth(t, a, year, 55)
	refreshed := queries.Load()
	for {
		_, units = ranked(t, a)
		if fmt.Sprint(units) == fmt.Sprint(wantUnits) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the target changed: %v, want %v", units, wantUnits)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if queries.Load() == refreshed {
		t.Fatal("the new ranking ran no query")
	}
	if fmt.Sprint(units) != "[东城区教育局=2/3=66.7 东城区发改委=1/2=50]" {
		t.Fatalf("units at a target of 55: %v", units)
	}
}
