package training_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"
)

func TestClassLifeCycle(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	id := a.CreateClass(c, nil)
	path := func(action string) string { return fmt.Sprintf("/api/v1/classes/%d/%s", id, action) }
	col, adm := c.Tokens["col"], c.Tokens["org"]

	// Not yet filed: no approval, no registration.
	collegetest.MustStatus(t, a.Do("POST", path("approve"), adm, nil), 409)
	r := a.Do("POST", path("open"), col, nil)
	collegetest.MustRefuse(t, r, 409, "not_approved")
	// Wrong roles.
	collegetest.MustStatus(t, a.Do("POST", path("submit"), c.Tokens["ua_admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("POST", path("submit"), c.Tokens["ua_cadre"], nil), 403)

	r = a.Do("POST", path("submit"), col, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "filing" {
		t.Fatalf("submit: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", path("submit"), col, nil), 409)
	collegetest.MustStatus(t, a.Do("POST", path("approve"), col, nil), 403) // only the org department approves
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d", id), col, map[string]any{"title": "改", "kind": "专题班", "starts_on": collegetest.Day(20), "ends_on": collegetest.Day(24), "quota": 10}), 409)

	// Rejected with a reason, back to draft; the host sees the reason.
	r = a.Do("POST", path("reject"), adm, map[string]any{"reason": " "})
	collegetest.MustStatus(t, r, 400)
	r = a.Do("POST", path("reject"), adm, map[string]any{"reason": "课程安排过满，请压缩为 4 天"})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "draft" {
		t.Fatalf("reject: %s", r.Body)
	}
	got := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", id), col, nil).JSON(t)
	if got["reject_reason"] != "课程安排过满，请压缩为 4 天" || got["status"] != "draft" {
		t.Fatalf("after reject: %v", got)
	}
	// A draft can be edited, then filed again and approved.
	r = a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d", id), col, map[string]any{"title": "学习贯彻专题培训班（压缩）", "kind": "专题班", "host_org_id": c.College,
		"starts_on": collegetest.Day(20), "ends_on": collegetest.Day(23), "quota": 10, "hours": 24, "self_registration": true})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["days"].(float64) != 4 {
		t.Fatalf("edit: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", path("submit"), col, nil), 200)
	r = a.Do("POST", path("approve"), adm, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "approved" {
		t.Fatalf("approve: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", path("start"), col, nil), 409)    // registration first
	collegetest.MustStatus(t, a.Do("POST", path("open"), adm, nil), 403)     // the host opens
	collegetest.MustStatus(t, a.Do("POST", path("graduate"), col, nil), 409) // not in session
	for _, step := range []struct{ action, want string }{{"open", "registration_open"}, {"close-registration", "registration_closed"}, {"start", "in_session"}} {
		r = a.Do("POST", path(step.action), col, nil)
		collegetest.MustStatus(t, r, 200)
		if r.JSON(t)["status"] != step.want {
			t.Fatalf("%s: %s", step.action, r.Body)
		}
	}
	collegetest.MustStatus(t, a.Do("POST", path("open"), col, nil), 409)
	collegetest.MustStatus(t, a.Do("POST", path("archive"), col, nil), 409)

	// Another college's admin does not see the class at all.
	other := a.CreateOrg(adm, "市委党校总部", "C00", "college", c.Root)
	a.CreateUser(adm, "col2", other, "college_admin")
	col2 := a.Login("col2", collegetest.UserPassword)
	collegetest.MustStatus(t, a.Do("POST", path("submit"), col2, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/roster", id), col2, nil), 404)

	for action, n := range map[string]int64{"class.create": 1, "class.submit": 2, "class.reject": 1, "class.approve": 1, "class.update": 1, "class.open": 1, "class.start": 1} {
		if got := a.AuditCount(action, id); got != n {
			t.Errorf("audit %s: %d entries, want %d", action, got, n)
		}
	}
}

func TestClassValidation(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	r := a.Do("POST", "/api/v1/classes", c.Tokens["col"], map[string]any{"title": "", "kind": "培训", "starts_on": "2026-13-01", "ends_on": collegetest.Day(1), "quota": 0, "levels": []string{"处长"}})
	collegetest.MustStatus(t, r, 400)
	f := r.Fields(t)
	for _, k := range []string{"title", "kind", "starts_on", "quota", "levels"} {
		if f[k] == nil {
			t.Errorf("no error for %s: %v", k, f)
		}
	}
	r = a.Do("POST", "/api/v1/classes", c.Tokens["col"], map[string]any{"title": "x", "kind": "专题班", "starts_on": collegetest.Day(5), "ends_on": collegetest.Day(4), "quota": 5})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["ends_on"] == nil {
		t.Fatalf("end before start: %s", r.Body)
	}
	// The host must be a college in the caller's reach.
	r = a.Do("POST", "/api/v1/classes", c.Tokens["col"], map[string]any{"title": "x", "kind": "专题班", "host_org_id": c.UnitA, "starts_on": collegetest.Day(5), "ends_on": collegetest.Day(6), "quota": 5})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/classes", c.Tokens["ua_admin"], map[string]any{"title": "x", "kind": "专题班", "starts_on": collegetest.Day(5), "ends_on": collegetest.Day(6), "quota": 5}), 403)
	// Unit quotas cannot exceed the class quota.
	id := a.CreateClass(c, map[string]any{"quota": 5})
	r = a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", id), c.Tokens["col"], map[string]any{"quotas": []map[string]any{{"org_id": c.UnitA, "quota": 4}, {"org_id": c.UnitB, "quota": 2}}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", id), c.Tokens["col"], map[string]any{"quotas": []map[string]any{{"org_id": c.UnitA, "quota": 3}, {"org_id": c.UnitB, "quota": 2}}}), 200)
	if n := a.AuditCount("class.quotas", id); n != 1 {
		t.Fatalf("quota audit entries: %d", n)
	}
	a.OpenClass(c, id)
	r = a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", id), c.Tokens["col"], map[string]any{"quotas": []map[string]any{{"org_id": c.UnitA, "quota": 5}}})
	collegetest.MustStatus(t, r, 409)
}

func TestRegistrationRules(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	chu := a.Cadres("chu", c.UnitA, "县处级", 2)
	ke := a.Cadres("ke", c.UnitA, "乡科级", 1)
	bch := a.Cadres("bchu", c.UnitB, "县处级", 1)
	ua := c.Tokens["ua_admin"]

	// Levels and audience orgs.
	ny := fmt.Sprint(time.Now().Year() + 1) // every class of this test in one future year
	id := a.CreateClass(c, map[string]any{"levels": []string{"县处级"}, "audience_org_ids": []uint64{c.UnitA}, "self_registration": false, "starts_on": ny + "-03-02", "ends_on": ny + "-03-06"})
	a.OpenClass(c, id)
	r := a.Register(ua, id, ke[0])
	collegetest.MustRefuse(t, r, 422, "not_eligible")
	r = a.Register(c.Tokens["org"], id, bch[0]) // the org department may nominate anyone, but unit B is not invited
	collegetest.MustRefuse(t, r, 422, "not_eligible")
	collegetest.MustStatus(t, a.Register(ua, id, bch[0]), 404)                  // not in the unit admin's scope
	collegetest.MustStatus(t, a.Register(c.Tokens["ua_cadre"], id, ke[0]), 404) // the class is not for this learner
	collegetest.MustStatus(t, a.Register(a.TokenFor(chu[1]), id, ke[0]), 403)   // a learner cannot nominate
	r = a.Register(a.TokenFor(chu[0]), id, 0)                                   // no self-registration here
	collegetest.MustStatus(t, r, 422)
	r = a.Register(ua, id, chu[0])
	collegetest.MustStatus(t, r, 201)
	if r.JSON(t)["status"] != "pending" {
		t.Fatalf("nominate: %s", r.Body)
	}
	r = a.Register(ua, id, chu[0])
	collegetest.MustRefuse(t, r, 409, "already_registered")

	// Overlap: a second class in the same days.
	overlap := a.CreateClass(c, map[string]any{"kind": "主体班", "starts_on": ny + "-03-04", "ends_on": ny + "-03-12"})
	a.OpenClass(c, overlap)
	r = a.Register(ua, overlap, chu[0])
	collegetest.MustRefuse(t, r, 422, "schedule_conflict")
	collegetest.MustStatus(t, a.Register(ua, overlap, chu[1]), 201)

	// Similar class this year: flagged (the default), or refused by setting.
	later := a.CreateClass(c, map[string]any{"starts_on": ny + "-05-01", "ends_on": ny + "-05-02"})
	a.OpenClass(c, later)
	r = a.Register(ua, later, chu[0])
	collegetest.MustStatus(t, r, 201)
	regs := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/registrations", later), c.Tokens["col"], nil).JSON(t)["items"].([]any)
	flags := regs[0].(map[string]any)["flags"].([]any)
	if len(flags) != 1 || flags[0] != "similar" {
		t.Fatalf("similar flag: %v", regs)
	}
	a.Setting("training.similar_refuse", "true")
	another := a.CreateClass(c, map[string]any{"starts_on": ny + "-06-01", "ends_on": ny + "-06-02"})
	a.OpenClass(c, another)
	r = a.Register(ua, another, chu[0])
	collegetest.MustRefuse(t, r, 422, "not_eligible")

	// The registration window.
	clock := collegetest.WithClock(a, time.Now())
	win := a.CreateClass(c, map[string]any{"kind": "任职培训", "starts_on": ny + "-07-01", "ends_on": ny + "-07-02", "registration_opens_at": time.Now().Add(24 * time.Hour), "registration_closes_at": time.Now().Add(48 * time.Hour)})
	a.OpenClass(c, win)
	r = a.Register(a.TokenFor(chu[1]), win, 0)
	collegetest.MustRefuse(t, r, 422, "registration_closed")
	clock.Set(time.Now().Add(30 * time.Hour))
	collegetest.MustStatus(t, a.Register(a.TokenFor(chu[1]), win, 0), 201)
	clock.Set(time.Now().Add(49 * time.Hour))
	r = a.Register(a.TokenFor(ke[0]), win, 0)
	collegetest.MustRefuse(t, r, 422, "registration_closed")
	if st := a.ClassStatus(c.Tokens["col"], win); st != "registration_closed" {
		t.Fatalf("status past the deadline: %s", st)
	}
	for status, want := range map[string]bool{"registration_open": false, "registration_closed": true} {
		body := string(a.Do("GET", "/api/v1/classes?status="+status, c.Tokens["col"], nil).Body)
		if strings.Contains(body, fmt.Sprintf(`"id":%d,`, win)) != want {
			t.Fatalf("list of %s classes past the deadline: %s", status, body)
		}
	}
	if n, err := a.Training.CloseDue(context.Background()); err != nil || n < 1 {
		t.Fatalf("sweeper closed %d: %v", n, err)
	}
}

func TestWaitlistAndPromotion(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	as := a.Cadres("wa", c.UnitA, "乡科级", 3)
	bs := a.Cadres("wb", c.UnitB, "乡科级", 2)
	id := a.CreateClass(c, map[string]any{"quota": 3})
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", id), c.Tokens["col"], map[string]any{"quotas": []map[string]any{{"org_id": c.UnitA, "quota": 2}, {"org_id": c.UnitB, "quota": 1}}}), 200)
	a.OpenClass(c, id)
	status := func(r collegetest.Response) string {
		t.Helper()
		collegetest.MustStatus(t, r, 201)
		return r.JSON(t)["status"].(string)
	}
	regA := make([]uint64, 3)
	want := []string{"pending", "pending", "waitlisted"}
	for i, u := range as {
		r := a.Register(c.Tokens["ua_admin"], id, u)
		if got := status(r); got != want[i] {
			t.Fatalf("unit A #%d: %s", i, got)
		}
		regA[i] = r.ID(t)
	}
	rb0 := a.Register(c.Tokens["ub_admin"], id, bs[0])
	if got := status(rb0); got != "pending" {
		t.Fatalf("unit B #0: %s", got)
	}
	rb1 := a.Register(c.Tokens["ub_admin"], id, bs[1])
	if got := status(rb1); got != "waitlisted" {
		t.Fatalf("unit B #1: %s", got)
	}
	// Unit B's seat frees: A's waitlisted cadre came first but A is full, so B's is promoted.
	r := a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/withdraw", rb0.ID(t)), a.TokenFor(bs[0]), nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "withdrawn" {
		t.Fatalf("withdraw: %s", r.Body)
	}
	regStatus := func(rid uint64) string {
		var s string
		a.DB.Table("registrations").Where("id = ?", rid).Pluck("status", &s)
		return s
	}
	if s := regStatus(rb1.ID(t)); s != "pending" {
		t.Fatalf("unit B's waitlisted after a B seat freed: %s", s)
	}
	if s := regStatus(regA[2]); s != "waitlisted" {
		t.Fatalf("unit A's waitlisted jumped its quota: %s", s)
	}
	// The cadre who withdrew registers again on the same row, now behind the queue.
	again := a.Register(c.Tokens["ub_admin"], id, bs[0])
	if got := status(again); got != "waitlisted" || again.ID(t) != rb0.ID(t) {
		t.Fatalf("registering again: %s (row %d, was %d)", got, again.ID(t), rb0.ID(t))
	}
	// A unit A seat frees by the host's refusal: A's first waitlisted is promoted.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/reject", regA[0]), c.Tokens["col"], map[string]any{"reason": "不符合条件"}), 200)
	if s := regStatus(regA[2]); s != "pending" {
		t.Fatalf("unit A's waitlisted after an A seat freed: %s", s)
	}
	var enrolled int
	a.DB.Table("training_classes").Where("id = ?", id).Pluck("enrolled", &enrolled)
	if enrolled != 3 {
		t.Fatalf("enrolled %d, want 3", enrolled)
	}
	// The host approves; the unit replaces a nominee before the class starts.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", regA[1]), c.Tokens["ua_admin"], nil), 403)
	r = a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", regA[1]), c.Tokens["col"], nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "approved" {
		t.Fatalf("approve: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", regA[0]), c.Tokens["col"], nil), 409) // rejected
	r = a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/replace", regA[1]), c.Tokens["ua_admin"], map[string]any{"user_id": as[0]})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "pending" || regStatus(regA[1]) != "replaced" {
		t.Fatalf("replace: %s / %s", r.Body, regStatus(regA[1]))
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/replace", r.ID(t)), c.Tokens["ua_admin"], map[string]any{"user_id": bs[0]}), 404) // not their cadre
	a.DB.Table("training_classes").Where("id = ?", id).Pluck("enrolled", &enrolled)
	var usedA int
	a.DB.Table("class_quotas").Where("class_id = ? AND org_id = ?", id, c.UnitA).Pluck("used", &usedA)
	if enrolled != 3 || usedA != 2 {
		t.Fatalf("after replacement: enrolled %d, unit A used %d", enrolled, usedA)
	}
	// Every decision reached the cadre.
	if notes := a.Count("notifications", "user_id = ?", bs[1]); notes < 2 {
		t.Fatalf("the promoted cadre got %d notifications", notes)
	}
	// A full class without a waitlist refuses.
	full := a.CreateClass(c, map[string]any{"quota": 1, "no_waitlist": true, "starts_on": collegetest.Day(70), "ends_on": collegetest.Day(71)})
	a.OpenClass(c, full)
	collegetest.MustStatus(t, a.Register(c.Tokens["ua_admin"], full, as[1]), 201)
	r = a.Register(c.Tokens["ua_admin"], full, as[2])
	collegetest.MustRefuse(t, r, 409, "quota_full")
}

// Nominations from four units race for a class of 50 with unit quotas:
// never more than a quota, the rest waitlisted.
func TestConcurrentNominationsKeepQuotas(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	adm := c.Tokens["org"]
	quotas := []int{20, 15, 10, 5}
	var units []uint64
	var admins []string
	var cadres [][]uint64
	for i, q := range quotas {
		u := a.CreateOrg(adm, fmt.Sprintf("并发单位%d", i), fmt.Sprintf("CU%d", i), "unit", c.Root)
		units = append(units, u)
		admins = append(admins, a.TokenFor(a.CreateUser(adm, fmt.Sprintf("cu_admin%d", i), u, "unit_admin")))
		cadres = append(cadres, a.Cadres(fmt.Sprintf("cu%d_", i), u, "乡科级", 50))
		_ = q
	}
	id := a.CreateClass(c, map[string]any{"quota": 50})
	var qs []map[string]any
	for i, u := range units {
		qs = append(qs, map[string]any{"org_id": u, "quota": quotas[i]})
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", id), c.Tokens["col"], map[string]any{"quotas": qs}), 200)
	a.OpenClass(c, id)

	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	start := make(chan struct{})
	for i := range units {
		for _, u := range cadres[i] {
			wg.Add(1)
			go func(tok string, u uint64) {
				defer wg.Done()
				<-start
				// A loaded server sheds what it cannot finish in time (503);
				// the client sends the same nomination again, as the page does.
				r := a.Register(tok, id, u)
				for try := 0; r.Status == 503 && try < 20; try++ {
					time.Sleep(200 * time.Millisecond)
					r = a.Register(tok, id, u)
				}
				mu.Lock()
				defer mu.Unlock()
				if r.Status != 201 {
					counts[fmt.Sprintf("http %d %s", r.Status, r.Body)]++
					return
				}
				counts[r.JSON(t)["status"].(string)]++
			}(admins[i], u)
		}
	}
	close(start)
	wg.Wait()
	if counts["pending"] != 50 || counts["waitlisted"] != 150 || len(counts) != 2 {
		t.Fatalf("answers: %v", counts)
	}
	for i, u := range units {
		var seats, used int64
		a.DB.Table("registrations").Where("class_id = ? AND org_id = ? AND seat = ?", id, u, true).Count(&seats)
		a.DB.Table("class_quotas").Where("class_id = ? AND org_id = ?", id, u).Pluck("used", &used)
		if seats != int64(quotas[i]) || used != int64(quotas[i]) {
			t.Errorf("unit %d: %d seats, used %d, quota %d", i, seats, used, quotas[i])
		}
	}
	var enrolled int
	a.DB.Table("training_classes").Where("id = ?", id).Pluck("enrolled", &enrolled)
	if enrolled != 50 {
		t.Fatalf("enrolled %d", enrolled)
	}
}

// A class runs: sign-in by code, leave and the 1/7 rule, files,
// graduation crediting hours once, certificates verified.
func TestClassSessionsAndGraduation(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	people := a.Cadres("gr", c.UnitA, "乡科级", 4)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d", people[0]), c.Tokens["admin"], map[string]any{"name": "张建国", "level": "乡科级", "id_number": "110101199003074514"}), 200)
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(3), "ends_on": collegetest.Day(4), "hours": 14, "self_registration": false})
	base := time.Now()
	clock := collegetest.WithClock(a, base)
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(3)+" 09:00", web.Shanghai)
	var sessions []uint64
	for i, topic := range []string{"开班式与专题讲座", "现场教学", "研讨交流"} {
		r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": topic, "teacher": "王教授",
			"starts_at": startsAt.Add(time.Duration(i) * 4 * time.Hour), "ends_at": startsAt.Add(time.Duration(i)*4*time.Hour + 3*time.Hour)})
		collegetest.MustStatus(t, r, 201)
		sessions = append(sessions, r.ID(t))
	}
	a.OpenClass(c, id)
	a.Admit(c, c.Tokens["ua_admin"], id, people...)
	a.StartClass(c, id)
	// The cadre cannot see the code; the host can.
	detail := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", id), a.TokenFor(people[0]), nil).JSON(t)
	if s := detail["sessions"].([]any)[0].(map[string]any); s["code"] != nil {
		t.Fatalf("a trainee sees the sign-in code: %v", s)
	}
	code := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sessions[0]), col, nil).JSON(t)["code"].(string)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sessions[0]), a.TokenFor(people[0]), nil), 403)
	qr := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/qr.png", sessions[0]), col, nil)
	collegetest.MustStatus(t, qr, 200)
	if string(qr.Body[1:4]) != "PNG" {
		t.Fatal("the QR code is not a PNG")
	}

	signIn := func(u uint64, sid uint64, code string) collegetest.Response {
		return a.Do("POST", fmt.Sprintf("/api/v1/sessions/%d/signin", sid), a.TokenFor(u), map[string]any{"code": code})
	}
	// Before the session: refused.
	r := signIn(people[0], sessions[0], code)
	collegetest.MustRefuse(t, r, 422, "signin_closed")
	clock.Set(startsAt.Add(10 * time.Minute))
	r = signIn(people[0], sessions[0], "000000"+code)
	collegetest.MustRefuse(t, r, 422, "wrong_code")
	for _, u := range people[:3] {
		collegetest.MustStatus(t, signIn(u, sessions[0], code), 200)
	}
	again := signIn(people[0], sessions[0], code) // twice keeps the first time
	collegetest.MustStatus(t, again, 200)
	outsider := a.Cadres("out", c.UnitA, "乡科级", 1)
	collegetest.MustStatus(t, signIn(outsider[0], sessions[0], code), 404)
	clock.Set(startsAt.Add(4 * time.Hour)) // session 1 is over
	r = signIn(people[3], sessions[0], code)
	collegetest.MustStatus(t, r, 422)
	// The host signs a trainee in by hand.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance", sessions[0]), col, map[string]any{"user_id": people[3], "present": true}), 200)

	// Leave: 14 class hours, limit 2; 3 hours of leave flags the trainee.
	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.TokenFor(people[2]), map[string]any{"session_ids": []uint64{sessions[1]}, "reason": "单位紧急任务"})
	collegetest.MustStatus(t, r, 201)
	if r.JSON(t)["hours"].(float64) != 3 {
		t.Fatalf("leave hours: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", r.ID(t)), a.TokenFor(people[2]), nil), 403)
	r = a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", r.ID(t)), col, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["over_limit"] != true {
		t.Fatalf("1/7 rule: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", r.ID(t)), col, nil), 409)

	// Graduation needs the files.
	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, map[string]any{"absent_user_ids": []uint64{people[1]}})
	collegetest.MustRefuse(t, r, 422, "files_missing")
	pdf := []byte("%PDF-1.4\n% plan\n")
	collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=plan", id), col, "培训方案.pdf", pdf, nil), 201)
	collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=timetable", id), col, "课程表.pdf", pdf, nil), 201)
	collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=signin_sheet", id), col, "evil.exe", []byte("MZ\x90\x00binary"), nil), 415)
	collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=signin_sheet", id), col, "签到表.pdf", pdf, nil), 201)
	collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=plan", id), c.Tokens["ua_admin"], "x.pdf", pdf, nil), 403)
	wrong := a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=other", id), col, "错传.pdf", pdf, nil)
	collegetest.MustStatus(t, wrong, 201)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/class-files/%d", wrong.ID(t)), c.Tokens["ua_admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/class-files/%d", wrong.ID(t)), col, nil), 204)
	files := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/files", id), col, nil)
	collegetest.MustStatus(t, files, 200)
	if strings.Contains(string(files.Body), "错传") || !strings.Contains(string(files.Body), "培训方案.pdf") {
		t.Fatalf("files after a delete: %s", files.Body)
	}
	roster := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/roster.xlsx", id), col, nil)
	collegetest.MustStatus(t, roster, 200)
	sheet := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/signin-sheet.xlsx", id), col, nil)
	collegetest.MustStatus(t, sheet, 200)

	// Graduate twice at once: one wins, the other finds it graduated.
	var wg sync.WaitGroup
	results := make([]collegetest.Response, 2)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, map[string]any{"absent_user_ids": []uint64{people[1]}})
		}(i)
	}
	wg.Wait()
	var ok collegetest.Response
	codes := []int{results[0].Status, results[1].Status}
	switch {
	case codes[0] == 200 && codes[1] == 409:
		ok = results[0]
	case codes[0] == 409 && codes[1] == 200:
		ok = results[1]
	default:
		t.Fatalf("graduate twice: %d %s / %d %s", codes[0], results[0].Body, codes[1], results[1].Body)
	}
	g := ok.JSON(t)
	if g["graduated"].(float64) != 2 || g["absent"].(float64) != 1 || len(g["incomplete"].([]any)) != 1 {
		t.Fatalf("graduation: %s", ok.Body)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, nil), 409)
	for i, u := range people {
		var n int64
		var sum int64
		a.DB.Table("hour_entries").Where("user_id = ? AND source_id = ? AND source_type IN ?", u, id, []string{"class", "class_y2"}).Count(&n)
		a.DB.Table("hour_entries").Where("user_id = ? AND source_id = ?", u, id).Select("COALESCE(SUM(hours_x100),0)").Scan(&sum)
		want := map[int]int64{0: 1, 3: 1}[i]
		if n != want {
			t.Errorf("cadre %d: %d ledger entries, want %d", i, n, want)
		}
		if want == 1 && sum != 1400 {
			t.Errorf("cadre %d: %d hundredths credited", i, sum)
		}
	}
	certs := g["certificates"].([]any)
	serial := certs[0].(map[string]any)["serial"].(string)
	v := a.Do("GET", "/api/v1/certificates/"+serial, "", nil)
	collegetest.MustStatus(t, v, 200)
	vm := v.JSON(t)
	if vm["serial"] != serial || vm["hours"].(float64) != 14 || vm["class_title"] != "学习贯彻专题培训班" || vm["issued_on"] == "" || vm["name"] != "张*国" ||
		vm["valid"] != true || strings.Contains(string(v.Body), "199003074514") || vm["id_number"] != nil {
		t.Fatalf("verify: %s", v.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/certificates/2026-9999-0001-ABCD", "", nil), 404)
	// The graduate's hours show as centralized training.
	h := a.Do("GET", "/api/v1/me/hours", a.TokenFor(people[0]), nil)
	collegetest.MustBody(t, h, 200, "学习贯彻专题培训班")
	if n := a.AuditCount("class.graduate", id); n != 1 {
		t.Fatalf("graduation audit entries: %d", n)
	}
}

// A class's exam is open to its trainees only, and passing it is a
// graduation rule.
func TestClassExamAudienceAndGraduationRule(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	a.Setting("training.graduation_requires_files", "false")
	trainees := a.Cadres("ex", c.UnitA, "乡科级", 2)
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(5), "ends_on": collegetest.Day(6), "hours": 12, "self_registration": false})

	qid := a.Question(col, a.Bank(col, "结业考试题库", false), map[string]any{"type": "judge", "stem": "坚持党的全面领导", "answer": true, "score": 10})
	now := time.Now().UTC()
	exam := map[string]any{"title": "结业考试", "duration_minutes": 30, "pass_score": 10, "opens_at": now.Add(-time.Hour), "closes_at": now.Add(time.Hour),
		"audience_levels": []string{"县处级"}, "class_id": id, "paper": map[string]any{"mode": "fixed", "question_ids": []uint64{qid}}}
	exam["class_id"] = id + 1000
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/exams", col, exam), 400) // not a class of this college
	exam["class_id"] = id
	r := a.Do("POST", "/api/v1/exams", col, exam)
	collegetest.MustStatus(t, r, 201)
	examID := r.ID(t)
	a.PublishExam(col, examID)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d", id), col, map[string]any{"title": "结业考试班", "kind": "专题班", "starts_on": collegetest.Day(5), "ends_on": collegetest.Day(6),
		"quota": 10, "hours": 12, "exam_id": examID}), 200)
	a.OpenClass(c, id)
	a.Admit(c, c.Tokens["ua_admin"], id, trainees...)
	a.StartClass(c, id)

	// Not a trainee: the exam is not there, although the level would fit an audience.
	outsider := a.TokenFor(a.Cadres("exo", c.UnitA, "县处级", 1)[0])
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), outsider, nil), 404)
	if strings.Contains(string(a.Do("GET", "/api/v1/me/exams", outsider, nil).Body), "结业考试") {
		t.Fatal("an outsider sees the class exam")
	}
	// A trainee (乡科级, outside the audience levels) sits and passes it.
	tok := a.TokenFor(trainees[0])
	if !strings.Contains(string(a.Do("GET", "/api/v1/me/exams", tok, nil).Body), "结业考试") {
		t.Fatal("the trainee does not see the class exam")
	}
	r = a.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", examID), tok, nil)
	collegetest.MustStatus(t, r, 201)
	attempt := uint64(r.JSON(t)["attempt_id"].(float64))
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers", attempt), tok, map[string]any{"answers": map[string]any{fmt.Sprint(qid): true}}), 200)
	r = a.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", attempt), tok, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["passed"] != true {
		t.Fatalf("submit: %s", r.Body)
	}
	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, nil)
	collegetest.MustStatus(t, r, 200)
	g := r.JSON(t)
	inc := g["incomplete"].([]any)
	if g["graduated"].(float64) != 1 || len(inc) != 1 || !strings.Contains(fmt.Sprint(inc[0]), "结业考试未通过") {
		t.Fatalf("graduation with an exam rule: %s", r.Body)
	}
	var status string
	a.DB.Table("registrations").Where("class_id = ? AND user_id = ?", id, trainees[1]).Pluck("status", &status)
	if status != "incomplete" {
		t.Fatalf("the trainee who did not sit: %s", status)
	}
}

// One cadre nominated into two overlapping classes at the same instant
// gets at most one of them.
func TestOverlappingNominationsRace(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	ny := fmt.Sprint(time.Now().Year() + 1)
	people := a.Cadres("race", c.UnitA, "乡科级", 10)
	var classes []uint64
	for i := range 2 {
		id := a.CreateClass(c, map[string]any{"title": fmt.Sprintf("同期班%d", i), "kind": []string{"专题班", "主体班"}[i], "starts_on": ny + "-04-01", "ends_on": ny + "-04-05", "quota": 20})
		a.OpenClass(c, id)
		classes = append(classes, id)
	}
	unit := c.Tokens["ua_admin"]
	for _, u := range people {
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, id := range classes {
			wg.Add(1)
			go func(i int, id uint64) {
				defer wg.Done()
				codes[i] = a.Register(unit, id, u).Status
			}(i, id)
		}
		wg.Wait()
		if seats := a.Count("registrations", "user_id = ? AND status IN ?", u, []string{"pending", "approved"}); seats != 1 || codes[0]+codes[1] != 201+422 {
			t.Fatalf("cadre %d: answers %v, %d seats", u, codes, seats)
		}
	}
}

// A class run with another college (市县统筹办学) names it: any college of
// the city, not its own host, not a unit; the class shows it to managers
// and learners, on the form and on the class pages.
func TestCoRunClassNamesItsCoHost(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	school := a.CreateOrg(c.Tokens["admin"], "东城区委党校", "C02", "college", c.UnitB)
	base := func(co uint64) map[string]any {
		return map[string]any{"title": "市县统筹乡村振兴专题班", "kind": "专题班", "co_host_org_id": co, "starts_on": collegetest.Day(5), "ends_on": collegetest.Day(6), "quota": 5}
	}
	for _, bad := range []uint64{c.College, c.UnitA, 999999} {
		r := a.Do("POST", "/api/v1/classes", c.Tokens["col"], base(bad))
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)["co_host_org_id"] == nil {
			t.Fatalf("co-host %d: %s", bad, r.Body)
		}
	}
	id := a.CreateClass(c, base(school))
	got := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", id), c.Tokens["col"], nil).JSON(t)
	if got["co_host_org_id"] != float64(school) || got["co_host_name"] != "东城区委党校" {
		t.Fatalf("class: co-host %v %v", got["co_host_org_id"], got["co_host_name"])
	}
	form := a.Do("GET", fmt.Sprintf("/admin/classes/%d/edit", id), c.Tokens["col"], nil)
	collegetest.MustStatus(t, form, 200)
	if !strings.Contains(string(form.Body), fmt.Sprintf(`<option value="%d" selected>东城区委党校</option>`, school)) {
		t.Fatalf("the form does not show the co-host picked")
	}
	a.OpenClass(c, id)
	page := a.Do("GET", fmt.Sprintf("/classes/%d", id), c.Tokens["ua_cadre"], nil)
	collegetest.MustStatus(t, page, 200)
	if !strings.Contains(string(page.Body), "东城区委党校<span class=\"muted\">（市县统筹办学）</span>") {
		t.Fatalf("the class page does not name the co-host")
	}
}
