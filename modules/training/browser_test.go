package training_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"

	"github.com/chromedp/chromedp"
)

// The journey of a class on phones: a unit admin nominates two cadres,
// the host admits them and opens the class, a cadre signs in with the
// code, the host graduates the class, the cadre finds the certificate
// and the hours.
func TestBrowserClassJourney(t *testing.T) {
	unitCtx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	now := time.Now()
	id := a.CreateClass(c, map[string]any{"title": "基层治理能力提升专题班", "starts_on": collegetest.Day(-1), "ends_on": collegetest.Day(1), "hours": 12, "self_registration": false,
		"registration_opens_at": now.Add(-time.Hour), "registration_closes_at": now.Add(2 * time.Hour)})
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), c.Tokens["col"], map[string]any{"topic": "基层治理案例研讨", "teacher": "李明",
		"starts_at": now.Add(-10 * time.Minute), "ends_at": now.Add(2 * time.Hour)})
	collegetest.MustStatus(t, r, 201)
	session := r.ID(t)
	a.OpenClass(c, id)
	second := a.Cadres("bro", c.UnitA, "乡科级", 1)[0]
	base := a.Start()

	// The unit admin nominates two cadres.
	collegetest.ChromeLogin(t, unitCtx, base, "ua_admin", collegetest.UserPassword)
	collegetest.Visit(t, unitCtx, fmt.Sprintf("%s/unit/classes/%d", base, id), "基层治理能力提升专题班")
	for _, u := range []uint64{c.IDs["ua_cadre"], second} {
		if err := chromedp.Do(unitCtx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="user_id"][value="%d"]`, u)))); err != nil {
			t.Fatalf("pick %d: %v", u, err)
		}
	}
	collegetest.Screenshot(t, unitCtx, "50-unit-nominate")
	collegetest.SubmitForm(t, unitCtx, fmt.Sprintf("/unit/classes/%d/nominate", id))
	collegetest.WaitText(t, unitCtx, "已推荐 2 人")
	collegetest.Screenshot(t, unitCtx, "51-unit-nominated")

	// The host admits both and opens the class.
	hostCtx := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, hostCtx, base, "col", collegetest.UserPassword)
	var regs []uint64
	a.DB.Table("registrations").Where("class_id = ?", id).Order("id").Pluck("id", &regs)
	if len(regs) != 2 {
		t.Fatalf("registrations: %v", regs)
	}
	for _, rid := range regs {
		collegetest.Navigate(t, hostCtx, fmt.Sprintf("%s/admin/classes/%d", base, id))
		collegetest.SubmitForm(t, hostCtx, fmt.Sprintf("/admin/registrations/%d/approve", rid))
	}
	collegetest.Navigate(t, hostCtx, fmt.Sprintf("%s/admin/classes/%d", base, id))
	collegetest.SubmitForm(t, hostCtx, fmt.Sprintf("/admin/classes/%d/start", id))
	collegetest.WaitText(t, hostCtx, "培训中")
	collegetest.Screenshot(t, hostCtx, "52-host-in-session")
	if approved := a.Count("registrations", "class_id = ? AND status = ?", id, "approved"); approved != 2 {
		t.Fatalf("approved registrations: %d", approved)
	}

	// The cadre signs in with the code the teacher shows.
	code := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", session), c.Tokens["col"], nil).JSON(t)["code"].(string)
	cadreCtx := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, cadreCtx, base, "ua_cadre", collegetest.UserPassword)
	if err := chromedp.Do(cadreCtx, chromedp.Navigate(fmt.Sprintf("%s/classes/%d/signin?session=%d", base, id, session)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-code`)), chromedp.SendKeys(chromedp.CSS(`#signin-code`), code)); err != nil {
		t.Fatal(err)
	}
	collegetest.SubmitForm(t, cadreCtx, fmt.Sprintf("/classes/%d/sessions/%d/signin", id, session))
	collegetest.WaitText(t, cadreCtx, "签到成功")
	collegetest.Screenshot(t, cadreCtx, "53-cadre-signed-in")
	if signed := a.Count("class_attendance", "session_id = ? AND user_id = ?", session, c.IDs["ua_cadre"]); signed != 1 {
		t.Fatal("the sign-in was not recorded")
	}

	// The host attaches the files and graduates the class.
	pdf := []byte("%PDF-1.4\n% class file\n")
	for _, kind := range []string{"plan", "signin_sheet", "timetable"} {
		collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=%s", id, kind), c.Tokens["col"], kind+".pdf", pdf, nil), 201)
	}
	collegetest.Navigate(t, hostCtx, fmt.Sprintf("%s/admin/classes/%d", base, id))
	if err := chromedp.Do(hostCtx, chromedp.ScrollIntoView(chromedp.CSS(`#graduate-form input[name="confirm"]`)), chromedp.Click(chromedp.CSS(`#graduate-form input[name="confirm"]`))); err != nil {
		t.Fatal(err)
	}
	collegetest.SubmitForm(t, hostCtx, fmt.Sprintf("/admin/classes/%d/graduate", id))
	collegetest.WaitText(t, hostCtx, "结班结果")
	collegetest.Screenshot(t, hostCtx, "54-host-graduated")

	// The cadre sees the certificate and the hours.
	var serial string
	a.DB.Table("certificates").Where("class_id = ? AND user_id = ?", id, c.IDs["ua_cadre"]).Pluck("serial", &serial)
	if serial == "" {
		t.Fatal("no certificate issued")
	}
	collegetest.Visit(t, cadreCtx, base+"/classes", serial)
	txt := collegetest.Visit(t, cadreCtx, base+"/certificates/"+serial, "结业证书")
	if !strings.Contains(txt, "基层治理能力提升专题班") || !strings.Contains(txt, "12") {
		t.Fatalf("certificate page:\n%s", txt)
	}
	collegetest.Screenshot(t, cadreCtx, "55-certificate")
	txt = collegetest.Visit(t, cadreCtx, base+"/me/hours", "基层治理能力提升专题班")
	year := time.Now().In(web.Shanghai).Year()
	if !strings.Contains(txt, "12") || !strings.Contains(txt, fmt.Sprint(year)) {
		t.Fatalf("hours page:\n%s", txt)
	}
	collegetest.Screenshot(t, cadreCtx, "56-hours")
}
