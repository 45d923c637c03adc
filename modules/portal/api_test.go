package portal_test

import (
	"fmt"
	"strings"
	"testing"

	"college/app/collegetest"
	"college/modules/identity"
)

// post writes a notice as token and returns its id.
func post(t *testing.T, a *collegetest.App, token string, body map[string]any) uint64 {
	t.Helper()
	r := a.Do("POST", "/api/v1/notices", token, body)
	collegetest.MustStatus(t, r, 201)
	return r.ID(t)
}

// titles lists the titles of a portal section.
func titles(t *testing.T, portal map[string]any, key string) string {
	t.Helper()
	var out []string
	for _, x := range portal[key].([]any) {
		out = append(out, x.(map[string]any)["title"].(string))
	}
	return strings.Join(out, ",")
}

func TestPortalShowsOnlyLiveNoticesInTheirAudience(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	public := post(t, a, col, map[string]any{"kind": "notice", "title": "公开通知", "body": "<p>全体干部</p>", "publish": true})
	pinned := post(t, a, col, map[string]any{"kind": "notice", "title": "置顶通知", "body": "<p>置顶</p>", "publish": true, "pinned": true})
	draft := post(t, a, col, map[string]any{"kind": "notice", "title": "草稿通知", "body": "<p>未发布</p>"})
	expired := post(t, a, col, map[string]any{"kind": "notice", "title": "过期通知", "body": "<p>过期</p>", "publish": true, "expires_on": collegetest.Day(-1)})
	unitA := post(t, a, col, map[string]any{"kind": "notice", "title": "甲单位通知", "body": "<p>只给甲单位</p>", "publish": true, "audience_org_id": c.UnitA})
	senior := post(t, a, col, map[string]any{"kind": "notice", "title": "县处级通知", "body": "<p>只给县处级</p>", "publish": true, "audience_levels": []string{"县处级"}})
	post(t, a, col, map[string]any{"kind": "news", "title": "新闻一", "body": "<p>新闻</p>", "publish": true})

	visitor := a.Do("GET", "/api/v1/portal", "", nil).JSON(t)
	if got := titles(t, visitor, "notices"); got != "置顶通知,公开通知" {
		t.Fatalf("visitor's notices = %q", got)
	}
	if got := titles(t, visitor, "news"); got != "新闻一" {
		t.Fatalf("visitor's news = %q", got)
	}
	for _, id := range []uint64{draft, expired, unitA, senior} {
		collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", id), "", nil), 404)
		collegetest.MustStatus(t, a.Browser().Req("GET", fmt.Sprintf("/notices/%d", id), nil), 404)
	}
	for _, id := range []uint64{public, pinned} {
		collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", id), "", nil), 200)
	}

	// Signed in: the unit's own notice shows inside unit A only; the
	// county-level notice to nobody here (no one has that level).
	if got := titles(t, a.Do("GET", "/api/v1/portal", c.Tokens["ua_cadre"], nil).JSON(t), "notices"); got != "置顶通知,甲单位通知,公开通知" {
		t.Fatalf("unit A cadre's notices = %q", got)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", unitA), c.Tokens["ua_cadre"], nil), 200)
	if got := titles(t, a.Do("GET", "/api/v1/portal", c.Tokens["ub_cadre"], nil).JSON(t), "notices"); got != "置顶通知,公开通知" {
		t.Fatalf("unit B cadre's notices = %q", got)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", unitA), c.Tokens["ub_cadre"], nil), 404)

	a.Provision(identity.UserRequest{Username: "senior", Name: "县处级干部", OrgID: c.UnitB, Level: "县处级", Roles: []string{"learner"}})
	if got := titles(t, a.Do("GET", "/api/v1/portal", a.Login("senior", collegetest.UserPassword), nil).JSON(t), "notices"); got != "置顶通知,县处级通知,公开通知" {
		t.Fatalf("a county-level cadre's notices = %q", got)
	}

	// The author previews the draft; the public page never lists it.
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", draft), col, nil), 200)

	// The portal page and the API answer a visitor and every role.
	for _, page := range []string{"/", "/portal"} {
		body := collegetest.PageGet(a.Browser(), page, 200)
		collegetest.MustContain(t, body, "通知公告", "置顶通知", "公开通知", "新闻动态", "新闻一", "学习排行", `href="/login"`)
		for _, hidden := range []string{"草稿通知", "过期通知", "甲单位通知", "县处级通知"} {
			if strings.Contains(body, hidden) {
				t.Fatalf("%s shows %s to a visitor", page, hidden)
			}
		}
	}
	for user, token := range c.Tokens {
		collegetest.MustStatus(t, a.Do("GET", "/api/v1/portal", token, nil), 200)
		password := collegetest.UserPassword
		if user == "admin" {
			password = collegetest.AdminPassword
		}
		b := collegetest.LoginPages(a, user, password)
		body := collegetest.PageGet(b, "/portal", 200)
		collegetest.MustContain(t, body, "公开通知", "学习排行")
		if strings.Contains(body, "草稿通知") || strings.Contains(body, "过期通知") {
			t.Fatalf("%s sees a draft or an expired notice", user)
		}
		page := collegetest.PageGet(b, fmt.Sprintf("/notices/%d", public), 200)
		if editor := user == "col" || user == "org"; strings.Contains(page, "编辑或撤回") != editor {
			t.Fatalf("%s: the edit link shown = %v", user, !editor)
		}
	}
}

func TestBodiesAreSanitised(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	dirty := `<p onclick="steal()" style="color:red">正文<script>alert(1)</script></p>` +
		`<img src="javascript:alert(2)" onerror="alert(3)"><img src="https://evil.example/x.png">` +
		`<img src="/api/v1/notice-images/7-1.png" alt="图"><a href="javascript:alert(4)">坏链接</a>` +
		`<a href="https://www.gov.cn/">好链接</a><iframe src="https://evil.example"></iframe><h3>小标题</h3>`
	id := post(t, a, c.Tokens["col"], map[string]any{"kind": "news", "title": "净化", "body": dirty, "publish": true})
	body := a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", id), "", nil).JSON(t)["body"].(string)
	for _, bad := range []string{"<script", "alert(", "onclick", "onerror", "style=", "javascript:", "evil.example", "<iframe"} {
		if strings.Contains(body, bad) {
			t.Fatalf("sanitised body keeps %q: %s", bad, body)
		}
	}
	for _, good := range []string{"<p>正文</p>", `<img src="/api/v1/notice-images/7-1.png" alt="图">`, `href="https://www.gov.cn/"`, "<h3>小标题</h3>"} {
		if !strings.Contains(body, good) {
			t.Fatalf("sanitised body lost %q: %s", good, body)
		}
	}
	page := collegetest.PageGet(a.Browser(), fmt.Sprintf("/notices/%d", id), 200)
	if strings.Contains(page, "alert(") || strings.Contains(page, "onclick") {
		t.Fatalf("the notice page carries script")
	}
	// A body that is nothing but script is empty once cleaned.
	r := a.Do("POST", "/api/v1/notices", c.Tokens["col"], map[string]any{"kind": "news", "title": "空", "body": "<script>alert(1)</script>"})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["body"] == nil {
		t.Fatalf("no field error for an empty body: %s", r.Body)
	}
}

func TestWritersAreScopedAndAudited(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	adm := c.Tokens["admin"]
	other := a.CreateOrg(adm, "第二分院", "C02", "college", c.Root)
	a.Provision(identity.UserRequest{Username: "col2", Name: "第二分院管理员", OrgID: other, Roles: []string{"college_admin"}})
	col2 := a.Login("col2", collegetest.UserPassword)

	id := post(t, a, c.Tokens["col"], map[string]any{"kind": "notice", "title": "分院通知", "body": "<p>x</p>"})
	if n := collegetest.CountAudits(a, "notice.create"); n != 1 {
		t.Fatalf("notice.create entries = %d", n)
	}
	edit := map[string]any{"kind": "notice", "title": "改过", "body": "<p>y</p>"}
	for _, r := range []collegetest.Response{
		a.Do("PUT", fmt.Sprintf("/api/v1/notices/%d", id), col2, edit),
		a.Do("POST", fmt.Sprintf("/api/v1/notices/%d/publish", id), col2, nil),
		a.Do("DELETE", fmt.Sprintf("/api/v1/notices/%d", id), col2, nil),
		a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", id), col2, nil),
	} {
		collegetest.MustStatus(t, r, 404)
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/notices", c.Tokens["ua_cadre"], edit), 403)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/notices", c.Tokens["ua_admin"], edit), 403)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/notices", adm, edit), 403)

	// The org department edits city-wide; each change is one entry.
	org := c.Tokens["org"]
	for _, step := range []struct {
		method, path, action string
		body                 any
		status               int
	}{
		{"PUT", fmt.Sprintf("/api/v1/notices/%d", id), "notice.update", edit, 200},
		{"POST", fmt.Sprintf("/api/v1/notices/%d/publish", id), "notice.publish", nil, 200},
		{"POST", fmt.Sprintf("/api/v1/notices/%d/unpublish", id), "notice.unpublish", nil, 200},
		{"PUT", fmt.Sprintf("/api/v1/colleges/%d/intro", c.College), "college.intro", map[string]any{"body": "<p>学院简介</p><script>x</script>"}, 200},
		{"DELETE", fmt.Sprintf("/api/v1/notices/%d", id), "notice.delete", nil, 204},
	} {
		before := collegetest.CountAudits(a, step.action)
		collegetest.MustStatus(t, a.Do(step.method, step.path, org, step.body), step.status)
		if n := collegetest.CountAudits(a, step.action) - before; n != 1 {
			t.Fatalf("%s %s wrote %d %s entries", step.method, step.path, n, step.action)
		}
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/notices/%d", id), org, nil), 404)

	// The admin pages: writers only.
	for _, user := range []string{"col", "org"} {
		b := collegetest.LoginPages(a, user, collegetest.UserPassword)
		collegetest.MustContain(t, collegetest.PageGet(b, "/admin/notices", 200), "通知公告管理")
		collegetest.MustContain(t, collegetest.PageGet(b, "/admin/notices/new?kind=news", 200), "撰写新闻动态")
	}
	collegetest.PageGet(collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword), "/admin/notices", 403)

	// A college's introduction: its own admin edits it, another college's
	// admin gets 404, a learner 403; everyone reads it.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/colleges/%d/intro", c.College), c.Tokens["col"], map[string]any{"body": "<p>本院简介</p>"}), 200)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/colleges/%d/intro", c.College), col2, map[string]any{"body": "<p>x</p>"}), 404)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/colleges/%d/intro", c.College), c.Tokens["ua_cadre"], map[string]any{"body": "<p>x</p>"}), 403)
	page := collegetest.PageGet(a.Browser(), fmt.Sprintf("/colleges/%d", c.College), 200)
	collegetest.MustContain(t, page, "市委党校分院", "<p>本院简介</p>", "报名中的培训班")
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/colleges/%d", c.UnitA), "", nil), 404)
}

func TestImagesAreStoredAndServedPublicly(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	png := collegetest.ReadFixture(t, "image.png")
	r := a.Upload("/api/v1/notice-images", c.Tokens["col"], "a.png", png, nil)
	collegetest.MustStatus(t, r, 201)
	url := r.JSON(t)["url"].(string)
	got := a.Do("GET", url, "", nil)
	collegetest.MustStatus(t, got, 200)
	if string(got.Body) != string(png) {
		t.Fatal("the image served differs from the one uploaded")
	}
	collegetest.MustStatus(t, a.Upload("/api/v1/notice-images", c.Tokens["col"], "a.png", []byte("<svg onload=alert(1)>"), nil), 422)
	collegetest.MustStatus(t, a.Upload("/api/v1/notice-images", c.Tokens["ua_cadre"], "a.png", png, nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/notice-images/..%2f..%2fsecret.png", "", nil), 404)
}
