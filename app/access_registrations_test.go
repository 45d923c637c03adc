package main

import (
	"college/app/collegetest"
	"fmt"
	"strings"
	"testing"
)

// A district org_admin (西城区) outside both the host college and the
// cadres' units sees none of the class's registrations and leave requests.
func TestOrgAdminOutsideScopeSeesNoRegistrationsOrLeaves(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	adm := c.Tokens["org"]
	dist := a.CreateOrg(adm, "西城区", "D02", "department", 0)
	a.CreateUser(adm, "d2_org", dist, "org_admin")
	d2 := a.Login("d2_org", collegetest.UserPassword)

	people := a.Cadres("rv", c.UnitA, "乡科级", 2)
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(5), "ends_on": collegetest.Day(8), "self_registration": false})
	a.OpenClass(c, id)
	a.Admit(c, c.Tokens["ua_admin"], id, people...)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.TokenFor(people[0]), map[string]any{"hours": 2, "reason": "住院治疗（病假）"})
	collegetest.MustStatus(t, r, 201)

	// The roster (managedClass) is correctly out of reach...
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/roster", id), d2, nil), 404)
	// ...but the registrations and the leave requests are not.
	regs := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/registrations", id), d2, nil)
	t.Logf("registrations as d2_org: %d %s", regs.Status, regs.Body)
	lv := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/leaves", id), d2, nil)
	t.Logf("leaves as d2_org: %d %s", lv.Status, lv.Body)
	page := a.Do("GET", fmt.Sprintf("/unit/classes/%d", id), d2, nil)
	t.Logf("unit page as d2_org: %d contains cadre name=%v", page.Status, strings.Contains(string(page.Body), "学员rv000"))
	if regs.Status == 200 && strings.Contains(string(regs.Body), "学员rv000") {
		t.Errorf("LEAK: out-of-scope org_admin reads registrations")
	}
	if lv.Status == 200 && strings.Contains(string(lv.Body), "住院治疗") {
		t.Errorf("LEAK: out-of-scope org_admin reads leave reasons")
	}
}
