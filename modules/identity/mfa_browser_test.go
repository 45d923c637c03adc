package identity_test

import (
	"college/app/college"
	"college/app/collegetest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// An administrator's first login at phone width: the enrolment page comes
// first, the QR code shows, a code from the authenticator binds it, the
// recovery codes are shown once, and the next login asks for a code.
func TestBrowserAdminEnrolsSecondFactor(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	setup := collegetest.New(t)
	collegetest.NewCity(setup)
	a := collegetest.NewOn(t, setup, func(cfg *college.Config) { cfg.Auth.AdminMFA = true })
	base := a.Start()
	collegetest.ChromeLogin(t, ctx, base, "ua_admin", collegetest.UserPassword)
	collegetest.WaitText(t, ctx, "管理员账号须绑定动态验证码")
	collegetest.Screenshot(t, ctx, "mfa-01-required")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#mfa-begin`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "第一步：用验证器扫描二维码")
	var qrWidth int
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.qr-box img`))); err != nil {
		t.Fatal(err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#mfa-secret`)))
	if err != nil {
		t.Fatal(err)
	}
	// The QR image loaded under the page's CSP.
	deadline := time.Now().Add(10 * time.Second)
	for qrWidth == 0 && time.Now().Before(deadline) {
		qrWidth, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector('.qr-box img').naturalWidth`))
		time.Sleep(100 * time.Millisecond)
	}
	if qrWidth == 0 {
		t.Fatal("the QR code image did not load")
	}
	collegetest.Screenshot(t, ctx, "mfa-02-scan")
	code, err := totp.GenerateCode(strings.ReplaceAll(secret, " ", ""), time.Now())
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#mfa-code`), code),
		chromedp.Click(chromedp.CSS(`#mfa-confirm`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	txt := collegetest.WaitText(t, ctx, "请保存恢复码")
	if n := strings.Count(txt, "-"); n < 20 {
		t.Fatalf("recovery codes not shown:\n%s", txt)
	}
	width, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if width > 390 {
		t.Errorf("the recovery codes page is %d px wide on a 390 px phone", width)
	}
	collegetest.Screenshot(t, ctx, "mfa-03-recovery")
	// The session is full now: the home page opens.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#mfa-done`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "调训报名")

	// The next login, in a fresh browser, asks for the code.
	ctx2 := collegetest.NewChrome(t)
	err = chromedp.Do(ctx2,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "ua_admin"),
		chromedp.SendKeys(chromedp.CSS(`#password`), collegetest.UserPassword),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx2, "该账号已启用动态验证码")
	collegetest.Screenshot(t, ctx2, "mfa-04-login-code")
	next, _ := totp.GenerateCode(strings.ReplaceAll(secret, " ", ""), time.Now().Add(30*time.Second))
	err = chromedp.Do(ctx2,
		chromedp.SendKeys(chromedp.CSS(`#password`), collegetest.UserPassword),
		chromedp.SendKeys(chromedp.CSS(`#otp`), next),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	collegetest.WaitLoggedIn(t, ctx2)
}
