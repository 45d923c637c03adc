package training_test

import (
	"college/app/collegetest"
	"context"
	"fmt"
	"testing"
)

// hookEvals runs a function when graduation asks for missing evaluations:
// between the roster read and the graduation transaction.
type hookEvals struct{ during func() }

func (h hookEvals) Missing(ctx context.Context, classID uint64, userIDs []uint64) (map[uint64]int, error) {
	if h.during != nil {
		h.during()
	}
	return map[uint64]int{}, nil
}

// A trainee withdrawn (退学) while the class graduates gets neither the
// certificate nor the hours.
func TestGraduationSkipsATraineeWithdrawnMeanwhile(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	a.Setting("training.graduation_requires_files", "false")
	col := c.Tokens["col"]
	people := a.Cadres("gw", c.UnitA, "乡科级", 2)
	id := a.CreateClass(c, map[string]any{"starts_on": collegetest.Day(3), "ends_on": collegetest.Day(4), "hours": 14, "self_registration": false, "require_evaluation": true})
	a.OpenClass(c, id)
	regs := a.Admit(c, c.Tokens["ua_admin"], id, people...)
	a.StartClass(c, id)
	a.Training.SetEvaluations(hookEvals{during: func() {
		r := a.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/withdraw", regs[1]), col, nil)
		t.Logf("withdraw during graduation: %d %s", r.Status, r.Body)
	}})
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, nil)
	collegetest.MustStatus(t, r, 200)
	t.Logf("graduate: %s", r.Body)
	var status string
	a.DB.Table("registrations").Where("id = ?", regs[1]).Pluck("status", &status)
	var certs, credits int64
	a.DB.Table("certificates").Where("class_id = ? AND user_id = ?", id, people[1]).Count(&certs)
	a.DB.Table("hour_entries").Where("user_id = ?", people[1]).Count(&credits)
	t.Logf("withdrawn trainee: registration %s, certificates %d, hour entries %d", status, certs, credits)
	if status == "withdrawn" && certs > 0 {
		t.Errorf("a withdrawn trainee holds a certificate")
	}
}
