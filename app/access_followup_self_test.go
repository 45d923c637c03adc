package main

import (
	"context"
	"fmt"
	"testing"

	"college/modules/identity"
)

// An org_admin of a district who graduates is followed up as a cadre of
// their own department, but cannot complete their own round nor end their
// own follow-up.
func TestNobodyFollowsUpThemselves(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	e := followupCity(a)
	adm := e.tokens["org"]
	var district uint64
	a.DB.Table("orgs").Where("code = ?", "D01").Pluck("id", &district)
	req := identity.UserRequest{Username: "d1_org", Name: "区委组织部干部", OrgID: district, Roles: []string{"org_admin", "learner"}, Level: "县处级", Post: "科长"}
	if _, err := a.Identity.Provision(context.Background(), []identity.UserRequest{req}, userPassword); err != nil {
		t.Fatal(err)
	}
	var me uint64
	a.DB.Table("users").Where("username = ?", "d1_org").Pluck("id", &me)
	class := a.followupGraduate(e.city, followupLong("主体班", 2), me)
	tok := a.tokenFor(me)
	p := followupPlanOf(t, a.followupPlans(adm, ""), me, class)
	round := followupFirstRound(p)
	r := a.do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d", round), tok, followupComplete("优秀"))
	t.Logf("own round as its subject: %d %s", r.Status, r.Body)
	if r.Status == 200 {
		t.Errorf("the cadre completed their own follow-up round")
	}
	r = a.do("PUT", fmt.Sprintf("/api/v1/followups/%v", p["id"]), tok, map[string]any{"term_ends_on": day(0)})
	t.Logf("own term as its subject: %d %s", r.Status, r.Body)
	if r.Status == 200 {
		t.Errorf("the cadre ended their own follow-up plan")
	}
}
