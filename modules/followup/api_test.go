package followup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/followup"
	"college/modules/training"
	"college/modules/web"
)

// Plans are made at graduation: a term ending in 3 years gives 3 rounds
// from next year; an unknown term the default 3 years; a 2-week class none
// unless it is flagged; the hook adds nothing the second time; each plan
// is seen by its cadre, the cadre's unit and the org department only.
func TestFollowupPlanGeneration(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	y := e.Year
	term := fmt.Sprintf("%d-06-30", y+3)
	known := a.FollowupCadre("fu_known", e.UnitA, term, "")
	unknown := a.FollowupCadre("fu_unknown", e.UnitA, "", "")
	other := a.FollowupCadre("fu_other", e.UnitB, "", "")
	short := a.FollowupCadre("fu_short", e.UnitA, term, "")
	flagged := a.FollowupCadre("fu_flagged", e.UnitA, term, "")

	long := a.FollowupGraduate(e.City, collegetest.FollowupLong("主体班", 40), known, unknown, other)
	twoWeeks := a.FollowupGraduate(e.City, map[string]any{"kind": "专题班", "starts_on": collegetest.Day(40), "ends_on": collegetest.Day(53)}, short)
	designated := a.FollowupGraduate(e.City, map[string]any{"kind": "专题班", "starts_on": collegetest.Day(40), "ends_on": collegetest.Day(53), "follow_up": true}, flagged)

	all := a.FollowupPlans(e.Tokens["org"], "?page_size=50")
	if len(all) != 4 {
		t.Fatalf("%d plans, want 4 (none for the 2-week class): %v", len(all), all)
	}
	today := time.Now().In(web.Shanghai).Format(time.DateOnly)
	p := collegetest.FollowupPlanOf(t, all, known, long)
	want := fmt.Sprintf("%d:%d-12-15:pending %d:%d-12-15:pending %d:%s:pending", y+1, y+1, y+2, y+2, y+3, term)
	if p["term_ends_on"] != term || p["status"] != "active" || collegetest.FollowupRounds(p) != want {
		t.Fatalf("plan with a known term: %v, rounds %s, want %s", p, collegetest.FollowupRounds(p), want)
	}
	for _, k := range []string{"id", "user_id", "class_id", "term_ends_on", "status", "rounds"} {
		if _, ok := p[k]; !ok {
			t.Errorf("plan lacks %q", k)
		}
	}
	if r := p["rounds"].([]any)[0].(map[string]any); r["id"] == nil || r["year"] == nil || r["due_on"] == nil || r["status"] == nil {
		t.Errorf("round fields: %v", r)
	}
	p = collegetest.FollowupPlanOf(t, all, unknown, long)
	if p["term_ends_on"] != followup.DefaultTerm(today, 3) || len(p["rounds"].([]any)) != 3 || p["term_known"] != false {
		t.Fatalf("plan with the default term: %v", p)
	}
	collegetest.FollowupPlanOf(t, all, flagged, designated)
	for _, x := range all {
		if uint64(x["class_id"].(float64)) == twoWeeks {
			t.Fatal("a plan for a 2-week class that is not flagged")
		}
	}
	// The cadre was told, with the tasks.
	if n := a.FollowupNotices(known, "您已纳入跟踪问效"); n != 1 {
		t.Fatalf("cadre notices: %d", n)
	}

	// The hook again (a retry): nothing new.
	var rounds int64
	a.DB.Table("followup_rounds").Count(&rounds)
	cl, err := a.Training.ClassByID(context.Background(), long)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Followup.OnGraduation(context.Background(), cl, []uint64{known, unknown, other}); err != nil {
		t.Fatal(err)
	}
	var plansAfter, roundsAfter int64
	a.DB.Table("followup_plans").Count(&plansAfter)
	a.DB.Table("followup_rounds").Count(&roundsAfter)
	if plansAfter != 4 || roundsAfter != rounds {
		t.Fatalf("a second hook call added plans %d or rounds %d→%d", plansAfter, rounds, roundsAfter)
	}

	// Who sees which plans.
	if mine := a.FollowupPlans(a.TokenFor(known), ""); len(mine) != 1 || uint64(mine[0]["user_id"].(float64)) != known {
		t.Fatalf("the cadre sees %v", mine)
	}
	ua := a.FollowupPlans(e.Tokens["ua_admin"], "")
	if len(ua) != 3 {
		t.Fatalf("unit A's admin sees %d plans, want 3", len(ua))
	}
	for _, x := range ua {
		if uint64(x["user_id"].(float64)) == other {
			t.Fatal("unit A's admin sees a cadre of unit B")
		}
	}
	ub := a.FollowupPlans(e.Tokens["ub_admin"], "")
	if len(ub) != 1 || uint64(ub[0]["user_id"].(float64)) != other {
		t.Fatalf("unit B's admin sees %v", ub)
	}
	if n := len(a.FollowupPlans(e.Tokens["ua_cadre"], "")); n != 0 {
		t.Fatalf("another cadre sees %d plans", n)
	}
	if n := len(a.FollowupPlans(e.Tokens["org"], fmt.Sprintf("?class_id=%d", long))); n != 3 {
		t.Fatalf("filter by class: %d", n)
	}
	if n := len(a.FollowupPlans(e.Tokens["org"], fmt.Sprintf("?org_id=%d", e.UnitB))); n != 1 {
		t.Fatalf("filter by unit: %d", n)
	}
	planB := uint64(collegetest.FollowupPlanOf(t, all, other, long)["id"].(float64))
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/followups/%d", planB), e.Tokens["ua_admin"], nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/followups/%d", planB), e.Tokens["ub_admin"], nil), 200)

	// The minimum length is a setting: at 14 days a 2-week class qualifies.
	a.Setting(training.SetFollowUpMinDays, "14")
	late := a.FollowupCadre("fu_late", e.UnitA, "", "")
	again := a.FollowupGraduate(e.City, map[string]any{"kind": "任职培训", "starts_on": collegetest.Day(100), "ends_on": collegetest.Day(113)}, late)
	if n := len(a.FollowupPlans(e.Tokens["org"], fmt.Sprintf("?class_id=%d", again))); n != 1 {
		t.Fatalf("a 14-day class with the setting at 14: %d plans", n)
	}
}

// A new class of the same kind ends the plan and cancels its rounds; a
// class of another kind does not.
func TestFollowupStoppedByNewClass(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	cadre, first, firstPlan := a.FollowupGraduatePlan(e, "fu_again", fmt.Sprintf("%d-12-31", e.Year+4), "", 40)
	if len(firstPlan["rounds"].([]any)) != 4 {
		t.Fatalf("first plan: %v", firstPlan)
	}
	// Another kind: both plans stay.
	other := a.FollowupGraduate(e.City, map[string]any{"kind": "专题班", "starts_on": collegetest.Day(90), "ends_on": collegetest.Day(95), "follow_up": true}, cadre)
	plans := a.FollowupPlans(e.Tokens["org"], "")
	if p := collegetest.FollowupPlanOf(t, plans, cadre, first); p["status"] != "active" {
		t.Fatalf("a class of another kind ended the plan: %v", p)
	}
	collegetest.FollowupPlanOf(t, plans, cadre, other)
	// The same kind again: the first plan ends.
	second := a.FollowupGraduate(e.City, collegetest.FollowupLong("主体班", 120), cadre)
	plans = a.FollowupPlans(e.Tokens["org"], "")
	p := collegetest.FollowupPlanOf(t, plans, cadre, first)
	if p["status"] != "ended" || p["ended_reason"] != followup.EndedNewClass {
		t.Fatalf("old plan after a new class of its kind: %v", p)
	}
	for _, x := range p["rounds"].([]any) {
		if x.(map[string]any)["status"] != "cancelled" {
			t.Fatalf("rounds of the ended plan: %s", collegetest.FollowupRounds(p))
		}
	}
	if p := collegetest.FollowupPlanOf(t, plans, cadre, second); p["status"] != "active" || len(p["rounds"].([]any)) != 4 {
		t.Fatalf("new plan: %v", p)
	}
	if p := collegetest.FollowupPlanOf(t, plans, cadre, other); p["status"] != "active" {
		t.Fatalf("the plan of the other kind: %v", p)
	}
	if n := a.FollowupNotices(cadre, "跟踪问效结束"); n != 1 {
		t.Fatalf("end notices: %d", n)
	}
	// A longer term cannot bring the ended plan back.
	r := a.Do("PUT", fmt.Sprintf("/api/v1/followups/%v", p["id"]), e.Tokens["org"], map[string]any{"term_ends_on": fmt.Sprintf("%d-12-31", e.Year+6)})
	collegetest.MustStatus(t, r, 409)
}

// The org department edits the term; the rounds follow.
func TestFollowupTermRecompute(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	y := e.Year
	_, _, p := a.FollowupGraduatePlan(e, "fu_term", fmt.Sprintf("%d-06-30", y+3), "", 40)
	path := fmt.Sprintf("/api/v1/followups/%v", p["id"])
	firstRound := collegetest.FollowupFirstRound(p)

	// Shorter: the last round is cancelled, the new last one due at the term's end.
	r := a.Do("PUT", path, e.Tokens["org"], map[string]any{"term_ends_on": fmt.Sprintf("%d-03-31", y+2)})
	collegetest.MustStatus(t, r, 200)
	got := r.JSON(t)
	want := fmt.Sprintf("%d:%d-12-15:pending %d:%d-03-31:pending %d:%d-06-30:cancelled", y+1, y+1, y+2, y+2, y+3, y+3)
	if got["term_ends_on"] != fmt.Sprintf("%d-03-31", y+2) || got["status"] != "active" || collegetest.FollowupRounds(got) != want {
		t.Fatalf("shorter term: %v\nrounds %s\nwant   %s", got, collegetest.FollowupRounds(got), want)
	}
	// Longer: the cancelled round comes back, a new one is added; ids stay.
	r = a.Do("PUT", path, e.Tokens["org"], map[string]any{"term_ends_on": fmt.Sprintf("%d-09-01", y+4)})
	collegetest.MustStatus(t, r, 200)
	got = r.JSON(t)
	want = fmt.Sprintf("%d:%d-12-15:pending %d:%d-12-15:pending %d:%d-12-15:pending %d:%d-09-01:pending", y+1, y+1, y+2, y+2, y+3, y+3, y+4, y+4)
	if collegetest.FollowupRounds(got) != want || collegetest.FollowupFirstRound(got) != firstRound {
		t.Fatalf("longer term: rounds %s\nwant %s", collegetest.FollowupRounds(got), want)
	}
	// A term already over ends the plan.
	r = a.Do("PUT", path, e.Tokens["org"], map[string]any{"term_ends_on": time.Now().In(web.Shanghai).Format(time.DateOnly)})
	collegetest.MustStatus(t, r, 200)
	got = r.JSON(t)
	if got["status"] != "ended" || got["ended_reason"] != followup.EndedTerm || !strings.Contains(collegetest.FollowupRounds(got), fmt.Sprintf("%d:%d-12-15:cancelled", y+1, y+1)) {
		t.Fatalf("term over: %v %s", got, collegetest.FollowupRounds(got))
	}
	// Bad input and the wrong callers.
	r = a.Do("PUT", path, e.Tokens["org"], map[string]any{"term_ends_on": "2027-02-30"})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["term_ends_on"] == nil {
		t.Fatalf("bad date: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("PUT", path, e.Tokens["org"], map[string]any{"term_ends_on": "2001-01-01"}), 400) // before graduation
	collegetest.MustStatus(t, a.Do("PUT", path, e.Tokens["ua_admin"], map[string]any{"term_ends_on": fmt.Sprintf("%d-06-30", y+3)}), 403)
	collegetest.MustStatus(t, a.Do("PUT", "/api/v1/followups/999999", e.Tokens["org"], map[string]any{"term_ends_on": fmt.Sprintf("%d-06-30", y+3)}), 404)
	if n := a.AuditCount("followup.term", uint64(p["id"].(float64))); n != 3 {
		t.Fatalf("term audit entries: %d", n)
	}
}

var followupTokenRe = regexp.MustCompile(`^/q/[A-Za-z0-9_-]{43}$`)

// Questionnaire links answer once without an account; a made-up token is
// 404, a used one 410; each token answers its own questionnaire only; the
// results aggregate exactly and name nobody.
func TestFollowupQuestionnaires(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	cadre, _, plan := a.FollowupGraduatePlan(e, "fu_q", "", "", 40)
	round := a.FollowupAssignFirst(e, plan)
	qpath := fmt.Sprintf("/api/v1/followup-rounds/%d/questionnaires", round)

	body := map[string]any{"kind": "民主评议", "title": "年度民主评议", "respondents": []map[string]any{{"label": "上级"}, {"label": "同事"}, {"label": "同事"}}}
	collegetest.MustStatus(t, a.Do("POST", qpath, e.Tokens["ua_admin"], body), 403) // reads the round, may not fill it
	collegetest.MustStatus(t, a.Do("POST", qpath, e.Tokens["ub_admin"], body), 404)
	r := a.Do("POST", qpath, e.Tokens["org"], map[string]any{"kind": "座谈", "respondents": []map[string]any{}})
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["kind"] == nil || f["respondents"] == nil {
		t.Fatalf("bad questionnaire: %s", r.Body)
	}
	r = a.Do("POST", qpath, e.MemberTok, body)
	collegetest.MustStatus(t, r, 201)
	qa := r.JSON(t)
	links := qa["links"].([]any)
	questions := qa["questions"].([]any)
	if len(links) != 3 || len(questions) != 6 {
		t.Fatalf("questionnaire: %s", r.Body)
	}
	var tokens []string
	for _, l := range links {
		p := l.(map[string]any)["path"].(string)
		if !followupTokenRe.MatchString(p) || !strings.HasSuffix(l.(map[string]any)["url"].(string), p) {
			t.Fatalf("link %v", l)
		}
		tokens = append(tokens, strings.TrimPrefix(p, "/q/"))
	}
	if stored := a.Count("questionnaire_invites", "token_hash IN ?", tokens); stored != 0 {
		t.Fatal("tokens are stored in the clear")
	}
	r = a.Do("POST", qpath, e.MemberTok, map[string]any{"kind": "问卷调查", "respondents": []map[string]any{{"label": "服务对象"}}})
	collegetest.MustStatus(t, r, 201)
	qb := r.JSON(t)
	tokenB := strings.TrimPrefix(qb["links"].([]any)[0].(map[string]any)["path"].(string), "/q/")

	// Without an account: the invitation, then one answer per token.
	r = a.Do("GET", "/api/v1/q/"+tokens[0], "", nil)
	collegetest.MustStatus(t, r, 200)
	if inv := r.JSON(t); inv["name"] != "干部fu_q" || inv["label"] != "上级" || len(inv["questions"].([]any)) != 6 {
		t.Fatalf("invitation: %s", r.Body)
	}
	answers := func(g ...string) map[string]any { return map[string]any{"answers": append(g, "")} }
	r = a.Do("POST", "/api/v1/q/"+tokens[0], "", map[string]any{"answers": []string{"优秀", "很好", "良好", "良好", "良好", ""}})
	collegetest.MustStatus(t, r, 400) // not a grade; the token stays usable
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/q/"+tokens[0], "", answers("优秀", "良好", "优秀", "良好", "优秀")), 201)
	r = a.Do("POST", "/api/v1/q/"+tokens[0], "", answers("较差", "较差", "较差", "较差", "较差"))
	collegetest.MustStatus(t, r, 410)
	if !strings.Contains(r.JSON(t)["error"].(map[string]any)["message"].(string), "只能提交一次") {
		t.Fatalf("used token: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/q/"+tokens[0], "", nil), 410)
	madeUp := strings.Repeat("A", 43)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/q/"+madeUp, "", nil), 404)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/q/"+madeUp, "", answers("优秀", "优秀", "优秀", "优秀", "优秀")), 404)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/q/short", "", answers("优秀", "优秀", "优秀", "优秀", "优秀")), 404)
	// The public page works without an account too, once.
	page := a.Do("GET", "/q/"+tokens[1], "", nil)
	collegetest.MustBody(t, page, 200, "年度民主评议", "干部fu_q", `name="q0"`)
	form := url.Values{"q0": {"良好"}, "q1": {"良好"}, "q2": {"一般"}, "q3": {"良好"}, "q4": {"良好"}, "q5": {"希望加强调研"}}
	req := httptest.NewRequest("POST", "/q/"+tokens[1], strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	done := a.Send(req)
	collegetest.MustBody(t, done, 200, "提交成功")
	gone := a.Do("GET", "/q/"+tokens[1], "", nil)
	collegetest.MustBody(t, gone, 410, "只能提交一次")
	collegetest.MustStatus(t, a.Do("GET", "/q/"+madeUp, "", nil), 404)
	// The token of the other questionnaire answers that one only.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/q/"+tokenB, "", map[string]any{"answers": []string{"较差", "较差", "较差", "较差", "请改进"}}), 201)

	results := func(id any, token string) map[string]any {
		r := a.Do("GET", fmt.Sprintf("/api/v1/questionnaires/%v", id), token, nil)
		collegetest.MustStatus(t, r, 200)
		for _, tok := range tokens {
			if strings.Contains(string(r.Body), tok) {
				t.Fatal("results show a token")
			}
		}
		return r.JSON(t)
	}
	ra := results(qa["id"], e.MemberTok)
	if ra["invited"].(float64) != 3 || ra["responses"].(float64) != 2 {
		t.Fatalf("questionnaire A counts: %v", ra)
	}
	qs := ra["questions"].([]any)
	q0, q2, q5 := qs[0].(map[string]any), qs[2].(map[string]any), qs[5].(map[string]any)
	if g := q0["grades"].(map[string]any); g["优秀"].(float64) != 1 || g["良好"].(float64) != 1 || g["一般"].(float64) != 0 || q0["average"].(float64) != 90 || q0["good_rate"].(float64) != 1 {
		t.Fatalf("question 1: %v", q0)
	}
	if g := q2["grades"].(map[string]any); g["优秀"].(float64) != 1 || g["一般"].(float64) != 1 || q2["average"].(float64) != 80 || q2["good_rate"].(float64) != 0.5 {
		t.Fatalf("question 3: %v", q2)
	}
	if fmt.Sprint(q5["answers"]) != "[希望加强调研]" {
		t.Fatalf("text answers: %v", q5)
	}
	resp := ra["respondents"].([]any)
	if len(resp) != 3 || fmt.Sprint(resp[0]) != "map[label:上级 responded:true]" || resp[2].(map[string]any)["responded"] != false {
		t.Fatalf("respondents: %v", resp)
	}
	rb := results(qb["id"], e.Tokens["org"])
	if rb["responses"].(float64) != 1 || rb["questions"].([]any)[0].(map[string]any)["average"].(float64) != 40 {
		t.Fatalf("questionnaire B: %v", rb)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/questionnaires/%v", qa["id"]), e.Tokens["ub_admin"], nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/questionnaires/%v", qa["id"]), a.TokenFor(cadre), nil), 404)

	// Once the round is done, the links left are closed.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d", round), e.MemberTok, collegetest.FollowupComplete("良好")), 200)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/q/"+tokens[2], "", answers("优秀", "优秀", "优秀", "优秀", "优秀")), 410)
	collegetest.MustStatus(t, a.Do("POST", qpath, e.MemberTok, body), 409)
	// The report carries the aggregates.
	r = a.Do("GET", fmt.Sprintf("/api/v1/followup-rounds/%d/report", round), e.Tokens["org"], nil)
	if !strings.Contains(string(r.Body), "年度民主评议（邀请 3 人，收回 2 份）") || !strings.Contains(string(r.Body), ">90<") {
		t.Fatalf("report lacks the questionnaire: %s", r.Body)
	}
}

// A round is filled by its assignee; when complete the report goes to the
// org department and the unit (with read receipts once they open it), the
// conclusion into the cadre's archive; another unit's admin sees nothing.
func TestFollowupRoundReportAndArchive(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	cadre, _, plan := a.FollowupGraduatePlan(e, "fu_r", fmt.Sprintf("%d-06-30", e.Year+3), "110101199003074514", 40)
	round := collegetest.FollowupFirstRound(plan)
	rpath := fmt.Sprintf("/api/v1/followup-rounds/%d", round)

	// Assignment: only a member of the team, only by the org department or the host.
	collegetest.MustStatus(t, a.Do("PUT", rpath, e.MemberTok, collegetest.FollowupComplete("优秀")), 404) // not assigned yet
	r := a.Do("POST", rpath+"/assign", e.Tokens["org"], map[string]any{"user_id": e.IDs["ua_cadre"]})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustStatus(t, a.Do("POST", rpath+"/assign", e.Tokens["ua_admin"], map[string]any{"user_id": e.Member}), 403)
	r = a.Do("POST", rpath+"/assign", e.Tokens["col"], map[string]any{"user_id": e.Member})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["assignee_name"] != "测试fu_team" {
		t.Fatalf("assign: %s", r.Body)
	}
	if n := a.FollowupNotices(e.Member, "新的跟踪问效任务"); n != 1 {
		t.Fatalf("assignee notices: %d", n)
	}
	mine := a.Do("GET", "/api/v1/me/followup-rounds", e.MemberTok, nil)
	collegetest.MustBody(t, mine, 200, fmt.Sprintf(`"id":%d`, round))
	// The member now sees the plan too, and no other.
	if ps := a.FollowupPlans(e.MemberTok, ""); len(ps) != 1 {
		t.Fatalf("member plans: %v", ps)
	}

	// A draft: incomplete stays pending; bad values are 400 with fields.
	r = a.Do("PUT", rpath, e.MemberTok, map[string]any{"dimensions": map[string]any{"党性教育": map[string]any{"score": 90}}, "methods": []string{"听取汇报"}})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "pending" {
		t.Fatalf("draft: %s", r.Body)
	}
	r = a.Do("PUT", rpath, e.MemberTok, map[string]any{"dimensions": map[string]any{"党性教育": map[string]any{"score": 120}}, "methods": []string{"打电话"}, "conclusion": "合格"})
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["dimensions.党性教育.score"] == nil || f["methods"] == nil || f["conclusion"] == nil {
		t.Fatalf("bad round: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("PUT", rpath, e.Tokens["ua_admin"], collegetest.FollowupComplete("优秀")), 403)
	collegetest.MustStatus(t, a.Do("PUT", rpath, e.Tokens["ub_admin"], collegetest.FollowupComplete("优秀")), 404)
	collegetest.MustStatus(t, a.Do("PUT", rpath+"/self-report", a.TokenFor(cadre), map[string]any{"content": "本年度完成自学计划，撰写调研报告两篇"}), 200)
	collegetest.MustStatus(t, a.Do("PUT", rpath+"/self-report", e.Tokens["ua_cadre"], map[string]any{"content": "x"}), 404)
	// The cadre cannot read a report before it is done.
	collegetest.MustStatus(t, a.Do("GET", rpath+"/report", a.TokenFor(cadre), nil), 404)

	// Complete: done, delivered.
	r = a.Do("PUT", rpath, e.MemberTok, collegetest.FollowupComplete("优秀"))
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["status"] != "done" {
		t.Fatalf("complete: %s", r.Body)
	}
	link := fmt.Sprintf("/followup/rounds/%d/report", round)
	for _, u := range []uint64{e.IDs["ua_admin"]} {
		if n := a.Count("notifications", "user_id = ? AND link = ? AND title LIKE ?", u, link, "%跟踪问效报告%"); n != 1 {
			t.Fatalf("unit admin report notices: %d", n)
		}
	}
	adminID := uint64(a.Do("GET", "/api/v1/me", e.Tokens["org"], nil).JSON(t)["id"].(float64))
	if n := a.Count("notifications", "user_id = ? AND link = ?", adminID, link); n != 1 {
		t.Fatalf("org department report notices: %d", n)
	}
	if n := a.Count("notifications", "user_id = ? AND link = ?", e.IDs["ub_admin"], link); n != 0 {
		t.Fatal("another unit got the report")
	}
	if a.FollowupNotices(cadre, "年度跟踪问效已完成") != 1 {
		t.Fatal("the cadre was not told")
	}

	// The report: JSON with the four dimensions; HTML; Word.
	r = a.Do("GET", rpath+"/report", e.MemberTok, nil)
	collegetest.MustStatus(t, r, 200)
	html := string(r.Body)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("report type %s", r.Header.Get("Content-Type"))
	}
	for _, want := range []string{"跟踪问效报告", "干部fu_r", "东城区发改委", "副主任", "110***********4514", "主体班（40）", fmt.Sprint(e.Year + 1),
		"党性教育", "理论提升", "主体业绩", "改革创新", "理想信念：95", ">88.5<", "听取汇报", "听取单位党组汇报", "实地查看项目现场", "本年度完成自学计划", "<strong>优秀</strong>", "测试fu_team"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(html, "199003074514") {
		t.Error("the report shows the ID number in full")
	}
	req := httptest.NewRequest("GET", rpath+"/report", nil)
	req.Header.Set("Authorization", "Bearer "+e.MemberTok)
	req.Header.Set("Accept", "application/json")
	r = a.Send(req)
	collegetest.MustStatus(t, r, 200)
	rep := r.JSON(t)
	dims := rep["dimensions"].([]any)
	if len(dims) != 4 || rep["conclusion"] != "优秀" || rep["average"].(float64) != 88.6 || rep["cadre"].(map[string]any)["name"] != "干部fu_r" || rep["status"] != "done" {
		t.Fatalf("report JSON: %s", r.Body)
	}
	if d := dims[0].(map[string]any); d["name"] != "党性教育" || d["score"].(float64) != 92 || len(d["indicators"].([]any)) != 2 {
		t.Fatalf("first dimension: %v", d)
	}
	r = a.Do("GET", rpath+"/report?format=doc", e.Tokens["org"], nil)
	collegetest.MustStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/msword") {
		t.Fatalf("doc type %s", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `.doc"`) {
		t.Fatalf("doc disposition %s", cd)
	}
	if !strings.Contains(string(r.Body), "改革创新") {
		t.Fatal("the Word export lacks the report")
	}

	// Read receipts: the org department (read just now) and the unit.
	readers := func() []uint64 {
		var ids []uint64
		a.DB.Table("followup_report_reads").Where("round_id = ?", round).Order("user_id").Pluck("user_id", &ids)
		return ids
	}
	if got := readers(); fmt.Sprint(got) != fmt.Sprint([]uint64{adminID}) {
		t.Fatalf("readers after the org department: %v (the assignee leaves none)", got)
	}
	collegetest.MustStatus(t, a.Do("GET", rpath+"/report", e.Tokens["ua_admin"], nil), 200)
	collegetest.MustStatus(t, a.Do("GET", rpath+"/report", e.Tokens["ua_admin"], nil), 200)
	collegetest.MustStatus(t, a.Do("GET", rpath+"/report", a.TokenFor(cadre), nil), 200) // the cadre reads it; no receipt
	if got := readers(); len(got) != 2 {
		t.Fatalf("readers: %v", got)
	}
	page := a.Do("GET", link, e.Tokens["org"], nil)
	collegetest.MustBody(t, page, 200, "测试ua_admin", "已阅 2 人", "导出 Word")
	// Another unit's admin: nothing.
	collegetest.MustStatus(t, a.Do("GET", rpath+"/report", e.Tokens["ub_admin"], nil), 404)
	collegetest.MustStatus(t, a.Do("GET", link, e.Tokens["ub_admin"], nil), 404)
	collegetest.MustStatus(t, a.Do("GET", rpath, e.Tokens["ub_admin"], nil), 404)
	if ps := a.FollowupPlans(e.Tokens["ub_admin"], ""); len(ps) != 0 {
		t.Fatalf("unit B's admin sees %v", ps)
	}
	if len(readers()) != 2 {
		t.Fatal("a refused reader left a receipt")
	}

	// The conclusion is in the cadre's archive.
	arch := a.Do("GET", "/me/archive", a.TokenFor(cadre), nil)
	collegetest.MustStatus(t, arch, 200)
	for _, want := range []string{"跟踪问效", "主体班（40）", "优秀", fmt.Sprint(e.Year + 1)} {
		if !strings.Contains(string(arch.Body), want) {
			t.Fatalf("archive lacks %q", want)
		}
	}
	notes, err := a.Followup.ArchiveNotes(context.Background(), cadre)
	if err != nil || len(notes) != 1 || notes[0].Result != "优秀" || notes[0].Year != e.Year+1 {
		t.Fatalf("archive notes: %v %v", notes, err)
	}
	// Corrections keep it done; making it incomplete is refused.
	collegetest.MustStatus(t, a.Do("PUT", rpath, e.MemberTok, collegetest.FollowupComplete("良好")), 200)
	r = a.Do("PUT", rpath, e.MemberTok, map[string]any{"dimensions": map[string]any{}, "conclusion": ""})
	collegetest.MustStatus(t, r, 409)

	// Excellent case → a draft course of the host college.
	collegetest.MustStatus(t, a.Do("POST", rpath+"/case-course", e.Tokens["col"], nil), 409) // not marked yet
	collegetest.MustStatus(t, a.Do("POST", rpath+"/excellent", e.Tokens["col"], map[string]any{"case_note": "x"}), 403)
	collegetest.MustStatus(t, a.Do("POST", rpath+"/excellent", e.Tokens["org"], map[string]any{"case_note": ""}), 400)
	collegetest.MustStatus(t, a.Do("POST", rpath+"/excellent", e.Tokens["org"], map[string]any{"case_note": "以党建引领推进审批制度改革，群众满意度显著提升"}), 200)
	r = a.Do("POST", rpath+"/case-course", e.Tokens["org"], nil)
	collegetest.MustStatus(t, r, 201)
	course := uint64(r.JSON(t)["course_id"].(float64))
	r = a.Do("POST", rpath+"/case-course", e.Tokens["col"], nil)
	collegetest.MustStatus(t, r, 200)
	if uint64(r.JSON(t)["course_id"].(float64)) != course {
		t.Fatalf("second case course: %s", r.Body)
	}
	c := a.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), e.Tokens["col"], nil)
	collegetest.MustStatus(t, c, 200)
	cm := c.JSON(t)
	if cm["title"] != "优秀实践案例：干部fu_r 主体班（40）" || cm["status"] != "draft" || !strings.Contains(cm["summary"].(string), "审批制度改革") {
		t.Fatalf("case course: %s", c.Body)
	}
	cases := a.Do("GET", "/api/v1/followup-rounds?excellent=1", e.Tokens["org"], nil)
	collegetest.MustBody(t, cases, 200, fmt.Sprintf(`"case_course_id":%d`, course))
	for action, want := range map[string]int64{"followup.round": 3, "followup.assign": 1, "followup.excellent": 1, "followup.case_course": 1} {
		if got := a.AuditCount(action, round); got != want {
			t.Errorf("audit %s: %d, want %d", action, got, want)
		}
	}

	// The summary counts the round by class and by unit; unit B sees none of it.
	s := a.Do("GET", fmt.Sprintf("/api/v1/followup-summary?year=%d", e.Year+1), e.Tokens["org"], nil)
	collegetest.MustStatus(t, s, 200)
	sum := s.JSON(t)
	total := sum["total"].(map[string]any)
	if total["rounds"].(float64) != 1 || total["done"].(float64) != 1 || total["conclusions"].(map[string]any)["良好"].(float64) != 1 || len(sum["by_class"].([]any)) != 1 || len(sum["by_unit"].([]any)) != 1 {
		t.Fatalf("summary: %s", s.Body)
	}
	s = a.Do("GET", fmt.Sprintf("/api/v1/followup-summary?year=%d", e.Year+1), e.Tokens["ub_admin"], nil)
	collegetest.MustStatus(t, s, 200)
	if s.JSON(t)["total"].(map[string]any)["rounds"].(float64) != 0 {
		t.Fatalf("unit B's summary: %s", s.Body)
	}
}

// The graduate files the study plan and the 述学讲学; reminders go once
// before the due dates, overdue tasks are flagged to the unit once.
func TestFollowupTasksAndReminders(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	y := e.Year
	one := a.FollowupCadre("fu_one", e.UnitA, fmt.Sprintf("%d-06-30", y+3), "")
	two := a.FollowupCadre("fu_two", e.UnitA, fmt.Sprintf("%d-06-30", y+3), "")
	class := a.FollowupGraduate(e.City, collegetest.FollowupLong("主体班", 40), one, two)
	plans := a.FollowupPlans(e.Tokens["org"], "")
	roundOne := collegetest.FollowupFirstRound(collegetest.FollowupPlanOf(t, plans, one, class))
	a.FollowupAssign(e, roundOne)
	tok := a.TokenFor(one)
	today := time.Now().In(web.Shanghai)

	// Filings.
	r := a.Do("POST", "/api/v1/me/study-plan", tok, map[string]any{"class_id": class, "content": ""})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/me/study-plan", e.Tokens["ua_cadre"], map[string]any{"class_id": class, "content": "学习计划"}), 404)
	r = a.Do("POST", "/api/v1/me/study-plan", tok, map[string]any{"class_id": class, "content": "每月精读一章"})
	collegetest.MustStatus(t, r, 201)
	if r.JSON(t)["on_time"] != true {
		t.Fatalf("study plan: %s", r.Body)
	}
	r = a.Do("POST", "/api/v1/me/study-plan", tok, map[string]any{"class_id": class, "content": "每月精读两章"})
	collegetest.MustStatus(t, r, 201)
	if plansFiled := a.Count("study_plans", "user_id = ?", one); plansFiled != 1 || r.JSON(t)["content"] != "每月精读两章" {
		t.Fatalf("re-filing: %d %s", plansFiled, r.Body)
	}
	r = a.Do("POST", "/api/v1/me/report-backs", tok, map[string]any{"class_id": class, "held_on": today.AddDate(0, 0, 1).Format(time.DateOnly), "audience": "全体干部"})
	collegetest.MustStatus(t, r, 400) // not yet held
	r = a.Do("POST", "/api/v1/me/report-backs", tok, map[string]any{"class_id": class, "held_on": "2026-13-01", "audience": ""})
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["held_on"] == nil || f["audience"] == nil {
		t.Fatalf("report-back fields: %s", r.Body)
	}
	r = a.Do("POST", "/api/v1/me/report-backs", tok, map[string]any{"class_id": class, "held_on": today.Format(time.DateOnly), "audience": "单位党组理论学习中心组", "summary": "学习体会"})
	collegetest.MustStatus(t, r, 201)
	rb := r.JSON(t)
	if rb["on_time"] != true {
		t.Fatalf("report-back: %s", r.Body)
	}
	apath := fmt.Sprintf("/api/v1/me/report-backs/%v/attachment", rb["id"])
	collegetest.MustStatus(t, a.Upload(apath, tok, "evil.exe", []byte("MZ\x90\x00binary"), nil), 415)
	collegetest.MustStatus(t, a.Upload(apath, a.TokenFor(two), "讲稿.pdf", []byte("%PDF-1.4\n"), nil), 404)
	r = a.Upload(apath, tok, "讲稿.pdf", []byte("%PDF-1.4\n% slides\n"), nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["attachment_name"] != "讲稿.pdf" {
		t.Fatalf("attachment: %s", r.Body)
	}
	// The page's upload: a plain form is redirected, the page's script gets the address.
	ppath := fmt.Sprintf("/me/followup/report-backs/%v/attachment", rb["id"])
	r = a.Upload(ppath, tok, "现场照片.png", []byte("\x89PNG\r\n\x1a\n0000"), nil)
	collegetest.MustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/me/followup#report-back-%v", rb["id"]) {
		t.Fatalf("page upload went to %s", loc)
	}
	r = a.Upload(ppath, tok, "evil.exe", []byte("MZ\x90\x00binary"), nil)
	collegetest.MustBody(t, r, 415, "只能上传")
	r = a.Upload(apath, tok, "讲稿.pdf", []byte("%PDF-1.4\n% slides\n"), nil)
	collegetest.MustStatus(t, r, 200)
	if objects := a.Count("report_backs", "id = ? AND attachment_name = ?", rb["id"], "讲稿.pdf"); objects != 1 {
		t.Fatal("the attachment was not replaced")
	}
	dl := fmt.Sprintf("/api/v1/report-backs/%v/attachment", rb["id"])
	collegetest.MustStatus(t, a.Do("GET", dl, e.Tokens["ua_admin"], nil), 200)
	collegetest.MustStatus(t, a.Do("GET", dl, e.Tokens["ub_admin"], nil), 404)
	my := a.Do("GET", "/api/v1/me/followup", tok, nil)
	collegetest.MustStatus(t, my, 200)
	tasks := my.JSON(t)["tasks"].([]any)
	if len(tasks) != 2 || tasks[0].(map[string]any)["done"] != true || tasks[1].(map[string]any)["done"] != true {
		t.Fatalf("tasks: %s", my.Body)
	}

	// Reminders, with the follow-up clock moved.
	clock := func(d time.Time) { a.Followup.SetClock(func() time.Time { return d }) }
	remind := func(want int) {
		t.Helper()
		n, err := a.Followup.RemindOnce(context.Background())
		if err != nil || n != want {
			t.Fatalf("reminders sent %d (%v), want %d", n, err, want)
		}
		if n, _ := a.Followup.RemindOnce(context.Background()); n != 0 {
			t.Fatalf("a second pass sent %d", n)
		}
	}
	graduated := today.Format(time.DateOnly)
	due, _ := time.ParseInLocation(time.DateOnly, followup.GraduationTasksDue(graduated), web.Shanghai)
	clock(due.AddDate(0, 0, -5).Add(12 * time.Hour))
	remind(2) // the second cadre: study plan and 述学讲学
	if a.FollowupNotices(two, "提醒") != 2 || a.FollowupNotices(one, "提醒") != 0 {
		t.Fatal("due reminders went to the wrong cadre")
	}
	clock(due.AddDate(0, 0, 3).Add(12 * time.Hour))
	remind(2) // overdue: both tasks of the second cadre flagged to unit A's admin
	if n := a.FollowupNotices(e.IDs["ua_admin"], "逾期提醒"); n != 2 {
		t.Fatalf("unit overdue flags: %d", n)
	}
	if n := a.FollowupNotices(e.IDs["ub_admin"], "逾期提醒"); n != 0 {
		t.Fatal("another unit was flagged")
	}
	roundDue, _ := time.ParseInLocation(time.DateOnly, fmt.Sprintf("%d-12-15", y+1), web.Shanghai)
	clock(roundDue.AddDate(0, 0, -3))
	remind(3) // two self-reports due, the assigned round due
	if a.FollowupNotices(e.Member, "将于") != 1 || a.FollowupNotices(one, "年度自述") != 1 || a.FollowupNotices(two, "年度自述") != 1 {
		t.Fatal("round reminders went to the wrong people")
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/followup-rounds/%d/self-report", roundOne), tok, map[string]any{"content": "自述"}), 200)
	clock(roundDue.AddDate(0, 0, 2))
	remind(2) // the second cadre's self-report flagged, the assignee's round overdue
	if a.FollowupNotices(e.Member, "逾期") != 1 || a.FollowupNotices(e.IDs["ua_admin"], "年度自述") != 1 {
		t.Fatal("overdue round flags went to the wrong people")
	}
	overdue := a.Do("GET", "/api/v1/followup-rounds?overdue=1", e.Tokens["org"], nil)
	collegetest.MustStatus(t, overdue, 200)
	if overdue.JSON(t)["total"].(float64) != 2 {
		t.Fatalf("overdue rounds: %s", overdue.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/followup-rounds?overdue=1", e.Tokens["ua_admin"], nil), 403)
	mine := a.Do("GET", "/api/v1/me/followup-rounds", e.MemberTok, nil)
	var list []map[string]any
	if err := json.Unmarshal(mine.Body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0]["overdue"] != true {
		t.Fatalf("my rounds: %s", mine.Body)
	}
}

// The pages of each role, and their forms: the cadre files the study plan,
// the 述学讲学 and the self-report; the team member fills and finishes the
// round and makes a questionnaire; the unit and the org department read
// their overviews; the org department edits the term, the team and the
// indicators.
func TestFollowupPages(t *testing.T) {
	t.Parallel()
	a, e := collegetest.NewFollowupApp(t)
	y := e.Year
	_, class, plan := a.FollowupGraduatePlan(e, "fu_page", fmt.Sprintf("%d-06-30", y+3), "", 40)
	round := collegetest.FollowupFirstRound(plan)

	// The cadre.
	me := collegetest.LoginPages(a, "fu_page", collegetest.UserPassword)
	page := collegetest.PageGet(me, "/me/followup", 200)
	for _, want := range []string{"跟踪问效", "待办任务", "提交自学计划", "述学讲学", "主体班（40）", fmt.Sprintf("%d 年", y+1), fmt.Sprintf("%d 年", y+3), `href="/me/followup"`} {
		if !strings.Contains(page, want) {
			t.Errorf("cadre page lacks %q", want)
		}
	}
	r := collegetest.PagePost(me, page, "/me/followup/study-plan", url.Values{"class_id": {fmt.Sprint(class)}, "content": {""}})
	collegetest.MustBody(t, r, 400, "必填")
	r = collegetest.PagePost(me, page, "/me/followup/study-plan", url.Values{"class_id": {fmt.Sprint(class)}, "content": {"每月精读一章必读教材"}})
	collegetest.MustStatus(t, r, 303)
	if collegetest.FollowupFlash(me) != "自学计划已提交" {
		t.Fatalf("flash %q", collegetest.FollowupFlash(me))
	}
	today := time.Now().In(web.Shanghai).Format(time.DateOnly)
	r = collegetest.PagePost(me, page, "/me/followup/report-backs", url.Values{"class_id": {fmt.Sprint(class)}, "held_on": {today}, "audience": {"本单位全体干部"}, "summary": {"传达学习体会"}})
	collegetest.MustStatus(t, r, 303)
	page = collegetest.PageGet(me, "/me/followup", 200)
	for _, want := range []string{"每月精读一章必读教材", "按时提交", "本单位全体干部", "上传讲稿、课件或照片", "没有待办任务"} {
		if !strings.Contains(page, want) {
			t.Errorf("cadre page after filing lacks %q", want)
		}
	}

	// The team member, after assignment on the org department's page.
	admin := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	adminPage := collegetest.PageGet(admin, fmt.Sprintf("/admin/followup?year=%d", y+1), 200)
	for _, want := range []string{"跟踪问效管理", fmt.Sprintf("%d 年度概览", y+1), "按班次", "按单位", "待分配", "干部fu_page", "测试fu_team", "优秀案例"} {
		if !strings.Contains(adminPage, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
	r = collegetest.PagePost(admin, adminPage, fmt.Sprintf("/admin/followup/rounds/%d/assign", round), url.Values{"user_id": {fmt.Sprint(e.Member)}, "next": {"/admin/followup#unassigned"}})
	collegetest.MustStatus(t, r, 303)
	if !strings.Contains(collegetest.FollowupFlash(admin), "分配给 测试fu_team") {
		t.Fatalf("assign flash %q", collegetest.FollowupFlash(admin))
	}
	team := collegetest.LoginPages(a, "fu_team", collegetest.UserPassword)
	page = collegetest.PageGet(team, "/followup/rounds", 200)
	if !strings.Contains(page, "干部fu_page") || !strings.Contains(page, fmt.Sprintf("/followup/rounds/%d", round)) {
		t.Fatalf("team list: %s", page)
	}
	form := collegetest.PageGet(team, fmt.Sprintf("/followup/rounds/%d", round), 200)
	for _, want := range []string{"党性教育", "理论提升", "主体业绩", "改革创新", "理想信念", "服务创新", "听取汇报", "问卷调查", "完成问效并报送", "发起民主评议或问卷调查"} {
		if !strings.Contains(form, want) {
			t.Errorf("round form lacks %q", want)
		}
	}
	// A questionnaire from the page: the links show once.
	r = collegetest.PagePost(team, form, fmt.Sprintf("/followup/rounds/%d/questionnaires", round), url.Values{"kind": {"民主评议"}, "title": {"民主评议"}, "respondents": {"上级\n同事"}})
	collegetest.MustStatus(t, r, 201)
	if n := strings.Count(string(r.Body), "/q/"); n < 2 || !strings.Contains(string(r.Body), "只显示这一次") {
		t.Fatalf("links on the page: %d", n)
	}
	// An incomplete "complete" is refused on the page with the form kept.
	values := url.Values{"d0_score": {"91"}, "d0_ind_name": {"理想信念", "宗旨意识"}, "d0_ind_score": {"95", ""}, "d0_notes": {"坚定"},
		"method": {"听取汇报"}, "ev0": {"听取汇报记录"}, "action": {"complete"}}
	r = collegetest.PagePost(team, form, fmt.Sprintf("/followup/rounds/%d", round), values)
	collegetest.MustBody(t, r, 400, "请为“理论提升”评分", "听取汇报记录", `value="91"`)
	values.Set("action", "draft")
	collegetest.MustStatus(t, collegetest.PagePost(team, form, fmt.Sprintf("/followup/rounds/%d", round), values), 303)
	values.Set("d1_score", "88")
	values.Set("d2_score", "90")
	values.Set("d3_score", "85")
	values.Set("conclusion", "良好")
	values.Set("action", "complete")
	r = collegetest.PagePost(team, form, fmt.Sprintf("/followup/rounds/%d", round), values)
	collegetest.MustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/followup/rounds/%d/report", round) {
		t.Fatalf("after completing: %s", loc)
	}
	report := collegetest.PageGet(team, fmt.Sprintf("/followup/rounds/%d/report", round), 200)
	for _, want := range []string{"跟踪问效报告", "理想信念：95", ">91<", ">88<", "<strong>良好</strong>", "导出 Word", "尚未查阅"} {
		if !strings.Contains(report, want) {
			t.Errorf("report page lacks %q", want)
		}
	}

	// The unit's page, then the report it opens.
	unit := collegetest.LoginPages(a, "ua_admin", collegetest.UserPassword)
	page = collegetest.PageGet(unit, "/unit/followup", 200)
	for _, want := range []string{"本单位跟踪问效", "干部fu_page", "良好", fmt.Sprintf("/followup/rounds/%d/report", round), "逾期任务"} {
		if !strings.Contains(page, want) {
			t.Errorf("unit page lacks %q", want)
		}
	}
	collegetest.PageGet(unit, fmt.Sprintf("/followup/rounds/%d/report", round), 200)
	// The unit may not open the form: it is sent to the report.
	r = unit.Req("GET", fmt.Sprintf("/followup/rounds/%d", round), nil)
	collegetest.MustStatus(t, r, 303)
	other := collegetest.LoginPages(a, "ub_admin", collegetest.UserPassword)
	if strings.Contains(collegetest.PageGet(other, "/unit/followup", 200), "干部fu_page") {
		t.Fatal("unit B's page shows a cadre of unit A")
	}
	collegetest.PageGet(other, fmt.Sprintf("/followup/rounds/%d/report", round), 404)
	collegetest.PageGet(other, "/admin/followup", 403)

	// The org department: plans with the term, the team and the indicators.
	page = collegetest.PageGet(admin, "/admin/followup/plans", 200)
	r = collegetest.PagePost(admin, page, fmt.Sprintf("/admin/followup/plans/%v/term", plan["id"]), url.Values{"term_ends_on": {fmt.Sprintf("%d-06-30", y+4)}})
	collegetest.MustStatus(t, r, 303)
	if !strings.Contains(collegetest.FollowupFlash(admin), "共 4 轮") {
		t.Fatalf("term flash %q", collegetest.FollowupFlash(admin))
	}
	page = collegetest.PageGet(admin, "/admin/followup/team", 200)
	r = collegetest.PagePost(admin, page, "/admin/followup/team", url.Values{"username": {"ua_cadre"}})
	collegetest.MustStatus(t, r, 303)
	if ok, _ := a.Followup.IsTeamMember(context.Background(), e.IDs["ua_cadre"]); !ok {
		t.Fatal("the page did not add the member")
	}
	r = collegetest.PagePost(admin, page, "/admin/followup/team", url.Values{"username": {"nobody"}})
	collegetest.MustBody(t, r, 400, "没有用户名为 nobody", `value="nobody"`)
	r = collegetest.PagePost(admin, page, "/admin/followup/templates", url.Values{"t0": {"理想信念\n宗旨意识"}, "t1": {"自学计划执行"}, "t2": {"共性目标完成"}, "t3": {"管理创新、服务创新"}})
	collegetest.MustStatus(t, r, 303)
	tpl := a.Do("GET", "/api/v1/followup-templates", e.Tokens["org"], nil)
	if !strings.Contains(string(tpl.Body), `"indicators":["管理创新","服务创新"]`) {
		t.Fatalf("templates: %s", tpl.Body)
	}
	r = collegetest.PagePost(admin, page, fmt.Sprintf("/admin/followup/team/%d/remove", e.Member), nil)
	collegetest.MustStatus(t, r, 303)
	for action, want := range map[string]int64{"followup.team.add": 1, "followup.team.remove": 1} {
		if n := a.Count("audit_logs", "action = ?", action); n != want {
			t.Errorf("audit %s: %d", action, n)
		}
	}
	// The cadre reads the finished report from the list.
	page = collegetest.PageGet(me, "/me/followup", 200)
	if !strings.Contains(page, fmt.Sprintf("/followup/rounds/%d/report", round)) || !strings.Contains(page, "良好") {
		t.Fatalf("cadre page after the round: %s", page)
	}
	collegetest.PageGet(me, fmt.Sprintf("/followup/rounds/%d/report", round), 200)
	collegetest.PageGet(me, "/admin/followup", 403)
}
