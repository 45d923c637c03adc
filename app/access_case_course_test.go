package main

import (
	"college/app/collegetest"
	"fmt"
	"testing"
)

// The 东城 district org_admin (over the cadre's unit, not over the host
// college) cannot write a course into the city college's catalog.
func TestCaseCourseNeedsTheHostCollegeInScope(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	adm := e.Tokens["org"]
	a.CreateUser(adm, "d1_org", a.OrgID("D01"), "org_admin")
	d1 := a.Login("d1_org", collegetest.UserPassword)

	_, class, plan := a.FollowupGraduatePlan(e, "fu_x", "", "", 2)
	round := collegetest.FollowupFirstRound(plan)
	// d1 cannot see the college's classes at all...
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/roster", class), d1, nil), 404)
	rpath := fmt.Sprintf("/api/v1/followup-rounds/%d", round)
	collegetest.MustStatus(t, a.Do("PUT", rpath, d1, collegetest.FollowupComplete("优秀")), 200)
	collegetest.MustStatus(t, a.Do("POST", rpath+"/excellent", d1, map[string]any{"case_note": "x"}), 200)
	r := a.Do("POST", rpath+"/case-course", d1, nil)
	t.Logf("case-course as d1_org: %d %s", r.Status, r.Body)
	var college uint64
	if r.Status == 201 {
		a.DB.Table("courses").Where("id = ?", uint64(r.JSON(t)["course_id"].(float64))).Pluck("college_id", &college)
		t.Errorf("district org_admin created course %v in college %d (outside its subtree)", r.JSON(t)["course_id"], college)
	}
}
