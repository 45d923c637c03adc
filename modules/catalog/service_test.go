package catalog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"syscall"
	"testing"

	"college/modules/audit"
	"college/modules/catalog"
	"college/modules/identity"
	"college/modules/settings"
	"college/modules/web"
	"college/storage/db/dbtest"
	"college/storage/objects"
	"college/storage/objects/objectstest"

	"gorm.io/gorm"
)

var (
	// admin manages the courses of college 5.
	admin = &web.Principal{UserID: 1, Username: "col", Roles: []string{web.RoleCollegeAdmin}, OrgID: 5, OrgPath: "/1/5/"}
	// otherAdmin manages college 6.
	otherAdmin = &web.Principal{UserID: 2, Username: "col6", Roles: []string{web.RoleCollegeAdmin}, OrgID: 6, OrgPath: "/1/6/"}
)

// learner is a cadre of the given level in unit 7 (under the root 1).
func learner(level string) *web.Principal {
	return &web.Principal{UserID: 10, Username: "cadre", Roles: []string{web.RoleLearner}, OrgID: 7, OrgPath: "/1/7/", Level: level}
}

type env struct {
	t   *testing.T
	svc *catalog.Service
	db  *gorm.DB
	ctx context.Context
}

// newEnv builds the catalog on a fresh database; auditor nil means the
// audit module itself.
func newEnv(t *testing.T, auditor web.Auditor) *env {
	t.Helper()
	gdb := dbtest.New(t, slices.Concat(settings.Migrations(), identity.Migrations(), audit.Migrations(), catalog.Migrations())...)
	for _, o := range []identity.Org{{ID: 1, Name: "市委组织部", Code: "R", Kind: "department", Path: "/1/"}, {ID: 5, Name: "市委党校", Code: "C5", Kind: "college", Path: "/1/5/"},
		{ID: 6, Name: "区委党校", Code: "C6", Kind: "college", Path: "/1/6/"}, {ID: 7, Name: "市发改委", Code: "U7", Kind: "unit", Path: "/1/7/"}, {ID: 8, Name: "市教育局", Code: "U8", Kind: "unit", Path: "/1/8/"}} {
		if err := gdb.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	if auditor == nil {
		a, err := audit.New(audit.Deps{DB: gdb, Secret: []byte("0123456789abcdef0123456789abcdef"), Log: log})
		if err != nil {
			t.Fatal(err)
		}
		auditor = a
	}
	svc := catalog.NewService(catalog.Deps{DB: gdb, Objects: objectstest.Local(t), Settings: settings.New(gdb, nil), SignKey: []byte("0123456789abcdef0123456789abcdef"), Audit: auditor, Log: log})
	return &env{t: t, svc: svc, db: gdb, ctx: context.Background()}
}

func (e *env) course(in catalog.CourseRequest) *catalog.Course {
	e.t.Helper()
	if in.Kind == "" {
		in.Kind = catalog.KindRequired
	}
	c, err := e.svc.CreateCourse(e.ctx, admin, in)
	if err != nil {
		e.t.Fatalf("create course: %v", err)
	}
	return c
}

func (e *env) article(course uint64, minutes int) {
	e.t.Helper()
	if _, err := e.svc.AddLesson(e.ctx, admin, course, catalog.LessonRequest{Title: "阅读材料", Type: catalog.LessonArticle, Body: "正文", MinReadSeconds: minutes * 60}); err != nil {
		e.t.Fatalf("add lesson: %v", err)
	}
}

func (e *env) count(model any, where string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Model(model).Where(where, args...).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

func fields(err error) map[string]string {
	var we *web.Error
	if errors.As(err, &we) {
		return we.Fields
	}
	return nil
}

func TestCourseValidation(t *testing.T) {
	e := newEnv(t, nil)
	over := web.Hours(100*100 + 1)
	_, err := e.svc.CreateCourse(e.ctx, admin, catalog.CourseRequest{Title: "  ", Kind: "mandatory", AudienceLevels: []string{"正国级"}, Hours: &over})
	f := fields(err)
	for _, name := range []string{"title", "kind", "audience_levels", "hours"} {
		if f[name] == "" {
			t.Errorf("no error on %s: %v", name, err)
		}
	}
	if _, err := e.svc.CreateCourse(e.ctx, learner(""), catalog.CourseRequest{Title: "学习课程", Kind: catalog.KindRequired}); !web.IsStatus(err, 403) {
		t.Errorf("a learner created a course: %v", err)
	}
	if n := e.count(&catalog.Course{}, "1 = 1"); n != 0 {
		t.Fatalf("%d courses after refused creations", n)
	}
	if n := e.count(&audit.Log{}, "1 = 1"); n != 0 {
		t.Fatalf("%d audit entries after refused creations", n)
	}
	// Another college's administrator cannot see the course to change it.
	c := e.course(catalog.CourseRequest{Title: "党史学习"})
	if _, err := e.svc.UpdateCourse(e.ctx, otherAdmin, c.ID, catalog.CourseRequest{Title: "改名", Kind: catalog.KindRequired}); !web.IsStatus(err, 404) {
		t.Fatalf("another college's update: %v", err)
	}
}

func TestCreateCourseRecordsItsEntry(t *testing.T) {
	e := newEnv(t, nil)
	p := *admin
	p.IP = "10.1.2.3"
	c, err := e.svc.CreateCourse(e.ctx, &p, catalog.CourseRequest{Title: "  习近平新时代中国特色社会主义思想  ", Kind: catalog.KindElective})
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "习近平新时代中国特色社会主义思想" || c.Status != catalog.StatusDraft || c.CollegeID != 5 {
		t.Fatalf("course = %+v", c)
	}
	var rows []audit.Log
	if err := e.db.Where("action = ?", "course.create").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].TargetID != c.ID || rows[0].ActorName != "col" || rows[0].ActorID != 1 || rows[0].IP != "10.1.2.3" || !rows[0].Success {
		t.Fatalf("course.create entries = %+v", rows)
	}
}

// downAuditor is an audit log that cannot be written.
type downAuditor struct{ tried int }

func (d *downAuditor) Record(context.Context, web.AuditEntry) error {
	d.tried++
	return errors.New("audit log down")
}

// An action whose entry cannot be written fails and leaves nothing.
func TestCreateCourseFailsWithoutItsEntry(t *testing.T) {
	down := &downAuditor{}
	e := newEnv(t, down)
	if _, err := e.svc.CreateCourse(e.ctx, admin, catalog.CourseRequest{Title: "党史学习", Kind: catalog.KindRequired, AudienceOrgIDs: []uint64{7}}); err == nil {
		t.Fatal("the course was created without its audit entry")
	}
	if down.tried != 1 {
		t.Fatalf("the entry was tried %d times", down.tried)
	}
	if n := e.count(&catalog.Course{}, "1 = 1") + e.count(&catalog.CourseOrg{}, "1 = 1"); n != 0 {
		t.Fatalf("%d rows written by a failed creation", n)
	}
}

// Publishing needs lessons, each with its file, and hours; the hours come
// from the study length by the crediting rules unless set by hand.
func TestPublishAndHoursRules(t *testing.T) {
	e := newEnv(t, nil)
	c := e.course(catalog.CourseRequest{Title: "理论课程"})
	if _, err := e.svc.Publish(e.ctx, admin, c.ID); web.AsError(err).Code != "no_lessons" {
		t.Fatalf("publish without lessons: %v", err)
	}
	if _, err := e.svc.AddLesson(e.ctx, admin, c.ID, catalog.LessonRequest{Title: "第一讲", Type: catalog.LessonVideo}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(e.ctx, admin, c.ID); web.AsError(err).Code != "media_missing" {
		t.Fatalf("publish with a video lesson without its file: %v", err)
	}

	// Study length → proposed hours (defaults: 30 min → 1, 15 → 0.5, less → 0.25).
	for _, tc := range []struct {
		minutes []int
		want    web.Hours
	}{{[]int{5}, 25}, {[]int{10, 5}, 50}, {[]int{10, 10, 10}, 100}} {
		d := e.course(catalog.CourseRequest{Title: "微课"})
		for _, m := range tc.minutes {
			e.article(d.ID, m)
		}
		got, err := e.svc.Publish(e.ctx, admin, d.ID)
		if err != nil || got.Hours != tc.want || got.Status != catalog.StatusPublished || got.PublishedAt == nil {
			t.Fatalf("%v minutes of reading: %+v, %v; want %v hours", tc.minutes, got, err, tc.want)
		}
	}
	// Hours set by hand win, and zero of them cannot be published.
	zero := web.Hours(0)
	z := e.course(catalog.CourseRequest{Title: "零学时", Hours: &zero})
	e.article(z.ID, 40)
	if _, err := e.svc.Publish(e.ctx, admin, z.ID); web.AsError(err).Code != "no_hours" {
		t.Fatalf("publish with 0 hours: %v", err)
	}
	if n := e.count(&audit.Log{}, "action = ?", "course.publish"); n != 3 {
		t.Fatalf("%d course.publish entries, want 3", n)
	}
}

func TestDeleteLessonOnlyInDrafts(t *testing.T) {
	e := newEnv(t, nil)
	c := e.course(catalog.CourseRequest{Title: "课程"})
	e.article(c.ID, 10)
	e.article(c.ID, 20)
	ls, _ := e.svc.Lessons(e.ctx, c.ID)
	if err := e.svc.DeleteLesson(e.ctx, admin, ls[1].ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.CourseForManager(e.ctx, admin, c.ID)
	if err != nil || got.Hours != 25 {
		t.Fatalf("hours after the delete = %+v, %v; want 0.25 (10 minutes)", got, err)
	}
	if _, err := e.svc.Publish(e.ctx, admin, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteLesson(e.ctx, admin, ls[0].ID); web.AsError(err).Code != "course_published" {
		t.Fatalf("delete in a published course: %v", err)
	}
	if n := e.count(&catalog.Lesson{}, "course_id = ?", c.ID); n != 1 {
		t.Fatalf("%d lessons, want 1", n)
	}
}

// The catalog shows a learner the published courses meant for their level
// and their org (or an ancestor); an audience left empty means everyone.
func TestAudienceFilters(t *testing.T) {
	e := newEnv(t, nil)
	publish := func(title string, levels []string, orgs []uint64) uint64 {
		c := e.course(catalog.CourseRequest{Title: title, AudienceLevels: levels, AudienceOrgIDs: orgs})
		e.article(c.ID, 10)
		if _, err := e.svc.Publish(e.ctx, admin, c.ID); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	all := publish("全员课程", nil, nil)
	senior := publish("县处级课程", []string{"县处级"}, nil)
	unit7 := publish("发改委课程", nil, []uint64{7})
	unit8 := publish("教育局课程", nil, []uint64{8})
	city := publish("全市课程", nil, []uint64{1})
	draft := e.course(catalog.CourseRequest{Title: "草稿"})
	e.article(draft.ID, 10)

	for _, tc := range []struct {
		who  *web.Principal
		want []uint64
	}{
		{learner("乡科级"), []uint64{all, unit7, city}},
		{learner("县处级"), []uint64{all, senior, unit7, city}},
		{learner(""), []uint64{all, unit7, city}},
	} {
		list, total, err := e.svc.List(e.ctx, tc.who, catalog.CourseFilter{}, web.Page{Page: 1, PageSize: 50})
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, c := range list {
			got = append(got, c.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) || total != int64(len(tc.want)) {
			t.Errorf("level %q sees %v (total %d), want %v", tc.who.Level, got, total, tc.want)
		}
	}
	if _, _, err := e.svc.VisibleCourse(e.ctx, learner("乡科级"), unit8); !web.IsStatus(err, 404) {
		t.Fatalf("another unit's course: %v", err)
	}
	// Managers list every status of their college; the system administrators see nothing.
	list, _, err := e.svc.List(e.ctx, admin, catalog.CourseFilter{Manage: true, Status: catalog.StatusDraft}, web.Page{Page: 1, PageSize: 50})
	if err != nil || len(list) != 1 || list[0].ID != draft.ID {
		t.Fatalf("drafts of the college = %v, %v", list, err)
	}
	sys := &web.Principal{UserID: 3, Username: "admin", Roles: []string{web.RoleSysAdmin}, OrgID: 1, OrgPath: "/1/"}
	if _, _, err := e.svc.List(e.ctx, sys, catalog.CourseFilter{}, web.Page{Page: 1, PageSize: 50}); !web.IsStatus(err, 403) {
		t.Fatalf("the system administrator browsed the catalog: %v", err)
	}
}

func TestCoverUploadIsAnImage(t *testing.T) {
	e := newEnv(t, nil)
	c := e.course(catalog.CourseRequest{Title: "课程"})
	pdf, err := os.Open("../media/testdata/notes.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer pdf.Close()
	if _, err := e.svc.SetCover(e.ctx, admin, c.ID, pdf); web.AsError(err).Code != "wrong_media" {
		t.Fatalf("a PDF as cover: %v", err)
	}
	png, err := os.Open("../media/testdata/image.png")
	if err != nil {
		t.Fatal(err)
	}
	defer png.Close()
	res, err := e.svc.SetCover(e.ctx, admin, c.ID, png)
	if err != nil || res.ContentType != "image/png" {
		t.Fatalf("cover = %+v, %v", res, err)
	}
	got, _ := e.svc.CourseForManager(e.ctx, admin, c.ID)
	if got.CoverKey == "" {
		t.Fatal("no cover stored")
	}
	if n := e.count(&audit.Log{}, "action = ? AND target_id = ?", "course.cover", c.ID); n != 1 {
		t.Fatalf("%d course.cover entries", n)
	}
}

// fullStore is an object store whose disk is full.
type fullStore struct{ objects.Store }

func (fullStore) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) (objects.Info, error) {
	_, _ = io.Copy(io.Discard, r)
	return objects.Info{}, fmt.Errorf("objects: write %s: %w", key, syscall.ENOSPC)
}

// brokenUpload breaks off after its first bytes, as a client's upload does.
type brokenUpload struct {
	r io.Reader
	n int
}

func (b *brokenUpload) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("unexpected EOF in multipart body")
	}
	if len(p) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= n
	return n, err
}

// An upload the store cannot keep (its disk full) is a server error that
// the handler answers 503 and logs, not the user's "upload interrupted";
// an upload the client broke off is.
func TestUploadFailuresSayWhoseFault(t *testing.T) {
	e := newEnv(t, nil)
	c := e.course(catalog.CourseRequest{Title: "课程"})
	png, err := os.ReadFile("../media/testdata/image.png")
	if err != nil {
		t.Fatal(err)
	}
	aud, err := audit.New(audit.Deps{DB: e.db, Secret: []byte("0123456789abcdef0123456789abcdef"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	full := catalog.NewService(catalog.Deps{DB: e.db, Objects: fullStore{objectstest.Local(t)}, Settings: settings.New(e.db, nil),
		SignKey: []byte("0123456789abcdef0123456789abcdef"), Audit: aud, Log: slog.New(slog.DiscardHandler)})
	_, err = full.SetCover(e.ctx, admin, c.ID, bytes.NewReader(png))
	if we := web.AsError(err); we.Status != 500 || we.Code == "upload_failed" || !web.IsOutage(we.Cause) {
		t.Fatalf("store full: %v (%+v)", err, we)
	}
	long := append(png, make([]byte, 4000)...) // a picture longer than its first read
	_, err = e.svc.SetCover(e.ctx, admin, c.ID, &brokenUpload{r: bytes.NewReader(long), n: 1000})
	if we := web.AsError(err); we.Status != 400 || we.Code != "upload_failed" {
		t.Fatalf("broken upload: %v", err)
	}
}

// The site search finds a course by any phrase of its title through the
// title index, follows an edited title, and keeps to what the learner may
// study.
func TestSearchCoursesFollowsTitles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	publish := func(c *catalog.Course) {
		if err := e.db.Model(&catalog.Course{}).Where("id = ?", c.ID).Update("status", catalog.StatusPublished).Error; err != nil {
			t.Fatal(err)
		}
	}
	rural := e.course(catalog.CourseRequest{Title: "乡村振兴战略解读", Kind: catalog.KindElective})
	publish(rural)
	digital := e.course(catalog.CourseRequest{Title: "数字政府建设", Kind: catalog.KindElective})
	publish(digital)
	e.course(catalog.CourseRequest{Title: "乡村振兴草稿", Kind: catalog.KindElective}) // a draft
	other := e.course(catalog.CourseRequest{Title: "乡村振兴本单位课程", Kind: catalog.KindElective, AudienceOrgIDs: []uint64{8}})
	publish(other)
	titles := func(q string) []string {
		t.Helper()
		cs, err := e.svc.SearchCourses(e.ctx, learner("县处级"), q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Title)
		}
		return out
	}
	if got := titles("乡村振兴"); !slices.Equal(got, []string{"乡村振兴战略解读"}) {
		t.Fatalf("乡村振兴: %v", got)
	}
	if got := titles("战略解"); !slices.Equal(got, []string{"乡村振兴战略解读"}) {
		t.Fatalf("战略解: %v", got)
	}
	if got := titles("政"); !slices.Equal(got, []string{"数字政府建设"}) {
		t.Fatalf("one character: %v", got)
	}
	if _, err := e.svc.UpdateCourse(e.ctx, admin, digital.ID, catalog.CourseRequest{Title: "法治政府建设", Kind: catalog.KindElective}); err != nil {
		t.Fatal(err)
	}
	if got := titles("数字政府"); len(got) != 0 {
		t.Fatalf("the old title still found: %v", got)
	}
	if got := titles("法治政府"); !slices.Equal(got, []string{"法治政府建设"}) {
		t.Fatalf("the new title: %v", got)
	}
	// Courses written around the index (a bulk load) are found once it is
	// rebuilt.
	if err := e.db.Exec("INSERT INTO courses (college_id, title, summary, category, kind, status, published_at, created_at, updated_at) VALUES (5, '生态文明建设', '', '', 'elective', 'published', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)").Error; err != nil {
		t.Fatal(err)
	}
	if got := titles("生态文明"); len(got) != 0 {
		t.Fatalf("found before the rebuild: %v", got)
	}
	if n, err := catalog.IndexAllTitles(e.ctx, e.db); err != nil || n != 5 {
		t.Fatalf("rebuild indexed %d: %v", n, err)
	}
	if got := titles("生态文明"); !slices.Equal(got, []string{"生态文明建设"}) {
		t.Fatalf("after the rebuild: %v", got)
	}
}
