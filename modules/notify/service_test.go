package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"college/modules/web"
	"college/storage/db/dbtest"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

func newTestService(t *testing.T) (*Service, *gorm.DB) {
	t.Helper()
	gdb := dbtest.New(t, Migrations()...)
	svc := New(gdb)
	clock := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	svc.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	return svc, gdb
}

func count(t *testing.T, gdb *gorm.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := gdb.Model(&Notification{}).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationIndex(t *testing.T) {
	t.Parallel()
	_, gdb := newTestService(t)
	if !gdb.Migrator().HasIndex(&Notification{}, "idx_notifications_user") {
		t.Fatal("idx_notifications_user is missing")
	}
	for _, col := range []string{"id", "user_id", "title", "body", "link", "read_at", "created_at"} {
		if !gdb.Migrator().HasColumn(&Notification{}, col) {
			t.Errorf("column %s is missing", col)
		}
	}
	// The link defaults to '' when a row is written without it.
	if err := gdb.Exec("INSERT INTO notifications (user_id, title, body, created_at) VALUES (?, ?, ?, ?)", 9, "t", "", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	if count(t, gdb, "user_id = 9 AND link = ''") != 1 {
		t.Error("link has no '' default")
	}
}

func TestSendDedupesAndCuts(t *testing.T) {
	t.Parallel()
	svc, gdb := newTestService(t)
	ctx := context.Background()
	long := strings.Repeat("培", 250)
	if err := svc.Send(ctx, nil, []uint64{7, 0, 8, 7, 8, 7}, Message{Title: "  " + long + "  ", Body: "第一行\n第二行", Link: "/courses/1"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, gdb, "1 = 1"); n != 2 {
		t.Fatalf("%d rows, want 2 (one per distinct non-zero id)", n)
	}
	if count(t, gdb, "user_id = 0") != 0 {
		t.Fatal("a message went to user 0")
	}
	items, total, err := svc.List(ctx, 7, web.Page{Page: 1, PageSize: 20})
	if err != nil || total != 1 || len(items) != 1 {
		t.Fatalf("list: %v %d %v", items, total, err)
	}
	n := items[0]
	if utf8.RuneCountInString(n.Title) != MaxTitle || n.Title != strings.Repeat("培", MaxTitle) {
		t.Errorf("title not cut to %d runes: %d", MaxTitle, utf8.RuneCountInString(n.Title))
	}
	if n.Body != "第一行\n第二行" || n.Link != "/courses/1" || n.ReadAt != nil || n.CreatedAt.IsZero() {
		t.Errorf("stored %+v", n)
	}

	// No recipients is not an error and writes nothing; a missing title or
	// an overlong link is refused.
	if err := svc.Send(ctx, nil, []uint64{0, 0}, Message{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Send(ctx, nil, nil, Message{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Send(ctx, nil, []uint64{7}, Message{Title: "   "}); err == nil {
		t.Error("empty title accepted")
	}
	if err := svc.Send(ctx, nil, []uint64{7}, Message{Title: "x", Link: "/" + strings.Repeat("a", MaxLink)}); err == nil {
		t.Error("overlong link accepted")
	}
	if n := count(t, gdb, "1 = 1"); n != 2 {
		t.Fatalf("%d rows after refused sends, want 2", n)
	}
}

func TestSendInBatchesAndTransactions(t *testing.T) {
	t.Parallel()
	svc, gdb := newTestService(t)
	ctx := context.Background()
	ids := make([]uint64, 0, 1300)
	for i := uint64(1); i <= 1200; i++ {
		ids = append(ids, i)
	}
	ids = append(ids, ids[:100]...) // repeats
	if err := svc.Send(ctx, nil, ids, Message{Title: "培训班开班通知"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, gdb, "title = ?", "培训班开班通知"); n != 1200 {
		t.Fatalf("%d rows, want 1200", n)
	}
	// In the caller's transaction: rolled back with it, kept on commit.
	boom := errors.New("boom")
	err := gdb.Transaction(func(tx *gorm.DB) error {
		if err := svc.Send(ctx, tx, []uint64{1, 2}, Message{Title: "回滚"}); err != nil {
			return err
		}
		if n := count(t, tx, "title = ?", "回滚"); n != 2 {
			t.Errorf("%d rows inside the transaction, want 2", n)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := count(t, gdb, "title = ?", "回滚"); n != 0 {
		t.Fatalf("%d rows survived the rollback", n)
	}
	err = gdb.Transaction(func(tx *gorm.DB) error {
		return svc.Send(ctx, tx.Where("id = ?", 999), []uint64{1, 2, 3}, Message{Title: "提交"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, gdb, "title = ?", "提交"); n != 3 {
		t.Fatalf("%d committed rows, want 3", n)
	}
}

func TestReadAndPaging(t *testing.T) {
	t.Parallel()
	svc, _ := newTestService(t)
	ctx := context.Background()
	for _, title := range []string{"一", "二", "三", "四", "五"} {
		if err := svc.Send(ctx, nil, []uint64{1}, Message{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Send(ctx, nil, []uint64{2}, Message{Title: "别人的"}); err != nil {
		t.Fatal(err)
	}
	titles := func(ns []Notification) string {
		var b []string
		for _, n := range ns {
			b = append(b, n.Title)
		}
		return strings.Join(b, ",")
	}
	p1, total, err := svc.List(ctx, 1, web.Page{Page: 1, PageSize: 2})
	if err != nil || total != 5 || titles(p1) != "五,四" {
		t.Fatalf("page 1: %s of %d, %v", titles(p1), total, err)
	}
	p3, _, _ := svc.List(ctx, 1, web.Page{Page: 3, PageSize: 2})
	if titles(p3) != "一" {
		t.Fatalf("page 3: %s", titles(p3))
	}
	p9, total, err := svc.List(ctx, 1, web.Page{Page: 9, PageSize: 2})
	if err != nil || total != 5 || p9 == nil || len(p9) != 0 {
		t.Fatalf("past the end: %v %d %v", p9, total, err)
	}

	// Another user's notification is not found and stays unread.
	other, _, _ := svc.List(ctx, 2, web.Page{Page: 1, PageSize: 20})
	_, err = svc.MarkRead(ctx, 1, other[0].ID)
	var we *web.Error
	if !errors.As(err, &we) || we.Status != http.StatusNotFound {
		t.Fatalf("reading another's: %v", err)
	}
	if _, err := svc.MarkRead(ctx, 1, 99999); !errors.As(err, &we) || we.Status != http.StatusNotFound {
		t.Fatalf("reading none: %v", err)
	}
	if n, _ := svc.Unread(ctx, 2); n != 1 {
		t.Fatalf("user 2 unread = %d", n)
	}

	n, err := svc.MarkRead(ctx, 1, p1[0].ID)
	if err != nil || n.ReadAt == nil || n.Title != "五" {
		t.Fatalf("mark read: %+v %v", n, err)
	}
	first := *n.ReadAt
	again, err := svc.MarkRead(ctx, 1, p1[0].ID)
	if err != nil || again.ReadAt == nil || !again.ReadAt.Equal(first) {
		t.Fatalf("marking again changed read_at: %v -> %v (%v)", first, again.ReadAt, err)
	}
	if u, _ := svc.Unread(ctx, 1); u != 4 {
		t.Fatalf("unread = %d, want 4", u)
	}
	unread, total, _ := svc.ListUnread(ctx, 1, web.Page{Page: 1, PageSize: 20})
	if total != 4 || titles(unread) != "四,三,二,一" {
		t.Fatalf("unread list: %s of %d", titles(unread), total)
	}
	if got, err := svc.MarkAllRead(ctx, 1); err != nil || got != 4 {
		t.Fatalf("mark all read: %d %v", got, err)
	}
	if got, _ := svc.MarkAllRead(ctx, 1); got != 0 {
		t.Fatalf("second mark all read: %d", got)
	}
	if u, _ := svc.Unread(ctx, 1); u != 0 {
		t.Fatalf("unread after all read = %d", u)
	}
	if u, _ := svc.Unread(ctx, 2); u != 1 {
		t.Fatalf("user 2 touched by user 1's read-all: %d", u)
	}
}

func TestSafeLink(t *testing.T) {
	t.Parallel()
	for link, want := range map[string]string{
		"/courses":              "/courses",
		"/courses/7?tab=1#x":    "/courses/7?tab=1#x",
		"/":                     "/",
		"":                      PagePath,
		"//evil.example":        PagePath,
		"//evil.example/x":      PagePath,
		"/\\evil.example":       PagePath,
		"/\t/evil.example":      PagePath,
		"/\r\nSet-Cookie: a=b":  PagePath,
		"https://evil.example":  PagePath,
		"javascript:alert(1)":   PagePath,
		"courses":               PagePath,
		" /courses":             PagePath,
		"\\\\evil.example/path": PagePath,
	} {
		if got := SafeLink(link, PagePath); got != want {
			t.Errorf("SafeLink(%q) = %q, want %q", link, got, want)
		}
	}
}

func TestRoutesAreDocumented(t *testing.T) {
	t.Parallel()
	app := fiber.New()
	api := web.NewAPI(app.Group("/api/v1"), "/api/v1")
	NewHandlers(nil, nil).Register(api, app.Group(""))
	got := strings.Join(api.Documented(), "\n")
	for _, want := range []string{"GET /api/v1/me/notifications", "POST /api/v1/me/notifications/read-all", "POST /api/v1/me/notifications/:id/read"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s not documented", want)
		}
	}
	for _, r := range api.Routes() {
		if r.Public || len(r.Roles) > 0 || r.HasBody {
			t.Errorf("%s %s: public %v roles %v body %v", r.Method, r.Path, r.Public, r.Roles, r.HasBody)
		}
	}
}

// The unread count behind every page's badge reads the (user_id, read_at)
// index, not the user's notifications.
func TestUnreadCountUsesItsIndex(t *testing.T) {
	t.Parallel()
	_, gdb := newTestService(t)
	var n int64
	stmt := gdb.Session(&gorm.Session{DryRun: true}).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", 7).Count(&n).Statement
	var plan []map[string]any
	explain := "EXPLAIN QUERY PLAN "
	if gdb.Dialector.Name() == "mysql" {
		explain = "EXPLAIN "
	}
	if err := gdb.Raw(explain+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(plan), "idx_notifications_unread") {
		t.Fatalf("the unread count does not use idx_notifications_unread: %v", plan)
	}
}
