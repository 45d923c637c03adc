package main

import (
	"fmt"
	"strings"
	"testing"
)

// After the round, the evaluated cadre reads the 民主评议 totals only,
// never which respondent (by relation) answered: a lone 上级 stays unnamed.
func TestCadreSeesOnlyQuestionnaireTotals(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	e := followupCity(a)
	cadre := a.followupCadre("fu_q", e.unitA, "", "")
	class := a.followupGraduate(e.city, followupLong("主体班", 40), cadre)
	round := followupFirstRound(followupPlanOf(t, a.followupPlans(e.tokens["org"], ""), cadre, class))
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/followup-rounds/%d/assign", round), e.tokens["org"], map[string]any{"user_id": e.member}), 200)
	body := map[string]any{"kind": "民主评议", "respondents": []map[string]any{{"label": "上级"}, {"label": "同事"}, {"label": "同事"}}}
	r := a.do("POST", fmt.Sprintf("/api/v1/followup-rounds/%d/questionnaires", round), e.memberTok, body)
	mustStatus(t, r, 201)
	q := r.JSON(t)
	tok := strings.TrimPrefix(q["links"].([]any)[0].(map[string]any)["path"].(string), "/q/")
	mustStatus(t, a.do("POST", "/api/v1/q/"+tok, "", map[string]any{"answers": []string{"较差", "较差", "较差", "较差", "较差", "工作推诿，群众意见大"}}), 201)
	mustStatus(t, a.do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d", round), e.memberTok, followupComplete("一般")), 200)
	res := a.do("GET", fmt.Sprintf("/api/v1/questionnaires/%v", q["id"]), a.tokenFor(cadre), nil)
	t.Logf("cadre reads own questionnaire: %d %s", res.Status, res.Body)
	if res.Status == 200 && strings.Contains(string(res.Body), `"label":"上级","responded":true`) && strings.Contains(string(res.Body), "工作推诿") {
		t.Errorf("the evaluated cadre can tell the superior answered 较差 and wrote the comment")
	}
}
