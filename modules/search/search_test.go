package search_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"college/app/collegetest"
)

func TestMain(m *testing.M) { collegetest.Main(m) }

type hits struct {
	Items []struct {
		Type  string `json:"type"`
		ID    float64
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"items"`
}

func find(t *testing.T, a *collegetest.App, token, q string) map[string]string {
	t.Helper()
	r := a.Do("GET", "/api/v1/search?q="+url.QueryEscape(q), token, nil)
	collegetest.MustStatus(t, r, 200)
	var h hits
	if err := json.Unmarshal(r.Body, &h); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, it := range h.Items {
		out[it.Title] = it.Type + " " + it.URL
	}
	return out
}

// The search finds courses, topics and classes by a part of their Chinese
// titles, only among what the caller may see.
func TestSearchFindsWhatTheCallerMaySee(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	mine := collegetest.ArticleCourse(t, a, col, "基层治理能力提升", true, c.UnitA)
	collegetest.ArticleCourse(t, a, col, "基层治理草稿课程", false, c.UnitA)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/topics", col, map[string]any{"title": "基层治理专题", "course_ids": []uint64{mine}}), 201)
	class := a.CreateClass(c, map[string]any{"title": "基层治理专题培训班"})
	a.OpenClass(c, class)

	pub := a.Do("POST", "/api/v1/notices", c.Tokens["org"], map[string]any{"kind": "notice", "title": "关于基层治理培训的通知", "body": "<p>请按时参加。</p>", "publish": true})
	collegetest.MustStatus(t, pub, 201)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/notices", c.Tokens["org"], map[string]any{"kind": "notice", "title": "基层治理内部通知", "body": "<p>仅限本单位。</p>", "publish": true, "audience_org_id": c.UnitB}), 201)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/notices", c.Tokens["org"], map[string]any{"kind": "news", "title": "基层治理草稿新闻", "body": "<p>草稿</p>"}), 201)

	got := find(t, a, c.Tokens["ua_cadre"], "基层治理")
	want := map[string]string{
		"基层治理能力提升":  fmt.Sprintf("course /courses/%d", mine),
		"基层治理专题培训班": fmt.Sprintf("class /classes/%d", class),
	}
	for title, w := range want {
		if got[title] != w {
			t.Errorf("%s: %q, want %q (all: %v)", title, got[title], w, got)
		}
	}
	if !strings.HasPrefix(got["基层治理专题"], "topic /topics/") {
		t.Errorf("topic not found: %v", got)
	}
	if got["关于基层治理培训的通知"] != fmt.Sprintf("notice /notices/%d", pub.ID(t)) {
		t.Errorf("public notice: %v", got)
	}
	for _, hidden := range []string{"基层治理草稿课程", "基层治理内部通知", "基层治理草稿新闻"} {
		if _, ok := got[hidden]; ok {
			t.Errorf("%s is found by unit A's learner", hidden)
		}
	}
	if b := find(t, a, c.Tokens["ub_cadre"], "内部通知"); b["基层治理内部通知"] == "" {
		t.Errorf("unit B's cadre does not find the notice for unit B: %v", b)
	}
	// Unit B's cadre is not in the course's audience.
	if other := find(t, a, c.Tokens["ub_cadre"], "能力提升"); other["基层治理能力提升"] != "" {
		t.Errorf("unit B's cadre finds unit A's course: %v", other)
	}
	// The host college finds its class in its management pages.
	if host := find(t, a, col, "培训班"); host["基层治理专题培训班"] != fmt.Sprintf("class /admin/classes/%d", class) {
		t.Errorf("host: %v", host)
	}
}

func TestSearchRefusesBadQueries(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	tok := c.Tokens["ua_cadre"]
	collegetest.MustRefuse(t, a.Do("GET", "/api/v1/search?q=%20%20", tok, nil), 400, "invalid")
	collegetest.MustRefuse(t, a.Do("GET", "/api/v1/search?q="+strings.Repeat("学", 51), tok, nil), 400, "invalid")
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/search?q=学习", "", nil), 401)
	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/search?q="+url.QueryEscape("不存在的内容"), 200), "没有找到与“不存在的内容”相关")
	collegetest.MustContain(t, collegetest.PageGet(b, "/search?q="+strings.Repeat("学", 51), 400), "搜索内容不能超过 50 个字")
}

// A notice is found by its title as it is now: an edited title replaces the
// old one in the search, and a deleted notice is no longer found.
func TestSearchFollowsNoticeEdits(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	org := c.Tokens["org"]
	r := a.Do("POST", "/api/v1/notices", org, map[string]any{"kind": "notice", "title": "关于开展乡村振兴专题学习的通知", "body": "<p>请按时参加。</p>", "publish": true})
	collegetest.MustStatus(t, r, 201)
	var n struct{ ID uint64 }
	if err := json.Unmarshal(r.Body, &n); err != nil || n.ID == 0 {
		t.Fatalf("created notice: %s %v", r.Body, err)
	}
	tok := c.Tokens["ua_cadre"]
	if got := find(t, a, tok, "乡村振兴专题"); got["关于开展乡村振兴专题学习的通知"] == "" {
		t.Fatalf("before the edit: %v", got)
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/notices/%d", n.ID), org, map[string]any{"kind": "notice", "title": "关于开展生态文明专题学习的通知", "body": "<p>请按时参加。</p>", "publish": true}), 200)
	if got := find(t, a, tok, "乡村振兴专题"); len(got) != 0 {
		t.Fatalf("the old title is still found: %v", got)
	}
	if got := find(t, a, tok, "生态文明专题"); got["关于开展生态文明专题学习的通知"] != fmt.Sprintf("notice /notices/%d", n.ID) {
		t.Fatalf("the new title: %v", got)
	}
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/notices/%d", n.ID), org, nil), 204)
	if got := find(t, a, tok, "生态文明专题"); len(got) != 0 {
		t.Fatalf("a deleted notice is found: %v", got)
	}
}
