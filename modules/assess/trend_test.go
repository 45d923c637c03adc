package assess_test

import (
	"college/app/collegetest"
	"fmt"
	"testing"
	"time"
)

// The teacher's monthly trend is held to the minimum number of answers:
// a late answer alone in its month is not shown.
func TestTeacherTrendKeepsTheMinimum(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 4, nil)
	def := collegetest.AssessDefaultForm(a, c)
	ev := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.Sessions[0]}, "teacher_user_id": ac.Teachers["t_wang"]})
	now := time.Now()
	a.Assess.SetClock(func() time.Time { return now })
	for _, u := range ac.Trainees[:3] {
		collegetest.MustStatus(t, collegetest.AssessAnswer(a, u, ev, "非常满意", "非常满意", "非常满意", "非常满意", "非常满意", nil), 201)
	}
	// The fourth trainee answers next month, harshly.
	later := now.AddDate(0, 1, 0)
	a.Assess.SetClock(func() time.Time { return later })
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[3], ev, "不满意", "不满意", "不满意", "不满意", "不满意", "讲课照本宣科"), 201)
	a.Assess.SetClock(time.Now)

	teacher := a.TokenFor(ac.Teachers["t_wang"])
	r := a.Do("GET", "/api/v1/me/teaching-results", teacher, nil)
	collegetest.MustStatus(t, r, 200)
	for _, x := range r.JSON(t)["trend"].([]any) {
		p := x.(map[string]any)
		t.Logf("trend point %v", p)
		if p["responses"].(float64) < 3 {
			t.Errorf("teacher sees a trend point of %v response(s): score %v, satisfaction %v", p["responses"], p["score"], p["satisfaction_rate"])
		}
	}
	_ = fmt.Sprint
}
