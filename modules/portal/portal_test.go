package portal_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"college/modules/portal"
	"college/modules/web"
	"college/static"

	"github.com/gofiber/fiber/v2"
)

var sections = []portal.Section{
	{Title: "课程学习", Href: "/courses", Icon: "课", Roles: []string{web.RoleLearner, web.RoleCollegeAdmin}},
	{Title: "个人信息", Href: "/profile", Icon: "人"},
	{Title: "课程管理", Href: "/admin/courses", Icon: "管", Roles: []string{web.RoleCollegeAdmin, web.RoleOrgAdmin}},
	{Title: "审计日志", Href: "/admin/audit", Icon: "审", Roles: []string{web.RoleAuditor}},
}

// home renders the home page for p (nil: a visitor who has not logged in).
func home(t *testing.T, p *web.Principal, secs []portal.Section) string {
	t.Helper()
	engine, err := web.NewEngine(static.FS, "干部网络学院")
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(slog.New(slog.DiscardHandler), engine)})
	app.Use(func(c *fiber.Ctx) error {
		if p != nil {
			web.SetCaller(c, p)
		}
		return c.Next()
	})
	portal.New(engine, secs).Register(app)
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("home: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// cards lists the sections a page links to, in order.
func cards(page string) []string {
	var out []string
	for _, part := range strings.Split(page, `class="section-card" href="`)[1:] {
		out = append(out, part[:strings.Index(part, `"`)])
	}
	return out
}

func TestHomeShowsTheSectionsOfEachRole(t *testing.T) {
	for _, tc := range []struct {
		name  string
		roles []string
		want  string
	}{
		{"learner", []string{web.RoleLearner}, "[/courses /profile]"},
		{"college admin", []string{web.RoleCollegeAdmin}, "[/courses /profile /admin/courses]"},
		{"org admin and auditor", []string{web.RoleOrgAdmin, web.RoleAuditor}, "[/profile /admin/courses /admin/audit]"},
	} {
		p := &web.Principal{UserID: 7, Username: "u", Name: "张三", Roles: tc.roles, OrgID: 1, OrgPath: "/1/"}
		page := home(t, p, sections)
		if got := strings.Join(cards(page), " "); "["+got+"]" != tc.want {
			t.Errorf("%s sees %s, want %s", tc.name, got, tc.want)
		}
		if !strings.Contains(page, "张三，您好！") || strings.Contains(page, `href="/login"`) {
			t.Errorf("%s: no greeting by name, or a login button", tc.name)
		}
	}
}

func TestHomeForVisitorsAndForRolesWithoutSections(t *testing.T) {
	page := home(t, nil, sections)
	if len(cards(page)) != 0 || !strings.Contains(page, `href="/login"`) || !strings.Contains(page, "请登录后学习课程") {
		t.Fatalf("the visitor's home page has sections or no login button:\n%s", page)
	}
	p := &web.Principal{UserID: 8, Username: "t", Name: "李四", Roles: []string{web.RoleTeacher}, OrgID: 1, OrgPath: "/1/"}
	page = home(t, p, sections[2:])
	if len(cards(page)) != 0 || !strings.Contains(page, "暂无可用的栏目") {
		t.Fatalf("a teacher with no section of theirs:\n%s", page)
	}
}

func TestVisible(t *testing.T) {
	h := portal.New(nil, sections)
	if got := h.Visible(nil); got != nil {
		t.Fatalf("sections for nobody: %v", got)
	}
	got := h.Visible(&web.Principal{Roles: []string{web.RoleAuditor}})
	if len(got) != 2 || got[0].Href != "/profile" || got[1].Href != "/admin/audit" {
		t.Fatalf("auditor's sections = %v", got)
	}
}
