package sites_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"college/app/collegetest"
)

func inspection(date, result string, items ...[2]string) map[string]any {
	list := []map[string]any{}
	for _, it := range items {
		list = append(list, map[string]any{"content": it[0], "deadline": it[1]})
	}
	return map[string]any{"date": date, "findings": "讲解词陈旧，安全通道堆放杂物", "result": result, "items": list}
}

func TestInspections(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.inUse(t, 50)
	other := w.propose(t, "org", w.d2, 30)
	path := fmt.Sprintf("/api/v1/sites/%d/inspections", id)
	future := time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)

	// One long overdue, one due in a month, one that passed clean.
	r := w.a.Do("POST", path, w.tok["org"], inspection("2024-03-01", "rework", [2]string{"更新讲解词", "2024-04-01"}, [2]string{"清理安全通道", "2024-03-10"}))
	collegetest.MustStatus(t, r, 201)
	late := r.JSON(t)
	if late["status"] != "open" || late["due"] != "2024-03-10" || late["overdue"] != true || late["result_name"] != "需整改" || len(late["items"].([]any)) != 2 {
		t.Fatalf("overdue inspection %v", late)
	}
	lateID := r.ID(t)
	r = w.a.Do("POST", path, w.tok["org"], inspection(yesterday, "fail", [2]string{"补充消防器材", future}))
	collegetest.MustStatus(t, r, 201)
	soonID := r.ID(t)
	if r.JSON(t)["overdue"] != false {
		t.Fatalf("not yet due but overdue: %s", r.Body)
	}
	r = w.a.Do("POST", path, w.tok["org"], inspection(yesterday, "pass"))
	collegetest.MustStatus(t, r, 201)
	if r.JSON(t)["status"] != "closed" {
		t.Fatalf("a clean pass stays open: %s", r.Body)
	}
	if e := w.a.AuditOne("site.inspect", lateID); !e.Success || !contains(e.Detail, "rework") {
		t.Fatalf("audit %+v", e)
	}

	withdrawn := w.propose(t, "d1_admin", w.d1, 10)
	w.step(t, "org", withdrawn, "withdraw", "不再申报", 200)
	refusals := []struct {
		name, who, path string
		body            any
		status          int
		field           string
	}{
		{"no body", "org", path, nil, 400, ""},
		{"bad date", "org", path, inspection("2024-13-01", "pass"), 400, "date"},
		{"future date", "org", path, inspection(future, "pass"), 400, "date"},
		{"bad result", "org", path, inspection("2024-03-01", "good"), 400, "result"},
		{"rework without items", "org", path, inspection("2024-03-01", "rework"), 400, "items"},
		{"deadline before the date", "org", path, inspection("2024-03-01", "fail", [2]string{"整改", "2024-02-01"}), 400, "items.0.deadline"},
		{"item without content", "org", path, inspection("2024-03-01", "fail", [2]string{"", "2024-04-01"}), 400, "items.0.content"},
		{"district", "d1_admin", path, inspection("2024-03-01", "pass"), 403, ""},
		{"college admin", "col", path, inspection("2024-03-01", "pass"), 403, ""},
		{"missing site", "org", "/api/v1/sites/999999/inspections", inspection("2024-03-01", "pass"), 404, ""},
		{"withdrawn", "org", fmt.Sprintf("/api/v1/sites/%d/inspections", withdrawn), inspection("2024-03-01", "pass"), 409, ""},
	}
	for _, c := range refusals {
		r := w.a.Do("POST", c.path, w.tok[c.who], c.body)
		if r.Status != c.status {
			t.Fatalf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
		}
		if c.field != "" && r.Fields(t)[c.field] == nil {
			t.Fatalf("%s: no %s field error: %s", c.name, c.field, r.Body)
		}
	}
	if n := w.a.Count("site_inspections", "1 = 1"); n != 3 {
		t.Fatalf("%d inspections after refusals, want 3", n)
	}

	list := func(who, query string) []any {
		r := w.a.Do("GET", "/api/v1/site-inspections"+query, w.tok[who], nil)
		collegetest.MustStatus(t, r, 200)
		return r.JSON(t)["items"].([]any)
	}
	ids := func(items []any) []uint64 {
		var out []uint64
		for _, it := range items {
			out = append(out, uint64(it.(map[string]any)["id"].(float64)))
		}
		return out
	}
	if got := ids(list("org", "?status=overdue")); len(got) != 1 || got[0] != lateID {
		t.Fatalf("overdue %v, want [%d]", got, lateID)
	}
	if got := ids(list("d1_admin", "?status=open")); len(got) != 2 || got[0] != lateID || got[1] != soonID {
		t.Fatalf("open %v, want [%d %d] soonest due first", got, lateID, soonID)
	}
	if got := list("d1_admin", "?status=closed"); len(got) != 1 {
		t.Fatalf("closed %v", got)
	}
	if got := list("d2_admin", ""); len(got) != 0 {
		t.Fatalf("another district sees %d inspections", len(got))
	}
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/site-inspections?status=late", w.tok["org"], nil), 400)
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/site-inspections", w.tok["col"], nil), 403)
	if got := w.a.Do("GET", path, w.tok["d1_admin"], nil); got.Status != 200 || len(jsonList(t, got)) != 3 {
		t.Fatalf("site inspections: %d %s", got.Status, got.Body)
	}
	collegetest.MustStatus(t, w.a.Do("GET", path, w.tok["d2_admin"], nil), 404)
	collegetest.MustStatus(t, w.a.Do("GET", fmt.Sprintf("/api/v1/sites/%d/inspections", other), w.tok["d1_admin"], nil), 404)

	// Rectification: the site's district only, with its account, once.
	rect := fmt.Sprintf("/api/v1/site-inspections/%d/rectify", lateID)
	collegetest.MustStatus(t, w.a.Do("POST", rect, w.tok["d1_admin"], nil), 400)
	r = w.a.Do("POST", rect, w.tok["d1_admin"], map[string]any{"note": " "})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["note"] == nil {
		t.Fatalf("no note error: %s", r.Body)
	}
	collegetest.MustStatus(t, w.a.Do("POST", rect, w.tok["org"], map[string]any{"note": "已整改"}), 403)
	collegetest.MustStatus(t, w.a.Do("POST", rect, w.tok["d2_admin"], map[string]any{"note": "已整改"}), 404)
	collegetest.MustStatus(t, w.a.Do("POST", "/api/v1/site-inspections/999999/rectify", w.tok["d1_admin"], map[string]any{"note": "已整改"}), 404)
	r = w.a.Do("POST", rect, w.tok["d1_admin"], map[string]any{"note": "讲解词已更新，通道已清理"})
	collegetest.MustStatus(t, r, 200)
	if got := r.JSON(t); got["status"] != "closed" || got["overdue"] != false || got["note"] != "讲解词已更新，通道已清理" {
		t.Fatalf("after rectify %v", got)
	}
	collegetest.MustRefuse(t, w.a.Do("POST", rect, w.tok["d1_admin"], map[string]any{"note": "再报"}), 409, "wrong_state")
	if got := list("org", "?status=overdue"); len(got) != 0 {
		t.Fatalf("still overdue after rectification: %v", got)
	}
	if n := len(w.a.AuditRows("site.rectify")); n != 1 {
		t.Fatalf("%d rectify entries, want 1", n)
	}

	x := w.a.Do("GET", "/api/v1/site-inspections/export?status=closed", w.tok["d1_admin"], nil)
	collegetest.MustStatus(t, x, 200)
	if len(x.Body) < 100 || string(x.Body[:2]) != "PK" {
		t.Fatalf("export is not a workbook: %q", x.Body[:min(20, len(x.Body))])
	}
	if n := len(w.a.AuditRows("export.site_inspections")); n != 1 {
		t.Fatalf("%d export entries", n)
	}
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/site-inspections/export", w.tok["col"], nil), 403)
}

func jsonList(t *testing.T, r collegetest.Response) []any {
	t.Helper()
	var out []any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("not a JSON list: %s", r.Body)
	}
	return out
}

func TestInspectionPages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.inUse(t, 50)
	detail := fmt.Sprintf("/admin/sites/%d", id)
	org := w.a.Browser()
	org.LoginAs("org", collegetest.UserPassword)
	collegetest.MustBody(t, org.Req("GET", detail, nil), 200, "督促检查", "记录检查")
	bad := url.Values{"date": {"2024-03-01"}, "findings": {"通道堆放杂物"}, "result": {"rework"}}
	collegetest.MustBody(t, collegetest.PagePostFrom(org, detail, detail+"/inspections", bad), 400, "请列出整改事项")
	bad2 := url.Values{"date": {"2024-03-01"}, "findings": {"通道堆放杂物"}, "result": {"rework"}, "item_content": {"清理通道", ""}, "item_deadline": {"2024-02-01", ""}}
	collegetest.MustBody(t, collegetest.PagePostFrom(org, detail, detail+"/inspections", bad2), 400, "第 1 项：整改期限应晚于检查日期")
	good := url.Values{"date": {"2024-03-01"}, "findings": {"通道堆放杂物"}, "result": {"rework"}, "item_content": {"清理通道", "", ""}, "item_deadline": {"2024-03-15", "", ""}}
	collegetest.MustRedirect(t, collegetest.PagePostFrom(org, detail, detail+"/inspections", good), detail+"#site-inspections")
	collegetest.MustBody(t, org.Req("GET", "/admin/sites/inspections?status=overdue", nil), 200, "红色教育基地", "整改逾期", "清理通道", "导出 Excel")

	host := w.a.Browser()
	host.LoginAs("d1_admin", collegetest.UserPassword)
	var iid uint64
	if err := w.a.DB.Table("site_inspections").Where("site_id = ?", id).Select("id").Scan(&iid).Error; err != nil || iid == 0 {
		t.Fatalf("no inspection: %v", err)
	}
	collegetest.MustBody(t, host.Req("GET", detail, nil), 200, "清理通道", "记录整改完成")
	rect := fmt.Sprintf("/admin/sites/inspections/%d/rectify", iid)
	collegetest.MustBody(t, collegetest.PagePostFrom(host, detail, rect, url.Values{"note": {""}}), 400, "请填写整改情况")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(host, detail, rect, url.Values{"note": {"已清理"}}), detail+"#site-inspections")
	collegetest.MustBody(t, host.Req("GET", "/admin/sites/inspections?status=closed", nil), 200, "已办结")
	other := w.a.Browser()
	other.LoginAs("d2_admin", collegetest.UserPassword)
	collegetest.MustStatus(t, collegetest.PagePostFrom(other, "/admin/sites", rect, url.Values{"note": {"越权"}}), 404)
}
