package main

import (
	"college/app/collegetest"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserAdminCreatesUnitAndUser(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a := collegetest.New(t)
	base := a.Start()
	rootID := a.Do("GET", "/api/v1/me", a.Admin(), nil).JSON(t)["org_id"].(float64)

	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/admin/users"),
		// Not logged in: the page sends us to the login form.
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
	)
	if err != nil {
		t.Fatalf("open login: %v", err)
	}
	collegetest.Screenshot(t, ctx, "01-login")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`#password`), collegetest.AdminPassword),
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
	collegetest.Screenshot(t, ctx, "02-users")

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
	body := collegetest.WaitText(t, ctx, "已新建组织")
	if !strings.Contains(body, "东城区审计局") || !strings.Contains(body, "DC-AUDIT") {
		t.Fatalf("new unit not listed:\n%s", body)
	}
	collegetest.Screenshot(t, ctx, "03-orgs")
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
	body = collegetest.WaitText(t, ctx, "已新建用户")
	collegetest.Screenshot(t, ctx, "04-user-created")
	if !strings.Contains(body, "王芳") || !strings.Contains(body, "wangfang") {
		t.Fatalf("new user not listed:\n%s", body)
	}
	if strings.Contains(body, "110101199003074514") || strings.Contains(body, "13800138000") {
		t.Fatal("personal data shown unmasked in the list")
	}
	// The new cadre can log in with the password the admin gave.
	a.Login("wangfang", "Wang-Fang-2026")
}

// Every page fits a 390 px phone screen: nothing scrolls sideways.
func TestBrowserPagesFitAPhone(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	base := a.Start()
	login := func(user, pw string) {
		t.Helper()
		collegetest.ChromeLogin(t, ctx, base, user, pw)
	}
	check := func(path, want, shot string) {
		t.Helper()
		collegetest.PhonePage(t, ctx, base+path, want, shot)
	}
	login("admin", collegetest.AdminPassword)
	check("/", "用户管理", "10-home-admin")
	check("/admin/users", "共", "11-users")
	check(fmt.Sprintf("/admin/users/%d", c.IDs["ua_cadre"]), "重置密码", "12-user-edit")
	check("/admin/users/import", "下载导入模板", "13-import")
	check("/admin/settings", "会话空闲超时", "14-settings")
	check("/profile", "个人信息", "15-profile")
	check("/profile/password", "原密码", "16-password")
	// The system administrator's pages end at the duties of the role.
	check("/courses", "只能用于各自的管理职责", "17-403-sysadmin")
	ctx = collegetest.NewChrome(t) // a fresh browser for each account
	login("aud", collegetest.UserPassword)
	check("/admin/audit", "审计日志", "18-audit")
	course, video, _ := collegetest.PublishedCourse(a, c)
	ctx = collegetest.NewChrome(t)
	login("ua_cadre", collegetest.UserPassword)
	check("/", "个人信息", "19-home-learner")
	check("/courses", "习近平新时代", "30-catalog")
	check(fmt.Sprintf("/courses/%d", course), "第一讲", "31-course")
	check(fmt.Sprintf("/lessons/%d", video), "第一讲", "32-lesson")
	check("/me/courses", "我的课程", "33-my-courses")
	check("/me/hours", "我的学时", "34-my-hours")
	check("/me/archive", "学习档案", "35-archive")
	check("/no/such/page", "页面不存在", "17-404")
	ctx = collegetest.NewChrome(t)
	login("col", collegetest.UserPassword)
	check("/admin/courses", "课程管理", "36-admin-courses")
	check(fmt.Sprintf("/admin/courses/%d", course), "第一讲", "37-admin-course")
	check(fmt.Sprintf("/admin/courses/%d/stats", course), "学习统计", "38-stats")
}

// A cadre opens a course, plays a real video in the browser to the end, and
// sees the study hours on 我的学时.
// videoCourse publishes a required course with one 7.5-second video lesson.
func videoCourse(t *testing.T, a *collegetest.App, c *collegetest.City, title, lessonTitle string) (course, lesson uint64) {
	t.Helper()
	col := c.Tokens["col"]
	r := a.Do("POST", "/api/v1/courses", col, map[string]any{"title": title, "kind": "required", "category": "履职能力"})
	collegetest.MustStatus(t, r, 201)
	course = r.ID(t)
	lesson = a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/lessons", course), col, map[string]any{"title": lessonTitle, "type": "video"}).ID(t)
	collegetest.MustStatus(t, a.PutFile(fmt.Sprintf("/api/v1/lessons/%d/media", lesson), col, "lesson.webm", collegetest.ReadFixture(t, "lesson-7.5s-vp9.webm")), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), col, nil), 200)
	return course, lesson
}

func TestBrowserCadreWatchesVideoAndEarnsHours(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	course, lesson := videoCourse(t, a, c, "基层治理微课", "第一讲 基层治理")
	base := a.Start()

	collegetest.ChromeLogin(t, ctx, base, "ua_cadre", collegetest.UserPassword)
	collegetest.Visit(t, ctx, base+"/courses", "基层治理微课")
	collegetest.Screenshot(t, ctx, "20-catalog")
	collegetest.Visit(t, ctx, fmt.Sprintf("%s/courses/%d", base, course), "第一讲 基层治理")
	collegetest.Screenshot(t, ctx, "21-course")
	collegetest.Navigate(t, ctx, fmt.Sprintf("%s/lessons/%d", base, lesson))
	// Wait until the play has started (the page set the video's source), then play muted.
	collegetest.WaitTrue(t, ctx, `(function(){var v=document.getElementById("player"); return !!(v && v.currentSrc && v.readyState >= 1);})()`, 15*time.Second, "the video never loaded")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var v=document.getElementById("player"); v.muted=true; v.play(); return true;})()`)); err != nil {
		t.Fatal(err)
	}
	collegetest.Screenshot(t, ctx, "22-playing")
	collegetest.WaitText(t, ctx, "本课时已完成")
	collegetest.WaitText(t, ctx, "获得")
	collegetest.Screenshot(t, ctx, "23-completed")
	body := collegetest.Visit(t, ctx, base+"/me/hours", "基层治理微课")
	collegetest.Screenshot(t, ctx, "24-my-hours")
	if !strings.Contains(body, "0.25") {
		t.Fatalf("我的学时 lacks the 0.25 hours:\n%s", body)
	}
	h := a.Do("GET", "/api/v1/me/hours", c.Tokens["ua_cadre"], nil).JSON(t)
	if h["total"].(float64) != 0.25 {
		t.Fatalf("hours = %v", h)
	}
}

// Redis loses the cadre's play while the video plays (a restart without
// its data): the player is told its timing was briefly interrupted, starts
// a new play by itself, and the lesson still completes.
func TestBrowserPlayerRecoversALostPlay(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	_, lesson := videoCourse(t, a, c, "应急管理微课", "第一讲 应急管理")
	base := a.Start()
	collegetest.ChromeLogin(t, ctx, base, "ua_cadre", collegetest.UserPassword)
	collegetest.Navigate(t, ctx, fmt.Sprintf("%s/lessons/%d", base, lesson))
	collegetest.WaitTrue(t, ctx, `(function(){var v=document.getElementById("player"); return !!(v && v.currentSrc && v.readyState >= 1);})()`, 15*time.Second, "the video never loaded")
	// The play is gone before the first heartbeat.
	a.Cache.Del(context.Background(), a.Cache.Key("play", fmt.Sprintf("{u%d}", a.UserID("ua_cadre"))))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var v=document.getElementById("player"); v.muted=true; v.play(); return true;})()`)); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "学习计时曾短暂中断，已为您重新开始计时")
	collegetest.Screenshot(t, ctx, "25-play-lost")
	// What played under the lost play did not count: watch it again.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var v=document.getElementById("player"); v.currentTime=0; v.play(); return true;})()`)); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "本课时已完成")
}

// A cadre reads the rules, starts an exam with the button, answers, reloads
// the page mid-way (the answers are still there), submits and sees the score.
func TestBrowserCadreTakesExam(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	examID, ids := collegetest.ExamSetup(t, a, c, time.Hour)
	a.PublishExam(c.Tokens["col"], examID)
	base := a.Start()
	collegetest.ChromeLogin(t, ctx, base, "ua_cadre", collegetest.UserPassword)
	collegetest.Visit(t, ctx, base+"/exams", "2026 年度政治理论水平考试")
	collegetest.Screenshot(t, ctx, "40-exams")
	collegetest.Navigate(t, ctx, fmt.Sprintf("%s/exams/%d/take", base, examID))
	// The page shows the rules; only the button starts the attempt.
	collegetest.WaitText(t, ctx, "考试须知")
	collegetest.Screenshot(t, ctx, "40b-exam-rules")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#exam-start`)), chromedp.WaitVisible(chromedp.CSS(`#exam-start-confirm`)), chromedp.Click(chromedp.CSS(`#exam-start-confirm`))); err != nil {
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
	collegetest.WaitText(t, ctx, "已保存")
	collegetest.Screenshot(t, ctx, "41-taking")
	// Reload: 继续考试 brings the answers back.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#exam-resume`)), chromedp.Click(chromedp.CSS(`#exam-resume`)), chromedp.WaitVisible(chromedp.CSS(judge))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitTrue(t, ctx, fmt.Sprintf(`document.querySelector('%s').checked && document.querySelector('%s').value === "幸福"`, judge, blank), 10*time.Second, "answers not restored after a reload")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#exam-submit`)), chromedp.WaitVisible(chromedp.CSS(`#exam-confirm`)), chromedp.Click(chromedp.CSS(`#exam-confirm`))); err != nil {
		t.Fatal(err)
	}
	body := collegetest.WaitText(t, ctx, "不合格")
	collegetest.Screenshot(t, ctx, "42-result")
	if !strings.Contains(body, "20") {
		t.Fatalf("result page (20 of 40, pass 25):\n%s", body)
	}
	var score int64
	a.DB.Table("attempts").Select("score_x100").Where("exam_id = ?", examID).Scan(&score)
	if score != 2000 {
		t.Fatalf("stored score = %d", score)
	}
}
