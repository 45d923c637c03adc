package main

import (
	"fmt"
	"testing"
	"time"

	"college/modules/web"
)

// The same session cannot be asked off twice (a double submit, a second
// tab, the API), so its hours never count twice toward the 1/7 rule.
func TestDuplicateLeaveIsRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	col := c.tokens["col"]
	people := a.cadres("lv", c.unitA, "乡科级", 1)
	id := a.createClass(c, map[string]any{"starts_on": day(3), "ends_on": day(4), "hours": 14, "self_registration": false})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", day(3)+" 09:00", web.Shanghai)
	r := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "专题讲座", "teacher": "王教授",
		"starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour), "hours": 1.5})
	mustStatus(t, r, 201)
	sid := r.id(t)
	a.openClass(c, id)
	r = a.register(c.tokens["ua_admin"], id, people[0])
	mustStatus(t, r, 201)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", r.id(t)), col, nil), 200)

	tok := a.tokenFor(people[0])
	body := map[string]any{"session_ids": []uint64{sid}, "reason": "出差"}
	l1 := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), tok, body)
	l2 := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), tok, body)
	t.Logf("first %d, second %d", l1.Status, l2.Status)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", l1.id(t)), col, nil), 200)
	if l2.Status == 201 {
		out := a.do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", l2.id(t)), col, nil)
		t.Logf("second approval: %d %s", out.Status, out.Body)
		if m := out.JSON(t); m["total_hours"].(float64) == 3 {
			t.Errorf("one 1.5-hour session counted as %v hours of leave (over_limit=%v)", m["total_hours"], m["over_limit"])
		}
	}
}
