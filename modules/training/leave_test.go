package training_test

import (
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"
)

// The same session cannot be asked off twice (a double submit, a second
// tab, the API), so its hours never count twice toward the 1/7 rule.
func TestDuplicateLeaveIsRefused(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	people := a.Cadres("lv", c.UnitA, "乡科级", 1)
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(3), "ends_on": collegetest.Day(4), "hours": 14, "self_registration": false})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(3)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "专题讲座", "teacher": "王教授",
		"starts_at": startsAt, "ends_at": startsAt.Add(3 * time.Hour), "hours": 1.5})
	collegetest.MustStatus(t, r, 201)
	sid := r.ID(t)
	a.OpenClass(c, id)
	a.Admit(c, c.Tokens["ua_admin"], id, people[0])

	tok := a.TokenFor(people[0])
	body := map[string]any{"session_ids": []uint64{sid}, "reason": "出差"}
	l1 := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), tok, body)
	l2 := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), tok, body)
	t.Logf("first %d, second %d", l1.Status, l2.Status)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", l1.ID(t)), col, nil), 200)
	if l2.Status == 201 {
		out := a.Do("POST", fmt.Sprintf("/api/v1/leaves/%d/approve", l2.ID(t)), col, nil)
		t.Logf("second approval: %d %s", out.Status, out.Body)
		if m := out.JSON(t); m["total_hours"].(float64) == 3 {
			t.Errorf("one 1.5-hour session counted as %v hours of leave (over_limit=%v)", m["total_hours"], m["over_limit"])
		}
	}
}
