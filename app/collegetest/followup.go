package collegetest

import (
	"college/modules/identity"
	"college/modules/web"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FollowupEnv is a city ready for follow-up: graduation needs no files and
// a teacher of the college is on the follow-up team (工作专班).
type FollowupEnv struct {
	*City
	Member    uint64
	MemberTok string
	Year      int // this year in Beijing
}

func FollowupCity(a *App) *FollowupEnv {
	a.T.Helper()
	c := NewCity(a)
	a.Setting("training.graduation_requires_files", "false")
	member := a.CreateUser(c.Tokens["admin"], "fu_team", c.College, "teacher")
	r := a.Do("PUT", "/api/v1/followup-team", c.Tokens["org"], map[string]any{"user_ids": []uint64{member}})
	MustStatus(a.T, r, 200)
	return &FollowupEnv{City: c, Member: member, MemberTok: a.Login("fu_team", UserPassword), Year: time.Now().In(web.Shanghai).Year()}
}

// NewFollowupApp starts a college on fresh stores with the city of
// FollowupCity.
func NewFollowupApp(t *testing.T) (*App, *FollowupEnv) {
	t.Helper()
	a := New(t)
	return a, FollowupCity(a)
}

// FollowupCadre provisions a learner of org with a post and a term end
// (YYYY-MM-DD, "" when unknown) and returns the id.
func (a *App) FollowupCadre(username string, org uint64, term, idNumber string) uint64 {
	a.T.Helper()
	req := identity.UserRequest{Username: username, Name: "干部" + username, OrgID: org, Roles: []string{"learner"}, Level: "县处级", Post: "副主任",
		TermEndsOn: term, IDNumber: idNumber}
	a.Provision(req)
	return a.UserID(username)
}

// FollowupGraduate runs a class through registration to graduation with
// the cadres as its graduates; fields override the class defaults.
func (a *App) FollowupGraduate(c *City, fields map[string]any, cadres ...uint64) uint64 {
	a.T.Helper()
	id := a.CreateClass(c, fields)
	a.OpenClass(c, id)
	for _, u := range cadres {
		r := a.Register(c.Tokens["org"], id, u)
		MustStatus(a.T, r, 201)
		if r.JSON(a.T)["status"] == "pending" {
			MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", r.ID(a.T)), c.Tokens["col"], nil), 200)
		}
	}
	a.StartClass(c, id)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), c.Tokens["col"], nil)
	MustStatus(a.T, r, 200)
	if n := r.JSON(a.T)["graduated"].(float64); int(n) != len(cadres) {
		a.T.Fatalf("graduated %v of %d: %s", n, len(cadres), r.Body)
	}
	return id
}

// FollowupGraduatePlan provisions a cadre of unit A (term end and ID
// number as FollowupCadre takes them), graduates them from a 主体班 that
// starts in from days (FollowupLong) and returns the cadre, the class and
// the cadre's plan of that class.
func (a *App) FollowupGraduatePlan(e *FollowupEnv, username, term, idNumber string, from int) (cadre, class uint64, plan map[string]any) {
	a.T.Helper()
	cadre = a.FollowupCadre(username, e.UnitA, term, idNumber)
	class = a.FollowupGraduate(e.City, FollowupLong("主体班", from), cadre)
	return cadre, class, FollowupPlanOf(a.T, a.FollowupPlans(e.Tokens["org"], ""), cadre, class)
}

// FollowupAssign has the org department assign a round to the team member.
func (a *App) FollowupAssign(e *FollowupEnv, round uint64) {
	a.T.Helper()
	MustStatus(a.T, a.Do("POST", fmt.Sprintf("/api/v1/followup-rounds/%d/assign", round), e.Tokens["org"], map[string]any{"user_id": e.Member}), 200)
}

// FollowupAssignFirst assigns the first round of a plan to the team member
// and returns the round's id.
func (a *App) FollowupAssignFirst(e *FollowupEnv, plan map[string]any) uint64 {
	a.T.Helper()
	round := FollowupFirstRound(plan)
	a.FollowupAssign(e, round)
	return round
}

// FollowupLong is a class of 36 days of the given kind, in the future.
func FollowupLong(kind string, from int) map[string]any {
	return map[string]any{"title": kind + "（" + fmt.Sprint(from) + "）", "kind": kind, "starts_on": Day(from), "ends_on": Day(from + 35), "hours": 60}
}

// FollowupPlans lists GET /api/v1/followups as the token's user.
func (a *App) FollowupPlans(token, query string) []map[string]any {
	a.T.Helper()
	r := a.Do("GET", "/api/v1/followups"+query, token, nil)
	MustStatus(a.T, r, 200)
	var out []map[string]any
	for _, x := range r.JSON(a.T)["items"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// FollowupPlanOf finds the plan of a user and a class among plans.
func FollowupPlanOf(t *testing.T, plans []map[string]any, userID, classID uint64) map[string]any {
	t.Helper()
	for _, p := range plans {
		if uint64(p["user_id"].(float64)) == userID && uint64(p["class_id"].(float64)) == classID {
			return p
		}
	}
	t.Fatalf("no plan of user %d in class %d among %v", userID, classID, plans)
	return nil
}

// FollowupRounds describes a plan's rounds as "year:due:status" items.
func FollowupRounds(p map[string]any) string {
	var parts []string
	for _, x := range p["rounds"].([]any) {
		r := x.(map[string]any)
		parts = append(parts, fmt.Sprintf("%v:%v:%v", r["year"], r["due_on"], r["status"]))
	}
	return strings.Join(parts, " ")
}

// FollowupFirstRound is the id of a plan's first round.
func FollowupFirstRound(p map[string]any) uint64 {
	return uint64(p["rounds"].([]any)[0].(map[string]any)["id"].(float64))
}

func (a *App) FollowupNotices(userID uint64, titleLike string) int64 {
	var n int64
	a.DB.Table("notifications").Where("user_id = ? AND title LIKE ?", userID, "%"+titleLike+"%").Count(&n)
	return n
}

// FollowupComplete is a finished round form.
func FollowupComplete(conclusion string) map[string]any {
	return map[string]any{
		"dimensions": map[string]any{
			"党性教育": map[string]any{"score": 92, "notes": "理想信念坚定", "indicators": []map[string]any{{"name": "理想信念", "score": 95}, {"name": "廉洁从政", "score": 90}}},
			"理论提升": map[string]any{"score": 88.5, "notes": "按计划自学"},
			"主体业绩": map[string]any{"score": 90, "notes": "完成年度目标"},
			"改革创新": map[string]any{"score": 84, "notes": "推进审批改革"},
		},
		"methods":    []string{"听取汇报", "实地查看", "民主评议"},
		"evidence":   map[string]any{"听取汇报": "听取单位党组汇报", "实地查看": "实地查看项目现场"},
		"conclusion": conclusion,
	}
}

// FollowupFlash reads the one-time message a redirect left.
func FollowupFlash(b *Browser) string {
	v, _ := url.QueryUnescape(b.Cookies["flash"])
	return v
}
