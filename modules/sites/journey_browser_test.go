package sites_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"
	"college/modules/web"

	"github.com/chromedp/chromedp"
)

// sitesBrowserAs logs the browser out (if needed) and in as user.
func sitesBrowserAs(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var f=document.querySelector('form[action="/logout"]'); if(f){f.submit(); return true} return false})()`))
	time.Sleep(300 * time.Millisecond)
	collegetest.ChromeLogin(t, ctx, base, user, collegetest.UserPassword)
}

// fillForm sets the fields of the form posting to action, by name.
func fillForm(t *testing.T, ctx context.Context, action string, values map[string]string) {
	t.Helper()
	js, _ := json.Marshal(values)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(function(v){var f=document.querySelector('form[action="%s"]'); if(!f) return false;
		for (var k in v) { var el=f.elements[k]; if(!el) return false; el.value=v[k]; } return true;})(%s)`, action, js)))
	if err != nil || !ok {
		t.Fatalf("fill the form %s with %s: %v", action, js, err)
	}
}

// A district proposes a field teaching site on its phone, the org
// department reviews, approves and opens it, the college books it for a
// session of a class from the timetable, and the site shows on the
// timetable and on the home of the session's teacher.
func TestBrowserSiteFromProposalToTimetable(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	w := newWorld(t)
	a, c := w.a, w.c
	a.Provision(identity.UserRequest{Username: "t_zhao", Name: "赵老师", OrgID: c.College, Roles: []string{"teacher"}})
	var zhaoUser uint64
	a.DB.Table("users").Where("username = ?", "t_zhao").Pluck("id", &zhaoUser)
	r := a.Do("POST", "/api/v1/teachers", c.Tokens["col"], map[string]any{"name": "赵教授", "kind": "internal", "user_id": zhaoUser})
	collegetest.MustStatus(t, r, 201)
	day := weekday(10)
	class := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(day), "ends_on": collegetest.Day(day + 1), "quota": 30})
	at, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(day)+" 09:30", web.Shanghai)
	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), c.Tokens["col"],
		map[string]any{"topic": "红色教育现场教学", "teacher_id": r.ID(t), "starts_at": at, "ends_at": at.Add(2 * time.Hour), "hours": 2})
	collegetest.MustStatus(t, r, 201)
	session := r.ID(t)
	a.OpenClass(c, class)
	base := a.Start()

	// The district proposes.
	collegetest.ChromeLogin(t, ctx, base, "d1_admin", collegetest.UserPassword)
	collegetest.PhonePage(t, ctx, base+"/admin/sites/new", "申报现场教学点", "sites-01-propose")
	fillForm(t, ctx, "/admin/sites", map[string]string{"name": "东城红色教育馆", "category": "党的建设", "capacity": "60", "address": "东城区解放路 18 号"})
	collegetest.SubmitForm(t, ctx, "/admin/sites")
	collegetest.WaitText(t, ctx, "东城红色教育馆")
	var site uint64
	a.DB.Table("sites").Where("name = ?", "东城红色教育馆").Pluck("id", &site)
	if site == 0 {
		t.Fatal("the proposed site was not stored")
	}
	detail := fmt.Sprintf("/admin/sites/%d", site)
	collegetest.PhonePage(t, ctx, base+detail, "申报", "sites-02-proposed")

	// The org department reviews, approves and brings it into use.
	sitesBrowserAs(t, ctx, base, "org")
	collegetest.Visit(t, ctx, base+detail, "请填写论证意见")
	fillForm(t, ctx, detail+"/step/review", map[string]string{"reason": "选址合理，讲解员队伍健全"})
	collegetest.SubmitForm(t, ctx, detail+"/step/review")
	collegetest.WaitText(t, ctx, "已论证")
	collegetest.SubmitForm(t, ctx, detail+"/step/approve")
	collegetest.WaitText(t, ctx, "已审批")
	collegetest.SubmitForm(t, ctx, detail+"/step/activate")
	collegetest.WaitText(t, ctx, "使用中")
	collegetest.Screenshot(t, ctx, "sites-03-in-use")

	// The college books it for the session from the class timetable.
	sitesBrowserAs(t, ctx, base, "col")
	classPage := fmt.Sprintf("/admin/classes/%d", class)
	collegetest.PhonePage(t, ctx, base+classPage, "预约现场教学点", "sites-04-timetable")
	book := fmt.Sprintf("/admin/sessions/%d/site", session)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(function(){var d=document.querySelector('form[action="%s"]').closest('details'); d.open=true; return true})()`, book))); err != nil {
		t.Fatal(err)
	}
	fillForm(t, ctx, book, map[string]string{"site_id": fmt.Sprint(site)})
	collegetest.SubmitForm(t, ctx, book)
	collegetest.WaitText(t, ctx, "待教学点确认")
	collegetest.PhonePage(t, ctx, base+classPage, "东城红色教育馆", "sites-05-booked")

	// The teacher's home names the site.
	sitesBrowserAs(t, ctx, base, "t_zhao")
	collegetest.PhonePage(t, ctx, base+"/", "现场教学：东城红色教育馆", "sites-06-teacher-home")
}
