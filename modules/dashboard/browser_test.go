package dashboard_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"

	"github.com/chromedp/chromedp"
)

// The org department opens the dashboard on a phone, sees the summary,
// the chart and the units, drills down to the district and to unit A, opens
// unit A's cadres behind, and downloads the people export as a workbook.
func TestBrowserOrgAdminDrillsDown(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	f := newFixture(t)
	base := f.a.Start()
	collegetest.ChromeLogin(t, ctx, base, "org", collegetest.UserPassword)
	txt := collegetest.Visit(t, ctx, base+"/admin/dashboard?year=2026", "各单位达标情况")
	if !strings.Contains(txt, "达标率") || !strings.Contains(txt, "东城区委组织部") {
		t.Fatalf("dashboard text: %s", txt)
	}
	collegetest.WaitTrue(t, ctx, `(function(){var i=document.querySelector('.dash-chart img');return !!i&&i.complete&&i.naturalWidth>0;})()`, 15*time.Second, "the chart never loaded")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
	if err != nil || !wide {
		t.Fatalf("the dashboard scrolls sideways at 390 px: %v", err)
	}
	collegetest.Screenshot(t, ctx, "dash-01-city")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.dash-drill[href*="org_id=%d&"]`, f.district)))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "东城区发改委")
	collegetest.Screenshot(t, ctx, "dash-02-district")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.dash-drill[href*="org_id=%d&"]`, f.c.UnitA)))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "综合管理 · 东城区发改委")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kpi-behind`))); err != nil {
		t.Fatal(err)
	}
	txt = collegetest.WaitText(t, ctx, "未达标干部 · 东城区发改委")
	if !strings.Contains(txt, "干部a2") || !strings.Contains(txt, "干部a4") || strings.Contains(txt, "干部a1") {
		t.Fatalf("behind list: %s", txt)
	}
	collegetest.Screenshot(t, ctx, "dash-03-unit-behind")
	// The export link answers a workbook (the bytes of a zip file).
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#people-export').href).then(function(r){return r.arrayBuffer().then(function(b){var u=new Uint8Array(b);return r.status+' '+r.headers.get('content-type')+' '+String.fromCharCode(u[0],u[1])+' '+u.length;});})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet PK ") {
		t.Fatalf("export answered %q", got)
	}
}

// The org department opens the dashboard on a phone, switches to the
// training coverage tab, sees its chart without scrolling sideways, drills
// down to the district and opens the cadres it has not covered.
func TestBrowserOrgAdminOpensCoverage(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	f := newFixture(t)
	base := f.a.Start()
	collegetest.ChromeLogin(t, ctx, base, "org", collegetest.UserPassword)
	collegetest.Visit(t, ctx, base+"/admin/dashboard?year=2026", "各单位达标情况")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.dash-tabs a[href^="/admin/dashboard/coverage"]`))); err != nil {
		t.Fatal(err)
	}
	txt := collegetest.WaitText(t, ctx, "各单位培训覆盖情况")
	if !strings.Contains(txt, "应训领导干部") || !strings.Contains(txt, "东城区委组织部") {
		t.Fatalf("coverage text: %s", txt)
	}
	collegetest.WaitTrue(t, ctx, `(function(){var i=document.querySelector('.dash-chart img');return !!i&&i.complete&&i.naturalWidth>0;})()`, 15*time.Second, "the chart never loaded")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
	if err != nil || !wide {
		t.Fatalf("the coverage page scrolls sideways at 390 px: %v", err)
	}
	collegetest.Screenshot(t, ctx, "dash-coverage-01-city")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.dash-drill[href*="org_id=%d&"]`, f.district)))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "培训覆盖 · 东城区委组织部")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kpi-uncovered`))); err != nil {
		t.Fatal(err)
	}
	txt = collegetest.WaitText(t, ctx, "未覆盖干部 · 东城区委组织部")
	if !strings.Contains(txt, "干部a1") || !strings.Contains(txt, "干部d1") {
		t.Fatalf("uncovered list: %s", txt)
	}
	collegetest.Screenshot(t, ctx, "dash-coverage-02-uncovered")
}
