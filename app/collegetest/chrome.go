package collegetest

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

// NewChrome starts headless Chromium at phone width, or skips the test
// with the reason when COLLEGE_TEST_CHROME is unset.
func NewChrome(t *testing.T) context.Context {
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

// Screenshot saves a PNG of the page into COLLEGE_TEST_SCREENSHOTS when set.
func Screenshot(t *testing.T, ctx context.Context, name string) {
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

// WaitText waits until the page's text contains want and returns the text;
// it fails the test with the last text seen after 15 s.
func WaitText(t *testing.T, ctx context.Context, want string) string {
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

// Navigate opens url in the browser.
func Navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// Visit opens url and waits until the page shows want; it returns the
// page's text.
func Visit(t *testing.T, ctx context.Context, url, want string) string {
	t.Helper()
	Navigate(t, ctx, url)
	return WaitText(t, ctx, want)
}

// WaitTrue waits until the JavaScript expression is true; after within
// it fails the test, saying what never happened.
func WaitTrue(t *testing.T, ctx context.Context, expr string, within time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal(what)
}

// ChromeLogin logs in through the login page at phone width.
func ChromeLogin(t *testing.T, ctx context.Context, base, user, password string) {
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
	WaitLoggedIn(t, ctx)
}

// WaitLoggedIn waits until a page with the logout form has loaded.
func WaitLoggedIn(t *testing.T, ctx context.Context) {
	t.Helper()
	WaitTrue(t, ctx, `document.readyState === "complete" && document.querySelector('form[action="/logout"]') !== null`, 15*time.Second, "never reached a logged-in page")
}

// SubmitForm clicks the submit button of the form posting to action,
// accepting its confirmation, and waits for the next page to load.
func SubmitForm(t *testing.T, ctx context.Context, action string) {
	t.Helper()
	sel := fmt.Sprintf(`form[action="%s"] button`, action)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("submit %s: %v", action, err)
	}
	time.Sleep(300 * time.Millisecond)
}

// PhonePage opens url, waits for want, fails when the page is wider than the
// 390 px phone, and saves a screenshot named shot.
func PhonePage(t *testing.T, ctx context.Context, url, want, shot string) {
	t.Helper()
	Visit(t, ctx, url, want)
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 390 {
		t.Errorf("%s is %d px wide on a 390 px phone", url, width)
	}
	Screenshot(t, ctx, shot)
}
