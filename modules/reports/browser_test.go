package reports_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"

	"github.com/chromedp/chromedp"
)

// A district's unit administrator, on a phone, asks for the compliance
// report of the district; the page shows the job queued, its script moves
// the bar to 100% as the background runner builds it, and the download link answers a
// workbook.
func TestBrowserUnitAdminGetsReport(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	f := newCity(t)
	base := f.a.Start()
	jobs, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	collegetest.ChromeLogin(t, ctx, base, "d_admin", collegetest.UserPassword)
	collegetest.PhonePage(t, ctx, base+"/admin/reports", "生成报表", "reports-01-empty")
	collegetest.SubmitForm(t, ctx, "/admin/reports")
	collegetest.WaitText(t, ctx, "已提交：年度学时达标情况")
	collegetest.WaitTrue(t, ctx, `document.querySelector('li[data-job]').getAttribute('data-state')==='queued'`, 5*time.Second, "the new job is not shown queued")
	// Only now the background runner starts: the page's script moves the bar.
	go f.a.Reports.RunJobs(jobs, 300*time.Millisecond)
	collegetest.WaitTrue(t, ctx, `(function(){var li=document.querySelector('li[data-job]');return !!li&&li.getAttribute('data-state')==='done'&&li.querySelector('progress').value===100&&!li.querySelector('.rep-link').hidden;})()`,
		20*time.Second, "the job never showed as done with its link")
	collegetest.PhonePage(t, ctx, base+"/admin/reports", "下载 Excel", "reports-02-done")
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('.rep-link a').href).then(function(r){return r.arrayBuffer().then(function(b){var u=new Uint8Array(b);return r.status+' '+r.headers.get('content-type')+' '+String.fromCharCode(u[0],u[1]);});})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet PK") {
		t.Fatalf("download answered %q", got)
	}
}
