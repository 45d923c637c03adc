package college_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"college/app/college"
	"college/app/collegetest"
)

func TestSeedAddsTheFacultyOnceAndLinksTheTimetable(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	for range 2 {
		if err := college.Seed(context.Background(), a.App, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	tok := a.Login("orgadmin", college.DemoPassword)
	l := a.Do("GET", "/api/v1/teachers?page_size=100", tok, nil).JSON(t)
	if l["total"].(float64) != 20 {
		t.Fatalf("demo teachers = %v", l["total"])
	}
	leaders := a.Do("GET", "/api/v1/teachers?kind=leader", tok, nil).JSON(t)
	if leaders["total"].(float64) != 7 {
		t.Fatalf("demo leaders = %v", leaders["total"])
	}
	var li uint64
	for _, it := range l["items"].([]any) {
		if m := it.(map[string]any); m["name"] == "李明" {
			li = uint64(m["id"].(float64))
		}
	}
	rec := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", li), tok, nil).JSON(t)
	if rec["sessions_taught"].(float64) != 2 || rec["hours_taught"].(float64) <= 0 || rec["user_id"].(float64) != float64(a.UserID("teacher")) {
		t.Fatalf("李明's record: %v", rec)
	}
}
