package collegetest

import (
	"college/modules/web"
	"fmt"
	"testing"
	"time"
)

// AssessClass is a class in session with a timetable, an online course,
// trainees and two teacher accounts.
type AssessClass struct {
	ID        uint64
	Trainees  []uint64
	Sessions  []uint64 // 王教授's, 李老师's, one without a teacher
	Course    uint64
	Teachers  map[string]uint64 // username -> id: t_wang, t_li
	StartedOn string
}

// AssessSetup builds a city and a class in session with n trainees;
// fields override the class defaults.
func AssessSetup(t *testing.T, n int, fields map[string]any) (*App, *City, AssessClass) {
	t.Helper()
	a := New(t)
	c := NewCity(a)
	a.Setting("training.graduation_requires_files", "false")
	return a, c, AssessNewClass(a, c, "as", n, fields)
}

// AssessNewClass adds a class in session to a city.
func AssessNewClass(a *App, c *City, prefix string, n int, fields map[string]any) AssessClass {
	t := a.T
	t.Helper()
	col := c.Tokens["col"]
	ac := AssessClass{Teachers: map[string]uint64{}}
	for _, u := range []string{"t_wang", "t_li"} {
		var id uint64
		a.DB.Table("users").Where("username = ?", u).Pluck("id", &id)
		if id == 0 {
			id = a.CreateUser(c.Tokens["admin"], u, c.College, "teacher")
		}
		ac.Teachers[u] = id
	}
	ac.Course = ArticleCourse(t, a, col, "习近平新时代中国特色社会主义思想概论", true) // a class links published courses only
	body := map[string]any{"starts_on": Day(1), "ends_on": Day(3), "hours": 18, "self_registration": false}
	for k, v := range fields {
		body[k] = v
	}
	ac.ID = a.CreateClass(c, body)
	start, _ := time.ParseInLocation("2006-01-02 15:04", Day(1)+" 09:00", web.Shanghai)
	for i, s := range [][2]string{{"新发展理念专题辅导", "王教授"}, {"基层治理现代化", "李老师"}, {"分组研讨", ""}} {
		at := start.Add(time.Duration(i) * 4 * time.Hour)
		r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", ac.ID), col, map[string]any{"topic": s[0], "teacher": s[1], "starts_at": at, "ends_at": at.Add(3 * time.Hour)})
		MustStatus(t, r, 201)
		ac.Sessions = append(ac.Sessions, r.ID(t))
	}
	MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/courses", ac.ID), col, map[string]any{"courses": []map[string]any{{"course_id": ac.Course, "required": true, "hours": 2}}}), 200)
	a.OpenClass(c, ac.ID)
	ac.Trainees = a.Cadres(prefix, c.UnitA, "乡科级", n)
	a.Admit(c, c.Tokens["ua_admin"], ac.ID, ac.Trainees...)
	a.StartClass(c, ac.ID)
	ac.StartedOn = Day(1)
	return ac
}

// AssessDefaultForm is the id of the built-in course card.
func AssessDefaultForm(a *App, c *City) uint64 {
	a.T.Helper()
	r := a.Do("GET", "/api/v1/forms", c.Tokens["col"], nil)
	MustStatus(a.T, r, 200)
	for _, it := range r.JSON(a.T)["items"].([]any) {
		f := it.(map[string]any)
		if f["title"] == "课程评估表（默认）" && f["builtin"] == true {
			return uint64(f["id"].(float64))
		}
	}
	a.T.Fatalf("no default form in %s", r.Body)
	return 0
}

// AssessAttach publishes an evaluation and returns its id.
func AssessAttach(a *App, c *City, classID uint64, body map[string]any) uint64 {
	a.T.Helper()
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/evaluations", classID), c.Tokens["col"], body)
	MustStatus(a.T, r, 201)
	return r.ID(a.T)
}

// AssessAnswer submits answers as a user.
func AssessAnswer(a *App, userID, evalID uint64, answers ...any) Response {
	a.T.Helper()
	return a.Do("POST", fmt.Sprintf("/api/v1/evaluations/%d/responses", evalID), a.TokenFor(userID), map[string]any{"answers": answers})
}

func AssessNum(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("no number %s in %v", key, m)
	}
	return v
}
