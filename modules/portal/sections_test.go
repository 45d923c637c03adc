package portal_test

import (
	"fmt"
	"testing"
	"time"

	"college/app/collegetest"
)

func TestFeaturedCoursesAndOpenClasses(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	featured := collegetest.ArticleCourse(t, a, col, "习近平新时代中国特色社会主义思想专题", true)
	collegetest.ArticleCourse(t, a, col, "普通课程", true)
	draft := collegetest.ArticleCourse(t, a, col, "草稿课程", false)

	// The cover of a course that is not featured is closed to visitors.
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/courses/%d/cover", featured), "", nil), 404)
	before := collegetest.CountAudits(a, "course.feature")
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/featured", featured), col, map[string]any{"featured": true}), 200)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/featured", draft), col, map[string]any{"featured": true}), 200)
	if n := collegetest.CountAudits(a, "course.feature") - before; n != 2 {
		t.Fatalf("course.feature entries = %d", n)
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/featured", featured), c.Tokens["ua_cadre"], map[string]any{"featured": true}), 403)
	b := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, fmt.Sprintf("/admin/courses/%d", featured), 200), "取消门户推荐")
	collegetest.MustStatus(t, a.UploadWith("PUT", fmt.Sprintf("/api/v1/courses/%d/cover", featured), col, "c.png", collegetest.ReadFixture(t, "image.png"), nil), 200)

	p := a.Do("GET", "/api/v1/portal", "", nil).JSON(t)
	if got := titles(t, p, "featured_courses"); got != "习近平新时代中国特色社会主义思想专题" {
		t.Fatalf("featured courses = %q (the change must show at once; drafts never)", got)
	}
	cover := p["featured_courses"].([]any)[0].(map[string]any)["cover_url"].(string)
	collegetest.MustStatus(t, a.Do("GET", cover, "", nil), 200)

	open := a.CreateClass(c, map[string]any{"title": "报名中的专题班"})
	a.OpenClass(c, open)
	a.CreateClass(c, map[string]any{"title": "尚未开放的班"})
	// The portal's content is cached for a minute; the class shows after it.
	later := time.Now().Add(2 * time.Minute)
	a.Portal.SetClock(func() time.Time { return later })
	p = a.Do("GET", "/api/v1/portal", "", nil).JSON(t)
	if got := titles(t, p, "open_classes"); got != "报名中的专题班" {
		t.Fatalf("open classes = %q", got)
	}
	col1 := a.Do("GET", fmt.Sprintf("/api/v1/colleges/%d", c.College), "", nil).JSON(t)
	if got := titles(t, col1, "open_classes"); got != "报名中的专题班" {
		t.Fatalf("the college's open classes = %q", got)
	}
	if col1["can_edit"] != false {
		t.Fatal("a visitor may edit the introduction")
	}
	page := collegetest.PageGet(a.Browser(), fmt.Sprintf("/colleges/%d", c.College), 200)
	collegetest.MustContain(t, page, "报名中的专题班", "市委党校分院")
}
