package faculty_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"
)

// ratedTeacher adds a teacher of the college who gives one session of a
// started class, rated by four trainees of whom satisfied are satisfied;
// it returns the teacher, the class and the evaluation.
func ratedTeacher(t *testing.T, a *collegetest.App, c *collegetest.City, name string, hours, satisfied int) (teacher, class, eval uint64) {
	t.Helper()
	col := c.Tokens["col"]
	teacher = addTeacher(t, a, col, map[string]any{"name": name, "kind": "expert"})
	class = a.CreateClass(c, map[string]any{"title": name + "主讲班", "starts_on": collegetest.Day(1), "ends_on": collegetest.Day(3), "hours": 18, "self_registration": false})
	start, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(1)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), col,
		map[string]any{"topic": name + "专题课", "teacher_id": teacher, "starts_at": start, "ends_at": start.Add(time.Duration(hours) * time.Hour), "hours": hours, "place": "第一教室"})
	collegetest.MustStatus(t, r, 201)
	session := r.ID(t)
	a.OpenClass(c, class)
	trainees := a.Cadres(fmt.Sprintf("t%d", teacher), c.UnitA, "乡科级", 4)
	a.Admit(c, c.Tokens["ua_admin"], class, trainees...)
	a.StartClass(c, class)
	def := collegetest.AssessDefaultForm(a, c)
	eval = collegetest.AssessAttach(a, c, class, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": session}})
	for i, u := range trainees {
		g := "不满意"
		if i < satisfied {
			g = "满意"
		}
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, u, eval, g, g, g, g, g, nil), 201)
	}
	return teacher, class, eval
}

func TestSweepOpensCorrectionsWithoutARead(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	poor, _, eval := ratedTeacher(t, a, c, "钱老师", 3, 1)
	ratedTeacher(t, a, c, "孔老师", 3, 4) // meets the bar: no task
	ctx := context.Background()

	n, err := a.Faculty.SweepCorrections(ctx)
	if err != nil || n != 1 {
		t.Fatalf("first sweep opened %d: %v", n, err)
	}
	if got := a.Count("teacher_corrections", "teacher_id = ? AND evaluation_id = ? AND status = ?", poor, eval, "open"); got != 1 {
		t.Fatalf("open tasks of the poorly rated teacher = %d", got)
	}
	if got := a.Count("teacher_corrections", "1 = 1"); got != 1 {
		t.Fatalf("tasks = %d", got)
	}
	if n := collegetest.CountAudits(a, "teacher.correction.open"); n != 1 {
		t.Fatalf("teacher.correction.open entries = %d", n)
	}
	// A second sweep, and a read of the record, open nothing more.
	if n, err := a.Faculty.SweepCorrections(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep opened %d: %v", n, err)
	}
	r := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", poor), c.Tokens["col"], nil)
	collegetest.MustStatus(t, r, 200)
	if cs := r.JSON(t)["corrections"].([]any); len(cs) != 1 || collegetest.CountAudits(a, "teacher.correction.open") != 1 {
		t.Fatalf("after a read: %v", cs)
	}
}
