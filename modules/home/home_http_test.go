package home_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/hours"
	"college/modules/notify"
	"college/modules/web"
)

func TestMain(m *testing.M) { collegetest.Main(m) }

// A cadre's home shows this year's hours against the targets of their
// level, the required courses of their unit not yet studied, and their
// unread messages in the page and in the nav's badge; another unit's
// cadre does not see that unit's required course.
func TestCadreHome(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	course := collegetest.ArticleCourse(t, a, c.Tokens["col"], "学习贯彻专题必修课", true, c.UnitA)
	dueCourse := collegetest.ArticleCourse(t, a, c.Tokens["col"], "限期完成的专题课", true, c.UnitA)
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/topics", c.Tokens["col"], map[string]any{"title": "年度专题", "deadline": "2027-01-15", "course_ids": []uint64{dueCourse}}), 201)
	ctx := context.Background()
	uid := c.IDs["ua_cadre"]
	if _, err := a.Hours.Credit(ctx, nil, hours.Credit{UserID: uid, Hours: 1250, Category: hours.CategoryOnline, Kind: hours.KindElective,
		SourceType: hours.SourceCourse, SourceID: 99, Title: "选修课", EarnedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify.Send(ctx, nil, []uint64{uid, uid, uid}, notify.Message{Title: "培训通知"}); err != nil {
		t.Fatal(err)
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/notices", c.Tokens["org"], map[string]any{"kind": "notice", "title": "关于开展年度网络培训的通知", "body": "<p>请按时完成。</p>", "publish": true}), 201)
	unread := a.Count("notifications", "user_id = ? AND read_at IS NULL", uid)
	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	home := collegetest.PageGet(b, "/", 200)
	collegetest.MustContain(t, home, "待学必修课", "学习贯彻专题必修课", fmt.Sprintf(`href="/courses/%d"`, course), "网络学习", "集中培训",
		"12.5/50", "通知公告", "关于开展年度网络培训的通知", fmt.Sprintf("%d 条未读消息", unread), fmt.Sprintf(`aria-label="%d 条未读"`, unread))
	if unread == 0 {
		t.Fatal("no unread notification to show")
	}
	// The course due by its topic's deadline comes first, with the date.
	collegetest.MustContain(t, home, "截止 2027-01-15")
	if strings.Index(home, "限期完成的专题课") > strings.Index(home, "学习贯彻专题必修课") {
		t.Error("the course with a deadline is not listed first")
	}
	other := collegetest.PageGet(collegetest.LoginPages(a, "ub_cadre", collegetest.UserPassword), "/", 200)
	if strings.Contains(other, "学习贯彻专题必修课") {
		t.Fatal("unit B's cadre sees unit A's required course")
	}
	collegetest.MustContain(t, other, "必修课都已学完")
}

// Administrators see their to-dos, counted as SQL counts them, and their
// pages in groups; the system administrator, who does not study, gets no
// learning parts.
func TestAdministratorHomes(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	draft := a.CreateClass(c, nil)
	filed := a.CreateClass(c, map[string]any{"title": "待备案的班次"})
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/submit", filed), c.Tokens["col"], nil), 200)
	_ = draft
	filings := a.Count("training_classes", "status = ?", "filing")
	drafts := a.Count("training_classes", "status = ? AND host_org_id = ?", "draft", c.College)
	if filings != 1 || drafts != 1 {
		t.Fatalf("fixture: %d filings, %d drafts", filings, drafts)
	}
	org := collegetest.PageGet(collegetest.LoginPages(a, "org", collegetest.UserPassword), "/", 200)
	collegetest.MustContain(t, org, "待办事项", `href="/admin/filings"`, fmt.Sprintf(`<span class="todo-count">%d</span>`, filings), "管理工作", "备案审核")
	col := collegetest.PageGet(collegetest.LoginPages(a, "col", collegetest.UserPassword), "/", 200)
	collegetest.MustContain(t, col, "本学院概况", fmt.Sprintf(`<a class="state" href="/admin/classes?status=draft"><strong>%d</strong><span>草稿</span></a>`, drafts),
		`<a class="state" href="/admin/classes?status=filing"><strong>1</strong><span>备案审核中</span></a>`, "考试管理")
	// A unit admin sees how many of the unit's cadres are behind this
	// year: here every learner of unit A, none of whom has any hours.
	learners := a.Count("users", "org_id = ? AND id IN (SELECT user_id FROM user_roles WHERE role = ?)", c.UnitA, "learner")
	unit := collegetest.PageGet(collegetest.LoginPages(a, "ua_admin", collegetest.UserPassword), "/", 200)
	year := time.Now().In(web.Shanghai).Year()
	collegetest.MustContain(t, unit, fmt.Sprintf("东城区发改委 %d 年学时达标", year), "<strong>0%</strong>",
		fmt.Sprintf(`<a href="/admin/dashboard/people?org_id=%d&amp;year=%d&amp;status=behind">未达标 <strong>%d</strong> ›</a>`, c.UnitA, year, learners), "综合管理")
	if learners == 0 {
		t.Fatal("unit A has no learner")
	}
	// The org department sees the city's figure, linked to the dashboard.
	collegetest.MustContain(t, org, fmt.Sprintf(`href="/admin/dashboard?org_id=%d&amp;year=%d"`, c.Root, year), "达标率")
	sys := collegetest.PageGet(collegetest.LoginPages(a, "admin", collegetest.AdminPassword), "/", 200)
	collegetest.MustContain(t, sys, "管理工作", "用户管理")
	for _, part := range []string{"待学必修课", "年学时", "考试管理"} {
		if strings.Contains(sys, part) {
			t.Errorf("the system administrator's home shows %q", part)
		}
	}
}
