package main

import (
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"
)

// A host college admin who is a trainee of their own college's class
// cannot approve their own registration nor sign themselves in by hand.
func TestHostCannotAdmitOrSignInThemselves(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(3), "ends_on": collegetest.Day(4), "hours": 14, "self_registration": true})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(3)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "专题讲座", "starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour)})
	collegetest.MustStatus(t, r, 201)
	sid := r.ID(t)
	a.OpenClass(c, id)
	r = a.Register(col, id, 0)
	t.Logf("self registration: %d %s", r.Status, r.Body)
	collegetest.MustStatus(t, r, 201)
	ap := a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", r.ID(t)), col, nil)
	t.Logf("self approval: %d %s", ap.Status, ap.Body)
	a.StartClass(c, id)
	at := a.Do("PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance", sid), col, map[string]any{"user_id": c.IDs["col"], "present": true})
	t.Logf("self attendance: %d %s", at.Status, at.Body)
	if ap.Status == 200 && at.Status == 200 {
		t.Errorf("the host approved and signed in themselves")
	}
}
