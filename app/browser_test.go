package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvChrome names the Chromium binary for browser tests.
const EnvChrome = "COLLEGE_TEST_CHROME"

// newBrowser starts headless Chromium at phone width, or skips the test
// with the reason when COLLEGE_TEST_CHROME is unset.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	chrome := os.Getenv(EnvChrome)
	if chrome == "" {
		t.Skip("browser test skipped: " + EnvChrome + " is not set")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// screenshot saves a PNG of the page into COLLEGE_TEST_SCREENSHOTS when set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("COLLEGE_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}

// waitText waits until the page's text contains want and returns the text;
// it fails the test with the last text seen after 15 s.
func waitText(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		txt, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" && document.body ? document.body.innerText : ""`))
		if err != nil {
			last = "evaluate: " + err.Error()
		} else {
			last = txt
			if strings.Contains(txt, want) {
				return txt
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("page never showed %q; last text:\n%s", want, last)
	return ""
}

// browserLogin logs in through the login page at phone width.
func browserLogin(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), user),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
	)
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	waitLoggedIn(t, ctx)
}

// waitLoggedIn waits until a page with the logout form has loaded.
func waitLoggedIn(t *testing.T, ctx context.Context) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && document.querySelector('form[action="/logout"]') !== null`))
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("never reached a logged-in page")
}

func TestBrowserAdminCreatesUnitAndUser(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t)
	base := a.serve()
	rootID := a.do("GET", "/api/v1/me", a.admin(), nil).JSON(t)["org_id"].(float64)

	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/admin/users"),
		// Not logged in: the page sends us to the login form.
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
	)
	if err != nil {
		t.Fatalf("open login: %v", err)
	}
	screenshot(t, ctx, "01-login")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`#password`), testAdminPassword),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/users/new"]`)),
	)
	if err != nil {
		t.Fatalf("log in: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(heading, "用户") {
		t.Fatalf("after login the heading is %q, want the users page we asked for", heading)
	}
	screenshot(t, ctx, "02-users")

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/orgs"),
		chromedp.WaitVisible(chromedp.CSS(`#org-name`)),
		chromedp.SendKeys(chromedp.CSS(`#org-name`), "东城区审计局"),
		chromedp.SendKeys(chromedp.CSS(`#org-code`), "DC-AUDIT"),
		chromedp.SetValue(chromedp.CSS(`#org-kind`), "unit"),
		chromedp.SetValue(chromedp.CSS(`#org-parent`), fmt.Sprint(rootID)),
		chromedp.Click(chromedp.CSS(`#org-submit`)),
	)
	if err != nil {
		t.Fatalf("create unit: %v", err)
	}
	body := waitText(t, ctx, "已新建组织")
	if !strings.Contains(body, "东城区审计局") || !strings.Contains(body, "DC-AUDIT") {
		t.Fatalf("new unit not listed:\n%s", body)
	}
	screenshot(t, ctx, "03-orgs")
	var unitID uint64
	if err := a.DB.Table("orgs").Select("id").Where("code = ?", "DC-AUDIT").Scan(&unitID).Error; err != nil || unitID == 0 {
		t.Fatalf("unit not stored: %v", err)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/users/new"),
		chromedp.WaitVisible(chromedp.CSS(`#user-username`)),
		chromedp.SendKeys(chromedp.CSS(`#user-username`), "wangfang"),
		chromedp.SendKeys(chromedp.CSS(`#user-name`), "王芳"),
		chromedp.SendKeys(chromedp.CSS(`#user-password`), "Wang-Fang-2026"),
		chromedp.SetValue(chromedp.CSS(`#user-org`), fmt.Sprint(unitID)),
		chromedp.SendKeys(chromedp.CSS(`#user-id-number`), "110101199003074514"),
		chromedp.SendKeys(chromedp.CSS(`#user-phone`), "13800138000"),
		chromedp.Click(chromedp.CSS(`#user-submit`)),
	)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	body = waitText(t, ctx, "已新建用户")
	screenshot(t, ctx, "04-user-created")
	if !strings.Contains(body, "王芳") || !strings.Contains(body, "wangfang") {
		t.Fatalf("new user not listed:\n%s", body)
	}
	if strings.Contains(body, "110101199003074514") || strings.Contains(body, "13800138000") {
		t.Fatal("personal data shown unmasked in the list")
	}
	// The new cadre can log in with the password the admin gave.
	a.login("wangfang", "Wang-Fang-2026")
}

// Every page fits a 390 px phone screen: nothing scrolls sideways.
func TestBrowserPagesFitAPhone(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t)
	c := newCity(a)
	base := a.serve()
	login := func(user, pw string) {
		t.Helper()
		browserLogin(t, ctx, base, user, pw)
	}
	check := func(path, want, shot string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		waitText(t, ctx, want)
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			t.Errorf("%s is %d px wide on a 390 px phone", path, width)
		}
		screenshot(t, ctx, shot)
	}
	login("admin", testAdminPassword)
	check("/", "用户管理", "10-home-admin")
	check("/admin/users", "共", "11-users")
	check(fmt.Sprintf("/admin/users/%d", c.ids["ua_cadre"]), "重置密码", "12-user-edit")
	check("/admin/users/import", "下载导入模板", "13-import")
	check("/admin/settings", "会话空闲超时", "14-settings")
	check("/profile", "个人信息", "15-profile")
	check("/profile/password", "原密码", "16-password")
	// The system administrator's pages end at the duties of the role.
	check("/courses", "只能用于各自的管理职责", "17-403-sysadmin")
	ctx = newBrowser(t) // a fresh browser for each account
	login("aud", userPassword)
	check("/admin/audit", "审计日志", "18-audit")
	course, video, _ := publishedCourse(a, c)
	ctx = newBrowser(t)
	login("ua_cadre", userPassword)
	check("/", "个人信息", "19-home-learner")
	check("/courses", "习近平新时代", "30-catalog")
	check(fmt.Sprintf("/courses/%d", course), "第一讲", "31-course")
	check(fmt.Sprintf("/lessons/%d", video), "第一讲", "32-lesson")
	check("/me/courses", "我的课程", "33-my-courses")
	check("/me/hours", "我的学时", "34-my-hours")
	check("/me/archive", "学习档案", "35-archive")
	check("/no/such/page", "页面不存在", "17-404")
	ctx = newBrowser(t)
	login("col", userPassword)
	check("/admin/courses", "课程管理", "36-admin-courses")
	check(fmt.Sprintf("/admin/courses/%d", course), "第一讲", "37-admin-course")
	check(fmt.Sprintf("/admin/courses/%d/stats", course), "学习统计", "38-stats")
}

// A cadre opens a course, plays a real video in the browser to the end, and
// sees the study hours on 我的学时.
func TestBrowserCadreWatchesVideoAndEarnsHours(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t)
	c := newCity(a)
	col := c.tokens["col"]
	r := a.do("POST", "/api/v1/courses", col, map[string]any{"title": "基层治理微课", "kind": "required", "category": "履职能力"})
	mustStatus(t, r, 201)
	course := r.id(t)
	r = a.do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": "第一讲 基层治理", "type": "video"})
	lesson := r.id(t)
	mustStatus(t, a.putFile(fmt.Sprintf("/api/v1/lessons/%d/media", lesson), col, "lesson.webm", readFixture(t, "lesson-7.5s-vp9.webm")), 200)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), col, nil), 200)
	base := a.serve()

	browserLogin(t, ctx, base, "ua_cadre", userPassword)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/courses")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "基层治理微课")
	screenshot(t, ctx, "20-catalog")
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/courses/%d", base, course))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "第一讲 基层治理")
	screenshot(t, ctx, "21-course")
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/lessons/%d", base, lesson))); err != nil {
		t.Fatal(err)
	}
	// Wait until the play has started (the page set the video's source), then play muted.
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var v=document.getElementById("player"); return !!(v && v.currentSrc && v.readyState >= 1);})()`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the video never loaded")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var v=document.getElementById("player"); v.muted=true; v.play(); return true;})()`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "22-playing")
	waitText(t, ctx, "本课时已完成")
	waitText(t, ctx, "获得")
	screenshot(t, ctx, "23-completed")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/me/hours")); err != nil {
		t.Fatal(err)
	}
	body := waitText(t, ctx, "基层治理微课")
	screenshot(t, ctx, "24-my-hours")
	if !strings.Contains(body, "0.25") {
		t.Fatalf("我的学时 lacks the 0.25 hours:\n%s", body)
	}
	h := a.do("GET", "/api/v1/me/hours", c.tokens["ua_cadre"], nil).JSON(t)
	if h["total"].(float64) != 0.25 {
		t.Fatalf("hours = %v", h)
	}
}

// A cadre reads the rules, starts an exam with the button, answers, reloads
// the page mid-way (the answers are still there), submits and sees the score.
func TestBrowserCadreTakesExam(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t)
	c := newCity(a)
	examID, ids := examSetup(t, a, c, time.Hour)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/exams/%d/publish", examID), c.tokens["col"], nil), 200)
	base := a.serve()
	browserLogin(t, ctx, base, "ua_cadre", userPassword)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/exams")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "2026 年度政治理论水平考试")
	screenshot(t, ctx, "40-exams")
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/exams/%d/take", base, examID))); err != nil {
		t.Fatal(err)
	}
	// The page shows the rules; only the button starts the attempt.
	waitText(t, ctx, "考试须知")
	screenshot(t, ctx, "40b-exam-rules")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#exam-start`))); err != nil {
		t.Fatal(err)
	}
	judge := fmt.Sprintf(`input[name="q-%d"][value="true"]`, ids["judge"])
	blank := fmt.Sprintf(`input[name="q-%d-0"]`, ids["blank"])
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(judge))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(judge)),
		chromedp.SendKeys(chromedp.CSS(blank), "幸福"),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`input[name="q-%d-1"]`, ids["blank"])), "复兴"),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "已保存")
	screenshot(t, ctx, "41-taking")
	// Reload: the answers come back.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(judge))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('%s').checked && document.querySelector('%s').value === "幸福"`, judge, blank)))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("answers not restored after a reload")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#exam-submit`)), chromedp.WaitVisible(chromedp.CSS(`#exam-confirm`)), chromedp.Click(chromedp.CSS(`#exam-confirm`))); err != nil {
		t.Fatal(err)
	}
	body := waitText(t, ctx, "不合格")
	screenshot(t, ctx, "42-result")
	if !strings.Contains(body, "20") {
		t.Fatalf("result page (20 of 40, pass 25):\n%s", body)
	}
	var score int64
	a.DB.Table("attempts").Select("score_x100").Where("exam_id = ?", examID).Scan(&score)
	if score != 2000 {
		t.Fatalf("stored score = %d", score)
	}
}
