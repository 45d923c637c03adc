package main

import (
	"college/app/collegetest"
	"college/modules/web"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// setValue sets a form field's value the way a user would leave it,
// firing input and change events (date inputs take no typed keys reliably).
func setValue(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	js := fmt.Sprintf(`(function(){var e=document.querySelector(%q); if(!e) return false; e.value=%q; e.dispatchEvent(new Event("input",{bubbles:true})); e.dispatchEvent(new Event("change",{bubbles:true})); return true})()`, sel, value)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		t.Fatalf("set %s: %v", sel, err)
	}
}

// The follow-up journey on phones: a graduate files a self-study plan and
// a report-back, a team member sends a questionnaire that a colleague
// answers without an account, completes the round, and the unit admin
// reads the report.
func TestBrowserFollowupJourney(t *testing.T) {
	cadreCtx := collegetest.NewChrome(t)
	a, e := collegetest.NewFollowupApp(t)
	cadre, class, plan := a.FollowupGraduatePlan(e, "fu_j", fmt.Sprintf("%d-06-30", e.Year+3), "110101199003074514", 5)
	round := a.FollowupAssignFirst(e, plan)
	base := a.Start()

	// The graduate files the self-study plan and the report-back.
	collegetest.ChromeLogin(t, cadreCtx, base, "fu_j", collegetest.UserPassword)
	collegetest.Visit(t, cadreCtx, base+"/me/followup", "自学计划")
	setValue(t, cadreCtx, fmt.Sprintf("#sp-%d", class), "每月精读一章必读教材，每季度撰写一篇学习体会，结合分管工作开展一项专题调研。")
	collegetest.SubmitForm(t, cadreCtx, "/me/followup/study-plan")
	collegetest.WaitText(t, cadreCtx, "自学计划已提交")
	// The college's day is Shanghai's: from 16:00 UTC it is already tomorrow there.
	setValue(t, cadreCtx, fmt.Sprintf("#rb-date-%d", class), time.Now().In(web.Shanghai).Format(time.DateOnly))
	setValue(t, cadreCtx, fmt.Sprintf("#rb-aud-%d", class), "本单位党组理论学习中心组及全体干部")
	setValue(t, cadreCtx, fmt.Sprintf("#rb-sum-%d", class), "传达主体班学习内容，交流营商环境改革的体会。")
	collegetest.SubmitForm(t, cadreCtx, "/me/followup/report-backs")
	collegetest.WaitText(t, cadreCtx, "本单位党组理论学习中心组及全体干部")
	collegetest.Screenshot(t, cadreCtx, "60-graduate-tasks")
	var plans, backs int64
	a.DB.Table("study_plans").Where("user_id = ? AND class_id = ?", cadre, class).Count(&plans)
	a.DB.Table("report_backs").Where("user_id = ? AND class_id = ?", cadre, class).Count(&backs)
	if plans != 1 || backs != 1 {
		t.Fatalf("study plans %d, report-backs %d", plans, backs)
	}

	// The team member sends a questionnaire to two colleagues.
	teamCtx := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, teamCtx, base, "fu_team", collegetest.UserPassword)
	roundPage := fmt.Sprintf("%s/followup/rounds/%d", base, round)
	collegetest.Visit(t, teamCtx, roundPage, "问效内容与评分")
	if _, err := chromedp.Run(teamCtx, chromedp.Evaluate[bool](`document.querySelectorAll("details").forEach(d => d.open = true); true`)); err != nil {
		t.Fatal(err)
	}
	setValue(t, teamCtx, "#q-resp", "上级\n同事")
	collegetest.SubmitForm(t, teamCtx, fmt.Sprintf("/followup/rounds/%d/questionnaires", round))
	collegetest.WaitText(t, teamCtx, "链接已生成")
	links, err := chromedp.Run(teamCtx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input[id^="link-"]')).map(e => e.value)`))
	if err != nil || len(links) != 2 {
		t.Fatalf("questionnaire links: %v %v", links, err)
	}
	// Links are built on the configured public address (here the default,
	// localhost:8080); the test server listens elsewhere.
	for i, l := range links {
		if !strings.HasPrefix(l, "http://localhost:8080/q/") {
			t.Fatalf("link %q is not on the public address", l)
		}
		links[i] = base + strings.TrimPrefix(l, "http://localhost:8080")
	}
	collegetest.Screenshot(t, teamCtx, "61-questionnaire-links")

	// A colleague answers without an account; the link then stops working.
	anonCtx := collegetest.NewChrome(t)
	collegetest.Visit(t, anonCtx, links[0], "优秀")
	for i, g := range []string{"优秀", "良好", "优秀", "良好", "优秀"} {
		if err := chromedp.Do(anonCtx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="q%d"][value="%s"]`, i, g)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(anonCtx, chromedp.Click(chromedp.CSS(`form[action^="/q/"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, anonCtx, "提交成功")
	collegetest.Screenshot(t, anonCtx, "62-colleague-answered")
	if r := a.Do("GET", strings.TrimPrefix(links[0], base), "", nil); r.Status != 410 {
		t.Fatalf("a used link answers %d", r.Status)
	}

	// The team member completes the round.
	collegetest.Visit(t, teamCtx, roundPage, "问效内容与评分")
	for i, score := range []string{"92", "88", "90", "85"} {
		setValue(t, teamCtx, fmt.Sprintf(`input[name="d%d_score"]`, i), score)
		setValue(t, teamCtx, fmt.Sprintf(`textarea[name="d%d_notes"]`, i), "情况良好，成效明显。")
	}
	for _, m := range []string{"听取汇报", "民主评议"} {
		if _, err := chromedp.Run(teamCtx, chromedp.Evaluate[bool](fmt.Sprintf(`(function(){var e=document.querySelector('input[name="method"][value="%s"]'); e.checked=true; return true})()`, m))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Run(teamCtx, chromedp.Evaluate[bool](`(function(){document.querySelector('input[name="conclusion"][value="良好"]').checked=true; window.confirm=()=>true; return true})()`)); err != nil {
		t.Fatal(err)
	}
	complete := `#round-form button[name="action"][value="complete"]`
	if err := chromedp.Do(teamCtx, chromedp.ScrollIntoView(chromedp.CSS(complete)), chromedp.Click(chromedp.CSS(complete))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, teamCtx, "本轮问效已完成")
	collegetest.Screenshot(t, teamCtx, "63-round-done")
	var status, conclusion string
	a.DB.Table("followup_rounds").Where("id = ?", round).Pluck("status", &status)
	a.DB.Table("followup_rounds").Where("id = ?", round).Pluck("conclusion", &conclusion)
	if status != "done" || conclusion != "良好" {
		t.Fatalf("round %s, conclusion %s", status, conclusion)
	}

	// The unit admin finds the report and reads it.
	unitCtx := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, unitCtx, base, "ua_admin", collegetest.UserPassword)
	collegetest.Visit(t, unitCtx, base+"/unit/followup", "干部fu_j")
	report := fmt.Sprintf(`a[href="/followup/rounds/%d/report"]`, round)
	if err := chromedp.Do(unitCtx, chromedp.ScrollIntoView(chromedp.CSS(report)), chromedp.Click(chromedp.CSS(report))); err != nil {
		t.Fatal(err)
	}
	txt := collegetest.WaitText(t, unitCtx, "跟踪问效报告")
	for _, want := range []string{"党性教育", "理论提升", "主体业绩", "改革创新", "良好", "民主评议", "干部fu_j"} {
		if !strings.Contains(txt, want) {
			t.Fatalf("report lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "110101199003074514") {
		t.Fatal("the report shows the full ID number")
	}
	collegetest.Screenshot(t, unitCtx, "64-unit-reads-report")
	if reads := a.Count("followup_report_reads", "round_id = ? AND user_id = ?", round, e.IDs["ua_admin"]); reads != 1 {
		t.Fatalf("read receipts of the unit admin: %d", reads)
	}
}
