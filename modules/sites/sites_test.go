package sites_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sync"
	"testing"

	"college/app/college"
	"college/app/collegetest"
	"college/modules/identity"
)

// world is the test city with a second district and its unit administrator
// ("d2_admin"), and a unit administrator of the first district ("d1_admin").
type world struct {
	a      *collegetest.App
	c      *collegetest.City
	d1, d2 uint64
	tok    map[string]string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	a, c := collegetest.NewCityApp(t)
	w := &world{a: a, c: c, d1: a.OrgID("D01"), tok: c.Tokens}
	w.d2 = a.CreateOrg(c.Tokens["admin"], "西城区委组织部", "D02", "department", 0)
	a.Provision(
		identity.UserRequest{Username: "d1_admin", Name: "东城组织部", OrgID: w.d1, Roles: []string{"unit_admin"}},
		identity.UserRequest{Username: "d2_admin", Name: "西城组织部", OrgID: w.d2, Roles: []string{"unit_admin"}},
	)
	w.tok["d1_admin"] = a.Login("d1_admin", collegetest.UserPassword)
	w.tok["d2_admin"] = a.Login("d2_admin", collegetest.UserPassword)
	return w
}

func (w *world) propose(t *testing.T, who string, org uint64, capacity int) uint64 {
	t.Helper()
	r := w.a.Do("POST", "/api/v1/sites", w.tok[who], map[string]any{"name": "红色教育基地", "category": "党的建设", "org_id": org, "capacity": capacity, "address": "解放路 18 号"})
	collegetest.MustStatus(t, r, 201)
	if st := r.JSON(t)["status"]; st != "proposed" {
		t.Fatalf("status %v, want proposed", st)
	}
	return r.ID(t)
}

func (w *world) step(t *testing.T, who string, id uint64, step, reason string, want int) map[string]any {
	t.Helper()
	r := w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/%s", id, step), w.tok[who], map[string]any{"reason": reason})
	collegetest.MustStatus(t, r, want)
	return r.JSON(t)
}

// inUse proposes a site of the first district and brings it into use.
func (w *world) inUse(t *testing.T, capacity int) uint64 {
	t.Helper()
	id := w.propose(t, "d1_admin", w.d1, capacity)
	w.step(t, "org", id, "review", "条件具备", 200)
	w.step(t, "org", id, "approve", "", 200)
	w.step(t, "d1_admin", id, "activate", "", 200)
	return id
}

func TestLifeCycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.propose(t, "d1_admin", w.d1, 50)

	// The district may not review or approve; the org department may not
	// skip review.
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/review", id), w.tok["d1_admin"], map[string]any{"reason": "好"}), 403, "forbidden")
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/approve", id), w.tok["org"], map[string]any{}), 409, "wrong_state")
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/activate", id), w.tok["d1_admin"], map[string]any{}), 409, "wrong_state")
	r := w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/review", id), w.tok["org"], map[string]any{"reason": "  "})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["reason"] == nil {
		t.Fatalf("no reason field error: %s", r.Body)
	}

	if got := w.step(t, "org", id, "review", "主题鲜明，同意", 200); got["status"] != "reviewed" || got["review_opinion"] != "主题鲜明，同意" {
		t.Fatalf("after review: %v", got)
	}
	// A step that needs no reason needs no body either.
	if got := w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/approve", id), w.tok["org"], nil); got.Status != 200 || got.JSON(t)["status"] != "approved" {
		t.Fatalf("approve without a body: %d %s", got.Status, got.Body)
	}
	w.step(t, "d1_admin", id, "activate", "", 200)
	w.step(t, "d1_admin", id, "suspend", "", 400)
	if got := w.step(t, "d1_admin", id, "suspend", "场馆改造", 200); got["status"] != "suspended" || got["status_reason"] != "场馆改造" {
		t.Fatalf("after suspend: %v", got)
	}
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/suspend", id), w.tok["d1_admin"], map[string]any{"reason": "再停"}), 409, "wrong_state")
	w.step(t, "org", id, "activate", "", 200)
	w.step(t, "org", id, "withdraw", "不再具备条件", 200)
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/activate", id), w.tok["org"], map[string]any{}), 409, "wrong_state")

	for action, n := range map[string]int{"site.propose": 1, "site.review": 1, "site.approve": 1, "site.activate": 2, "site.suspend": 1, "site.withdraw": 1} {
		rows := w.a.AuditRows(action)
		if len(rows) != n {
			t.Fatalf("%s: %d audit entries, want %d", action, len(rows), n)
		}
		if rows[0].TargetID != id || !rows[0].Success {
			t.Fatalf("%s: entry %+v", action, rows[0])
		}
	}
	if got := w.a.AuditRows("site.suspend")[0].Detail; got == "" || !contains(got, "场馆改造") {
		t.Fatalf("suspend entry detail %q lacks the reason", got)
	}
}

func contains(s, sub string) bool { return len(collegetest.Grep(s, sub)) > 0 }

func TestScope(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.propose(t, "d1_admin", w.d1, 50)
	other := w.propose(t, "org", w.d2, 30)

	// Another district's site is not there at all.
	for _, path := range []string{"/api/v1/sites/%d", "/api/v1/sites/%d/bookings"} {
		collegetest.MustRefuse(t, w.a.Do("GET", fmt.Sprintf(path, id), w.tok["d2_admin"], nil), 404, "not_found")
	}
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/withdraw", id), w.tok["d2_admin"], map[string]any{"reason": "x"}), 404, "not_found")
	// Nor may a district propose for another.
	collegetest.MustStatus(t, w.a.Do("POST", "/api/v1/sites", w.tok["d2_admin"], map[string]any{"name": "越界", "category": "党的建设", "org_id": w.d1, "capacity": 5, "address": "某地"}), 403)

	list := func(who, query string) []any {
		r := w.a.Do("GET", "/api/v1/sites"+query, w.tok[who], nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)["items"].([]any)
	}
	if got := list("d2_admin", ""); len(got) != 1 || uint64(got[0].(map[string]any)["id"].(float64)) != other {
		t.Fatalf("d2 sees %v, want only its own site %d", got, other)
	}
	if got := list("org", ""); len(got) != 2 {
		t.Fatalf("org department sees %d sites, want 2", len(got))
	}
	if got := list("org", "?status=proposed&category=党的建设"); len(got) != 2 {
		t.Fatalf("filter: %d sites, want 2", len(got))
	}
	if got := list("org", "?category=绿色发展"); len(got) != 0 {
		t.Fatalf("category filter: %d sites, want 0", len(got))
	}
	// A cadre sees sites in use only.
	if got := list("ua_cadre", ""); len(got) != 0 {
		t.Fatalf("cadre sees %d proposed sites", len(got))
	}
	collegetest.MustRefuse(t, w.a.Do("GET", fmt.Sprintf("/api/v1/sites/%d", id), w.tok["ua_cadre"], nil), 404, "not_found")
	w.step(t, "org", id, "review", "可", 200)
	w.step(t, "org", id, "approve", "", 200)
	w.step(t, "org", id, "activate", "", 200)
	if got := list("ua_cadre", ""); len(got) != 1 {
		t.Fatalf("cadre sees %d sites in use, want 1", len(got))
	}
	collegetest.MustStatus(t, w.a.Do("GET", "/admin/sites", w.tok["d1_admin"], nil), 200)
	collegetest.MustStatus(t, w.a.Do("GET", fmt.Sprintf("/admin/sites/%d", id), w.tok["d1_admin"], nil), 200)
	collegetest.MustStatus(t, w.a.Do("GET", "/sites", w.tok["ua_cadre"], nil), 200)
}

// The next Monday after the seeds' dates: 2030-01-07 is a Monday.
const monday, sunday = "2030-01-07", "2030-01-06"

func book(w *world, who string, id uint64, body any) collegetest.Response {
	return w.a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/bookings", id), w.tok[who], body)
}

func slot(date, from, to string, size int) map[string]any {
	return map[string]any{"date": date, "starts_at": from, "ends_at": to, "group_size": size}
}

func TestLastSlotUnderConcurrency(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.inUse(t, 10)
	collegetest.MustStatus(t, book(w, "col", id, slot(monday, "09:00", "11:00", 6)), 201)
	// A slot that does not overlap is free again.
	collegetest.MustStatus(t, book(w, "col", id, slot(monday, "14:00", "16:00", 10)), 201)

	const n = 8
	codes := make([]int, n)
	errs := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r := book(w, "col", id, slot(monday, "10:00", "12:00", 4))
			codes[i] = r.Status
			if r.Status == 409 {
				errs[i] = r.ErrorCode(t)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	won := 0
	for i, c := range codes {
		switch {
		case c == 201:
			won++
		case c == 409 && errs[i] == "site_full":
		default:
			t.Fatalf("booking %d: %d %s", i, c, errs[i])
		}
	}
	if won != 1 {
		t.Fatalf("%d bookings won the last 4 seats, want exactly 1", won)
	}
	var day struct{ Bookings, People int }
	if err := w.a.DB.Table("site_days").Where("site_id = ? AND date = ?", id, monday).Select("bookings, people").Scan(&day).Error; err != nil {
		t.Fatal(err)
	}
	if rows := w.a.Count("site_bookings", "site_id = ? AND date = ?", id, monday); day.Bookings != 3 || int64(day.Bookings) != rows || day.People != 20 {
		t.Fatalf("day counter %+v, %d bookings stored; want 3 bookings of 20 people", day, rows)
	}
	// The slot is full now for anyone.
	collegetest.MustRefuse(t, book(w, "org", id, slot(monday, "10:30", "11:00", 1)), 409, "site_full")
	// Only the people there at the same moment count: 11:00 to 12:00 holds 4.
	collegetest.MustRefuse(t, book(w, "org", id, slot(monday, "11:00", "12:00", 7)), 409, "site_full")

	// Declining a booking gives its seats back, and the counter follows.
	var bid uint64
	if err := w.a.DB.Table("site_bookings").Where("site_id = ? AND starts_at = ?", id, "10:00").Select("id").Scan(&bid).Error; err != nil || bid == 0 {
		t.Fatal(err)
	}
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/decline", bid), w.tok["d2_admin"], map[string]any{"reason": "x"}), 404, "not_found")
	collegetest.MustStatus(t, w.a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/decline", bid), w.tok["d1_admin"], map[string]any{}), 400)
	collegetest.MustStatus(t, w.a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/decline", bid), w.tok["d1_admin"], map[string]any{"reason": "当天闭馆检修"}), 200)
	collegetest.MustRefuse(t, w.a.Do("POST", fmt.Sprintf("/api/v1/site-bookings/%d/confirm", bid), w.tok["d1_admin"], map[string]any{}), 409, "wrong_state")
	rebooked := book(w, "org", id, slot(monday, "10:30", "11:00", 4))
	collegetest.MustStatus(t, rebooked, 201)
	// The site's district confirms the new booking through the API, once.
	confirm := fmt.Sprintf("/api/v1/site-bookings/%d/confirm", rebooked.ID(t))
	collegetest.MustRefuse(t, w.a.Do("POST", confirm, w.tok["d2_admin"], nil), 404, "not_found")
	r := w.a.Do("POST", confirm, w.tok["d1_admin"], nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "confirmed" {
		t.Fatalf("confirmed booking: %s", r.Body)
	}
	collegetest.MustRefuse(t, w.a.Do("POST", confirm, w.tok["d1_admin"], nil), 409, "wrong_state")
	if err := w.a.DB.Table("site_days").Where("site_id = ? AND date = ?", id, monday).Select("bookings, people").Scan(&day).Error; err != nil {
		t.Fatal(err)
	}
	if day.Bookings != 3 || day.People != 20 {
		t.Fatalf("after decline and rebook: %+v, want 3 bookings of 20 people", day)
	}
	r = w.a.Do("GET", fmt.Sprintf("/api/v1/sites/%d/bookings?from=%s", id, monday), w.tok["d1_admin"], nil)
	collegetest.MustStatus(t, r, 200)
	if len(collegetest.Grep(string(r.Body), "declined")) == 0 {
		t.Fatalf("calendar lacks the declined booking: %s", r.Body)
	}
	if got := len(w.a.AuditRows("site.book")); got != 4 {
		t.Fatalf("%d site.book entries, want 4 (one per booking made)", got)
	}
}

func TestBookingRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.inUse(t, 30)
	proposed := w.propose(t, "d1_admin", w.d1, 30)

	collegetest.MustRefuse(t, book(w, "d1_admin", proposed, slot(monday, "10:00", "11:00", 5)), 409, "wrong_state")
	// A cadre's view has no proposed sites at all.
	collegetest.MustRefuse(t, book(w, "col", proposed, slot(monday, "10:00", "11:00", 5)), 404, "not_found")
	collegetest.MustRefuse(t, book(w, "col", id, slot(monday, "08:00", "10:00", 5)), 422, "outside_hours")
	collegetest.MustRefuse(t, book(w, "col", id, slot(monday, "16:00", "18:00", 5)), 422, "outside_hours")
	collegetest.MustRefuse(t, book(w, "col", id, slot(sunday, "10:00", "11:00", 5)), 422, "outside_hours")
	collegetest.MustRefuse(t, book(w, "col", id, slot(monday, "10:00", "11:00", 31)), 409, "site_full")
	// A learner may not book; another district cannot see the site.
	collegetest.MustStatus(t, book(w, "ua_cadre", id, slot(monday, "10:00", "11:00", 5)), 403)
	collegetest.MustRefuse(t, book(w, "d2_admin", id, slot(monday, "10:00", "11:00", 5)), 404, "not_found")

	bad := []struct {
		name   string
		body   any
		fields []string
	}{
		{"wrong type", `{"date":"2030-01-07","starts_at":"10:00","ends_at":"11:00","group_size":"ten"}`, []string{"group_size"}},
		{"missing", map[string]any{"group_size": 5}, []string{"date", "starts_at", "ends_at"}},
		{"end before start", slot(monday, "11:00", "10:00", 5), []string{"ends_at"}},
		{"bad clock", slot(monday, "9:00", "25:00", 5), []string{"starts_at", "ends_at"}},
		{"bad date", slot("2030-02-30", "10:00", "11:00", 5), []string{"date"}},
		{"no people", slot(monday, "10:00", "11:00", 0), []string{"group_size"}},
	}
	for _, b := range bad {
		r := book(w, "col", id, b.body)
		collegetest.MustStatus(t, r, 400)
		f := r.Fields(t)
		for _, name := range b.fields {
			if f[name] == nil {
				t.Fatalf("%s: no error for %s: %s", b.name, name, r.Body)
			}
		}
	}
	if n := w.a.Count("site_bookings", "1 = 1"); n != 0 {
		t.Fatalf("%d bookings stored by refused requests", n)
	}
	if n := w.a.Count("site_days", "1 = 1"); n != 0 {
		t.Fatalf("%d day rows left by refused requests", n)
	}
	if n := len(w.a.AuditRows("site.book")); n != 0 {
		t.Fatalf("%d site.book entries for refused requests", n)
	}
}

func TestProposeBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bad := []struct {
		name   string
		body   any
		fields []string
	}{
		{"missing", map[string]any{}, []string{"name", "category", "org_id", "capacity", "address"}},
		{"wrong type", `{"name":"x","category":"党的建设","org_id":1,"capacity":"many","address":"a"}`, []string{"capacity"}},
		{"unknown category", map[string]any{"name": "x", "category": "不存在", "org_id": w.d1, "capacity": 5, "address": "a"}, []string{"category"}},
		{"hours", map[string]any{"name": "x", "category": "党的建设", "org_id": w.d1, "capacity": 5, "address": "a", "opens_at": "18:00", "closes_at": "09:00"}, []string{"closes_at"}},
		{"days", map[string]any{"name": "x", "category": "党的建设", "org_id": w.d1, "capacity": 5, "address": "a", "open_days": "189"}, []string{"open_days"}},
	}
	for _, b := range bad {
		r := w.a.Do("POST", "/api/v1/sites", w.tok["org"], b.body)
		collegetest.MustStatus(t, r, 400)
		f := r.Fields(t)
		for _, name := range b.fields {
			if f[name] == nil {
				t.Fatalf("%s: no error for %s: %s", b.name, name, r.Body)
			}
		}
	}
	if n := w.a.Count("sites", "1 = 1"); n != 0 {
		t.Fatalf("%d sites stored by refused requests", n)
	}
	// A category added to the list may be used at once.
	collegetest.MustStatus(t, w.a.Do("POST", "/api/v1/site-categories", w.tok["d1_admin"], map[string]any{"name": "乡村振兴"}), 403)
	collegetest.MustStatus(t, w.a.Do("POST", "/api/v1/site-categories", w.tok["org"], map[string]any{"name": "乡村振兴"}), 201)
	collegetest.MustStatus(t, w.a.Do("POST", "/api/v1/sites", w.tok["org"], map[string]any{"name": "x", "category": "乡村振兴", "org_id": w.d1, "capacity": 5, "address": "a"}), 201)
	r := w.a.Do("GET", "/api/v1/sites/export", w.tok["org"], nil)
	collegetest.MustStatus(t, r, 200)
	if len(r.Body) < 100 || string(r.Body[:2]) != "PK" {
		t.Fatalf("export is not an xlsx: %d bytes", len(r.Body))
	}
}

func TestDemoSeed(t *testing.T) {
	t.Parallel()
	a := collegetest.NewSeeded(t)
	if n := a.Count("sites", "1 = 1"); n != 12 {
		t.Fatalf("%d demo sites, want 12", n)
	}
	if n := a.Count("sites", "status = ?", "in_use"); n != 7 {
		t.Fatalf("%d demo sites in use, want 7", n)
	}
	for status, want := range map[string]int64{"proposed": 2, "reviewed": 1, "approved": 1, "suspended": 1} {
		if n := a.Count("sites", "status = ?", status); n != want {
			t.Fatalf("%d demo sites %s, want %d", n, status, want)
		}
	}
	if n := a.Count("site_categories", "1 = 1"); n != 5 {
		t.Fatalf("%d categories, want the 5 of the list", n)
	}
	if n := a.Count("site_routes", "1 = 1"); n != 2 {
		t.Fatalf("%d demo routes, want 2", n)
	}
	if err := college.Seed(context.Background(), a.App, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n := a.Count("sites", "1 = 1"); n != 12 {
		t.Fatalf("a second seed left %d sites, want 12", n)
	}
	if n := a.Count("site_routes", "1 = 1"); n != 2 {
		t.Fatalf("a second seed left %d routes, want 2", n)
	}
}

func TestBookForTimetableSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.a.Do("POST", "/api/v1/sites", w.tok["org"], map[string]any{"name": "科创园", "category": "创新驱动发展", "org_id": w.d1, "capacity": 15,
		"address": "科创大道 99 号", "open_days": "1234567", "opens_at": "08:30", "closes_at": "17:30"})
	collegetest.MustStatus(t, r, 201)
	id := r.ID(t)
	w.step(t, "org", id, "review", "可", 200)
	w.step(t, "org", id, "approve", "", 200)
	w.step(t, "org", id, "activate", "", 200)

	class := w.a.CreateClass(w.c, map[string]any{"quota": 10})
	day := collegetest.Day(21)
	session := func(from, to string) uint64 {
		r := w.a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), w.tok["col"], map[string]any{"topic": "现场教学：科技创新", "teacher": "讲解员",
			"site": "科创园", "starts_at": day + "T" + from + ":00+08:00", "ends_at": day + "T" + to + ":00+08:00", "hours": 2})
		collegetest.MustStatus(t, r, 201)
		return r.ID(t)
	}
	first, second, early := session("09:00", "11:00"), session("10:00", "12:00"), session("07:00", "09:00")

	r = book(w, "col", id, map[string]any{"session_id": first})
	collegetest.MustStatus(t, r, 201)
	got := r.JSON(t)
	if got["date"] != day || got["starts_at"] != "09:00" || got["ends_at"] != "11:00" || got["group_size"] != float64(10) || got["purpose"] != "现场教学：科技创新" {
		t.Fatalf("session booking %v, want %s 09:00–11:00 for the class quota of 10", got, day)
	}
	// The class's second session overlaps: 20 people do not fit in 15.
	collegetest.MustRefuse(t, book(w, "col", id, map[string]any{"session_id": second}), 409, "site_full")
	collegetest.MustRefuse(t, book(w, "col", id, map[string]any{"session_id": early}), 422, "outside_hours")
	// A session that is not the caller's, or does not exist, is a field error.
	for _, bad := range []struct {
		who string
		id  uint64
	}{{"d1_admin", first}, {"col", 999999}} {
		r := book(w, bad.who, id, map[string]any{"session_id": bad.id})
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)["session_id"] == nil {
			t.Fatalf("%s session %d: %s", bad.who, bad.id, r.Body)
		}
	}
	if n := w.a.Count("site_bookings", "session_id = ?", first); n != 1 {
		t.Fatalf("%d bookings of the first session, want 1", n)
	}
}

func TestPages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.propose(t, "d1_admin", w.d1, 20)
	org := w.a.Browser()
	org.LoginAs("org", collegetest.UserPassword)
	detail := fmt.Sprintf("/admin/sites/%d", id)
	collegetest.MustBody(t, org.Req("GET", "/admin/sites?status=proposed", nil), 200, "红色教育基地", "导出 Excel")
	collegetest.MustBody(t, org.Req("GET", detail, nil), 200, "申报", "论证")
	// A review without the opinion is shown again with the field error.
	collegetest.MustBody(t, collegetest.PagePostFrom(org, detail, detail+"/step/review", url.Values{"reason": {""}}), 400, "请填写论证意见")
	for _, step := range []string{"review", "approve", "activate"} {
		collegetest.MustRedirect(t, collegetest.PagePostFrom(org, detail, detail+"/step/"+step, url.Values{"reason": {"论证通过"}}), detail)
	}
	collegetest.MustBody(t, org.Req("GET", detail, nil), 200, "使用中", "论证通过", "预约日历")

	col := w.a.Browser()
	col.LoginAs("col", collegetest.UserPassword)
	collegetest.MustBody(t, col.Req("GET", "/sites", nil), 200, "红色教育基地")
	collegetest.MustBody(t, collegetest.PagePostFrom(col, detail, detail+"/book", url.Values{"date": {sunday}, "starts_at": {"10:00"}, "ends_at": {"11:00"}, "group_size": {"5"}}), 422, "不开放")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, detail, detail+"/book", url.Values{"date": {monday}, "starts_at": {"10:00"}, "ends_at": {"11:00"}, "group_size": {"5"}, "purpose": {"专题班现场教学"}}), detail)

	host := w.a.Browser()
	host.LoginAs("d1_admin", collegetest.UserPassword)
	var bid uint64
	if err := w.a.DB.Table("site_bookings").Where("site_id = ?", id).Select("id").Scan(&bid).Error; err != nil || bid == 0 {
		t.Fatalf("no booking: %v", err)
	}
	collegetest.MustBody(t, host.Req("GET", detail, nil), 200, "专题班现场教学", "确认")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(host, detail, fmt.Sprintf("%s/bookings/%d/confirm", detail, bid), nil), detail)
	collegetest.MustBody(t, host.Req("GET", detail, nil), 200, "已确认")
	if got := len(w.a.AuditRows("site.booking.confirm")); got != 1 {
		t.Fatalf("%d confirm entries, want 1", got)
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.inUse(t, 50), w.inUse(t, 50)
	proposed := w.propose(t, "d1_admin", w.d1, 50)
	other := w.propose(t, "org", w.d2, 30)
	w.step(t, "org", other, "review", "可", 200)
	w.step(t, "org", other, "approve", "", 200)
	w.step(t, "org", other, "activate", "", 200)

	stops := func(ids ...uint64) []map[string]any {
		var out []map[string]any
		for i, id := range ids {
			out = append(out, map[string]any{"site_id": id, "stay_minutes": 60, "travel_minutes": 20 * i})
		}
		return out
	}
	bad := []struct {
		who   string
		body  any
		field string
	}{
		{"d1_admin", map[string]any{"name": "线路", "stops": stops(a)}, "stops"},
		{"d1_admin", map[string]any{"name": "", "stops": stops(a, b)}, "name"},
		{"d1_admin", map[string]any{"name": "线路", "stops": stops(a, a)}, "stops.1.site_id"},
		{"d1_admin", map[string]any{"name": "线路", "stops": stops(a, proposed)}, "stops.1.site_id"},
		{"d1_admin", map[string]any{"name": "线路", "stops": stops(a, other)}, "stops.1.site_id"},
		{"d1_admin", map[string]any{"name": "线路", "stops": []map[string]any{{"site_id": a, "stay_minutes": 60}, {"site_id": b, "stay_minutes": 60}}}, "stops.1.travel_minutes"},
	}
	for i, c := range bad {
		r := w.a.Do("POST", "/api/v1/site-routes", w.tok[c.who], c.body)
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)[c.field] == nil {
			t.Fatalf("case %d: no error for %s: %s", i, c.field, r.Body)
		}
	}
	if n := w.a.Count("site_routes", "1 = 1"); n != 0 {
		t.Fatalf("%d routes stored by refused requests", n)
	}
	r := w.a.Do("POST", "/api/v1/site-routes", w.tok["d1_admin"], map[string]any{"name": "东城红色线路", "theme": "党的建设", "stops": stops(b, a)})
	collegetest.MustStatus(t, r, 201)
	got := r.JSON(t)
	st := got["stops"].([]any)
	if got["total_minutes"] != float64(140) || len(st) != 2 || uint64(st[0].(map[string]any)["site_id"].(float64)) != b || st[1].(map[string]any)["travel_minutes"] != float64(20) {
		t.Fatalf("route %v: want b then a, 60 + 20 + 60 = 140 minutes", got)
	}
	route := r.ID(t)
	collegetest.MustStatus(t, w.a.Do("GET", fmt.Sprintf("/api/v1/site-routes/%d", route), w.tok["ua_cadre"], nil), 200)
	// Another district does not see the route of sites it cannot see.
	collegetest.MustRefuse(t, w.a.Do("GET", fmt.Sprintf("/api/v1/site-routes/%d", route), w.tok["d2_admin"], nil), 404, "not_found")
	lr := w.a.Do("GET", "/api/v1/site-routes", w.tok["d2_admin"], nil)
	collegetest.MustStatus(t, lr, 200)
	if string(lr.Body) != "[]" {
		t.Fatalf("d2 lists %s", lr.Body)
	}
	if n := len(w.a.AuditRows("site_route.create")); n != 1 {
		t.Fatalf("%d route entries, want 1", n)
	}
}
