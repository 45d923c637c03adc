package reports_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/dashboard"
	"college/modules/reports"
	"college/modules/web"
)

// TestHoursReportAtScale builds 100,000 cadres in 10 districts of 20
// units and 1,000,000 ledger entries, then times the city's
// hours_compliance report from request to file. Skipped unless
// COLLEGE_BENCH_REPORTS=1; with COLLEGE_TEST_MYSQL_DSN it runs on MariaDB.
func TestHoursReportAtScale(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_REPORTS") != "1" {
		t.Skip("set COLLEGE_BENCH_REPORTS=1 to run the reports benchmark")
	}
	const cadres, entries, districts, unitsPer = 100_000, 1_000_000, 10, 20
	a := collegetest.New(t)
	ctx := context.Background()
	var root struct {
		ID   uint64
		Path string
	}
	if err := a.DB.Raw("SELECT id, path FROM orgs WHERE parent_id IS NULL").Scan(&root).Error; err != nil {
		t.Fatal(err)
	}
	start, now := time.Now(), time.Now().UTC()
	exec := func(q string, args ...any) {
		t.Helper()
		if err := a.DB.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	var units []uint64
	next := uint64(1000)
	for d := range districts {
		did := next
		next++
		dpath := fmt.Sprintf("%s%d/", root.Path, did)
		exec("INSERT INTO orgs (id, parent_id, name, code, kind, path, sort, created_at, updated_at) VALUES (?, ?, ?, ?, 'department', ?, 0, ?, ?)", did, root.ID, fmt.Sprintf("区县 %d", d), fmt.Sprintf("BD%d", d), dpath, now, now)
		for u := range unitsPer {
			uid := next
			next++
			exec("INSERT INTO orgs (id, parent_id, name, code, kind, path, sort, created_at, updated_at) VALUES (?, ?, ?, ?, 'unit', ?, 0, ?, ?)", uid, did, fmt.Sprintf("单位 %d-%d", d, u), fmt.Sprintf("BU%d-%d", d, u), fmt.Sprintf("%s%d/", dpath, uid), now, now)
			units = append(units, uid)
		}
	}
	const batch = 2000
	firstUser := uint64(100_000)
	levels := []string{"乡科级", "科员及以下", "县处级", "乡科级", "科员及以下"}
	for i := 0; i < cadres; i += batch {
		var users, roles []string
		var uargs, rargs []any
		for k := i; k < min(i+batch, cadres); k++ {
			id := firstUser + uint64(k)
			users = append(users, "(?, ?, ?, 'x', ?, ?, '', '', '', ?, ?, ?, ?, ?)")
			uargs = append(uargs, id, fmt.Sprintf("bench%06d", k), fmt.Sprintf("干部%06d", k), units[k%len(units)], levels[k%len(levels)], false, false, now, now, now)
			roles = append(roles, "(?, 'learner')")
			rargs = append(rargs, id)
		}
		exec("INSERT INTO users (id, username, name, password_hash, org_id, level, post, id_number_sealed, phone_sealed, disabled, must_change_password, password_changed_at, created_at, updated_at) VALUES "+strings.Join(users, ","), uargs...)
		exec("INSERT INTO user_roles (user_id, role) VALUES "+strings.Join(roles, ","), rargs...)
	}
	for i := 0; i < entries; i += batch {
		var rows []string
		var args []any
		for k := i; k < min(i+batch, entries); k++ {
			n := k / cadres
			cat := "online"
			if n%3 == 2 {
				cat = "centralized"
			}
			h := int64(500 + (k*7919)%4000)
			if cat == "centralized" {
				h *= 4
			}
			rows = append(rows, "(?, ?, ?, ?, 'required', 'course', ?, 'bench', ?, ?)")
			args = append(args, firstUser+uint64(k%cadres), 2023+n%4, h, cat, k+1, now, now)
		}
		exec("INSERT INTO hour_entries (user_id, year, hours_x100, category, kind, source_type, source_id, title, earned_at, created_at) VALUES "+strings.Join(rows, ","), args...)
	}
	if a.DB.Dialector.Name() == "mysql" {
		exec("ANALYZE TABLE hour_entries, users, user_roles, orgs")
	} else {
		exec("ANALYZE")
	}
	t.Logf("built %d cadres, %d entries in %s on %s", cadres, entries, time.Since(start).Round(time.Second), a.DB.Dialector.Name())
	a.Setting(dashboard.SetCacheSecs, "0") // every figure computed from SQL
	org := a.CreateUser("", "bench_org", root.ID, "org_admin")
	p := &web.Principal{UserID: org, Username: "bench_org", Roles: []string{web.RoleOrgAdmin}, OrgID: root.ID, OrgPath: root.Path}
	t0 := time.Now()
	j, err := a.Reports.Request(ctx, p, reports.ReportRequest{Kind: reports.KindHours, Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Reports.RunPending(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	j, err = a.Reports.Get(ctx, p, j.ID)
	if err != nil || j.State != reports.StateDone {
		t.Fatalf("job: %+v %v", j, err)
	}
	info, err := a.Objects.Stat(ctx, j.ObjectKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Dash.Compliance(ctx, p, 0, 2026)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("city hours_compliance report: %s for %d cadres (%d behind), %d steps, %.1f MB xlsx", took.Round(time.Millisecond), c.Cadres, c.Behind, j.ProgressAll, float64(info.Size)/1e6)
}
