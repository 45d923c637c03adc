package notify_test

import (
	"college/app/collegetest"
	"fmt"
	"testing"
)

// The class's creator stops receiving the trainees' leave requests (name
// and reason) once they lose the college_admin role.
func TestFormerCreatorGetsNoLeaveReasons(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	people := a.Cadres("lr", c.UnitA, "乡科级", 1)
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(5), "ends_on": collegetest.Day(8), "self_registration": false})
	a.OpenClass(c, id)
	a.Admit(c, c.Tokens["ua_admin"], id, people[0])
	// The creator is demoted to a plain learner.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", c.IDs["col"]), c.Tokens["sec"], map[string]any{"roles": []string{"learner"}}), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.TokenFor(people[0]), map[string]any{"hours": 2, "reason": "陪护住院的父亲"}), 201)
	if n := a.Count("notifications", "user_id = ? AND body LIKE ?", c.IDs["col"], "%陪护住院%"); n > 0 {
		t.Errorf("a former college admin received the leave reason (%d notifications)", n)
	}
}
