package faculty_test

import (
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"
)

func TestTeacherRecordShowsUpcomingSessions(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	wu := addTeacher(t, a, col, map[string]any{"name": "吴老师", "kind": "expert"})
	class := a.CreateClass(c, map[string]any{"title": "基层治理专题班", "starts_on": collegetest.Day(1), "ends_on": collegetest.Day(3)})
	at := func(day int, hm string) time.Time {
		x, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(day)+" "+hm, web.Shanghai)
		return x
	}
	for _, s := range []map[string]any{
		{"topic": "基层治理现代化", "teacher_id": wu, "starts_at": at(2, "14:00"), "ends_at": at(2, "17:00"), "site": "红色教育基地"},
		{"topic": "新时代枫桥经验", "teacher_id": wu, "starts_at": at(1, "09:00"), "ends_at": at(1, "12:00"), "place": "第一教室"},
	} {
		collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", class), col, s), 201)
	}
	upcoming := func() []any {
		t.Helper()
		r := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", wu), col, nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)["upcoming"].([]any)
	}
	// A draft class's timetable is not yet a schedule.
	if u := upcoming(); len(u) != 0 {
		t.Fatalf("upcoming in a draft class: %v", u)
	}
	a.OpenClass(c, class)
	u := upcoming()
	if len(u) != 2 {
		t.Fatalf("upcoming: %v", u)
	}
	first, second := u[0].(map[string]any), u[1].(map[string]any)
	if first["topic"] != "新时代枫桥经验" || first["place"] != "第一教室" || first["class_title"] != "基层治理专题班" || first["ends_at"] == nil ||
		second["topic"] != "基层治理现代化" || second["site"] != "红色教育基地" {
		t.Fatalf("upcoming, soonest first: %v", u)
	}
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/teachers/%d", wu), 200),
		"近期课程安排", collegetest.Day(1), "09:00–12:00", "第一教室", "14:00–17:00", "红色教育基地", "授课记录")

	// Once the first session has begun, only the second is still to come.
	a.Faculty.SetClock(func() time.Time { return at(1, "13:00") })
	if u := upcoming(); len(u) != 1 || u[0].(map[string]any)["topic"] != "基层治理现代化" {
		t.Fatalf("upcoming after the first session: %v", u)
	}
}
