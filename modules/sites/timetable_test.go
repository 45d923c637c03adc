package sites_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/identity"
	"college/modules/web"
)

// weekday is the first day at least n days ahead that falls on Monday to
// Friday, when a site is open by default.
func weekday(n int) int {
	for {
		d := time.Now().In(web.Shanghai).AddDate(0, 0, n).Weekday()
		if d != time.Saturday && d != time.Sunday {
			return n
		}
		n++
	}
}

// A college books an in-use site for a timetable session from the class
// page: the site shows on the timetable (pending, then confirmed) and on
// the home of the teacher the session is linked to, even when the
// teacher's record is not named as their account is; a second booking of
// the session and a booking without a site are refused on the page; a
// declined booking leaves the timetable.
func TestTimetableBooksASite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, c := w.a, w.c
	site := w.inUse(t, 60)
	a.Provision(identity.UserRequest{Username: "t_zhao", Name: "赵老师", OrgID: c.College, Roles: []string{"teacher"}})
	var zhaoUser uint64
	a.DB.Table("users").Where("username = ?", "t_zhao").Pluck("id", &zhaoUser)
	r := a.Do("POST", "/api/v1/teachers", c.Tokens["col"], map[string]any{"name": "赵教授", "kind": "internal", "user_id": zhaoUser, "title": "教授"})
	collegetest.MustStatus(t, r, 201)
	zhao := r.ID(t)

	day := weekday(10)
	class := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(day), "ends_on": collegetest.Day(day + 1), "quota": 30})
	classPage := fmt.Sprintf("/admin/classes/%d", class)
	col := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(col, classPage, 200), `name="teacher_id"`, "赵教授（校内教师，教授）")
	add := func(topic, start, end string) uint64 {
		t.Helper()
		r := collegetest.PagePostFrom(col, classPage, classPage+"/sessions", url.Values{"topic": {topic}, "teacher_id": {fmt.Sprint(zhao)},
			"teacher": {"随手写的"}, "date": {collegetest.Day(day)}, "start": {start}, "end": {end}})
		collegetest.MustRedirect(t, r, classPage+"#sessions")
		var id uint64
		a.DB.Table("class_sessions").Where("class_id = ? AND topic = ?", class, topic).Pluck("id", &id)
		return id
	}
	visit := add("红色教育现场教学", "09:30", "11:30")
	other := add("民生工程现场观摩", "14:00", "16:00")
	a.OpenClass(c, class)

	page := collegetest.PageGet(col, classPage, 200)
	collegetest.MustContain(t, page, fmt.Sprintf(`action="/admin/sessions/%d/site"`, visit), fmt.Sprintf(`<option value="%d">红色教育基地（党的建设，可接待 60 人）</option>`, site))
	bookPath := fmt.Sprintf("/admin/sessions/%d/site", visit)
	collegetest.MustBody(t, collegetest.PagePostFrom(col, classPage, bookPath, url.Values{"site_id": {""}}), 400, "请选择现场教学点")
	if n := a.Count("site_bookings", "session_id = ?", visit); n != 0 {
		t.Fatalf("bookings after a refused form: %d", n)
	}
	r = collegetest.PagePostFrom(col, classPage, bookPath, url.Values{"site_id": {fmt.Sprint(site)}})
	collegetest.MustRedirect(t, r, classPage+"#sessions")
	page = collegetest.PageGet(col, classPage, 200)
	collegetest.MustContain(t, page, "已为“红色教育现场教学”预约现场教学点“红色教育基地”，待教学点确认", "待教学点确认")
	var booking struct {
		ID        uint64
		GroupSize int
		Date      string
		StartsAt  string
	}
	a.DB.Table("site_bookings").Where("session_id = ?", visit).Select("id, group_size, date, starts_at").Scan(&booking)
	if booking.GroupSize != 30 || booking.Date != collegetest.Day(day) || booking.StartsAt != "09:30" {
		t.Fatalf("booking %+v: want the class quota of 30 on %s at 09:30", booking, collegetest.Day(day))
	}
	// Booked once: the session offers no second booking and refuses one.
	if strings.Contains(page, fmt.Sprintf(`action="/admin/sessions/%d/site"`, visit)) {
		t.Fatal("a booked session still offers the booking form")
	}
	collegetest.MustBody(t, collegetest.PagePostFrom(col, classPage, bookPath, url.Values{"site_id": {fmt.Sprint(site)}}), 409, "该课次已预约现场教学点“红色教育基地”")
	if n := a.Count("site_bookings", "session_id = ?", visit); n != 1 {
		t.Fatalf("bookings of the session: %d, want 1", n)
	}

	// The class detail and the teacher's home name the site.
	detail := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", class), c.Tokens["col"], nil)
	collegetest.MustStatus(t, detail, 200)
	if !strings.Contains(string(detail.Body), `"site":"红色教育基地"`) {
		t.Fatalf("class detail lacks the booked site: %s", collegetest.Grep(string(detail.Body), "site"))
	}
	teacher := collegetest.LoginPages(a, "t_zhao", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(teacher, "/", 200), "红色教育现场教学", "现场教学：红色教育基地", "民生工程现场观摩")

	// The district confirms; the timetable follows.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/confirm", booking.ID), w.tok["d1_admin"], nil), 200)
	collegetest.MustContain(t, collegetest.PageGet(col, classPage, 200), "教学点已确认")

	// A declined booking leaves the session unbooked, free to book again.
	r = collegetest.PagePostFrom(col, classPage, fmt.Sprintf("/admin/sessions/%d/site", other), url.Values{"site_id": {fmt.Sprint(site)}})
	collegetest.MustRedirect(t, r, classPage+"#sessions")
	var second uint64
	a.DB.Table("site_bookings").Where("session_id = ?", other).Pluck("id", &second)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/decline", second), w.tok["d1_admin"], map[string]any{"reason": "下午闭馆"}), 200)
	page = collegetest.PageGet(col, classPage, 200)
	if !strings.Contains(page, fmt.Sprintf(`action="/admin/sessions/%d/site"`, other)) {
		t.Fatal("a declined session is not offered for booking again")
	}
	// The calendar exports to Excel: both bookings, the declined one with its reason.
	x := a.Do("GET", fmt.Sprintf("/api/v1/sites/%d/bookings.xlsx?from=%s", site, collegetest.Day(day)), w.tok["d1_admin"], nil)
	collegetest.MustStatus(t, x, 200)
	rows := collegetest.XLSXRows(t, x.Body)
	if len(rows) != 3 || rows[1][4] != "红色教育现场教学" || rows[2][6] != "下午闭馆" {
		t.Fatalf("calendar export: %v", rows)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/sites/%d/bookings.xlsx", site), w.tok["d2_admin"], nil), 404)
	if got := len(w.a.AuditRows("site.book")); got != 2 {
		t.Fatalf("%d site.book entries, want 2", got)
	}
}
