package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"college/app/college"
	"college/modules/hours"
	"college/modules/portal"
	"college/modules/web"
	"college/storage/cache/cachetest"
	"college/storage/db"
	"college/storage/db/dbtest"
	"college/storage/objects/objectstest"

	"github.com/valyala/fasthttp"
)

// BenchmarkPortalWarm measures the server time of GET /api/v1/portal on a
// warm cache over the demo city, with notices, news and a year of hours:
// the handler chain is called directly, without a network.
func BenchmarkPortalWarm(b *testing.B) {
	ctx := context.Background()
	cfg := college.DefaultConfig()
	cfg.DataDir = b.TempDir()
	cfg.AdminPassword, cfg.SecAdminPassword, cfg.AuditorPassword = "Bench-Pass-2026a", "Bench-Pass-2026b", "Bench-Pass-2026c"
	cfg.SecretKey = "bench-secret-key-0123456789abcdef0123456789"
	dcfg := dbtest.Config(b)
	cfg.DB.Driver, cfg.DB.DSN = dcfg.Driver, dcfg.DSN
	log := slog.New(slog.DiscardHandler)
	gdb, err := db.Open(cfg.Database(), log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close(gdb) })
	a, err := college.Build(ctx, cfg, log, college.Stores{DB: gdb, Cache: cachetest.New(b), Objects: objectstest.New(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	if err := college.Seed(ctx, a, io.Discard); err != nil {
		b.Fatal(err)
	}
	var root struct{ ID uint64 }
	if err := gdb.Raw("SELECT id FROM orgs WHERE parent_id IS NULL").Scan(&root).Error; err != nil {
		b.Fatal(err)
	}
	author := &web.Principal{UserID: 1, Username: "bench", Roles: []string{web.RoleOrgAdmin}, OrgID: root.ID, OrgPath: fmt.Sprintf("/%d/", root.ID)}
	for i := range 30 {
		kind := portal.KindNotice
		if i%2 == 1 {
			kind = portal.KindNews
		}
		in := portal.NoticeRequest{Kind: kind, Title: fmt.Sprintf("关于做好第 %d 期干部网络培训的通知", i), Body: "<p>请各单位组织干部按时参加学习。</p>", Publish: true, Pinned: i < 2}
		if _, err := a.Portal.Create(ctx, author, in); err != nil {
			b.Fatal(err)
		}
	}
	var learners []uint64
	if err := gdb.Raw("SELECT user_id FROM user_roles WHERE role = 'learner'").Scan(&learners).Error; err != nil {
		b.Fatal(err)
	}
	for i, u := range learners {
		for j := range 20 {
			_, err := a.Hours.Credit(ctx, nil, hours.Credit{UserID: u, Hours: web.HoursFromFloat(float64(1 + (i+j)%5)), Category: hours.CategoryOnline,
				Kind: hours.KindElective, SourceType: hours.SourceCourse, SourceID: uint64(100000 + i*100 + j), Title: "课程", EarnedAt: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	handler := a.Fiber.Handler()
	get := func() *fasthttp.RequestCtx {
		var rc fasthttp.RequestCtx
		rc.Request.Header.SetMethod("GET")
		rc.Request.SetRequestURI("/api/v1/portal")
		rc.Request.Header.Set("Accept", "application/json")
		handler(&rc)
		return &rc
	}
	rc := get() // warms the cache
	var warm portal.PortalResponse
	if err := json.Unmarshal(rc.Response.Body(), &warm); err != nil || rc.Response.StatusCode() != 200 {
		b.Fatalf("portal: %d %s", rc.Response.StatusCode(), rc.Response.Body())
	}
	if len(warm.Notices) != 8 || len(warm.News) != 8 || len(warm.Rankings.People) != 10 || len(warm.Rankings.Units) == 0 || len(warm.FeaturedCourses)+len(warm.Colleges) == 0 {
		b.Fatalf("a thin portal: %d notices, %d news, %d people, %d units, %d colleges", len(warm.Notices), len(warm.News), len(warm.Rankings.People), len(warm.Rankings.Units), len(warm.Colleges))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rc := get(); rc.Response.StatusCode() != 200 {
			b.Fatalf("portal: %d", rc.Response.StatusCode())
		}
	}
}
