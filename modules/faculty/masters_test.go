package faculty_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"college/app/collegetest"
	"college/modules/identity"

	"github.com/xuri/excelize/v2"
)

func TestMasterTeachersGrantRefuseAndReview(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	a.Setting("faculty.master_min_hours", "3")
	good, _, _ := ratedTeacher(t, a, c, "钱老师", 3, 4) // 3 hours, 100%
	poor, _, _ := ratedTeacher(t, a, c, "孙老师", 3, 1) // 3 hours, 25%
	year, _ := strconv.Atoi(collegetest.Day(1)[:4])

	// The candidates are the teachers meeting the numbers, with their figures.
	r := a.Do("GET", fmt.Sprintf("/api/v1/master-teachers/candidates?year=%d", year), col, nil)
	collegetest.MustStatus(t, r, 200)
	out := r.JSON(t)
	items := out["items"].([]any)
	if out["min_hours"].(float64) != 3 || out["min_satisfaction"].(float64) != 0.9 || len(items) != 1 {
		t.Fatalf("candidates: %s", r.Body)
	}
	if it := items[0].(map[string]any); it["id"].(float64) != float64(good) || it["hours"].(float64) != 3 || it["satisfaction_rate"].(float64) != 1 || it["master"] != nil {
		t.Fatalf("candidate: %v", it)
	}
	// Another year has none; a stricter bar of hours leaves none.
	if r := a.Do("GET", fmt.Sprintf("/api/v1/master-teachers/candidates?year=%d", year-1), col, nil); len(r.JSON(t)["items"].([]any)) != 0 {
		t.Fatalf("last year's candidates: %s", r.Body)
	}
	a.Setting("faculty.master_min_hours", "4")
	if r := a.Do("GET", fmt.Sprintf("/api/v1/master-teachers/candidates?year=%d", year), col, nil); len(r.JSON(t)["items"].([]any)) != 0 {
		t.Fatalf("candidates under 4 hours: %s", r.Body)
	}
	a.Setting("faculty.master_min_hours", "3")

	decide := func(token string, id uint64, body any) collegetest.Response {
		return a.Do("POST", fmt.Sprintf("/api/v1/teachers/%d/master", id), token, body)
	}
	// Refusals: roles, bad input, another college, the numbers not met.
	other := a.CreateOrg(c.Tokens["admin"], "第二分院", "C02", "college", c.Root)
	a.Provision(identity.UserRequest{Username: "col2", Name: "第二分院管理员", OrgID: other, Roles: []string{"college_admin"}})
	col2 := a.Login("col2", collegetest.UserPassword)
	grant := map[string]any{"year": year, "decision": "grant"}
	collegetest.MustStatus(t, decide(c.Tokens["ua_cadre"], good, grant), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/master-teachers/candidates", c.Tokens["ua_admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/master-teachers/review", c.Tokens["ua_cadre"], map[string]any{"year": year}), 403)
	collegetest.MustStatus(t, decide(col2, good, grant), 404)
	collegetest.MustStatus(t, decide(col, 999999, grant), 404)
	for field, body := range map[string]map[string]any{
		"year":     {"year": 0, "decision": "grant"},
		"decision": {"year": year, "decision": "maybe"},
		"reason":   {"year": year, "decision": "refuse", "reason": "  "},
	} {
		r := decide(col, good, body)
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)[field] == nil {
			t.Fatalf("%v: no error on %s: %s", body, field, r.Body)
		}
	}
	collegetest.MustRefuse(t, decide(col, poor, grant), 422, "criteria_not_met")
	if n := a.Count("teacher_master_titles", "1 = 1"); n != 0 {
		t.Fatalf("titles after refusals = %d", n)
	}

	// The grant shows on the record and in the list; a second grant of the
	// year is a conflict.
	r = decide(col, good, grant)
	collegetest.MustStatus(t, r, 201)
	if r.JSON(t)["decision"] != "grant" || collegetest.CountAudits(a, "teacher.master.grant") != 1 {
		t.Fatalf("grant: %s", r.Body)
	}
	rec := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", good), col, nil).JSON(t)
	if m, _ := rec["master"].(map[string]any); m == nil || m["year"].(float64) != float64(year) || m["granted_at"] == nil {
		t.Fatalf("record's master: %v", rec["master"])
	}
	masterOf := func(id uint64) any {
		for _, x := range a.Do("GET", "/api/v1/teachers", col, nil).JSON(t)["items"].([]any) {
			if m := x.(map[string]any); m["id"].(float64) == float64(id) {
				return m["master"]
			}
		}
		t.Fatalf("teacher %d not listed", id)
		return nil
	}
	if masterOf(good) == nil || masterOf(poor) != nil {
		t.Fatalf("list masters: %v %v", masterOf(good), masterOf(poor))
	}
	collegetest.MustRefuse(t, decide(col, good, grant), 409, "already_master")
	collegetest.MustRefuse(t, decide(col, good, map[string]any{"year": year, "decision": "refuse", "reason": "复议"}), 409, "already_master")
	gone := addTeacher(t, a, col, map[string]any{"name": "停用老师", "kind": "expert", "status": "inactive"})
	collegetest.MustRefuse(t, decide(col, gone, grant), 422, "inactive_teacher")
	r = decide(col, poor, map[string]any{"year": year, "decision": "refuse", "reason": "满意率未达标"})
	collegetest.MustStatus(t, r, 201)
	if collegetest.CountAudits(a, "teacher.master.refuse") != 1 || masterOf(poor) != nil {
		t.Fatalf("refuse: %s", r.Body)
	}

	// The current list and its export.
	l := a.Do("GET", "/api/v1/master-teachers", col, nil)
	collegetest.MustStatus(t, l, 200)
	if l.JSON(t)["total"].(float64) != 1 {
		t.Fatalf("masters: %s", l.Body)
	}
	if n := a.Do("GET", "/api/v1/master-teachers", col2, nil).JSON(t)["total"].(float64); n != 0 {
		t.Fatalf("another college sees %v masters", n)
	}
	x := a.Do("GET", "/api/v1/master-teachers.xlsx", col, nil)
	collegetest.MustStatus(t, x, 200)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := f.GetRows("名师"); err != nil || len(rows) != 2 || rows[1][0] != "钱老师" {
		t.Fatalf("export: %v %v", rows, err)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/master-teachers.xlsx", c.Tokens["ua_cadre"], nil), 403)

	// The review: on this year's figures the title stands; on last year's
	// (nothing taught) it is revoked with the review's reason.
	review := func(body any) collegetest.Response { return a.Do("POST", "/api/v1/master-teachers/review", col, body) }
	collegetest.MustStatus(t, review(map[string]any{"year": 1}), 400)
	r = review(map[string]any{"year": year})
	collegetest.MustStatus(t, r, 200)
	if out := r.JSON(t); out["checked"].(float64) != 1 || len(out["revoked"].([]any)) != 0 || masterOf(good) == nil {
		t.Fatalf("review of this year: %s", r.Body)
	}
	r = review(map[string]any{"year": year - 1})
	collegetest.MustStatus(t, r, 200)
	if rv := r.JSON(t)["revoked"].([]any); len(rv) != 1 || rv[0].(map[string]any)["reason"] != "年度复核未达标" || masterOf(good) != nil {
		t.Fatalf("review of last year: %s", r.Body)
	}
	if collegetest.CountAudits(a, "teacher.master.review") != 2 {
		t.Fatal("review entries")
	}
	hist := a.Do("GET", fmt.Sprintf("/api/v1/teachers/%d", good), col, nil).JSON(t)["master_history"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["decision"] != "revoke" || hist[1].(map[string]any)["active"] != false {
		t.Fatalf("history: %v", hist)
	}

	// The page: candidates with their forms; a refusal without a reason
	// is shown with its message; a grant and a review from the page.
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	page := fmt.Sprintf("/admin/teachers/masters?year=%d", year)
	collegetest.MustContain(t, collegetest.PageGet(b, page, 200), "名师评选", "钱老师", "授予", "年度复核")
	bad := collegetest.PagePostFrom(b, page, fmt.Sprintf("/admin/teachers/%d/master", good), url.Values{"year": {strconv.Itoa(year)}, "decision": {"refuse"}})
	collegetest.MustBody(t, bad, 400, "未能保存评审结论", "不予授予时请填写理由")
	ok := collegetest.PagePostFrom(b, page, fmt.Sprintf("/admin/teachers/%d/master", good), url.Values{"year": {strconv.Itoa(year)}, "decision": {"grant"}})
	collegetest.MustRedirect(t, ok, "/admin/teachers/masters")
	if collegetest.CountAudits(a, "teacher.master.grant") != 2 {
		t.Fatal("no grant entry from the page")
	}
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/teachers", 200), "名师")
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/teachers/%d", good), 200), "名师（", "名师评审记录", "年度复核未达标")
	rv := collegetest.PagePostFrom(b, page, "/admin/teachers/masters/review", url.Values{"year": {strconv.Itoa(year)}})
	collegetest.MustRedirect(t, rv, "/admin/teachers/masters")
	if collegetest.CountAudits(a, "teacher.master.review") != 3 {
		t.Fatal("no review entry from the page")
	}
	collegetest.PageGet(collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword), "/admin/teachers/masters", 403)
}
