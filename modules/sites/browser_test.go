package sites_test

import (
	"fmt"
	"testing"
	"time"

	"college/app/college"
	"college/app/collegetest"
)

// Every sites page fits a 390 px phone, with the demo city's data.
func TestBrowserSitesPagesFitAPhone(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a := collegetest.NewSeeded(t)
	base := a.Start()
	tok := a.Login("orgadmin", college.DemoPassword)
	var inUse, proposed, route uint64
	a.DB.Table("sites").Where("name = ?", "东城区红色教育基地").Select("id").Scan(&inUse)
	a.DB.Table("sites").Where("name = ?", "西城社区养老服务综合体").Select("id").Scan(&proposed)
	a.DB.Table("site_routes").Where("name = ?", "东城党建引领线路").Select("id").Scan(&route)
	if inUse == 0 || proposed == 0 || route == 0 {
		t.Fatalf("demo sites missing: %d %d %d", inUse, proposed, route)
	}
	day := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/sites/%d/inspections", inUse), tok, map[string]any{"date": day, "result": "rework",
		"findings": "讲解词未随新时代新要求更新，展陈内容部分陈旧，应急通道有杂物堆放。",
		"items":    []map[string]any{{"content": "更新讲解词并组织讲解员集中培训", "deadline": time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}, {"content": "清理应急通道，完善安全标识", "deadline": time.Now().AddDate(0, 0, 20).Format(time.DateOnly)}}}), 201)

	collegetest.ChromeLogin(t, ctx, base, "orgadmin", college.DemoPassword)
	for _, p := range []struct{ path, want, shot string }{
		{"/admin/sites", "现场教学点", "sit-01-list"},
		{fmt.Sprintf("/admin/sites/%d", inUse), "督促检查", "sit-02-detail"},
		{fmt.Sprintf("/admin/sites/%d/edit", proposed), "修改申报内容", "sit-03-edit"},
		{"/admin/sites/inspections", "督促检查", "sit-04-inspections"},
		{"/admin/sites/stats", "使用统计", "sit-05-stats"},
		{"/admin/sites/joint", "联席会议", "sit-06-joint"},
		{"/admin/sites/routes", "现场教学线路", "sit-07-routes"},
		{fmt.Sprintf("/admin/sites/routes/%d", route), "总时长", "sit-08-route"},
		{"/admin/sites/routes/new", "新建教学线路", "sit-09-route-new"},
	} {
		collegetest.PhonePage(t, ctx, base+p.path, p.want, p.shot)
	}
}
