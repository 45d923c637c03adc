package home_test

import (
	"testing"

	"college/app/collegetest"
	"college/modules/identity"

	"github.com/chromedp/chromedp"
)

// At 390 px a cadre's home shows the two hours rings and the required
// course, nothing runs wider than the phone, and the learning menu opens
// from the nav; at 1280 px the org department's nav, the longest, stays on
// one row.
func TestBrowserHome(t *testing.T) {
	t.Parallel()
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	collegetest.ArticleCourse(t, a, c.Tokens["col"], "学习贯彻专题必修课", true, c.UnitA)
	base := a.Start()
	collegetest.ChromeLogin(t, ctx, base, "ua_cadre", collegetest.UserPassword)
	collegetest.PhonePage(t, ctx, base+"/", "学习贯彻专题必修课", "home-cadre-390")
	rings, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.ring svg').length`))
	if err != nil || rings != 2 {
		t.Fatalf("rings: %d %v", rings, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`label[for="nav-toggle"]`)),
		chromedp.Click(chromedp.CSS(`.nav-menu summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.nav-menu a[href="/me/hours"]`)),
	)
	if err != nil {
		t.Fatalf("open the learning menu: %v", err)
	}
	collegetest.Screenshot(t, ctx, "home-cadre-menu-390")

	desk := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, desk, base, "org", collegetest.UserPassword)
	if err := chromedp.Do(desk, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, desk, "管理工作")
	height, err := chromedp.Run(desk, chromedp.Evaluate[float64](`document.querySelector('.nav-list').getBoundingClientRect().height`))
	if err != nil || height > 60 {
		t.Fatalf("the org department's nav at 1280 px is %.0f px high (%v): more than one row", height, err)
	}
	if err := chromedp.Do(desk, chromedp.Click(chromedp.CSS(`.nav-account summary`)), chromedp.WaitVisible(chromedp.CSS(`.nav-account a[href="/profile"]`))); err != nil {
		t.Fatalf("open the account menu: %v", err)
	}
	collegetest.Screenshot(t, desk, "home-org-1280")
}

// At 390 px a teacher's home shows their coming session with a sign-in
// code button a finger can hit, nothing runs wider than the phone, and the
// button opens the session's code; at 1280 px the host college's home
// shows its courses and classes by state; a unit admin's nominations fit
// the phone too.
func TestBrowserTeacherHome(t *testing.T) {
	t.Parallel()
	ctx := collegetest.NewChrome(t)
	a := collegetest.New(t)
	c := collegetest.NewCity(a)
	a.Provision(identity.UserRequest{Username: "t_wang", Name: "王教授", OrgID: c.College, Roles: []string{"teacher"}})
	ac := collegetest.AssessNewClass(a, c, "bt", 3, nil)
	eval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": collegetest.AssessDefaultForm(a, c),
		"target": map[string]any{"type": "teacher", "id": ac.Sessions[0]}, "teacher_user_id": a.UserID("t_wang")})
	for _, u := range ac.Trainees {
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, u, eval, "非常满意", "满意", "非常满意", "满意", "非常满意", nil), 201)
	}
	base := a.Start()
	collegetest.ChromeLogin(t, ctx, base, "t_wang", collegetest.UserPassword)
	collegetest.PhonePage(t, ctx, base+"/", "平均得分", "home-teacher-390")
	height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('.lesson-code').getBoundingClientRect().height`))
	if err != nil || height < 44 {
		t.Fatalf("the sign-in code button is %.0f px high (%v)", height, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.lesson-code`))); err != nil {
		t.Fatal(err)
	}
	var code string
	a.DB.Table("class_sessions").Where("id = ?", ac.Sessions[0]).Pluck("code", &code)
	collegetest.WaitText(t, ctx, code[:3])
	collegetest.Screenshot(t, ctx, "teacher-screen-390")

	desk := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, desk, base, "col", collegetest.UserPassword)
	if err := chromedp.Do(desk, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, desk, "本学院概况")
	collegetest.Screenshot(t, desk, "home-college-1280")

	// A unit admin's nominations and compliance fit the phone.
	class := a.CreateClass(c, map[string]any{"title": "基层干部能力提升专题班", "self_registration": false, "starts_on": collegetest.Day(40), "ends_on": collegetest.Day(44)})
	a.OpenClass(c, class)
	collegetest.MustStatus(t, a.Register(c.Tokens["ua_admin"], class, c.IDs["ua_cadre"]), 201)
	unit := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, unit, base, "ua_admin", collegetest.UserPassword)
	collegetest.PhonePage(t, unit, base+"/", "待审核 1", "home-unit-390")
}
