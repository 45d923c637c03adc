package training_test

import (
	"fmt"
	"testing"

	"college/app/collegetest"
)

// The host college hears when its filing is approved; when registration
// opens, the admins of each unit given seats hear it with their seats, and
// a unit without seats hears nothing.
func TestFilingAndOpeningNotify(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	id := a.CreateClass(c, map[string]any{"title": "年轻干部培训班"})
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", id), c.Tokens["col"],
		map[string]any{"quotas": []map[string]any{{"org_id": c.UnitA, "quota": 3}}}), 200)
	notes := func(user string, title string) int64 {
		return a.Count("notifications", "user_id = ? AND title = ?", c.IDs[user], title)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/submit", id), c.Tokens["col"], nil), 200)
	if n := notes("col", "班次备案已通过：年轻干部培训班"); n != 0 {
		t.Fatalf("approval notice before the approval: %d", n)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/approve", id), c.Tokens["org"], nil), 200)
	if n := notes("col", "班次备案已通过：年轻干部培训班"); n != 1 {
		t.Fatalf("the host college got %d approval notices", n)
	}
	if n := notes("ua_admin", "班次开放报名：年轻干部培训班"); n != 0 {
		t.Fatalf("opening notice before the opening: %d", n)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/open", id), c.Tokens["col"], nil), 200)
	if n := notes("ua_admin", "班次开放报名：年轻干部培训班"); n != 1 {
		t.Fatalf("unit A's admin got %d opening notices", n)
	}
	if a.Count("notifications", "user_id = ? AND body LIKE ? AND link = ?", c.IDs["ua_admin"], "本单位名额 3 人，报名时间 %", fmt.Sprintf("/unit/classes/%d", id)) != 1 {
		t.Fatal("the opening notice does not give the seats, the window and the link")
	}
	if n := notes("ub_admin", "班次开放报名：年轻干部培训班"); n != 0 {
		t.Fatalf("unit B has no seats but its admin got %d notices", n)
	}
}
