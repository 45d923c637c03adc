package faculty_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
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

	// The export and the page: the leader who has not lectured is listed
	// under the target and among those who have not lectured.
	x := a.Do("GET", fmt.Sprintf("/api/v1/leader-lectures.xlsx?year=%d", year), org, nil)
	collegetest.MustStatus(t, x, 200)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(fmt.Sprintf("领导干部上讲台%d", year))
	if err != nil || len(rows) != 3 || rows[1][0] != "林主任" || rows[1][3] != "1" || rows[2][0] != "罗局长" || rows[2][3] != "0" || rows[2][5] != "未达标" {
		t.Fatalf("export: %v %v", rows, err)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/leader-lectures.xlsx", c.Tokens["ua_cadre"], nil), 403)
	b := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	body := collegetest.PageGet(b, fmt.Sprintf("/admin/teachers/leaders?year=%d", year), 200)
	collegetest.MustContain(t, body, "领导干部上讲台", "发改委主任", "未达标", "1 / 2")
	_, none, _ := strings.Cut(body, `id="leaders-none"`)
	none, _, _ = strings.Cut(none, "</ul>")
	if !strings.Contains(none, "罗局长") || strings.Contains(none, "林主任") {
		t.Fatalf("those who have not lectured: %s", none)
	}
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/teachers", 200), "/admin/teachers/leaders")
	collegetest.PageGet(collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword), "/admin/teachers/leaders", 403)
}
