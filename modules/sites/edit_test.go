package sites_test

import (
	"fmt"
	"net/url"
	"testing"

	"college/app/collegetest"
)

func edit(name string, capacity int) map[string]any {
	return map[string]any{"name": name, "category": "绿色发展", "capacity": capacity, "address": "环湖路 1 号", "lat": 30.25, "lng": 120.16,
		"host_name": "王讲解", "host_phone": "0571-88000000", "intro": "湿地保护", "facilities": "讲解员", "open_days": "123456", "opens_at": "08:30", "closes_at": "17:30"}
}

func TestEditProposal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.propose(t, "d1_admin", w.d1, 50)
	path := fmt.Sprintf("/api/v1/sites/%d", id)

	r := w.a.Do("PUT", path, w.tok["d1_admin"], edit("南湖湿地", 80))
	collegetest.MustStatus(t, r, 200)
	got := r.JSON(t)
	if got["name"] != "南湖湿地" || got["category"] != "绿色发展" || got["capacity"] != float64(80) || got["lat"] != 30.25 || got["opens_at"] != "08:30" ||
		got["open_days"] != "123456" || got["host_name"] != "王讲解" || got["status"] != "proposed" || got["org_id"] != float64(w.d1) {
		t.Fatalf("after edit: %v", got)
	}
	if e := w.a.AuditOne("site.update", id); !e.Success || !contains(e.Detail, "南湖湿地") {
		t.Fatalf("audit %+v", e)
	}

	// Refusals change nothing.
	cases := []struct {
		name, who string
		path      string
		body      any
		status    int
		field     string
	}{
		{"empty name", "d1_admin", path, edit("", 80), 400, "name"},
		{"capacity", "d1_admin", path, edit("x", 0), 400, "capacity"},
		{"unknown category", "d1_admin", path, map[string]any{"name": "x", "category": "无此类", "capacity": 5, "address": "某地"}, 400, "category"},
		{"half coordinates", "d1_admin", path, map[string]any{"name": "x", "category": "绿色发展", "capacity": 5, "address": "某地", "lat": 30.0}, 400, "lat"},
		{"moving district", "d1_admin", path, map[string]any{"name": "x", "category": "绿色发展", "capacity": 5, "address": "某地", "org_id": w.d2}, 400, "org_id"},
		{"other district", "d2_admin", path, edit("x", 5), 404, ""},
		{"missing", "org", "/api/v1/sites/999999", edit("x", 5), 404, ""},
		{"college admin", "col", path, edit("x", 5), 403, ""},
	}
	for _, c := range cases {
		r := w.a.Do("PUT", c.path, w.tok[c.who], c.body)
		collegetest.MustStatus(t, r, c.status)
		if c.field != "" && r.Fields(t)[c.field] == nil {
			t.Fatalf("%s: no %s field error: %s", c.name, c.field, r.Body)
		}
	}
	collegetest.MustStatus(t, w.a.Do("PUT", path, w.tok["d1_admin"], nil), 400)
	if n := w.a.Count("sites", "id = ? AND name = ? AND capacity = 80", id, "南湖湿地"); n != 1 {
		t.Fatal("a refused edit changed the site")
	}

	// Reviewed: the org department may still correct it, the district not.
	w.step(t, "org", id, "review", "可", 200)
	collegetest.MustRefuse(t, w.a.Do("PUT", path, w.tok["d1_admin"], edit("再改", 80)), 409, "wrong_state")
	collegetest.MustStatus(t, w.a.Do("PUT", path, w.tok["org"], edit("南湖国家湿地", 90)), 200)
	// Approved: nobody.
	w.step(t, "org", id, "approve", "", 200)
	collegetest.MustRefuse(t, w.a.Do("PUT", path, w.tok["org"], edit("三改", 90)), 409, "wrong_state")
	if n := len(w.a.AuditRows("site.update")); n != 2 {
		t.Fatalf("%d update entries, want 2", n)
	}
}

func TestEditPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.propose(t, "d1_admin", w.d1, 50)
	b := w.a.Browser()
	b.LoginAs("d1_admin", collegetest.UserPassword)
	detail := fmt.Sprintf("/admin/sites/%d", id)
	form := detail + "/edit"
	collegetest.MustBody(t, b.Req("GET", detail, nil), 200, "修改申报内容")
	collegetest.MustBody(t, b.Req("GET", form, nil), 200, "红色教育基地", "解放路 18 号")
	good := url.Values{"name": {"红色教育基地（新馆）"}, "category": {"党的建设"}, "capacity": {"60"}, "address": {"解放路 20 号"}, "open_days": {"12345"}, "opens_at": {"09:00"}, "closes_at": {"17:00"}}
	bad := url.Values{"name": {""}, "category": {"党的建设"}, "capacity": {"60"}, "address": {"解放路 20 号"}}
	collegetest.MustBody(t, collegetest.PagePostFrom(b, form, form, bad), 400, "请填写教学点名称")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(b, form, form, good), detail)
	collegetest.MustBody(t, b.Req("GET", detail, nil), 200, "红色教育基地（新馆）", "解放路 20 号")
	// Another district's form is not there.
	other := w.a.Browser()
	other.LoginAs("d2_admin", collegetest.UserPassword)
	collegetest.MustStatus(t, other.Req("GET", form, nil), 404)
	// After review the district's form says why it cannot save.
	w.step(t, "org", id, "review", "可", 200)
	collegetest.MustBody(t, collegetest.PagePostFrom(b, form, form, good), 409, "只能由组织部门修改")
}

// A district proposes a site of its own through the form: a bad form
// comes back with its messages and stores nothing.
func TestProposalForm(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := collegetest.LoginPages(w.a, "d1_admin", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/sites", 200), `href="/admin/sites/new"`)
	page := collegetest.PageGet(b, "/admin/sites/new", 200)
	collegetest.MustContain(t, page, "申报现场教学点", `action="/admin/sites"`, "提交申报")
	form := url.Values{"name": {""}, "category": {"党的建设"}, "capacity": {"0"}, "address": {"人民路 1 号"}, "open_days": {"12345"}, "opens_at": {"09:00"}, "closes_at": {"17:00"}}
	r := collegetest.PagePost(b, page, "/admin/sites", form)
	collegetest.MustBody(t, r, 400, "field-error")
	if n := w.a.Count("sites", "1 = 1"); n != 0 {
		t.Fatalf("sites after a refused form: %d", n)
	}
	form.Set("name", "东城社区治理展馆")
	form.Set("capacity", "45")
	loc := collegetest.MustRedirect(t, collegetest.PagePost(b, page, "/admin/sites", form), "/admin/sites/")
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), "已申报现场教学点，待组织部门论证", "东城社区治理展馆", "申报")
	var org uint64
	w.a.DB.Table("sites").Where("name = ?", "东城社区治理展馆").Pluck("org_id", &org)
	if org != w.d1 || len(w.a.AuditRows("site.propose")) != 1 {
		t.Fatalf("proposed for org %d, want the district %d", org, w.d1)
	}
}

// The org department keeps the category list: adding and renaming (the
// sites follow the new name) through the API and the page; districts may
// not.
func TestCategoriesAreKeptByTheOrgDepartment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.propose(t, "d1_admin", w.d1, 30) // 党的建设
	var cat uint64
	w.a.DB.Table("site_categories").Where("name = ?", "党的建设").Pluck("id", &cat)
	path := fmt.Sprintf("/api/v1/site-categories/%d", cat)
	collegetest.MustStatus(t, w.a.Do("PUT", path, w.tok["d1_admin"], map[string]any{"name": "党的建设教育"}), 403)
	collegetest.MustStatus(t, w.a.Do("PUT", path, w.tok["org"], map[string]any{"name": " "}), 400)
	collegetest.MustRefuse(t, w.a.Do("PUT", path, w.tok["org"], map[string]any{"name": "绿色发展"}), 409, "duplicate")
	collegetest.MustStatus(t, w.a.Do("PUT", "/api/v1/site-categories/999999", w.tok["org"], map[string]any{"name": "新名"}), 404)
	r := w.a.Do("PUT", path, w.tok["org"], map[string]any{"name": "党的建设教育"})
	collegetest.MustStatus(t, r, 200)
	if got := w.a.Do("GET", fmt.Sprintf("/api/v1/sites/%d", id), w.tok["org"], nil).JSON(t)["category"]; got != "党的建设教育" {
		t.Fatalf("the site's category after the rename: %v", got)
	}

	b := collegetest.LoginPages(w.a, "org", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/sites", 200), `href="/admin/sites/categories"`)
	page := collegetest.PageGet(b, "/admin/sites/categories", 200)
	collegetest.MustContain(t, page, "党的建设教育", "新增类别")
	collegetest.MustBody(t, collegetest.PagePost(b, page, "/admin/sites/categories", url.Values{"name": {"开放合作"}}), 409, "该类别已存在")
	collegetest.MustRedirect(t, collegetest.PagePost(b, page, "/admin/sites/categories", url.Values{"name": {"乡村振兴"}}), "/admin/sites/categories")
	collegetest.MustRedirect(t, collegetest.PagePost(b, page, fmt.Sprintf("/admin/sites/categories/%d", cat), url.Values{"name": {"党的建设"}}), "/admin/sites/categories")
	collegetest.MustContain(t, collegetest.PageGet(b, "/admin/sites/categories", 200), "已保存类别“党的建设”", "乡村振兴")
	if n := w.a.Count("sites", "category = ?", "党的建设"); n != 1 {
		t.Fatalf("sites under the restored name: %d", n)
	}
	d := collegetest.LoginPages(w.a, "d1_admin", collegetest.UserPassword)
	collegetest.MustStatus(t, d.Req("GET", "/admin/sites/categories", nil), 403)
}
