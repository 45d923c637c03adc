package throughtrain_test

import (
	"fmt"
	"testing"

	"college/app/collegetest"
)

// The graduate's and the college's through-train pages fit a 390 px phone.
func TestBrowserThroughTrainPagesFitAPhone(t *testing.T) {
	g := collegetest.NewChrome(t)
	x := setup(t)
	base := x.a.Start()
	id := x.open(t)
	collegetest.MustStatus(t, x.a.Do("POST", path(id, "/assign"), x.tok["col"], map[string]any{"teacher_id": x.teacher}), 200)
	collegetest.MustStatus(t, x.a.Do("POST", path(id, "/messages"), x.tok["tt_teacher"], map[string]any{"body": "建议先召开村民代表会议，听取意见后再修改村规民约。"}), 201)

	collegetest.ChromeLogin(t, g, base, "tt_g1", collegetest.UserPassword)
	collegetest.PhonePage(t, g, base+"/me/through-train", "提出问题或求助", "tt-01-my-list")
	collegetest.PhonePage(t, g, base+fmt.Sprintf("/me/through-train/%d", id), "办结并评价", "tt-02-my-thread")

	col := collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, col, base, "col", collegetest.UserPassword)
	collegetest.PhonePage(t, col, base+"/admin/through-train", "村级议事规则怎么定", "tt-03-admin-list")
	collegetest.PhonePage(t, col, base+fmt.Sprintf("/admin/through-train/%d", id), "指派答复教师", "tt-04-admin-thread")
}
