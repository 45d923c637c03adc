package notify_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"college/app/collegetest"
	"college/modules/notify"
	"college/modules/web"

	"github.com/chromedp/chromedp"
)

// notifyList reads GET /api/v1/me/notifications as the token's user.
func notifyList(t *testing.T, a *collegetest.App, token, query string) map[string]any {
	t.Helper()
	r := a.Do("GET", "/api/v1/me/notifications"+query, token, nil)
	collegetest.MustStatus(t, r, 200)
	return r.JSON(t)
}

func notifyTitles(t *testing.T, list map[string]any) []string {
	t.Helper()
	items, ok := list["items"].([]any)
	if !ok {
		t.Fatalf("no items in %v", list)
	}
	out := []string{}
	for _, it := range items {
		out = append(out, it.(map[string]any)["title"].(string))
	}
	return out
}

// notifyIDs maps the titles of a user's notifications to their ids.
func notifyIDs(t *testing.T, a *collegetest.App, userID uint64) map[string]uint64 {
	t.Helper()
	items, _, err := a.Notify.List(context.Background(), userID, web.Page{Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, n := range items {
		out[n.Title] = n.ID
	}
	return out
}

func notifyUnread(t *testing.T, a *collegetest.App, userID uint64) int64 {
	t.Helper()
	n, err := a.Notify.Unread(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	ctx := context.Background()
	ua, ub := c.IDs["ua_cadre"], c.IDs["ub_cadre"]
	uaTok, ubTok := c.Tokens["ua_cadre"], c.Tokens["ub_cadre"]

	// Repeated ids and 0 get no extra copies.
	if err := a.Notify.Send(ctx, nil, []uint64{ua, ub, ua, 0, ub}, notify.Message{Title: "开班通知", Body: "请按时报到", Link: "/courses"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify.Send(ctx, nil, []uint64{ua}, notify.Message{Title: "结业通知"}); err != nil {
		t.Fatal(err)
	}
	if rows := a.Count("notifications", ""); rows != 3 {
		t.Fatalf("%d notification rows, want 3", rows)
	}

	// Each user sees only their own, newest first.
	l := notifyList(t, a, uaTok, "")
	if got := strings.Join(notifyTitles(t, l), ","); got != "结业通知,开班通知" || l["total"] != 2.0 || l["unread"] != 2.0 || l["page"] != 1.0 || l["page_size"] != 20.0 {
		t.Fatalf("ua_cadre's list: %v", l)
	}
	first := l["items"].([]any)[1].(map[string]any)
	for _, k := range []string{"id", "title", "body", "link", "read", "created_at"} {
		if _, ok := first[k]; !ok {
			t.Errorf("item lacks %q: %v", k, first)
		}
	}
	if first["body"] != "请按时报到" || first["link"] != "/courses" || first["read"] != false {
		t.Errorf("item = %v", first)
	}
	l = notifyList(t, a, ubTok, "")
	if got := strings.Join(notifyTitles(t, l), ","); got != "开班通知" || l["total"] != 1.0 || l["unread"] != 1.0 {
		t.Fatalf("ub_cadre's list: %v", l)
	}
	if got := notifyList(t, a, c.Tokens["ua_admin"], ""); got["total"] != 0.0 || len(got["items"].([]any)) != 0 {
		t.Fatalf("a user without messages: %v", got)
	}

	// Another user's notification is not found, and stays unread.
	ids := notifyIDs(t, a, ua)
	r := a.Do("POST", fmt.Sprintf("/api/v1/me/notifications/%d/read", ids["结业通知"]), ubTok, nil)
	collegetest.MustStatus(t, r, 404)
	if r.ErrorCode(t) != "not_found" || strings.Contains(string(r.Body), "结业通知") {
		t.Fatalf("reading another's: %s", r.Body)
	}
	if n := notifyUnread(t, a, ua); n != 2 {
		t.Fatalf("ua_cadre unread after ub_cadre's try = %d", n)
	}

	// Reading one lowers the count; only the reader's.
	r = a.Do("POST", fmt.Sprintf("/api/v1/me/notifications/%d/read", ids["开班通知"]), uaTok, nil)
	collegetest.MustStatus(t, r, 200)
	if m := r.JSON(t); m["read"] != true || m["title"] != "开班通知" || m["id"] != float64(ids["开班通知"]) {
		t.Fatalf("read answer: %v", m)
	}
	if l := notifyList(t, a, uaTok, ""); l["unread"] != 1.0 || l["total"] != 2.0 {
		t.Fatalf("after read: %v", l)
	}
	if l := notifyList(t, a, ubTok, ""); l["unread"] != 1.0 {
		t.Fatalf("ub_cadre's copy was read too: %v", l)
	}
	l = notifyList(t, a, uaTok, "?unread=1")
	if got := strings.Join(notifyTitles(t, l), ","); got != "结业通知" || l["total"] != 1.0 {
		t.Fatalf("unread only: %v", l)
	}
	if l := notifyList(t, a, uaTok, "?page=2&page_size=1"); strings.Join(notifyTitles(t, l), ",") != "开班通知" || l["page"] != 2.0 || l["page_size"] != 1.0 {
		t.Fatalf("page 2: %v", l)
	}

	// Read-all marks the rest, then nothing.
	r = a.Do("POST", "/api/v1/me/notifications/read-all", uaTok, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["updated"] != 1.0 {
		t.Fatalf("read-all: %s", r.Body)
	}
	if l := notifyList(t, a, uaTok, ""); l["unread"] != 0.0 {
		t.Fatalf("after read-all: %v", l)
	}
	r = a.Do("POST", "/api/v1/me/notifications/read-all", uaTok, nil)
	if r.JSON(t)["updated"] != 0.0 {
		t.Fatalf("second read-all: %s", r.Body)
	}
	if n := notifyUnread(t, a, ub); n != 1 {
		t.Fatalf("ub_cadre unread after ua_cadre's read-all = %d", n)
	}

	// Bad input.
	for _, q := range []string{"?page=0", "?page_size=500", "?unread=maybe"} {
		r := a.Do("GET", "/api/v1/me/notifications"+q, uaTok, nil)
		if r.Status != 400 || r.ErrorCode(t) != "invalid" {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
	for _, id := range []string{"abc", "0", "999999"} {
		collegetest.MustStatus(t, a.Do("POST", "/api/v1/me/notifications/"+id+"/read", uaTok, nil), 404)
	}

	// Anonymous callers are refused.
	for _, rt := range []struct{ method, path string }{
		{"GET", "/api/v1/me/notifications"},
		{"POST", "/api/v1/me/notifications/read-all"},
		{"POST", fmt.Sprintf("/api/v1/me/notifications/%d/read", ids["结业通知"])},
	} {
		r := a.Do(rt.method, rt.path, "", nil)
		if r.Status != 401 || r.ErrorCode(t) != "unauthorized" {
			t.Errorf("anonymous %s %s: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
	}
	if n := notifyUnread(t, a, ub); n != 1 {
		t.Fatal("an anonymous request changed a notification")
	}

	// The routes are in the API document.
	doc := string(a.Do("GET", "/api/v1/openapi.json", "", nil).Body)
	for _, want := range []string{`"/api/v1/me/notifications"`, `"/api/v1/me/notifications/read-all"`, `"/api/v1/me/notifications/{id}/read"`, "NotificationListResponse"} {
		if !strings.Contains(doc, want) {
			t.Errorf("openapi.json lacks %s", want)
		}
	}
}

var unreadBadge = regexp.MustCompile(`<span class="badge badge-red">未读</span>`)

func TestNotificationsPage(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	ctx := context.Background()
	ua, ub := c.IDs["ua_cadre"], c.IDs["ub_cadre"]
	for _, m := range []notify.Message{
		{Title: "纯文本通知", Body: "第一行\n第二行"},
		{Title: "外部链接", Link: "//evil.example"},
		{Title: "绝对地址", Link: "https://evil.example/x"},
		{Title: "反斜杠", Link: "/\\evil.example"},
		{Title: "请参加培训班", Body: "<b>不是标签</b>", Link: "/courses"},
	} {
		if err := a.Notify.Send(ctx, nil, []uint64{ua}, m); err != nil {
			t.Fatal(err)
		}
	}
	ids := notifyIDs(t, a, ua)

	// Anonymous visitors are sent to the login page.
	anon := a.Browser()
	r := anon.Req("GET", "/me/notifications", nil)
	if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous page: %d %s", r.Status, r.Header.Get("Location"))
	}
	r = anon.Req("POST", fmt.Sprintf("/me/notifications/%d/open", ids["请参加培训班"]), url.Values{})
	if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous open: %d %s", r.Status, r.Header.Get("Location"))
	}

	b := a.Browser()
	collegetest.MustStatus(t, b.LoginAs("ua_cadre", collegetest.UserPassword), 303)
	page := b.Req("GET", "/me/notifications", nil)
	collegetest.MustStatus(t, page, 200)
	body := string(page.Body)
	for _, want := range []string{"<title>消息通知 - ", "<h1>消息通知</h1>", "请参加培训班", "纯文本通知", "第一行\n第二行", "&lt;b&gt;不是标签&lt;/b&gt;",
		"全部标为已读", `action="/me/notifications/read-all"`, ">查看</button>", ">标为已读</button>", "只看未读", "未读 <strong id=\"notify-unread\">5</strong> 条",
		fmt.Sprintf(`action="/me/notifications/%d/open"`, ids["请参加培训班"]), `href="/me/notifications" aria-current="page">消息通知 <span class="nav-badge" aria-label="5 条未读">5</span></a>`, "css/notify.css"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := len(unreadBadge.FindAllString(body, -1)); n != 5 {
		t.Errorf("%d 未读 badges, want 5", n)
	}
	if !regexp.MustCompile(`<time class="notify-time num">20\d\d-\d\d-\d\d \d\d:\d\d:\d\d</time>`).MatchString(body) {
		t.Error("no time shown")
	}
	if strings.Index(body, "请参加培训班") > strings.Index(body, "纯文本通知") {
		t.Error("not newest first")
	}
	if strings.Contains(body, "evil.example") {
		t.Error("the page shows an off-site link")
	}
	csrf := b.CSRF(page)
	open := func(title string, form url.Values) collegetest.Response {
		t.Helper()
		return b.Req("POST", fmt.Sprintf("/me/notifications/%d/open", ids[title]), form)
	}

	// Without the form's token nothing happens.
	collegetest.MustStatus(t, open("请参加培训班", url.Values{}), 403)
	if n := notifyUnread(t, a, ua); n != 5 {
		t.Fatalf("unread after a forged open = %d", n)
	}
	// On-site links are followed; anything else comes back to the list.
	for _, tc := range []struct{ title, want string }{
		{"请参加培训班", "/courses"},
		{"外部链接", "/me/notifications"},
		{"绝对地址", "/me/notifications"},
		{"反斜杠", "/me/notifications"},
		{"纯文本通知", "/me/notifications"},
	} {
		r := open(tc.title, url.Values{"_csrf": {csrf}})
		if r.Status != 303 || r.Header.Get("Location") != tc.want {
			t.Errorf("open %s: %d to %q, want 303 to %q", tc.title, r.Status, r.Header.Get("Location"), tc.want)
		}
	}
	if n := notifyUnread(t, a, ua); n != 0 {
		t.Fatalf("unread after opening all = %d", n)
	}
	body = string(b.Req("GET", "/me/notifications", nil).Body)
	if unreadBadge.MatchString(body) || strings.Contains(body, "全部标为已读") || strings.Contains(body, ">标为已读</button>") || !strings.Contains(body, ">查看</button>") {
		t.Error("read notifications still look unread")
	}

	// Another user cannot open them, and has none.
	if err := a.Notify.Send(ctx, nil, []uint64{ua}, notify.Message{Title: "新消息一"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify.Send(ctx, nil, []uint64{ua}, notify.Message{Title: "新消息二"}); err != nil {
		t.Fatal(err)
	}
	ids = notifyIDs(t, a, ua)
	other := a.Browser()
	collegetest.MustStatus(t, other.LoginAs("ub_cadre", collegetest.UserPassword), 303)
	empty := other.Req("GET", "/me/notifications", nil)
	collegetest.MustStatus(t, empty, 200)
	if !strings.Contains(string(empty.Body), "暂无消息") || strings.Contains(string(empty.Body), "新消息") || strings.Contains(string(empty.Body), "全部标为已读") {
		t.Errorf("ub_cadre's page:\n%s", empty.Body)
	}
	r = other.Req("POST", fmt.Sprintf("/me/notifications/%d/open", ids["新消息一"]), url.Values{"_csrf": {other.CSRF(empty)}})
	collegetest.MustStatus(t, r, 404)
	if n := notifyUnread(t, a, ua); n != 2 {
		t.Fatalf("ub_cadre's open changed ua_cadre's messages: unread %d", n)
	}
	if n := notifyUnread(t, a, ub); n != 0 {
		t.Fatalf("ub_cadre unread = %d", n)
	}

	// The unread filter, and read-all from the page.
	body = string(b.Req("GET", "/me/notifications?unread=1", nil).Body)
	if !strings.Contains(body, "新消息二") || strings.Contains(body, "请参加培训班") || !strings.Contains(body, "查看全部") {
		t.Error("unread filter shows read messages")
	}
	r = b.Req("POST", "/me/notifications/read-all", url.Values{"_csrf": {csrf}})
	if r.Status != 303 || r.Header.Get("Location") != "/me/notifications" {
		t.Fatalf("read-all: %d %s", r.Status, r.Header.Get("Location"))
	}
	if n := notifyUnread(t, a, ua); n != 0 {
		t.Fatalf("unread after read-all = %d", n)
	}
	body = string(b.Req("GET", "/me/notifications", nil).Body)
	if !strings.Contains(body, "已将 2 条消息标为已读") || unreadBadge.MatchString(body) {
		t.Error("after read-all: no message or still unread")
	}
	if body := string(b.Req("GET", "/me/notifications?unread=1", nil).Body); !strings.Contains(body, "暂无未读消息") {
		t.Error("unread filter with nothing unread")
	}
	if r := b.Req("GET", "/me/notifications?page=abc", nil); r.Status != 400 {
		t.Errorf("bad page: %d", r.Status)
	}

	// Every logged-in role finds the page on the home page.
	for _, user := range []string{"ua_cadre", "aud", "sec"} {
		br := a.Browser()
		collegetest.MustStatus(t, br.LoginAs(user, collegetest.UserPassword), 303)
		home := string(br.Req("GET", "/", nil).Body)
		if !strings.Contains(home, `href="/me/notifications"`) || !strings.Contains(home, "消息通知") {
			t.Errorf("%s's home page lacks 消息通知", user)
		}
	}
}

// sendMany gives the learner of unit A 25 short notifications and a long
// one whose body has no place to break.
func sendMany(t *testing.T, a *collegetest.App, c *collegetest.City) {
	t.Helper()
	ctx := context.Background()
	ua := c.IDs["ua_cadre"]
	for i := 1; i <= 25; i++ {
		if err := a.Notify.Send(ctx, nil, []uint64{ua}, notify.Message{Title: fmt.Sprintf("第%d条通知", i), Link: "/courses"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Notify.Send(ctx, nil, []uint64{ua}, notify.Message{Title: strings.Repeat("长标题", 60), Body: "https://example.gov.cn/" + strings.Repeat("x", 300), Link: "/courses"}); err != nil {
		t.Fatal(err)
	}
}

// Many notifications are paged, newest first.
func TestNotificationsPager(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	sendMany(t, a, collegetest.NewCity(a))
	b := a.Browser()
	collegetest.MustStatus(t, b.LoginAs("ua_cadre", collegetest.UserPassword), 303)
	body := string(b.Req("GET", "/me/notifications", nil).Body)
	if !strings.Contains(body, "第 1 / 2 页") || !strings.Contains(body, "第25条通知") || strings.Contains(body, ">第5条通知<") {
		t.Fatal("first page wrong")
	}
	body = string(b.Req("GET", "/me/notifications?page=2", nil).Body)
	if !strings.Contains(body, "第 2 / 2 页") || !strings.Contains(body, ">第1条通知<") || strings.Contains(body, "第25条通知") {
		t.Fatal("second page wrong")
	}
}

// The notifications page fits a 390 px phone, long titles included.
func TestBrowserNotificationsFitAPhone(t *testing.T) {
	ctxB := collegetest.NewChrome(t)
	a := collegetest.New(t)
	sendMany(t, a, collegetest.NewCity(a))
	base := a.Start()
	collegetest.ChromeLogin(t, ctxB, base, "ua_cadre", collegetest.UserPassword)
	collegetest.Visit(t, ctxB, base+"/me/notifications", "全部标为已读")
	width, err := chromedp.Run(ctxB, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 390 {
		t.Errorf("/me/notifications is %d px wide on a 390 px phone", width)
	}
	collegetest.Screenshot(t, ctxB, "40-notifications")
}
