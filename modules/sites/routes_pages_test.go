package sites_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"college/app/collegetest"
)

func TestRoutePages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.inUse(t, 30), w.inUse(t, 30)
	proposed := w.propose(t, "d1_admin", w.d1, 30)
	host := w.a.Browser()
	host.LoginAs("d1_admin", collegetest.UserPassword)
	collegetest.MustBody(t, host.Req("GET", "/admin/sites/routes", nil), 200, "暂无教学线路", "新建线路", "导出 Excel")
	form := "/admin/sites/routes/new"
	collegetest.MustBody(t, host.Req("GET", form, nil), 200, "第 1 站", "红色教育基地")

	ids := func(list ...uint64) []string {
		out := []string{}
		for _, id := range list {
			out = append(out, strconv.FormatUint(id, 10))
		}
		return out
	}
	// One stop is not a route; a site not in use is refused by its row.
	collegetest.MustBody(t, collegetest.PagePostFrom(host, form, "/admin/sites/routes", url.Values{"name": {"线路"}, "site_id": ids(a, 0),
		"stay_minutes": {"60", "60"}, "travel_minutes": {"0", "20"}}), 400, "线路应包含 2 至 20 个教学点")
	collegetest.MustBody(t, collegetest.PagePostFrom(host, form, "/admin/sites/routes", url.Values{"name": {"线路"}, "site_id": ids(a, proposed),
		"stay_minutes": {"60", "60"}, "travel_minutes": {"0", "20"}}), 400, "第 2 站：教学点不存在或未在使用中")
	r := collegetest.PagePostFrom(host, form, "/admin/sites/routes", url.Values{"name": {"东城党建线路"}, "theme": {"党的建设"},
		"site_id": ids(b, 0, a, 0), "stay_minutes": {"45", "60", "30", "60"}, "travel_minutes": {"0", "20", "25", "20"}})
	loc := collegetest.MustRedirect(t, r, "/admin/sites/routes/")
	var id uint64
	if err := w.a.DB.Table("site_routes").Select("id").Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("no route: %v", err)
	}
	if loc != fmt.Sprintf("/admin/sites/routes/%d", id) {
		t.Fatalf("redirect to %s", loc)
	}
	// b first, then a: 45 + 25 of travel + 30 (the empty rows between are
	// not stops and their numbers are not read).
	collegetest.MustBody(t, host.Req("GET", loc, nil), 200, "东城党建线路", `<strong id="route-total">100</strong>`, "路程 25 分钟", "第 2 站")
	collegetest.MustBody(t, host.Req("GET", "/admin/sites/routes", nil), 200, "东城党建线路", "共 100 分钟")
	if n := len(w.a.AuditRows("site_route.create")); n != 1 {
		t.Fatalf("%d create entries", n)
	}

	x := w.a.Do("GET", "/api/v1/site-routes/export", w.tok["d1_admin"], nil)
	collegetest.MustStatus(t, x, 200)
	if string(x.Body[:2]) != "PK" || len(w.a.AuditRows("export.site_routes")) != 1 {
		t.Fatalf("export: %q", x.Body[:min(10, len(x.Body))])
	}
	collegetest.MustStatus(t, w.a.Do("GET", "/api/v1/site-routes/export", w.tok["col"], nil), 403)
	// A cadre sees the route (its sites are in use); another district's
	// administrator does not see the first district's stops at all.
	cadre := w.a.Browser()
	cadre.LoginAs("ua_cadre", collegetest.UserPassword)
	collegetest.MustBody(t, cadre.Req("GET", loc, nil), 200, "东城党建线路")
	other := w.a.Browser()
	other.LoginAs("d2_admin", collegetest.UserPassword)
	collegetest.MustStatus(t, other.Req("GET", loc, nil), 404)
	collegetest.MustStatus(t, host.Req("GET", "/admin/sites/routes/999999", nil), 404)
}
