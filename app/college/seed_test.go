package college_test

import (
	"bytes"
	"college/app/college"
	"college/app/collegetest"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestSeedCreatesTheDemoCityOnce(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	var out bytes.Buffer
	if err := college.Seed(context.Background(), a.App, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), college.DemoPassword) || !strings.Contains(out.String(), "cadre01") {
		t.Fatalf("seed output lacks the logins:\n%s", out.String())
	}
	var colleges, units, users int64
	a.DB.Table("orgs").Where("kind = ?", "college").Count(&colleges)
	a.DB.Table("orgs").Where("kind = ?", "unit").Count(&units)
	a.DB.Table("users").Count(&users)
	if colleges != 6 || units < 10 || users != 3+5+50 {
		t.Fatalf("colleges %d, units %d, users %d", colleges, units, users)
	}
	// Demo training bases: two filed on the public list, one applying.
	var pub []map[string]any
	if err := json.Unmarshal(a.Do("GET", "/api/v1/bases/public", "", nil).Body, &pub); err != nil || len(pub) != 2 {
		t.Fatalf("public bases = %v (%v)", pub, err)
	}
	if n := a.Count("training_bases", "status = ?", "applied"); n != 1 {
		t.Fatalf("applying bases = %d", n)
	}
	// One account per role, each able to log in.
	for _, u := range []string{"orgadmin", "college", "teacher", "unitadmin", "cadre01", "cadre50"} {
		a.Login(u, college.DemoPassword)
	}
	// The three administrators are the built-in ones, not demo accounts.
	for _, u := range []string{"sysadmin", "secadmin", "auditor"} {
		collegetest.MustStatus(t, a.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": u, "password": college.DemoPassword}), 401)
	}
	// The unit admin sees the cadres of their unit only.
	tok := a.Login("unitadmin", college.DemoPassword)
	l := a.Do("GET", "/api/v1/users?page_size=200", tok, nil).JSON(t)
	if n := l["total"].(float64); n < 2 || n > 10 {
		t.Fatalf("unit admin sees %v users", n)
	}
	// Demo courses are published with real videos and can be studied.
	tok = a.Login("cadre01", college.DemoPassword)
	l = a.Do("GET", "/api/v1/courses", tok, nil).JSON(t)
	if l["total"].(float64) != 2 {
		t.Fatalf("demo courses = %v", l)
	}
	first := l["items"].([]any)[0].(map[string]any)
	d := a.Do("GET", fmt.Sprintf("/api/v1/courses/%v", first["id"]), tok, nil).JSON(t)
	lesson := d["lessons"].([]any)[0].(map[string]any)
	if lesson["duration_seconds"].(float64) < 20 || lesson["has_media"] != true {
		t.Fatalf("demo lesson = %v", lesson)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/lessons/%v/play", lesson["id"]), tok, nil), 201)
	// Demo classes: one open to cadre05 (乡科级), one filed for the org
	// department, one in session where cadre01 signs in now with the code.
	l = a.Do("GET", "/api/v1/classes", a.Login("cadre05", college.DemoPassword), nil).JSON(t)
	if l["total"].(float64) != 1 {
		t.Fatalf("open demo classes = %v", l)
	}
	l = a.Do("GET", "/api/v1/classes?status=filing", a.Login("orgadmin", college.DemoPassword), nil).JSON(t)
	if l["total"].(float64) != 1 {
		t.Fatalf("filed demo classes = %v", l)
	}
	mine := a.Do("GET", "/api/v1/me/registrations", tok, nil)
	var regs []map[string]any
	if err := json.Unmarshal(mine.Body, &regs); err != nil || len(regs) != 1 || regs[0]["status"] != "approved" {
		t.Fatalf("cadre01's classes: %s", mine.Body)
	}
	cls := a.Do("GET", fmt.Sprintf("/api/v1/classes/%v", regs[0]["class_id"]), a.Login("college", college.DemoPassword), nil).JSON(t)
	now := cls["sessions"].([]any)[1].(map[string]any)
	r := a.Do("POST", fmt.Sprintf("/api/v1/sessions/%v/signin", now["id"]), tok, map[string]any{"code": now["code"]})
	collegetest.MustStatus(t, r, 200)
	// cadre01 has the class evaluation to fill; cadre05 graduated from a
	// main class and is followed up, with a round assigned to the teacher.
	var evals []map[string]any
	if err := json.Unmarshal(a.Do("GET", "/api/v1/me/evaluations", tok, nil).Body, &evals); err != nil || len(evals) != 1 || evals[0]["done"] != false {
		t.Fatalf("cadre01's evaluations: %v %v", evals, err)
	}
	fu := a.Do("GET", "/api/v1/me/followup", a.Login("cadre05", college.DemoPassword), nil)
	collegetest.MustBody(t, fu, 200, "第一期中青年干部培训班")
	mine2 := a.Do("GET", "/api/v1/me/followup-rounds", a.Login("teacher", college.DemoPassword), nil)
	var rounds []map[string]any
	if err := json.Unmarshal(mine2.Body, &rounds); err != nil || len(rounds) != 1 {
		t.Fatalf("the teacher's rounds: %s", mine2.Body)
	}
	// Running again adds nothing.
	out.Reset()
	if err := college.Seed(context.Background(), a.App, &out); err != nil {
		t.Fatal(err)
	}
	var again, courses, classes int64
	a.DB.Table("users").Count(&again)
	a.DB.Table("courses").Count(&courses)
	a.DB.Table("training_classes").Count(&classes)
	if courses != 2 || classes != 4 {
		t.Fatalf("courses, classes after a second seed = %d, %d", courses, classes)
	}
	if again != users {
		t.Fatalf("second seed changed the user count: %d -> %d", users, again)
	}
}
