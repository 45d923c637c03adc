package throughtrain_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"college/app/collegetest"
)

// TestPagesJourney walks the thread through the pages: the graduate raises
// and writes, the college assigns, the teacher answers and attaches, the
// graduate closes, the college marks the case.
func TestPagesJourney(t *testing.T) {
	x := setup(t)
	a := x.a
	g := collegetest.LoginPages(a, "tt_g1", collegetest.UserPassword)
	list := collegetest.PageGet(g, "/me/through-train", 200)
	collegetest.MustContain(t, list, "学员直通车", "提出问题或求助", "基层治理专题班", `id="tt-export"`)
	collegetest.MustContain(t, collegetest.PageGet(g, "/", 200), `href="/me/through-train"`)

	// A blank subject comes back with its message and nothing is kept.
	r := collegetest.PagePostFrom(g, "/me/through-train", "/me/through-train", url.Values{"class_id": {fmt.Sprint(x.class)}, "body": {"内容"}})
	collegetest.MustBody(t, r, 400, "请填写标题")
	if n := a.Count("through_train_threads", "1 = 1"); n != 0 {
		t.Fatalf("threads after a refused form = %d", n)
	}
	r = collegetest.PagePostFrom(g, "/me/through-train", "/me/through-train",
		url.Values{"class_id": {fmt.Sprint(x.class)}, "subject": {"项目申报材料请老师把关"}, "body": {"附件是初稿"}})
	loc := collegetest.MustRedirect(t, r, "/me/through-train/")
	var id uint64
	if _, err := fmt.Sscanf(strings.TrimPrefix(loc, "/me/through-train/"), "%d", &id); err != nil || id == 0 {
		t.Fatalf("redirect %q", loc)
	}
	mine := fmt.Sprintf("/me/through-train/%d", id)
	collegetest.MustContain(t, collegetest.PageGet(g, mine, 200), "项目申报材料请老师把关", "附件是初稿", "待答复", "待指派", `id="tt-post"`)
	collegetest.MustRedirect(t, collegetest.PagePostFrom(g, mine, mine+"/messages", url.Values{"body": {"补充一点背景"}}), mine)
	collegetest.MustRedirect(t, collegetest.PageUpload(g, mine, mine+"/attachments", "初稿.pdf", []byte("%PDF-1.4\n初稿"), nil), mine)
	collegetest.MustContain(t, collegetest.PageGet(g, mine, 200), "补充一点背景", "初稿.pdf")

	// Another graduate cannot open it.
	collegetest.PageGet(collegetest.LoginPages(a, "tt_g2", collegetest.UserPassword), mine, 404)

	// The college assigns a teacher from its faculty.
	col := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(col, "/admin/through-train", 200), "项目申报材料请老师把关", "待答复")
	admin := fmt.Sprintf("/admin/through-train/%d", id)
	page := collegetest.PageGet(col, admin, 200)
	collegetest.MustContain(t, page, "指派答复教师", "王老师", "李老师")
	if strings.Contains(page, "外聘赵专家") {
		t.Fatal("a teacher without an account is offered")
	}
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, admin, admin+"/assign", url.Values{"teacher_id": {fmt.Sprint(x.teacher)}}), admin)

	// The teacher answers from the admin pages and attaches a file.
	tch := collegetest.LoginPages(a, "tt_teacher", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(tch, "/admin/through-train", 200), "项目申报材料请老师把关", "王老师")
	page = collegetest.PageGet(tch, admin, 200)
	if strings.Contains(page, "指派答复教师") {
		t.Fatal("the teacher is offered the assign form")
	}
	collegetest.MustRedirect(t, collegetest.PagePostFrom(tch, admin, admin+"/messages", url.Values{"body": {"第三部分要写清楚绩效目标"}}), admin)
	r = collegetest.PageUpload(tch, admin, admin+"/attachments", "范本.exe", []byte("MZ\x90\x00binary"), nil)
	if r.Status != 415 {
		t.Fatalf("an executable through the page: %d", r.Status)
	}
	collegetest.MustRedirect(t, collegetest.PageUpload(tch, admin, admin+"/attachments", "范本.pdf", []byte("%PDF-1.4\n范本"), nil), admin)
	if n := a.Count("through_train_attachments", "thread_id = ?", id); n != 2 {
		t.Fatalf("attachments = %d", n)
	}
	collegetest.PageGet(collegetest.LoginPages(a, "tt_other", collegetest.UserPassword), admin, 404)

	// The graduate closes with a mark; then the college marks the case.
	page = collegetest.PageGet(g, mine, 200)
	collegetest.MustContain(t, page, "已答复", "第三部分要写清楚绩效目标", "办结并评价")
	collegetest.MustRedirect(t, collegetest.PagePost(g, page, mine+"/close", url.Values{"satisfaction": {"5"}, "note": {"很及时"}}), mine)
	collegetest.MustContain(t, collegetest.PageGet(g, mine, 200), "已办结", "满意度 5 分", "很及时")
	page = collegetest.PageGet(col, admin, 200)
	collegetest.MustContain(t, page, "优秀案例")
	collegetest.MustRedirect(t, collegetest.PagePost(col, page, admin+"/mark-case", url.Values{"good": {"1"}, "note": {"申报类求助的范例"}}), admin)
	page = collegetest.PageGet(col, admin, 200)
	collegetest.MustContain(t, page, `id="tt-good"`, "申报类求助的范例", "转为课程")
	loc = collegetest.MustRedirect(t, collegetest.PagePost(col, page, admin+"/case-course", nil), "/admin/courses/")
	if n := a.Count("courses", "title = ?", "优秀实践案例：项目申报材料请老师把关"); n != 1 || a.AuditCount("throughtrain.case_course", id) != 1 {
		t.Fatalf("case course from the page: %d courses, redirect %s", n, loc)
	}

	// A closed thread refuses a page message with the reason.
	r = collegetest.PagePostFrom(g, mine, mine+"/messages", url.Values{"body": {"再问一句"}})
	collegetest.MustBody(t, r, 409, "操作未完成", "已办结")
	for action, n := range map[string]int64{"throughtrain.raise": 1, "throughtrain.message": 2, "throughtrain.attach": 2, "throughtrain.assign": 1,
		"throughtrain.close": 1, "throughtrain.mark_case": 1} {
		if got := a.AuditCount(action, id); got != n {
			t.Fatalf("%s audits = %d, want %d", action, got, n)
		}
	}
}

func TestExport(t *testing.T) {
	x := setup(t)
	id := x.open(t)
	r := x.a.Do("GET", "/api/v1/through-train/export", x.tok["col"], nil)
	collegetest.MustStatus(t, r, 200)
	rows := collegetest.XLSXRows(t, r.Body)
	if len(rows) != 2 || rows[1][0] != fmt.Sprint(id) || rows[1][3] != "村级议事规则怎么定" || rows[1][4] != "待答复" {
		t.Fatalf("export rows: %v", rows)
	}
	// Another college's export has the header only.
	r = x.a.Do("GET", "/api/v1/through-train/export", x.tok["col2"], nil)
	collegetest.MustStatus(t, r, 200)
	if rows := collegetest.XLSXRows(t, r.Body); len(rows) != 1 {
		t.Fatalf("another college exports %d rows", len(rows))
	}
	if collegetest.CountAudits(x.a, "export.throughtrain") != 2 {
		t.Fatal("export not audited")
	}
}
