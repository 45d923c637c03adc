package portal_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"

	"github.com/chromedp/chromedp"
)

// A college admin writes a notice on a 390 px phone, publishes it, and a
// visitor finds it on the public portal.
func TestBrowserAdminPublishesANoticeThatVisitorsSee(t *testing.T) {
	ctx := phone(t)
	a, c := collegetest.NewCityApp(t)
	base := a.Start()
	collegetest.ArticleCourse(t, a, c.Tokens["col"], "学习贯彻党的二十大精神", true)
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/courses/1/featured", c.Tokens["col"], map[string]any{"featured": true}), 200)
	collegetest.PhonePage(t, ctx, base+"/", "暂无通知公告", "portal-01-visitor-empty")

	collegetest.ChromeLogin(t, ctx, base, "col", collegetest.UserPassword)
	collegetest.PhonePage(t, ctx, base+"/admin/notices", "还没有通知公告或新闻", "portal-02-admin-list")
	collegetest.PhonePage(t, ctx, base+"/admin/notices/new?kind=notice", "撰写通知公告", "portal-03-admin-new")
	const title = "关于开展2026年度干部网络培训的通知"
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#notice-title`), title),
		chromedp.Click(chromedp.CSS(`#notice-body`)),
		chromedp.SendKeys(chromedp.CSS(`#notice-body`), "各单位：请组织干部于年底前完成50学时网络学习。"),
		chromedp.Click(chromedp.CSS(`input[name="pinned"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	collegetest.Screenshot(t, ctx, "portal-04-admin-filled")
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(`button[data-save="publish"]`)), chromedp.Click(chromedp.CSS(`button[data-save="publish"]`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitTrue(t, ctx, `location.pathname.startsWith("/notices/") && document.readyState === "complete"`, 15*time.Second, "publishing did not open the notice")
	collegetest.WaitText(t, ctx, "年底前完成50学时")
	collegetest.Screenshot(t, ctx, "portal-05-published")
	if n := collegetest.CountAudits(a, "notice.create"); n != 1 {
		t.Fatalf("notice.create entries = %d", n)
	}

	ctx = phone(t) // a visitor
	collegetest.PhonePage(t, ctx, base+"/portal", title, "portal-06-visitor-portal")
	collegetest.MustContain(t, collegetest.PageGet(a.Browser(), "/", 200), title, "置顶")
	var id uint64
	if err := a.DB.Raw("SELECT id FROM notices WHERE title = ?", title).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("the notice was not saved: %v", err)
	}
	collegetest.PhonePage(t, ctx, fmt.Sprintf("%s/notices/%d", base, id), "请组织干部", "portal-07-visitor-notice")
	collegetest.PhonePage(t, ctx, fmt.Sprintf("%s/colleges/%d", base, c.College), "市委党校分院", "portal-08-college")
}

// phone is a fresh browser emulating a 390 px phone.
func phone(t *testing.T) context.Context {
	t.Helper()
	ctx := collegetest.NewChrome(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	return ctx
}
