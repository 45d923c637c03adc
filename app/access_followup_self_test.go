package main

import (
	"fmt"
	"testing"

	"college/app/collegetest"
	"college/modules/identity"
)

// An org_admin of a district who graduates is followed up as a cadre of
// their own department, but cannot complete their own round nor end their
// own follow-up.
func TestNobodyFollowsUpThemselves(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	adm := e.Tokens["org"]
	a.Provision(identity.UserRequest{Username: "d1_org", Name: "区委组织部干部", OrgID: a.OrgID("D01"), Roles: []string{"org_admin", "learner"}, Level: "县处级", Post: "科长"})
	me := a.UserID("d1_org")
	class := a.FollowupGraduate(e.City, collegetest.FollowupLong("主体班", 2), me)
	tok := a.TokenFor(me)
	p := collegetest.FollowupPlanOf(t, a.FollowupPlans(adm, ""), me, class)
	round := collegetest.FollowupFirstRound(p)
	r := a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d", round), tok, collegetest.FollowupComplete("优秀"))
	t.Logf("own round as its subject: %d %s", r.Status, r.Body)
	if r.Status == 200 {
		t.Errorf("the cadre completed their own follow-up round")
	}
	r = a.Do("PUT", fmt.Sprintf("/api/v1/followups/%v", p["id"]), tok, map[string]any{"term_ends_on": collegetest.Day(0)})
	t.Logf("own term as its subject: %d %s", r.Status, r.Body)
	if r.Status == 200 {
		t.Errorf("the cadre ended their own follow-up plan")
	}
}
