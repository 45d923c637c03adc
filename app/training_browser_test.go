package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"college/modules/web"

	"github.com/chromedp/chromedp"
)

// submitForm clicks the submit button of the form posting to action,
// accepting its confirmation, and waits for the next page to load.
func submitForm(t *testing.T, ctx context.Context, action string) {
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

// The journey of a class on phones: a unit admin nominates two cadres,
// the host admits them and opens the class, a cadre signs in with the
// code, the host graduates the class, the cadre finds the certificate
// and the hours.
func TestBrowserClassJourney(t *testing.T) {
	unitCtx := newBrowser(t)
	a := newTestApp(t)
	c := newCity(a)
	now := time.Now()
	id := a.createClass(c, map[string]any{"title": "基层治理能力提升专题班", "starts_on": day(-1), "ends_on": day(1), "hours": 12, "self_registration": false,
		"registration_opens_at": now.Add(-time.Hour), "registration_closes_at": now.Add(2 * time.Hour)})
	r := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), c.tokens["col"], map[string]any{"topic": "基层治理案例研讨", "teacher": "李明",
		"starts_at": now.Add(-10 * time.Minute), "ends_at": now.Add(2 * time.Hour)})
	mustStatus(t, r, 201)
	session := r.id(t)
	a.openClass(c, id)
	second := a.cadres("bro", c.unitA, "乡科级", 1)[0]
	base := a.serve()

	// The unit admin nominates two cadres.
	browserLogin(t, unitCtx, base, "ua_admin", userPassword)
	if err := chromedp.Do(unitCtx, chromedp.Navigate(fmt.Sprintf("%s/unit/classes/%d", base, id))); err != nil {
		t.Fatal(err)
	}
	waitText(t, unitCtx, "基层治理能力提升专题班")
	for _, u := range []uint64{c.ids["ua_cadre"], second} {
		if err := chromedp.Do(unitCtx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="user_id"][value="%d"]`, u)))); err != nil {
			t.Fatalf("pick %d: %v", u, err)
		}
	}
	screenshot(t, unitCtx, "50-unit-nominate")
	submitForm(t, unitCtx, fmt.Sprintf("/unit/classes/%d/nominate", id))
	waitText(t, unitCtx, "已推荐 2 人")
	screenshot(t, unitCtx, "51-unit-nominated")

	// The host admits both and opens the class.
	hostCtx := newBrowser(t)
	browserLogin(t, hostCtx, base, "col", userPassword)
	var regs []uint64
	a.DB.Table("registrations").Where("class_id = ?", id).Order("id").Pluck("id", &regs)
	if len(regs) != 2 {
		t.Fatalf("registrations: %v", regs)
	}
	for _, rid := range regs {
		if err := chromedp.Do(hostCtx, chromedp.Navigate(fmt.Sprintf("%s/admin/classes/%d", base, id))); err != nil {
			t.Fatal(err)
		}
		submitForm(t, hostCtx, fmt.Sprintf("/admin/registrations/%d/approve", rid))
	}
	if err := chromedp.Do(hostCtx, chromedp.Navigate(fmt.Sprintf("%s/admin/classes/%d", base, id))); err != nil {
		t.Fatal(err)
	}
	submitForm(t, hostCtx, fmt.Sprintf("/admin/classes/%d/start", id))
	waitText(t, hostCtx, "培训中")
	screenshot(t, hostCtx, "52-host-in-session")
	var approved int64
	a.DB.Table("registrations").Where("class_id = ? AND status = ?", id, "approved").Count(&approved)
	if approved != 2 {
		t.Fatalf("approved registrations: %d", approved)
	}

	// The cadre signs in with the code the teacher shows.
	code := a.do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", session), c.tokens["col"], nil).JSON(t)["code"].(string)
	cadreCtx := newBrowser(t)
	browserLogin(t, cadreCtx, base, "ua_cadre", userPassword)
	if err := chromedp.Do(cadreCtx, chromedp.Navigate(fmt.Sprintf("%s/classes/%d/signin?session=%d", base, id, session)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-code`)), chromedp.SendKeys(chromedp.CSS(`#signin-code`), code)); err != nil {
		t.Fatal(err)
	}
	submitForm(t, cadreCtx, fmt.Sprintf("/classes/%d/sessions/%d/signin", id, session))
	waitText(t, cadreCtx, "签到成功")
	screenshot(t, cadreCtx, "53-cadre-signed-in")
	var signed int64
	a.DB.Table("class_attendance").Where("session_id = ? AND user_id = ?", session, c.ids["ua_cadre"]).Count(&signed)
	if signed != 1 {
		t.Fatal("the sign-in was not recorded")
	}

	// The host attaches the files and graduates the class.
	pdf := []byte("%PDF-1.4\n% class file\n")
	for _, kind := range []string{"plan", "signin_sheet", "timetable"} {
		mustStatus(t, a.upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=%s", id, kind), c.tokens["col"], kind+".pdf", pdf, nil), 201)
	}
	if err := chromedp.Do(hostCtx, chromedp.Navigate(fmt.Sprintf("%s/admin/classes/%d", base, id))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(hostCtx, chromedp.ScrollIntoView(chromedp.CSS(`#graduate-form input[name="confirm"]`)), chromedp.Click(chromedp.CSS(`#graduate-form input[name="confirm"]`))); err != nil {
		t.Fatal(err)
	}
	submitForm(t, hostCtx, fmt.Sprintf("/admin/classes/%d/graduate", id))
	waitText(t, hostCtx, "结班结果")
	screenshot(t, hostCtx, "54-host-graduated")

	// The cadre sees the certificate and the hours.
	var serial string
	a.DB.Table("certificates").Where("class_id = ? AND user_id = ?", id, c.ids["ua_cadre"]).Pluck("serial", &serial)
	if serial == "" {
		t.Fatal("no certificate issued")
	}
	if err := chromedp.Do(cadreCtx, chromedp.Navigate(base+"/classes")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cadreCtx, serial)
	if err := chromedp.Do(cadreCtx, chromedp.Navigate(base+"/certificates/"+serial)); err != nil {
		t.Fatal(err)
	}
	txt := waitText(t, cadreCtx, "结业证书")
	if !strings.Contains(txt, "基层治理能力提升专题班") || !strings.Contains(txt, "12") {
		t.Fatalf("certificate page:\n%s", txt)
	}
	screenshot(t, cadreCtx, "55-certificate")
	if err := chromedp.Do(cadreCtx, chromedp.Navigate(base+"/me/hours")); err != nil {
		t.Fatal(err)
	}
	txt = waitText(t, cadreCtx, "基层治理能力提升专题班")
	year := time.Now().In(web.Shanghai).Year()
	if !strings.Contains(txt, "12") || !strings.Contains(txt, fmt.Sprint(year)) {
		t.Fatalf("hours page:\n%s", txt)
	}
	screenshot(t, cadreCtx, "56-hours")
}
