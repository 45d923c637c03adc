package followup_test

import (
	"college/app/collegetest"
	"fmt"
	"strings"
	"testing"
)

// After the round, the evaluated cadre reads the 民主评议 totals only,
// never which respondent (by relation) answered: a lone 上级 stays unnamed.
func TestCadreSeesOnlyQuestionnaireTotals(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	cadre, _, plan := a.FollowupGraduatePlan(e, "fu_q", "", "", 40)
	round := a.FollowupAssignFirst(e, plan)
	body := map[string]any{"kind": "民主评议", "respondents": []map[string]any{{"label": "上级"}, {"label": "同事"}, {"label": "同事"}}}
	r := a.Do("POST", fmt.Sprintf("/api/v1/followup-rounds/%d/questionnaires", round), e.MemberTok, body)
	collegetest.MustStatus(t, r, 201)
	q := r.JSON(t)
	tok := strings.TrimPrefix(q["links"].([]any)[0].(map[string]any)["path"].(string), "/q/")
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/q/"+tok, "", map[string]any{"answers": []string{"较差", "较差", "较差", "较差", "较差", "工作推诿，群众意见大"}}), 201)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d", round), e.MemberTok, collegetest.FollowupComplete("一般")), 200)
	res := a.Do("GET", fmt.Sprintf("/api/v1/questionnaires/%v", q["id"]), a.TokenFor(cadre), nil)
	t.Logf("cadre reads own questionnaire: %d %s", res.Status, res.Body)
	if res.Status == 200 && strings.Contains(string(res.Body), `"label":"上级","responded":true`) && strings.Contains(string(res.Body), "工作推诿") {
		t.Errorf("the evaluated cadre can tell the superior answered 较差 and wrote the comment")
	}
}
