package training_test

import (
	"bytes"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"

	"github.com/chromedp/chromedp"
)

// adminPagesUpload posts a multipart form like a browser: the fields in
// order, then the file.
func adminPagesUpload(b *collegetest.Browser, path string, fields [][2]string, filename string, content []byte, header map[string]string) collegetest.Response {
	b.App.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		_ = w.WriteField(f[0], f[1])
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		b.App.T.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return b.Send(req)
}

func adminPagesClassStatus(a *collegetest.App, id uint64) string {
	a.T.Helper()
	var st string
	if err := a.DB.Table("training_classes").Select("status").Where("id = ?", id).Scan(&st).Error; err != nil {
		a.T.Fatal(err)
	}
	return st
}

func adminPagesAudit(a *collegetest.App, action, actor string, target uint64) int64 {
	var n int64
	a.DB.Table("audit_logs").Where("action = ? AND actor_name = ? AND target_id = ?", action, actor, target).Count(&n)
	return n
}

// adminPagesForm is a valid class plan form.
func adminPagesForm(c *collegetest.City, title string) url.Values {
	return url.Values{"title": {title}, "kind": {"专题班"}, "host_org_id": {fmt.Sprint(c.College)}, "starts_on": {collegetest.Day(20)},
		"ends_on": {collegetest.Day(24)}, "place": {"市委党校"}, "quota": {"30"}, "hours": {""}, "self_registration": {"1"},
		"registration_closes_at": {collegetest.Day(18) + "T17:30"}, "contact": {"李老师"}, "min_attendance": {"80"}}
}

var adminPagesClassPath = regexp.MustCompile(`^/admin/classes/(\d+)`)

// adminPagesCreate creates a class through the form and returns its id.
func adminPagesCreate(t *testing.T, b *collegetest.Browser, form url.Values) uint64 {
	t.Helper()
	loc := collegetest.MustRedirect(t, collegetest.PagePostFrom(b, "/admin/classes/new", "/admin/classes", form), "/admin/classes/")
	m := adminPagesClassPath.FindStringSubmatch(loc)
	id, _ := strconv.ParseUint(m[1], 10, 64)
	return id
}

func TestAdminPagesClassLifeCycle(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	org := collegetest.LoginPages(a, "org", collegetest.UserPassword)

	// A cadre has no business on these pages.
	cadre := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	for _, p := range []string{"/admin/classes", "/admin/classes/new", "/admin/filings"} {
		if r := cadre.Req("GET", p, nil); r.Status != 403 || !strings.Contains(string(r.Body), "没有权限") {
			t.Fatalf("a learner on %s: %d", p, r.Status)
		}
	}
	// The college admin has no filing queue; the org department creates no class.
	collegetest.MustStatus(t, col.Req("GET", "/admin/filings", nil), 403)
	collegetest.MustStatus(t, org.Req("GET", "/admin/classes/new", nil), 403)

	list := collegetest.PageOK(col, "/admin/classes")
	collegetest.MustContain(t, list, "班次管理", `href="/admin/classes/new"`, "还没有班次")

	// A bad form comes back with the messages next to the fields.
	bad := adminPagesForm(c, "")
	bad.Set("quota", "三十")
	bad.Set("ends_on", collegetest.Day(10))
	r := collegetest.PagePostFrom(col, "/admin/classes/new", "/admin/classes", bad)
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "必填", "名额应为整数", "结束日期不能早于开始日期", `value="三十"`)

	id := adminPagesCreate(t, col, adminPagesForm(c, "乡村振兴专题培训班"))
	var stored struct {
		Title         string
		HoursX100     int64 `gorm:"column:hours_x100"`
		Quota         int
		SelfReg       bool      `gorm:"column:self_registration"`
		Waitlist      bool      `gorm:"column:waitlist"`
		RegClosesAt   time.Time `gorm:"column:registration_closes_at"`
		MinAttendance int
		Status        string
		HostOrgID     uint64
	}
	a.DB.Table("training_classes").Where("id = ?", id).Take(&stored)
	wantClose, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(18)+" 17:30", web.Shanghai)
	if stored.Title != "乡村振兴专题培训班" || stored.Quota != 30 || stored.HoursX100 != 0 || !stored.SelfReg || !stored.Waitlist ||
		!stored.RegClosesAt.Equal(wantClose) || stored.MinAttendance != 80 || stored.Status != "draft" || stored.HostOrgID != c.College {
		t.Fatalf("stored class: %+v (closes at %v, want %v)", stored, stored.RegClosesAt, wantClose)
	}
	list = collegetest.PageOK(col, "/admin/classes")
	collegetest.MustContain(t, list, "班次已创建（草稿）", "乡村振兴专题培训班", `<span class="badge badge-warn">草稿</span>`)
	if draftTab := collegetest.PageOK(col, "/admin/classes?status=filing"); strings.Contains(draftTab, "乡村振兴专题培训班") {
		t.Fatal("the filing tab lists a draft")
	}
	ws := collegetest.PageOK(col, fmt.Sprintf("/admin/classes/%d", id))
	collegetest.MustContain(t, ws, "提交备案", "按 5 天 × 每天 6 学时折算", "出勤率不低于 80%")

	// Quotas: a unit quota is saved; a quota above the class's total is refused on the page.
	wsPath := fmt.Sprintf("/admin/classes/%d", id)
	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/quotas", url.Values{"quota_org": {fmt.Sprint(c.UnitA), "", fmt.Sprint(c.UnitB)}, "quota_n": {"5", "", "50"}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "各单位名额之和（55）超过班次总名额（30）")
	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/quotas", url.Values{"quota_org": {fmt.Sprint(c.UnitA), ""}, "quota_n": {"5", ""}})
	collegetest.MustRedirect(t, r, wsPath+"#quotas")
	var quotas []struct {
		OrgID uint64
		Quota int
	}
	a.DB.Table("class_quotas").Where("class_id = ?", id).Scan(&quotas)
	if len(quotas) != 1 || quotas[0].OrgID != c.UnitA || quotas[0].Quota != 5 {
		t.Fatalf("quotas = %+v", quotas)
	}

	// A timetable item in Beijing time.
	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/sessions", url.Values{"topic": {"开班式与专题辅导"}, "teacher": {"王教授"}, "date": {collegetest.Day(20)}, "start": {"09:00"}, "end": {"12:00"}})
	collegetest.MustRedirect(t, r, wsPath+"#sessions")
	var sessionID uint64
	var startsAt time.Time
	row := a.DB.Table("class_sessions").Select("id, starts_at").Where("class_id = ?", id).Row()
	if err := row.Scan(&sessionID, &startsAt); err != nil {
		t.Fatal(err)
	}
	wantStart, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(20)+" 09:00", web.Shanghai)
	if !startsAt.Equal(wantStart) {
		t.Fatalf("session starts at %v, want %v", startsAt, wantStart)
	}
	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/sessions", url.Values{"topic": {"越界"}, "date": {collegetest.Day(40)}, "start": {"09:00"}, "end": {"08:00"}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "结束时间应晚于开始时间", `value="越界"`)

	// Filed: the plan can no longer be edited, and the page says so.
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, wsPath+"/submit", nil), wsPath)
	if st := adminPagesClassStatus(a, id); st != "filing" {
		t.Fatalf("after submit: %s", st)
	}
	edit := collegetest.PageOK(col, wsPath+"/edit")
	collegetest.MustContain(t, edit, "只有草稿状态的班次可以修改计划（当前：备案审核中）", "<fieldset disabled>")
	r = collegetest.PagePostFrom(col, wsPath+"/edit", wsPath, adminPagesForm(c, "偷改"))
	collegetest.MustStatus(t, r, 409)
	collegetest.MustContain(t, string(r.Body), "只有草稿状态的班次可以修改计划")

	// The org department sees it in the queue; a rejection needs a reason.
	queue := collegetest.PageOK(org, "/admin/filings")
	collegetest.MustContain(t, queue, "乡村振兴专题培训班", fmt.Sprintf(`id="filing-%d"`, id), "市委党校分院", "全市班次概况", `/admin/classes?status=filing`)
	r = collegetest.PagePostFrom(org, "/admin/filings", wsPath+"/reject", url.Values{"back": {"filings"}, "reason": {"  "}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "必填", "待审核")
	collegetest.MustStatus(t, collegetest.PagePostFrom(col, wsPath, wsPath+"/approve", nil), 403) // the host does not approve
	r = collegetest.PagePostFrom(org, "/admin/filings", wsPath+"/reject", url.Values{"back": {"filings"}, "reason": {"课程安排过满，请压缩为 4 天"}})
	collegetest.MustRedirect(t, r, "/admin/filings")
	if st := adminPagesClassStatus(a, id); st != "draft" {
		t.Fatalf("after reject: %s", st)
	}
	if q := collegetest.PageOK(org, "/admin/filings"); strings.Contains(q, fmt.Sprintf(`id="filing-%d"`, id)) || !strings.Contains(q, "已退回") || !strings.Contains(q, "没有待审核的班次计划") {
		t.Fatal("the rejected class is still queued, or no flash")
	}
	ws = collegetest.PageOK(col, wsPath)
	collegetest.MustContain(t, ws, "组织部门退回了备案", "课程安排过满，请压缩为 4 天")

	// Edited as a draft, filed again, approved from the workspace.
	form := adminPagesForm(c, "乡村振兴专题培训班（压缩）")
	form.Set("ends_on", collegetest.Day(23))
	form.Set("hours", "24")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath+"/edit", wsPath, form), wsPath)
	a.DB.Table("training_classes").Where("id = ?", id).Take(&stored)
	if stored.Title != "乡村振兴专题培训班（压缩）" || stored.HoursX100 != 2400 {
		t.Fatalf("after edit: %+v", stored)
	}
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, wsPath+"/submit", nil), wsPath)
	review := collegetest.PageOK(org, wsPath)
	collegetest.MustContain(t, review, "备案通过", "退回修改")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(org, wsPath, wsPath+"/approve", nil), wsPath)
	if st := adminPagesClassStatus(a, id); st != "approved" {
		t.Fatalf("after approve: %s", st)
	}
	collegetest.MustStatus(t, collegetest.PagePostFrom(org, wsPath, wsPath+"/open", nil), 403) // the host opens
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, wsPath+"/open", nil), wsPath)
	if st := adminPagesClassStatus(a, id); st != "registration_open" {
		t.Fatalf("after open: %s", st)
	}

	// A unit nominates a cadre through the API; the host admits on the page.
	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/registrations", id), c.Tokens["ua_admin"], map[string]any{"user_id": c.IDs["ua_cadre"]})
	collegetest.MustStatus(t, r, 201)
	reg := r.ID(t)
	ws = collegetest.PageOK(col, wsPath+"?reg=pending")
	collegetest.MustContain(t, ws, "测试ua_cadre", "东城区发改委", "单位推荐", `<span class="badge badge-warn">待审核</span>`, fmt.Sprintf(`action="/admin/registrations/%d/approve"`, reg))
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/registrations/%d/approve", reg), url.Values{"reg": {"pending"}})
	collegetest.MustRedirect(t, r, wsPath+"?reg=pending#registrations")
	var regStatus string
	a.DB.Table("registrations").Select("status").Where("id = ?", reg).Scan(&regStatus)
	if regStatus != "approved" {
		t.Fatalf("registration %s", regStatus)
	}
	// Admitting it again is refused on the row, not with an error page.
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/registrations/%d/reject", reg), nil)
	collegetest.MustStatus(t, r, 409)
	collegetest.MustContain(t, string(r.Body), "只有待审核或候补的报名可以不予录取")

	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, wsPath+"/start", nil), wsPath)
	// The host signs the trainee in by hand.
	att := collegetest.PageOK(col, fmt.Sprintf("%s?att=%d", wsPath, sessionID))
	collegetest.MustContain(t, att, fmt.Sprintf(`action="/admin/sessions/%d/attendance"`, sessionID), fmt.Sprintf(`name="present" value="%d"`, c.IDs["ua_cadre"]))
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/sessions/%d/attendance", sessionID), url.Values{"shown": {fmt.Sprint(c.IDs["ua_cadre"])}, "present": {fmt.Sprint(c.IDs["ua_cadre"])}})
	collegetest.MustRedirect(t, r, fmt.Sprintf("%s?att=%d#attendance", wsPath, sessionID))
	if signed := a.Count("class_attendance", "session_id = ? AND user_id = ? AND method = ?", sessionID, c.IDs["ua_cadre"], "host"); signed != 1 {
		t.Fatal("attendance not recorded")
	}
	collegetest.MustContain(t, collegetest.PageOK(col, wsPath), "1/1", "导出学员名册", "/api/v1/classes/"+fmt.Sprint(id)+"/signin-sheet.xlsx")

	// Graduation needs a confirmation and the files.
	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/graduate", nil)
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "请核对名单后勾选确认")
	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/graduate", url.Values{"confirm": {"1"}})
	collegetest.MustStatus(t, r, 422)
	collegetest.MustContain(t, string(r.Body), "结班前请上传：培训方案、签到表、课程表")

	// Files through the page's form: the kind field comes before the file.
	pdf := []byte("%PDF-1.4\n% class file\n")
	token := col.CSRF(col.Req("GET", wsPath, nil))
	for _, k := range [][2]string{{"plan", "培训方案.pdf"}, {"signin_sheet", "签到表.pdf"}} {
		r = adminPagesUpload(col, wsPath+"/files", [][2]string{{"_csrf", token}, {"kind", k[0]}}, k[1], pdf, nil)
		collegetest.MustRedirect(t, r, wsPath+"#files")
	}
	r = adminPagesUpload(col, wsPath+"/files", [][2]string{{"_csrf", token}, {"kind", "timetable"}}, "evil.exe", []byte("MZ\x90\x00binary"), nil)
	collegetest.MustStatus(t, r, 415)
	collegetest.MustContain(t, string(r.Body), "只能上传 PDF、Word、Excel 文件或 PNG、JPEG 图片")
	collegetest.MustStatus(t, adminPagesUpload(col, wsPath+"/files", [][2]string{{"kind", "timetable"}}, "课程表.pdf", pdf, nil), 403) // no token
	r = adminPagesUpload(col, wsPath+"/files", [][2]string{{"_csrf", token}, {"kind", "timetable"}}, "", nil, nil)                  // no file chosen
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "请选择要上传的文件")
	// The page's script: a large file with the CSRF header, kind in the query, JSON back.
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 5<<20)...)
	r = adminPagesUpload(col, wsPath+"/files?kind=timetable", nil, "课程表.pdf", big, map[string]string{"X-CSRF-Token": token, "Accept": "application/json"})
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["redirect"] != wsPath+"#files" {
		t.Fatalf("script upload: %s", r.Body)
	}
	var files []struct {
		Kind string
		Size int64
	}
	a.DB.Table("class_files").Where("class_id = ?", id).Order("id").Scan(&files)
	if len(files) != 3 || files[0].Kind != "plan" || files[1].Kind != "signin_sheet" || files[2].Kind != "timetable" || files[2].Size != int64(len(big)) {
		t.Fatalf("files = %+v", files)
	}
	ws = collegetest.PageOK(col, wsPath)
	collegetest.MustContain(t, ws, "已上传课程表：课程表.pdf", "培训方案：已上传", "课程表：已上传", `href="/api/v1/class-files/`)

	r = collegetest.PagePostFrom(col, wsPath, wsPath+"/graduate", url.Values{"confirm": {"1"}})
	collegetest.MustRedirect(t, r, wsPath+"#graduation")
	if st := adminPagesClassStatus(a, id); st != "graduated" {
		t.Fatalf("after graduation: %s", st)
	}
	var serial string
	a.DB.Table("certificates").Select("serial").Where("class_id = ? AND user_id = ?", id, c.IDs["ua_cadre"]).Scan(&serial)
	if serial == "" {
		t.Fatal("no certificate")
	}
	ws = collegetest.PageOK(col, wsPath)
	collegetest.MustContain(t, ws, "已结班：1 人结业，每人登记 24 学时", "结班结果", `href="/certificates/`+serial+`"`, "归档")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(org, wsPath, wsPath+"/archive", nil), wsPath)

	// Every page action is in the audit log, as the API records it.
	for _, x := range []struct {
		action, actor string
		target        uint64
		n             int64
	}{
		{"class.create", "col", id, 1}, {"class.update", "col", id, 1}, {"class.submit", "col", id, 2}, {"class.reject", "org", id, 1},
		{"class.approve", "org", id, 1}, {"class.open", "col", id, 1}, {"class.start", "col", id, 1}, {"class.quotas", "col", id, 1},
		{"class.session.add", "col", id, 1}, {"registration.approve", "col", reg, 1}, {"class.attendance", "col", sessionID, 1},
		{"class.file", "col", id, 3}, {"class.graduate", "col", id, 1}, {"class.archive", "org", id, 1},
	} {
		if n := adminPagesAudit(a, x.action, x.actor, x.target); n != x.n {
			t.Errorf("audit %s by %s on %d: %d entries, want %d", x.action, x.actor, x.target, n, x.n)
		}
	}
	var detail string
	a.DB.Table("audit_logs").Select("detail").Where("action = ? AND target_id = ?", "class.reject", id).Scan(&detail)
	if !strings.Contains(detail, "课程安排过满") {
		t.Fatalf("reject audit detail: %s", detail)
	}
}

func TestAdminPagesRegistrationsLeaveAndScreen(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	adm := c.Tokens["org"]
	var cadres []uint64
	for i := range 3 {
		cadres = append(cadres, a.CreateUser(adm, fmt.Sprintf("lv%d", i), c.UnitA, "learner"))
	}
	col := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	form := adminPagesForm(c, "基层党建专题培训班")
	form.Set("starts_on", collegetest.Day(10))
	form.Set("ends_on", collegetest.Day(11))
	form.Set("hours", "14")
	form.Set("quota", "3")
	form.Del("registration_closes_at")
	id := adminPagesCreate(t, col, form)
	wsPath := fmt.Sprintf("/admin/classes/%d", id)
	var sessions []uint64
	for i, topic := range []string{"专题讲座", "现场教学"} {
		start := []string{"09:00", "14:00"}[i]
		end := []string{"12:00", "17:00"}[i]
		r := collegetest.PagePostFrom(col, wsPath, wsPath+"/sessions", url.Values{"topic": {topic}, "date": {collegetest.Day(10)}, "start": {start}, "end": {end}, "site": {[]string{"", "红色教育基地"}[i]}})
		collegetest.MustRedirect(t, r, wsPath+"#sessions")
	}
	a.DB.Table("class_sessions").Where("class_id = ?", id).Order("starts_at").Pluck("id", &sessions)
	// A session nobody signed in to can be deleted; the class keeps the other.
	extra := collegetest.PagePostFrom(col, wsPath, wsPath+"/sessions", url.Values{"topic": {"多余的课"}, "date": {collegetest.Day(11)}, "start": {"09:00"}, "end": {"10:00"}})
	collegetest.MustRedirect(t, extra, wsPath)
	var extraID uint64
	a.DB.Table("class_sessions").Select("id").Where("class_id = ? AND topic = ?", id, "多余的课").Scan(&extraID)
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/sessions/%d/delete", extraID), nil), wsPath+"#sessions")
	if n := adminPagesAudit(a, "class.session.delete", "col", extraID); n != 1 {
		t.Fatalf("delete audit: %d", n)
	}

	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/submit", id), c.Tokens["col"], nil), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/approve", id), adm, nil), 200)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/open", id), c.Tokens["col"], nil), 200)
	var regs []uint64
	for _, u := range cadres {
		r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/registrations", id), c.Tokens["ua_admin"], map[string]any{"user_id": u})
		collegetest.MustStatus(t, r, 201)
		regs = append(regs, r.ID(t))
	}
	// A fourth waits: the class is full.
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/registrations", id), c.Tokens["ua_admin"], map[string]any{"user_id": c.IDs["ua_cadre"]})
	collegetest.MustStatus(t, r, 201)
	waiting := r.ID(t)
	ws := collegetest.PageOK(col, wsPath)
	collegetest.MustContain(t, ws, "候补中", "待审核")

	// Refused with a reason; the waiting cadre moves up.
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/registrations/%d/reject", regs[0]), url.Values{"reason": {"职级不符合本班要求"}})
	collegetest.MustRedirect(t, r, wsPath)
	var got struct{ Status, Note string }
	a.DB.Table("registrations").Select("status, note").Where("id = ?", regs[0]).Scan(&got)
	if got.Status != "rejected" || got.Note != "职级不符合本班要求" {
		t.Fatalf("rejected registration: %+v", got)
	}
	a.DB.Table("registrations").Select("status, note").Where("id = ?", waiting).Scan(&got)
	if got.Status != "pending" {
		t.Fatalf("the waiting cadre was not promoted: %+v", got)
	}
	// Withdrawn by the host before the class starts.
	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/registrations/%d/withdraw", regs[1]), nil), wsPath)
	for _, rid := range []uint64{regs[2], waiting} {
		collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/registrations/%d/approve", rid), nil), wsPath)
	}
	for action, target := range map[string]uint64{"registration.reject": regs[0], "registration.withdraw": regs[1], "registration.approve": waiting} {
		if n := adminPagesAudit(a, action, "col", target); n != 1 {
			t.Errorf("audit %s: %d", action, n)
		}
	}
	// The org department reads the registrations but has no buttons.
	org := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	orgWS := collegetest.PageOK(org, wsPath)
	collegetest.MustContain(t, orgWS, "报名审核", "测试lv2")
	if strings.Contains(orgWS, "/admin/registrations/") || strings.Contains(orgWS, "签到码大屏") {
		t.Fatal("the org department is offered the host's actions")
	}
	collegetest.MustStatus(t, collegetest.PagePostFrom(org, wsPath, fmt.Sprintf("/admin/registrations/%d/withdraw", regs[2]), nil), 403)

	collegetest.MustRedirect(t, collegetest.PagePostFrom(col, wsPath, wsPath+"/start", nil), wsPath)

	// The teacher's screen shows the code and the QR image; a new code replaces it.
	var code string
	a.DB.Table("class_sessions").Select("code").Where("id = ?", sessions[0]).Scan(&code)
	screen := collegetest.PageOK(col, fmt.Sprintf("/admin/sessions/%d/screen", sessions[0]))
	collegetest.MustContain(t, screen, code[:3], code[3:], fmt.Sprintf(`src="/api/v1/sessions/%d/qr.png?v=%s"`, sessions[0], code), "专题讲座", "更换签到码")
	qr := col.Req("GET", fmt.Sprintf("/api/v1/sessions/%d/qr.png?v=%s", sessions[0], code), nil)
	collegetest.MustStatus(t, qr, 200)
	if !bytes.HasPrefix(qr.Body, []byte("\x89PNG")) {
		t.Fatal("the screen's QR image is not a PNG")
	}
	collegetest.MustStatus(t, org.Req("GET", fmt.Sprintf("/admin/sessions/%d/screen", sessions[0]), nil), 403)
	r = collegetest.PagePostFrom(col, fmt.Sprintf("/admin/sessions/%d/screen", sessions[0]), fmt.Sprintf("/admin/sessions/%d/code", sessions[0]), nil)
	collegetest.MustRedirect(t, r, fmt.Sprintf("/admin/sessions/%d/screen", sessions[0]))
	var renewed string
	a.DB.Table("class_sessions").Select("code").Where("id = ?", sessions[0]).Scan(&renewed)
	screen = collegetest.PageOK(col, fmt.Sprintf("/admin/sessions/%d/screen", sessions[0]))
	if renewed == code || !strings.Contains(screen, renewed[:3]) || !strings.Contains(screen, "已更换签到码") {
		t.Fatalf("code %s renewed to %s", code, renewed)
	}
	if n := adminPagesAudit(a, "class.session.code", "col", sessions[0]); n != 1 {
		t.Fatalf("code audit: %d", n)
	}

	// A session with a sign-in cannot be deleted; the page says why.
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/sessions/%d/attendance", sessions[0]), url.Values{"shown": {fmt.Sprint(cadres[2])}, "present": {fmt.Sprint(cadres[2])}})
	collegetest.MustRedirect(t, r, wsPath)
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/sessions/%d/delete", sessions[0]), nil)
	collegetest.MustStatus(t, r, 409)
	collegetest.MustContain(t, string(r.Body), "已有学员签到，不能删除该课程")
	// Unticking signs the trainee out again.
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/sessions/%d/attendance", sessions[0]), url.Values{"shown": {fmt.Sprint(cadres[2])}})
	collegetest.MustRedirect(t, r, wsPath)
	if left := a.Count("class_attendance", "session_id = ?", sessions[0]); left != 0 {
		t.Fatal("unticked trainee still signed in")
	}

	// Leave: 14 class hours allow 2 hours; 3 hours of leave takes a trainee over.
	r = a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/leaves", id), a.Login("lv2", collegetest.UserPassword), map[string]any{"session_ids": []uint64{sessions[1]}, "reason": "单位紧急任务"})
	collegetest.MustStatus(t, r, 201)
	leave := r.ID(t)
	ws = collegetest.PageOK(col, wsPath)
	collegetest.MustContain(t, ws, "单位紧急任务", "现场教学", "批准后将超过班次学时 1/7", fmt.Sprintf(`action="/admin/leaves/%d/approve"`, leave))
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/leaves/%d/approve", leave), nil)
	collegetest.MustRedirect(t, r, wsPath+"#leaves")
	ws = collegetest.PageOK(col, wsPath)
	collegetest.MustContain(t, ws, "已批准请假 3 学时：测试lv2", "应予退学", "累计请假超过班次学时 1/7，应予退学", "请假超过规定比例，应予退学")
	r = collegetest.PagePostFrom(col, wsPath, fmt.Sprintf("/admin/leaves/%d/reject", leave), nil)
	collegetest.MustStatus(t, r, 409)
	collegetest.MustContain(t, string(r.Body), "该请假申请已处理")
	if n := adminPagesAudit(a, "leave.approve", "col", leave); n != 1 {
		t.Fatalf("leave audit: %d", n)
	}
	// The trainee over the limit shows why they would not graduate.
	collegetest.MustContain(t, ws, "请假超过规定比例")
}

// adminPagesScreens sets up classes in several states for the screenshots.
func adminPagesScreens(t *testing.T, a *collegetest.App, c *collegetest.City) (draft, filing, running, graduated uint64, session uint64) {
	t.Helper()
	col := c.Tokens["col"]
	mk := func(title string, offset int, extra map[string]any) uint64 {
		body := map[string]any{"title": title, "starts_on": collegetest.Day(offset), "ends_on": collegetest.Day(offset + 4),
			"quota": 40, "place": "市委党校 3 号教学楼", "min_attendance": 80, "contact": "李老师", "contact_phone": "0571-88886666"}
		maps.Copy(body, extra)
		return a.CreateClass(c, body)
	}
	draft = mk("2026 年第二期县处级干部进修班", 30, map[string]any{"levels": []string{"县处级"}})
	filing = mk("学习贯彻党的二十届四中全会精神专题培训班", 25, nil)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/submit", filing), col, nil), 200)
	running = mk("乡村振兴与基层治理能力提升专题培训班（第一期）", 5, nil)
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/quotas", running), col, map[string]any{"quotas": []map[string]any{{"org_id": c.UnitA, "quota": 20}, {"org_id": c.UnitB, "quota": 10}}}), 200)
	start, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(5)+" 09:00", web.Shanghai)
	for i, topic := range []string{"开班式暨专题辅导：深入学习贯彻习近平新时代中国特色社会主义思想", "乡村振兴战略的实践路径", "现场教学：数字乡村示范点"} {
		r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", running), col, map[string]any{"topic": topic, "teacher": "王教授", "place": "第一教室",
			"starts_at": start.Add(time.Duration(i) * 5 * time.Hour), "ends_at": start.Add(time.Duration(i)*5*time.Hour + 3*time.Hour)})
		collegetest.MustStatus(t, r, 201)
		if i == 0 {
			session = r.ID(t)
		}
	}
	a.OpenClass(c, running)
	// Each unit nominates its cadre; unit B's waits for the host.
	a.Admit(c, c.Tokens["ua_admin"], running, c.IDs["ua_cadre"])
	collegetest.MustStatus(t, a.Register(c.Tokens["ub_admin"], running, c.IDs["ub_cadre"]), 201)
	graduated = mk("年轻干部理想信念教育专题培训班", 40, map[string]any{"hours": 24, "min_attendance": 0})
	a.OpenClass(c, graduated)
	a.Admit(c, c.Tokens["ua_admin"], graduated, c.IDs["ua_cadre"])
	a.Admit(c, c.Tokens["ub_admin"], graduated, c.IDs["ub_cadre"])
	a.StartClass(c, graduated)
	pdf := []byte("%PDF-1.4\n% file\n")
	for _, k := range []string{"plan", "signin_sheet", "timetable"} {
		collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=%s", graduated, k), col, k+".pdf", pdf, nil), 201)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", graduated), col, map[string]any{"absent_user_ids": []uint64{c.IDs["ub_cadre"]}}), 200)
	return draft, filing, running, graduated, session
}

// The pages at phone and desktop width: nothing scrolls sideways.
func TestAdminPagesBrowserScreens(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	draft, filing, running, graduated, session := adminPagesScreens(t, a, c)
	base := a.Start()
	check := func(path, want, shot string, width int) {
		t.Helper()
		viewport := chromedp.EmulateViewport(int64(width), 900, chromedp.EmulateMobile)
		if width > 600 {
			viewport = chromedp.EmulateViewport(int64(width), 900)
		}
		if path != "" { // "" checks the page the browser is on
			if err := chromedp.Do(ctx, viewport, chromedp.Navigate(base+path)); err != nil {
				t.Fatalf("open %s: %v", path, err)
			}
		}
		collegetest.WaitText(t, ctx, want)
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if w > width {
			t.Errorf("%s is %d px wide at %d px", path, w, width)
		}
		collegetest.Screenshot(t, ctx, fmt.Sprintf("%s-%d", shot, width))
	}
	collegetest.ChromeLogin(t, ctx, base, "col", collegetest.UserPassword)
	// The page's script: another quota row on a click, and a file sent with a progress bar.
	check(fmt.Sprintf("/admin/classes/%d", draft), "调整名额分配", "ta-11-rows", 390)
	rows := `document.querySelectorAll('#quota-form .ta-row').length`
	before, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-add-row="quota"]`))); err != nil {
		t.Fatal(err)
	}
	if after, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows)); err != nil || after != before+1 {
		t.Fatalf("quota rows %d -> %d (%v)", before, after, err)
	}
	doc := filepath.Join(t.TempDir(), "培训方案.pdf")
	if err := os.WriteFile(doc, append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 5<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#file-input`), []string{doc}), chromedp.Click(chromedp.CSS(`#file-upload`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "已上传培训方案：培训方案.pdf")
	if uploaded := a.Count("class_files", "class_id = ? AND kind = ? AND size > ?", draft, "plan", 5<<20); uploaded != 1 {
		t.Fatal("the script's upload is not stored")
	}
	for _, width := range []int{390, 1280} {
		check("/admin/classes", "班次列表", "ta-01-classes", width)
		check("/admin/classes/new", "名额与报名", "ta-02-new", width)
		check(fmt.Sprintf("/admin/classes/%d", draft), "提交备案", "ta-03-draft", width)
		check(fmt.Sprintf("/admin/classes/%d", running), "报名审核", "ta-04-open", width)
		check(fmt.Sprintf("/admin/sessions/%d/screen", session), "签到码", "ta-05-screen", width)
		check(fmt.Sprintf("/admin/classes/%d", graduated), "结班结果", "ta-08-graduated", width)
		// The plan form sent empty shows its messages.
		check("/admin/classes/new", "名额与报名", "ta-09-errors", width)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#class-save`))); err != nil {
			t.Fatal(err)
		}
		check("", "提交的内容有误", "ta-09-errors", width)
	}
	a.StartClass(c, running)
	for _, width := range []int{390, 1280} {
		check(fmt.Sprintf("/admin/classes/%d?att=%d#attendance", running, session), "登记考勤", "ta-06-in-session", width)
	}
	ctx = collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, ctx, base, "org", collegetest.UserPassword)
	for _, width := range []int{390, 1280} {
		check("/admin/filings", "全市班次概况", "ta-07-filings", width)
		check(fmt.Sprintf("/admin/classes/%d", filing), "退回修改", "ta-10-review", width)
	}
}
