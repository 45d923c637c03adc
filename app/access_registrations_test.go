package main

import (
	"fmt"
	"strings"
	"testing"
)

// A district org_admin (西城区) outside both the host college and the
// cadres' units sees none of the class's registrations and leave requests.
func TestOrgAdminOutsideScopeSeesNoRegistrationsOrLeaves(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := newCity(a)
	adm := c.tokens["org"]
	dist := a.createOrg(adm, "西城区", "D02", "department", 0)
	a.createUser(adm, "d2_org", dist, "org_admin")
	d2 := a.login("d2_org", userPassword)

	people := a.cadres("rv", c.unitA, "乡科级", 2)
	id := a.createClass(c, map[string]any{"starts_on": day(5), "ends_on": day(8), "self_registration": false})
	a.openClass(c, id)
	for _, u := range people {
		r := a.register(c.tokens["ua_admin"], id, u)
		mustStatus(t, r, 201)
		mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", r.id(t)), c.tokens["col"], nil), 200)
	}
	r := a.do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.tokenFor(people[0]), map[string]any{"hours": 2, "reason": "住院治疗（病假）"})
	mustStatus(t, r, 201)

	// The roster (managedClass) is correctly out of reach...
	mustStatus(t, a.do("GET", fmt.Sprintf("/api/v1/classes/%d/roster", id), d2, nil), 404)
	// ...but the registrations and the leave requests are not.
	regs := a.do("GET", fmt.Sprintf("/api/v1/classes/%d/registrations", id), d2, nil)
	t.Logf("registrations as d2_org: %d %s", regs.Status, regs.Body)
	lv := a.do("GET", fmt.Sprintf("/api/v1/classes/%d/leaves", id), d2, nil)
	t.Logf("leaves as d2_org: %d %s", lv.Status, lv.Body)
	page := a.do("GET", fmt.Sprintf("/unit/classes/%d", id), d2, nil)
	t.Logf("unit page as d2_org: %d contains cadre name=%v", page.Status, strings.Contains(string(page.Body), "学员rv000"))
	if regs.Status == 200 && strings.Contains(string(regs.Body), "学员rv000") {
		t.Errorf("LEAK: out-of-scope org_admin reads registrations")
	}
	if lv.Status == 200 && strings.Contains(string(lv.Body), "住院治疗") {
		t.Errorf("LEAK: out-of-scope org_admin reads leave reasons")
	}
}
