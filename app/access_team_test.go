package main

import (
	"college/app/collegetest"
	"fmt"
	"strings"
	"testing"
)

// A district org_admin cannot replace the city-wide follow-up team nor
// remove members of colleges outside their department.
func TestDistrictOrgAdminCannotReplaceCityTeam(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	adm := e.Tokens["org"]
	_, _, p := a.FollowupGraduatePlan(e, "fu_c1", "", "", 2)
	round := a.FollowupAssignFirst(e, p)

	dist := a.CreateOrg(adm, "西城区", "D02", "department", 0)
	a.CreateUser(adm, "d2_org", dist, "org_admin")
	d2 := a.Login("d2_org", collegetest.UserPassword)
	// The district admin cannot see the round...
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/followup-rounds/%d", round), d2, nil), 404)
	// ...yet empties the city's team, which unassigns it.
	r := a.Do("PUT", "/api/v1/followup-team", d2, map[string]any{"user_ids": []uint64{}})
	t.Logf("PUT /followup-team as d2_org: %d %s", r.Status, r.Body)
	var assignee uint64
	a.DB.Table("followup_rounds").Where("id = ?", round).Pluck("assignee_id", &assignee)
	if r.Status == 200 && assignee == 0 {
		t.Errorf("district org_admin outside the class/cadre scope unassigned round %d and emptied the team", round)
	}
}

// A college admin learns nothing of accounts outside their college from
// the refusal message of "add to the follow-up team".
func TestTeamAddRevealsNoNames(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	col := e.Tokens["col"]
	target := e.IDs["ub_cadre"] // a learner of 东城区教育局, outside the college
	r := a.Do("POST", "/api/v1/followup-team/members", col, map[string]any{"user_id": target})
	t.Logf("add member as college admin: %d %s", r.Status, r.Body)
	if strings.Contains(string(r.Body), "测试ub_cadre") {
		t.Errorf("the refusal names an out-of-scope user: %s", r.Body)
	}
	// The team list itself is global as well.
	r = a.Do("GET", "/api/v1/followup-team", col, nil)
	t.Logf("team as college admin: %d %s", r.Status, r.Body)
}
