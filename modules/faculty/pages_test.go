package faculty_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"college/app/collegetest"
)

func TestTeacherFormsCreateEditAndRefuse(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	csrf := b.CSRF(b.Req("GET", "/admin/teachers/new", nil))

	// A leader without a post: the form comes back with the field's message.
	bad := b.Req("POST", "/admin/teachers", url.Values{"_csrf": {csrf}, "name": {"某领导"}, "kind": {"leader"}, "status": {"active"}})
	if bad.Status < 400 || !strings.Contains(string(bad.Body), "请填写领导干部的职务") {
		t.Fatalf("refused form: %d %s", bad.Status, collegetest.Grep(string(bad.Body), "field-error"))
	}
	if n := a.Count("teachers", "1 = 1"); n != 0 {
		t.Fatalf("teachers after a refused form: %d", n)
	}
	ok := b.Req("POST", "/admin/teachers", url.Values{"_csrf": {csrf}, "name": {"赵专家"}, "kind": {"expert"}, "title": {"研究员"}, "status": {"active"}})
	collegetest.MustStatus(t, ok, 303)
	loc := ok.Header.Get("Location")
	if !strings.HasPrefix(loc, "/admin/teachers/") || collegetest.CountAudits(a, "teacher.create") != 1 {
		t.Fatalf("created: %q", loc)
	}
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), "赵专家", "外聘专家", "研究员")
	ed := b.Req("POST", loc, url.Values{"_csrf": {csrf}, "name": {"赵专家"}, "kind": {"expert"}, "title": {"教授"}, "status": {"inactive"}})
	collegetest.MustStatus(t, ed, 303)
	collegetest.MustContain(t, collegetest.PageGet(b, loc, 200), "教授", "停用")
	if collegetest.CountAudits(a, "teacher.update") != 1 {
		t.Fatal("no teacher.update entry from the form")
	}
	// Another college's admin cannot post to it.
	other := a.CreateOrg(c.Tokens["admin"], "第二分院", "C02", "college", c.Root)
	a.CreateUser(c.Tokens["admin"], "col2", other, "college_admin")
	b2 := collegetest.LoginPages(a, "col2", collegetest.UserPassword)
	csrf2 := b2.CSRF(b2.Req("GET", "/admin/teachers/new", nil))
	collegetest.MustStatus(t, b2.Req("POST", loc, url.Values{"_csrf": {csrf2}, "name": {"改名"}, "kind": {"expert"}}), 404)
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("%s/edit", loc), 200), "修改教师信息", "赵专家")
}
