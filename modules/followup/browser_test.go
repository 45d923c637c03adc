package followup_test

import (
	"college/app/collegetest"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// followupBrowserAs logs the browser out (if needed) and in as user.
func followupBrowserAs(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var f=document.querySelector('form[action="/logout"]'); if(f){f.submit(); return true} return false})()`))
	time.Sleep(300 * time.Millisecond)
	collegetest.ChromeLogin(t, ctx, base, user, password)
}

// followupVisit opens a page at phone width, waits for want and saves a screenshot.
func followupVisit(t *testing.T, ctx context.Context, url, want, shot string) string {
	t.Helper()
	txt := collegetest.Visit(t, ctx, url, want)
	// Nothing may be wider than the phone.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err == nil && wide {
		t.Errorf("%s scrolls sideways at phone width", url)
	}
	collegetest.Screenshot(t, ctx, shot)
	return txt
}

// The follow-up pages of every role at phone width.
func TestFollowupBrowserPages(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, e := collegetest.NewFollowupApp(t)
	cadre, _, plan := a.FollowupGraduatePlan(e, "fu_b", fmt.Sprintf("%d-06-30", e.Year+3), "110101199003074514", 40)
	rounds := plan["rounds"].([]any)
	first := uint64(rounds[0].(map[string]any)["id"].(float64))
	second := uint64(rounds[1].(map[string]any)["id"].(float64))
	for _, r := range []uint64{first, second} {
		a.FollowupAssign(e, r)
	}
	q := a.Do("POST", fmt.Sprintf("/api/v1/followup-rounds/%d/questionnaires", second), e.MemberTok, map[string]any{"kind": "民主评议",
		"respondents": []map[string]any{{"label": "上级"}, {"label": "同事"}, {"label": "同事"}}})
	collegetest.MustStatus(t, q, 201)
	links := q.JSON(t)["links"].([]any)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/"+strings.TrimPrefix(links[0].(map[string]any)["path"].(string), "/"), "", map[string]any{"answers": []string{"优秀", "良好", "优秀", "良好", "优秀", "工作扎实"}}), 201)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d/self-report", first), a.TokenFor(cadre), map[string]any{"content": "本年度按计划完成自学，围绕营商环境开展专题调研两次。"}), 200)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d", first), e.MemberTok, collegetest.FollowupComplete("优秀")), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/followup-rounds/%d/excellent", first), e.Tokens["org"], map[string]any{"case_note": "以党建引领推进审批制度改革"}), 200)
	base := a.Start()

	collegetest.ChromeLogin(t, ctx, base, "fu_b", collegetest.UserPassword)
	followupVisit(t, ctx, base+"/me/followup", "待办任务", "fu-01-me")
	followupVisit(t, ctx, base+fmt.Sprintf("/followup/rounds/%d/report", first), "跟踪问效报告", "fu-02-report-cadre")

	followupBrowserAs(t, ctx, base, "fu_team", collegetest.UserPassword)
	followupVisit(t, ctx, base+"/followup/rounds", "我的问效任务", "fu-03-team-rounds")
	followupVisit(t, ctx, base+fmt.Sprintf("/followup/rounds/%d", second), "问效内容与评分", "fu-04-round-form")

	followupBrowserAs(t, ctx, base, "ua_admin", collegetest.UserPassword)
	followupVisit(t, ctx, base+"/unit/followup", "本单位跟踪问效", "fu-05-unit")

	followupBrowserAs(t, ctx, base, "org", collegetest.UserPassword)
	followupVisit(t, ctx, base+fmt.Sprintf("/admin/followup?year=%d", e.Year+1), "跟踪问效管理", "fu-06-admin")
	followupVisit(t, ctx, base+"/admin/followup/plans", "跟踪问效计划", "fu-07-admin-plans")
	followupVisit(t, ctx, base+"/admin/followup/team", "问效指标模板", "fu-08-admin-team")
	txt := followupVisit(t, ctx, base+fmt.Sprintf("/followup/rounds/%d/report", first), "报送与查阅", "fu-09-report-admin")
	if !strings.Contains(txt, "已阅 1 人") {
		t.Errorf("the report page does not show the admin's receipt:\n%s", txt)
	}

	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var f=document.querySelector('form[action="/logout"]'); if(f){f.submit(); return true} return false})()`))
	time.Sleep(300 * time.Millisecond)
	followupVisit(t, ctx, base+links[1].(map[string]any)["path"].(string), "匿名汇总", "fu-10-questionnaire")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="q0"][value="良好"]`)), chromedp.Click(chromedp.CSS(`input[name="q1"][value="良好"]`)),
		chromedp.Click(chromedp.CSS(`input[name="q2"][value="一般"]`)), chromedp.Click(chromedp.CSS(`input[name="q3"][value="良好"]`)),
		chromedp.Click(chromedp.CSS(`input[name="q4"][value="良好"]`)), chromedp.SendKeys(chromedp.CSS(`#q5`), "希望加强调研"),
		chromedp.Click(chromedp.CSS(`form[action^="/q/"] button[type=submit]`)),
	); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "提交成功")
	collegetest.Screenshot(t, ctx, "fu-11-questionnaire-done")
	r := a.Do("GET", fmt.Sprintf("/api/v1/followup-rounds/%d", second), e.MemberTok, nil)
	if qs := r.JSON(t)["questionnaires"].([]any); qs[0].(map[string]any)["responses"].(float64) != 2 {
		t.Fatalf("responses after the browser: %s", r.Body)
	}
}
