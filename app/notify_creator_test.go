package main

import (
	"fmt"
	"testing"
)

// The class's creator stops receiving the trainees' leave requests (name
// and reason) once they lose the college_admin role.
func TestFormerCreatorGetsNoLeaveReasons(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	people := a.cadres("lr", c.unitA, "乡科级", 1)
	id := a.createClass(c, map[string]any{"starts_on": day(5), "ends_on": day(8), "self_registration": false})
	a.openClass(c, id)
	r := a.register(c.tokens["ua_admin"], id, people[0])
	mustStatus(t, r, 201)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", r.id(t)), c.tokens["col"], nil), 200)
	// The creator is demoted to a plain learner.
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.ids["col"]), c.tokens["sec"], map[string]any{"roles": []string{"learner"}}), 200)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.tokenFor(people[0]), map[string]any{"hours": 2, "reason": "陪护住院的父亲"}), 201)
	var n int64
	a.DB.Table("notifications").Where("user_id = ? AND body LIKE ?", c.ids["col"], "%陪护住院%").Count(&n)
	if n > 0 {
		t.Errorf("a former college admin received the leave reason (%d notifications)", n)
	}
}
