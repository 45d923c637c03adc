package faculty_test

import (
	"bytes"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

func TestTeacherTrainingPlanCountsGraduationsFromTeacherClasses(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	users := a.Cadres("tt", c.UnitA, "乡科级", 2)
	trained := addTeacher(t, a, col, map[string]any{"name": "甲老师", "kind": "internal", "user_id": users[0]})
	addTeacher(t, a, col, map[string]any{"name": "乙老师", "kind": "internal", "user_id": users[1]})
	addTeacher(t, a, col, map[string]any{"name": "丙老师", "kind": "internal"})
	addTeacher(t, a, col, map[string]any{"name": "停用老师", "kind": "internal", "user_id": users[0], "status": "inactive"})
	addTeacher(t, a, col, map[string]any{"name": "外聘专家", "kind": "expert"})

	// 甲 graduates from a teacher-training class; 乙 only from another kind.
	a.Setting("training.graduation_requires_files", "false")
	class := a.FollowupGraduate(c, map[string]any{"title": "师资能力提升班", "kind": "师资培训"}, users[0])
	a.FollowupGraduate(c, map[string]any{"title": "专题研讨班", "kind": "专题班"}, users[1])

	year := time.Now().In(web.Shanghai).Year()
	r := a.Do("GET", "/api/v1/teacher-training?years=3", col, nil)
	collegetest.MustStatus(t, r, 200)
	out := r.JSON(t)
	if out["from_year"].(float64) != float64(year-2) || out["to_year"].(float64) != float64(year) ||
		out["teachers"].(float64) != 3 || out["covered"].(float64) != 1 || out["rate"].(float64) < 0.333 || out["rate"].(float64) > 0.334 {
		t.Fatalf("plan: %s", r.Body)
	}
	items := out["items"].([]any)
	last := items[2].(map[string]any)
	if len(items) != 3 || items[0].(map[string]any)["name"] == "甲老师" || last["teacher_id"].(float64) != float64(trained) {
		t.Fatalf("items (not yet trained first): %v", items)
	}
	cls := last["classes"].([]any)
	if len(cls) != 1 || cls[0].(map[string]any)["class_id"].(float64) != float64(class) || cls[0].(map[string]any)["year"].(float64) != float64(year) ||
		cls[0].(map[string]any)["title"] != "师资能力提升班" {
		t.Fatalf("classes: %v", cls)
	}
	// A span of one year still counts this year's graduation; the org
	// department sees the college's teachers; a learner may not look.
	if r := a.Do("GET", "/api/v1/teacher-training?years=1", c.Tokens["org"], nil); r.JSON(t)["covered"].(float64) != 1 || r.JSON(t)["from_year"].(float64) != float64(year) {
		t.Fatalf("one year, as the org department: %s", r.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/teacher-training", c.Tokens["ua_cadre"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/teacher-training.xlsx", c.Tokens["ua_admin"], nil), 403)

	x := a.Do("GET", "/api/v1/teacher-training.xlsx?years=3", col, nil)
	collegetest.MustStatus(t, x, 200)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 4 || rows[3][0] != "甲老师" || rows[3][1] != "已参训" || rows[3][2] == "" {
		t.Fatalf("export: %v %v", rows, err)
	}

	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/teachers/training", 200), "师资提能计划", "覆盖率", "33.3%", "师资能力提升班", "未关联账号")
	collegetest.PageGet(collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword), "/admin/teachers/training", 403)
}
