package faculty_test

import (
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"
)

func TestLeaderLecturesCountAgainstTheTarget(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col, org := c.Tokens["col"], c.Tokens["org"]
	lin := addTeacher(t, a, org, map[string]any{"name": "林主任", "kind": "leader", "post": "发改委主任", "org_id": c.UnitA})
	addTeacher(t, a, org, map[string]any{"name": "罗局长", "kind": "leader", "post": "教育局局长", "org_id": c.UnitB})
	addTeacher(t, a, org, map[string]any{"name": "停用领导", "kind": "leader", "post": "副局长", "status": "inactive"})

	class := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(1), "ends_on": collegetest.Day(3)})
	start, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(1)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), col,
		map[string]any{"topic": "经济形势报告", "teacher_id": lin, "starts_at": start, "ends_at": start.Add(2 * time.Hour)})
	collegetest.MustStatus(t, r, 201)
	a.OpenClass(c, class)

	year := start.Year()
	get := func(token string) map[string]any {
		r := a.Do("GET", fmt.Sprintf("/api/v1/leader-lectures?year=%d", year), token, nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)
	}
	out := get(org)
	ls := out["leaders"].([]any)
	if out["target"].(float64) != 1 || out["behind"].(float64) != 1 || len(ls) != 2 {
		t.Fatalf("leader lectures: %v", out)
	}
	first, second := ls[0].(map[string]any), ls[1].(map[string]any)
	if first["name"] != "罗局长" || first["met"] != false || second["name"] != "林主任" || second["sessions"].(float64) != 1 || second["met"] != true {
		t.Fatalf("leaders: %v", ls)
	}
	a.Setting("faculty.leader_lectures", "2")
	if out := get(org); out["behind"].(float64) != 2 {
		t.Fatalf("with a target of 2: %v", out)
	}
	// Another year has no lectures; a college sees only its own leaders.
	r = a.Do("GET", fmt.Sprintf("/api/v1/leader-lectures?year=%d", year-1), org, nil)
	if r.JSON(t)["leaders"].([]any)[0].(map[string]any)["sessions"].(float64) != 0 {
		t.Fatalf("last year: %s", r.Body)
	}
	if n := len(get(col)["leaders"].([]any)); n != 0 {
		t.Fatalf("the college sees %d of the department's leaders", n)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/leader-lectures", c.Tokens["ua_cadre"], nil), 403)
}
