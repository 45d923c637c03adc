package throughtrain_test

import (
	"fmt"
	"strings"
	"testing"

	"college/app/collegetest"
)

// TestShownOnFollowupRound: the follow-up round of a graduate lists their
// through-train threads of that class, and no one else's.
func TestShownOnFollowupRound(t *testing.T) {
	x := setup(t)
	a, e := x.a, x.e
	cadre, class, plan := a.FollowupGraduatePlan(e, "tt_fu", "", "", 40)
	round := a.FollowupAssignFirst(e, plan)
	tok := a.Login("tt_fu", collegetest.UserPassword)
	r := x.raise(t, tok, map[string]any{"class_id": class, "subject": "干部考核指标如何细化", "body": "请老师指导"})
	collegetest.MustStatus(t, r, 201)
	if uint64(r.JSON(t)["graduate_id"].(float64)) != cadre {
		t.Fatalf("raised: %s", r.Body)
	}
	x.open(t) // another graduate's thread, of another class
	member := collegetest.LoginPages(a, "fu_team", collegetest.UserPassword)
	page := collegetest.PageGet(member, fmt.Sprintf("/followup/rounds/%d", round), 200)
	collegetest.MustContain(t, page, "学员直通车", "干部考核指标如何细化", "待答复", "1 件")
	if strings.Contains(page, "村级议事规则怎么定") {
		t.Fatal("the round shows another graduate's thread")
	}
}
