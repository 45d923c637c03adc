package training_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"

	"github.com/chromedp/chromedp"
)

// regexpSerial finds a certificate serial in a JSON answer.
var regexpSerial = regexp.MustCompile(`"serial":"([^"]+)"`)

// pagesOpenClass creates a class of the test college, files it, has it
// approved and opens registration; fields override the defaults.
func pagesOpenClass(a *collegetest.App, c *collegetest.City, fields map[string]any) uint64 {
	a.T.Helper()
	body := map[string]any{"title": "学习贯彻专题培训班", "kind": "专题班", "host_org_id": c.College, "starts_on": collegetest.Day(20), "ends_on": collegetest.Day(22),
		"quota": 10, "hours": 24, "place": "市委党校主校区", "contact": "王老师", "contact_phone": "010-12345678"}
	maps.Copy(body, fields)
	r := a.Do("POST", "/api/v1/classes", c.Tokens["col"], body)
	collegetest.MustStatus(a.T, r, 201)
	id := r.ID(a.T)
	a.OpenClass(c, id)
	return id
}

// pagesTrainee nominates a cadre of unit A (as its unit admin) and has the
// host admit them; it returns the registration id.
func pagesTrainee(a *collegetest.App, c *collegetest.City, classID, userID uint64) uint64 {
	a.T.Helper()
	return a.Admit(c, c.Tokens["ua_admin"], classID, userID)[0]
}

// pagesAfter is the part of a page from marker on ("" when missing).
func pagesAfter(page, marker string) string {
	if i := strings.Index(page, marker); i >= 0 {
		return page[i:]
	}
	return ""
}

func pagesRegStatus(a *collegetest.App, classID, userID uint64) string {
	var st []string
	a.DB.Table("registrations").Where("class_id = ? AND user_id = ?", classID, userID).Pluck("status", &st)
	if len(st) == 0 {
		return ""
	}
	return st[0]
}

func TestTrainingPagesLearner(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	unitOnly := pagesOpenClass(a, c, map[string]any{"title": "处级干部任职培训班", "kind": "任职培训"})
	selfOK := pagesOpenClass(a, c, map[string]any{"title": "青年干部自主选学班", "self_registration": true, "starts_on": collegetest.Day(30), "ends_on": collegetest.Day(31)})
	draft := a.Do("POST", "/api/v1/classes", c.Tokens["col"], map[string]any{"title": "尚未备案的班次", "kind": "专题班", "host_org_id": c.College,
		"starts_on": collegetest.Day(40), "ends_on": collegetest.Day(41), "quota": 5})
	collegetest.MustStatus(t, draft, 201)

	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	page := collegetest.PageGet(b, "/classes", 200)
	open := pagesAfter(page, `id="open"`)
	if !strings.Contains(open, "处级干部任职培训班") || !strings.Contains(open, "青年干部自主选学班") {
		t.Fatalf("open classes missing:\n%s", page)
	}
	// 我要报名 only where the class takes self-registration.
	if !strings.Contains(page, fmt.Sprintf(`action="/classes/%d/register"`, selfOK)) {
		t.Fatal("no register button on a self-registration class")
	}
	if strings.Contains(page, fmt.Sprintf(`action="/classes/%d/register"`, unitOnly)) {
		t.Fatal("a register button on a class taking nominations only")
	}
	if !strings.Contains(pagesAfter(open, fmt.Sprintf(`id="class-%d"`, unitOnly)), "由所在单位推荐报名") {
		t.Fatal("no nomination note on the nomination-only class")
	}
	if strings.Contains(page, "尚未备案的班次") {
		t.Fatal("a draft class is listed")
	}
	collegetest.MustStatus(t, b.Req("GET", fmt.Sprintf("/classes/%d", draft.ID(t)), nil), 404)
	if mine := pagesAfter(page, `id="mine"`); !strings.Contains(mine, "您还没有参加过培训班次") {
		t.Fatalf("my classes before any registration:\n%s", mine)
	}

	// After the unit nominates the cadre, the class is in 我的班次, pending.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/registrations", unitOnly), c.Tokens["ua_admin"], map[string]any{"user_id": c.IDs["ua_cadre"]}), 201)
	page = collegetest.PageGet(b, "/classes", 200)
	mine := pagesAfter(page, `id="mine"`)
	if !strings.Contains(mine, "处级干部任职培训班") || !strings.Contains(mine, "待审核") || !strings.Contains(mine, "单位推荐") {
		t.Fatalf("my classes after nomination:\n%s", mine)
	}
	if !strings.Contains(pagesAfter(open, fmt.Sprintf(`id="class-%d"`, unitOnly)), "处级干部任职培训班") {
		t.Fatal("the nominated class left the open list")
	}
	classPage := collegetest.PageGet(b, fmt.Sprintf("/classes/%d", unitOnly), 200)
	for _, want := range []string{"待主办学院审核", "单位推荐", "市委党校主校区", "王老师", "24</span> 学时", "退出本班次"} {
		if !strings.Contains(classPage, want) {
			t.Errorf("class page lacks %q", want)
		}
	}

	// Self-registration through the form, then withdrawal.
	r := collegetest.PagePost(b, page, fmt.Sprintf("/classes/%d/register", selfOK), nil)
	collegetest.MustStatus(t, r, 303)
	if r.Header.Get("Location") != fmt.Sprintf("/classes/%d", selfOK) {
		t.Fatalf("after registering went to %q", r.Header.Get("Location"))
	}
	if got := pagesRegStatus(a, selfOK, c.IDs["ua_cadre"]); got != "pending" {
		t.Fatalf("self-registration status %q", got)
	}
	classPage = collegetest.PageGet(b, fmt.Sprintf("/classes/%d", selfOK), 200)
	if !strings.Contains(classPage, "报名成功，等待主办学院审核") || !strings.Contains(classPage, "个人报名") {
		t.Fatalf("after registering:\n%s", classPage)
	}
	r = collegetest.PagePost(b, classPage, fmt.Sprintf("/classes/%d/withdraw", selfOK), nil)
	collegetest.MustStatus(t, r, 303)
	if got := pagesRegStatus(a, selfOK, c.IDs["ua_cadre"]); got != "withdrawn" {
		t.Fatalf("after withdrawing: %q", got)
	}
	if p := collegetest.PageGet(b, fmt.Sprintf("/classes/%d", selfOK), 200); !strings.Contains(p, "您已退出本班次") || !strings.Contains(p, "重新报名") {
		t.Fatalf("after withdrawing:\n%s", p)
	}

	// A cadre cannot register for a nomination-only class: the page says why.
	o := collegetest.LoginPages(a, "ub_cadre", collegetest.UserPassword)
	page = collegetest.PageGet(o, "/classes", 200)
	r = collegetest.PagePost(o, page, fmt.Sprintf("/classes/%d/register", unitOnly), nil)
	collegetest.MustBody(t, r, 422, "本班次不接受个人报名", "处级干部任职培训班")
	if got := pagesRegStatus(a, unitOnly, c.IDs["ub_cadre"]); got != "" {
		t.Fatalf("a refused registration was stored: %q", got)
	}
	// Withdrawing without a registration is refused on the page too.
	r = collegetest.PagePost(o, page, fmt.Sprintf("/classes/%d/withdraw", unitOnly), nil)
	collegetest.MustBody(t, r, 409, "您没有报名本班次")
	// Pages need a login.
	r = a.Browser().Req("GET", "/classes", nil)
	collegetest.MustStatus(t, r, 303)
	if !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous /classes went to %q", r.Header.Get("Location"))
	}
}

func TestTrainingPagesUnitNominates(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	second := a.CreateUser(c.Tokens["admin"], "ua_cadre2", c.UnitA, "learner")
	id := pagesOpenClass(a, c, map[string]any{"title": "基层治理能力提升班", "quota": 1})

	b := collegetest.LoginPages(a, "ua_admin", collegetest.UserPassword)
	list := collegetest.PageGet(b, "/unit/classes", 200)
	if !strings.Contains(list, "基层治理能力提升班") || !strings.Contains(list, fmt.Sprintf(`href="/unit/classes/%d"`, id)) {
		t.Fatalf("unit class list:\n%s", list)
	}
	page := collegetest.PageGet(b, fmt.Sprintf("/unit/classes/%d", id), 200)
	for _, want := range []string{"测试ua_cadre", "测试ua_cadre2", "推荐参训", fmt.Sprintf(`value="%d"`, second)} {
		if !strings.Contains(page, want) {
			t.Errorf("nomination page lacks %q", want)
		}
	}
	if strings.Contains(page, "测试ub_cadre") {
		t.Fatal("a cadre of another unit is offered")
	}
	// Searching narrows the list.
	if p := collegetest.PageGet(b, fmt.Sprintf("/unit/classes/%d?q=ua_cadre2", id), 200); strings.Contains(p, fmt.Sprintf(`name="user_id" value="%d"`, c.IDs["ua_cadre"])) || !strings.Contains(p, fmt.Sprintf(`name="user_id" value="%d"`, second)) {
		t.Fatalf("search for ua_cadre2:\n%s", p)
	}

	// Two cadres in one go: the first takes the only seat, the second waits.
	r := collegetest.PagePost(b, page, fmt.Sprintf("/unit/classes/%d/nominate", id), url.Values{"user_id": {fmt.Sprint(c.IDs["ua_cadre"]), fmt.Sprint(second)}})
	collegetest.MustStatus(t, r, 303)
	if r.Header.Get("Location") != fmt.Sprintf("/unit/classes/%d", id) {
		t.Fatalf("after nominating went to %q", r.Header.Get("Location"))
	}
	if pagesRegStatus(a, id, c.IDs["ua_cadre"]) != "pending" || pagesRegStatus(a, id, second) != "waitlisted" {
		t.Fatalf("statuses %q, %q", pagesRegStatus(a, id, c.IDs["ua_cadre"]), pagesRegStatus(a, id, second))
	}
	// One form post, one entry naming both cadres.
	if rows := a.AuditRows("registration.nominate"); len(rows) != 1 || rows[0].Target != "class" || rows[0].TargetID != id ||
		!strings.Contains(rows[0].Detail, fmt.Sprintf(`"user":%d`, c.IDs["ua_cadre"])) || !strings.Contains(rows[0].Detail, fmt.Sprintf(`"user":%d`, second)) {
		t.Fatalf("nomination audit entries: %+v", rows)
	}
	page = collegetest.PageGet(b, fmt.Sprintf("/unit/classes/%d", id), 200)
	if !strings.Contains(page, "已推荐 2 人：测试ua_cadre（待审核）、测试ua_cadre2（候补中）") {
		t.Fatalf("no nomination summary:\n%s", page)
	}
	if !strings.Contains(page, fmt.Sprintf(`name="user_id" value="%d" disabled`, c.IDs["ua_cadre"])) {
		t.Fatal("a nominated cadre can be ticked again")
	}
	nominees := pagesAfter(page, `id="nominees"`)
	if !strings.Contains(nominees, "待审核") || !strings.Contains(nominees, "候补中") || !strings.Contains(nominees, "2 人") {
		t.Fatalf("nominee list:\n%s", nominees)
	}

	// A cadre outside the admin's units cannot be nominated, and their
	// name is not revealed.
	r = collegetest.PagePost(b, page, fmt.Sprintf("/unit/classes/%d/nominate", id), url.Values{"user_id": {fmt.Sprint(c.IDs["ub_cadre"])}})
	collegetest.MustStatus(t, r, 422)
	if body := string(r.Body); !strings.Contains(body, "未能推荐") || !strings.Contains(body, "不在您的管理范围内") || strings.Contains(body, "测试ub_cadre") {
		t.Fatalf("out-of-scope nomination:\n%s", body)
	}
	if got := pagesRegStatus(a, id, c.IDs["ub_cadre"]); got != "" {
		t.Fatalf("out-of-scope cadre registered: %q", got)
	}
	// Nothing ticked.
	r = collegetest.PagePost(b, page, fmt.Sprintf("/unit/classes/%d/nominate", id), nil)
	collegetest.MustBody(t, r, 400, "请先勾选")

	// The learner sees the class among their classes.
	l := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	if mine := pagesAfter(collegetest.PageGet(l, "/classes", 200), `id="mine"`); !strings.Contains(mine, "基层治理能力提升班") || !strings.Contains(mine, "待审核") {
		t.Fatalf("learner's classes after nomination:\n%s", mine)
	}
	collegetest.MustStatus(t, l.Req("GET", "/unit/classes", nil), 403)
	collegetest.MustStatus(t, l.Req("GET", fmt.Sprintf("/unit/classes/%d", id), nil), 403)

	// Withdrawing the first gives the seat to the second.
	var rid, rid2 uint64
	a.DB.Table("registrations").Where("class_id = ? AND user_id = ?", id, c.IDs["ua_cadre"]).Pluck("id", &rid)
	a.DB.Table("registrations").Where("class_id = ? AND user_id = ?", id, second).Pluck("id", &rid2)
	r = collegetest.PagePost(b, page, fmt.Sprintf("/unit/registrations/%d/withdraw", rid), url.Values{"class_id": {fmt.Sprint(id)}})
	collegetest.MustStatus(t, r, 303)
	if pagesRegStatus(a, id, c.IDs["ua_cadre"]) != "withdrawn" || pagesRegStatus(a, id, second) != "pending" {
		t.Fatalf("after withdrawal: %q, %q", pagesRegStatus(a, id, c.IDs["ua_cadre"]), pagesRegStatus(a, id, second))
	}
	if n := collegetest.CountAudits(a, "registration.withdraw"); n != 1 {
		t.Fatalf("%d withdrawal audit entries", n)
	}
	page = collegetest.PageGet(b, fmt.Sprintf("/unit/classes/%d", id), 200)
	if !strings.Contains(page, "测试ua_cadre 已退出本班次") {
		t.Fatalf("no withdrawal message:\n%s", page)
	}
	// Replacing the second with the first, who may be chosen again.
	r = collegetest.PagePost(b, page, fmt.Sprintf("/unit/registrations/%d/replace", rid2), url.Values{"class_id": {fmt.Sprint(id)}, "user_id": {fmt.Sprint(c.IDs["ua_cadre"])}})
	collegetest.MustStatus(t, r, 303)
	if pagesRegStatus(a, id, second) != "replaced" || pagesRegStatus(a, id, c.IDs["ua_cadre"]) != "pending" {
		t.Fatalf("after replacement: %q, %q", pagesRegStatus(a, id, second), pagesRegStatus(a, id, c.IDs["ua_cadre"]))
	}
	if n := collegetest.CountAudits(a, "registration.replace"); n != 1 {
		t.Fatalf("%d replacement audit entries", n)
	}
	if p := collegetest.PageGet(b, fmt.Sprintf("/unit/classes/%d", id), 200); !strings.Contains(p, "已替换为 测试ua_cadre（待审核）") {
		t.Fatalf("no replacement message:\n%s", p)
	}
	// A refused replacement is shown on the page, not as an error page.
	r = collegetest.PagePost(b, page, fmt.Sprintf("/unit/registrations/%d/replace", rid2), url.Values{"class_id": {fmt.Sprint(id)}, "user_id": {fmt.Sprint(second)}})
	collegetest.MustBody(t, r, 409, "该报名已不在有效状态", "基层治理能力提升班")
}

func TestTrainingPagesSignIn(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	id := pagesOpenClass(a, c, map[string]any{"title": "党性教育专题班", "starts_on": collegetest.Day(10), "ends_on": collegetest.Day(11)})
	startsAt, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(10)+" 09:00", web.Shanghai)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", id), col, map[string]any{"topic": "开班式与专题讲座", "teacher": "王教授", "place": "第一教室",
		"starts_at": startsAt, "ends_at": startsAt.Add(150 * time.Minute)})
	collegetest.MustStatus(t, r, 201)
	sid := r.ID(t)
	pagesTrainee(a, c, id, c.IDs["ua_cadre"])
	a.StartClass(c, id)
	code := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sid), col, nil).JSON(t)["code"].(string)
	wrong := "1" + code[1:]
	if wrong == code {
		wrong = "2" + code[1:]
	}
	var now atomic.Pointer[time.Time]
	set := func(t time.Time) { now.Store(&t) }
	set(startsAt.Add(20 * time.Minute))
	a.Training.SetClock(func() time.Time { return *now.Load() })

	b := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	path := fmt.Sprintf("/classes/%d/signin?session=%d&code=%s", id, sid, wrong)
	page := collegetest.PageGet(b, path, 200)
	for _, want := range []string{"开班式与专题讲座", "党性教育专题班", `value="` + wrong + `"`, ">签到</button>", "09:00–11:30"} {
		if !strings.Contains(page, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
	post := func(code string) collegetest.Response {
		t.Helper()
		return collegetest.PagePost(b, page, fmt.Sprintf("/classes/%d/sessions/%d/signin", id, sid), url.Values{"code": {code}, "from": {"signin"}})
	}
	// A wrong code: the sign-in page again, with the reason in Chinese.
	r = post(wrong)
	collegetest.MustStatus(t, r, 422)
	if body := string(r.Body); !strings.Contains(body, "签到码不正确") || strings.Contains(body, "error-page") || !strings.Contains(body, `value="`+wrong+`"`) {
		t.Fatalf("wrong code page:\n%s", body)
	}
	// Outside the sign-in time.
	set(startsAt.Add(4 * time.Hour))
	r = post(code)
	collegetest.MustBody(t, r, 422, "不在签到时间内")
	// The right code in time.
	set(startsAt.Add(20 * time.Minute))
	classPage := collegetest.PageGet(b, fmt.Sprintf("/classes/%d", id), 200)
	if !strings.Contains(classPage, fmt.Sprintf(`action="/classes/%d/sessions/%d/signin"`, id, sid)) {
		t.Fatal("the timetable has no sign-in form while the session is on")
	}
	r = post(code)
	collegetest.MustStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/classes/%d/signin?session=%d", id, sid) {
		t.Fatalf("after signing in went to %q", loc)
	}
	if p := collegetest.PageGet(b, r.Header.Get("Location"), 200); !strings.Contains(p, `签到成功 <span class="num">09:20</span>`) {
		t.Fatalf("no success on the sign-in page:\n%s", p)
	}
	if p := collegetest.PageGet(b, fmt.Sprintf("/classes/%d", id), 200); !strings.Contains(p, "已签到 09:20") {
		t.Fatalf("the timetable does not show the sign-in:\n%s", p)
	}
	// A cadre who is not a trainee is told so, on the page.
	o := collegetest.LoginPages(a, "ub_cadre", collegetest.UserPassword)
	p := collegetest.PageGet(o, path, 200)
	if !strings.Contains(p, "您不是本班次已录取的学员") || strings.Contains(p, `name="code"`) {
		t.Fatalf("outsider's sign-in page:\n%s", p)
	}
	r = collegetest.PagePost(o, p, fmt.Sprintf("/classes/%d/sessions/%d/signin", id, sid), url.Values{"code": {code}, "from": {"signin"}})
	collegetest.MustBody(t, r, 404, "您不是本班次已录取的学员")
	if n := a.Count("class_attendance", "user_id = ?", c.IDs["ub_cadre"]); n != 0 {
		t.Fatal("an outsider was signed in")
	}
	// A session of another class is not found through this class.
	collegetest.MustStatus(t, b.Req("GET", fmt.Sprintf("/classes/%d/signin?session=%d", id, sid+1000), nil), 404)

	// Leave from the class page: the reason is required, then it is listed.
	page = collegetest.PageGet(b, fmt.Sprintf("/classes/%d", id), 200)
	r = collegetest.PagePost(b, page, fmt.Sprintf("/classes/%d/leave", id), url.Values{"hours": {"2"}})
	collegetest.MustBody(t, r, 400, "请假事由：必填")
	r = collegetest.PagePost(b, page, fmt.Sprintf("/classes/%d/leave", id), url.Values{"hours": {"2"}, "reason": {"单位紧急公务"}})
	collegetest.MustStatus(t, r, 303)
	if p := collegetest.PageGet(b, fmt.Sprintf("/classes/%d", id), 200); !strings.Contains(p, "单位紧急公务") || !strings.Contains(p, "待审批") || !strings.Contains(p, "请假申请已提交") {
		t.Fatalf("leave not listed:\n%s", p)
	}
}

func TestTrainingPagesCertificate(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d", c.IDs["ua_cadre"]), c.Tokens["admin"], map[string]any{"name": "张建国", "level": "乡科级", "id_number": "110101199003074514"}), 200)
	id := pagesOpenClass(a, c, map[string]any{"title": "乡村振兴专题研修班", "starts_on": collegetest.Day(2), "ends_on": collegetest.Day(4)})
	pagesTrainee(a, c, id, c.IDs["ua_cadre"])
	a.StartClass(c, id)
	pdf := []byte("%PDF-1.4\n% test\n")
	for _, kind := range []string{"plan", "signin_sheet", "timetable"} {
		collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=%s", id, kind), col, kind+".pdf", pdf, nil), 201)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", id), col, nil), 200)
	r := a.Do("GET", "/api/v1/me/certificates", a.Login("ua_cadre", collegetest.UserPassword), nil)
	collegetest.MustStatus(t, r, 200)
	var serial string
	if m := regexpSerial.FindSubmatch(r.Body); m != nil {
		serial = string(m[1])
	} else {
		t.Fatalf("no certificate: %s", r.Body)
	}

	own := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	page := collegetest.PageGet(own, "/certificates/"+serial, 200)
	for _, want := range []string{"结业证书", "张建国", "乡村振兴专题研修班", "准予结业", "24</strong> 学时", "市委党校分院", serial,
		"/certificates/" + serial + "/qr.png", "/verify/" + serial, "data-print"} {
		if !strings.Contains(page, want) {
			t.Errorf("certificate page lacks %q", want)
		}
	}
	qr := own.Req("GET", "/certificates/"+serial+"/qr.png", nil)
	collegetest.MustStatus(t, qr, 200)
	if qr.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(qr.Body, []byte("\x89PNG")) {
		t.Fatalf("QR code: %s", qr.Header.Get("Content-Type"))
	}
	if list := collegetest.PageGet(own, "/classes", 200); !strings.Contains(pagesAfter(list, `id="certs"`), `href="/certificates/`+serial+`"`) {
		t.Fatal("the certificate is not listed on 培训班次")
	}
	if p := collegetest.PageGet(own, fmt.Sprintf("/classes/%d", id), 200); !strings.Contains(p, "已结业") || !strings.Contains(p, `href="/certificates/`+serial+`"`) {
		t.Fatal("the class page does not link the certificate")
	}

	// Another cadre, and the unit admin, find nothing; the host college does.
	for _, user := range []string{"ub_cadre", "ua_admin"} {
		o := collegetest.LoginPages(a, user, collegetest.UserPassword)
		collegetest.MustStatus(t, o.Req("GET", "/certificates/"+serial, nil), 404)
		collegetest.MustStatus(t, o.Req("GET", "/certificates/"+serial+"/qr.png", nil), 404)
	}
	host := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	if p := collegetest.PageGet(host, "/certificates/"+serial, 200); !strings.Contains(p, "张建国") {
		t.Fatal("the host college cannot open the certificate")
	}
	collegetest.MustStatus(t, a.Browser().Req("GET", "/certificates/"+serial, nil), 303)

	// The public check, for anyone: valid with masked data, or not found.
	anon := a.Browser()
	form := collegetest.PageGet(anon, "/verify", 200)
	if !strings.Contains(form, `name="serial"`) || strings.Contains(form, "退出登录") {
		t.Fatalf("verify form:\n%s", form)
	}
	r = anon.Req("GET", "/verify?serial="+url.QueryEscape(" "+strings.ToLower(serial)+" "), nil)
	collegetest.MustStatus(t, r, 303)
	if r.Header.Get("Location") != "/verify/"+serial {
		t.Fatalf("verify form went to %q", r.Header.Get("Location"))
	}
	ok := collegetest.PageGet(anon, "/verify/"+serial, 200)
	for _, want := range []string{"证书有效", "张*国", "乡村振兴专题研修班", "市委党校分院", "24</span> 学时"} {
		if !strings.Contains(ok, want) {
			t.Errorf("verify page lacks %q", want)
		}
	}
	if strings.Contains(ok, "1101011990") || strings.Contains(ok, "张建国") || strings.Contains(ok, "东城区发改委") {
		t.Fatal("the verify page shows the ID number, the full name or the employer")
	}
	bad := collegetest.PageGet(anon, "/verify/2026-9999-0001-MADE", 404)
	if !strings.Contains(bad, "未找到该证书") || strings.Contains(bad, "证书有效") {
		t.Fatalf("made-up serial:\n%s", bad)
	}
}

// The training pages fit a 390 px phone: nothing scrolls sideways. With
// COLLEGE_TEST_SCREENSHOTS set, the pages are saved as PNGs to look at.
func TestBrowserTrainingPagesFitAPhone(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	base := a.Start()
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d", c.IDs["ua_cadre"]), c.Tokens["admin"], map[string]any{"name": "张建国", "level": "乡科级", "post": "副科长", "id_number": "110101199003074514"}), 200)
	for i, name := range []string{"李卫东", "王秀英", "陈志强"} {
		uid := a.CreateUser(c.Tokens["admin"], fmt.Sprintf("ua_more%d", i), c.UnitA, "learner")
		c.IDs[fmt.Sprintf("ua_more%d", i)] = uid
		collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/users/%d", uid), c.Tokens["admin"], map[string]any{"name": name, "level": "县处级", "post": "办公室主任"}), 200)
	}
	course, _, _ := collegetest.PublishedCourse(a, c)

	// A graduated class with a certificate.
	soon := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	past := pagesOpenClass(a, c, map[string]any{"title": "学习贯彻党的二十届四中全会精神专题培训班（第一期）", "starts_on": collegetest.Day(-12), "ends_on": collegetest.Day(-8), "registration_closes_at": soon})
	pagesTrainee(a, c, past, c.IDs["ua_cadre"])
	a.StartClass(c, past)
	for _, kind := range []string{"plan", "signin_sheet", "timetable"} {
		collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/classes/%d/files?kind=%s", past, kind), col, kind+".pdf", []byte("%PDF-1.4\n"), nil), 201)
	}
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", past), col, nil), 200)
	var serial string
	a.DB.Table("certificates").Where("class_id = ?", past).Pluck("serial", &serial)

	// A class in session with a timetable and an online course.
	now := pagesOpenClass(a, c, map[string]any{"title": "基层治理能力提升专题研修班", "kind": "主体班", "starts_on": collegetest.Day(5), "ends_on": collegetest.Day(7),
		"min_attendance": 80, "require_courses": true,
		"description": "本班次围绕基层治理现代化开展专题研修。\n采取专题讲座、现场教学、分组研讨相结合的方式。"})
	day1, _ := time.ParseInLocation("2006-01-02 15:04", collegetest.Day(5)+" 09:00", web.Shanghai)
	var sessions []uint64
	for i, s := range []struct{ topic, teacher, place, site string }{
		{"开班式暨专题辅导：推进基层治理体系和治理能力现代化", "王教授", "主楼第一报告厅", ""},
		{"现场教学：新时代“枫桥经验”实践", "李书记", "", "东城区某街道综治中心"},
		{"分组研讨", "", "第三研讨室", ""},
	} {
		at := day1.Add(time.Duration(i) * 5 * time.Hour)
		r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/sessions", now), col, map[string]any{"topic": s.topic, "teacher": s.teacher, "place": s.place, "site": s.site,
			"starts_at": at, "ends_at": at.Add(3 * time.Hour)})
		collegetest.MustStatus(t, r, 201)
		sessions = append(sessions, r.ID(t))
	}
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/courses", now), col, map[string]any{"courses": []map[string]any{{"course_id": course, "required": true, "hours": 2}}}), 200)
	pagesTrainee(a, c, now, c.IDs["ua_cadre"])
	a.StartClass(c, now)

	// Classes taking registrations.
	open := pagesOpenClass(a, c, map[string]any{"title": "青年干部自主选学班", "self_registration": true, "starts_on": collegetest.Day(30), "ends_on": collegetest.Day(33), "quota": 40})
	pagesOpenClass(a, c, map[string]any{"title": "县处级领导干部任职培训班", "kind": "任职培训", "starts_on": collegetest.Day(40), "ends_on": collegetest.Day(70), "quota": 2})
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/registrations", open), c.Tokens["ua_admin"], map[string]any{"user_id": c.IDs["ua_more0"]}), 201)

	clock := day1.Add(20 * time.Minute)
	a.Training.SetClock(func() time.Time { return clock })

	check := func(path, want, shot string) {
		t.Helper()
		collegetest.PhonePage(t, ctx, base+path, want, shot)
	}
	collegetest.ChromeLogin(t, ctx, base, "ua_cadre", collegetest.UserPassword)
	check("/classes", "可报名班次", "60-classes")
	check(fmt.Sprintf("/classes/%d", now), "课程安排", "61-class-in-session")
	check(fmt.Sprintf("/classes/%d", open), "报名参加", "62-class-open")
	check(fmt.Sprintf("/classes/%d/signin?session=%d&code=1234", now, sessions[0]), "签到码", "63-signin")
	err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.tc-signin-button`)))
	if err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "签到码不正确")
	collegetest.Screenshot(t, ctx, "64-signin-wrong-code")
	code := a.Do("GET", fmt.Sprintf("/api/v1/sessions/%d/code", sessions[0]), col, nil).JSON(t)["code"].(string)
	check(fmt.Sprintf("/classes/%d/signin?session=%d&code=%s", now, sessions[0], code), "签到码", "65-signin-prefilled")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.tc-signin-button`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "签到成功")
	collegetest.Screenshot(t, ctx, "66-signin-done")
	check(fmt.Sprintf("/classes/%d", past), "结业证书", "67-class-graduated")
	check("/certificates/"+serial, "准予结业", "68-certificate")
	// What prints: the print rules applied to the screen.
	printRules := `(function(){for(const s of document.styleSheets){for(const r of s.cssRules){if(r.media&&r.media.mediaText.indexOf("print")>=0){r.media.mediaText="all";}}}return document.querySelector(".site-header").offsetHeight;})()`
	if h, err := chromedp.Run(ctx, chromedp.Evaluate[int](printRules)); err != nil || h != 0 {
		t.Fatalf("printing shows the header (%d px): %v", h, err)
	}
	collegetest.Screenshot(t, ctx, "69-certificate-print")
	ctx = collegetest.NewChrome(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	check("/verify/"+serial, "证书有效", "70-verify-ok")
	check("/verify/2026-0001-0001-MADE", "未找到该证书", "71-verify-missing")
	ctx = collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, ctx, base, "ua_admin", collegetest.UserPassword)
	check("/unit/classes", "正在报名的班次", "72-unit-classes")
	check(fmt.Sprintf("/unit/classes/%d", open), "推荐参训", "73-unit-class")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="user_id"][value="%d"]`, c.IDs["ua_more1"]))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="user_id"][value="%d"]`, c.IDs["ua_more2"]))),
		chromedp.Click(chromedp.CSS(`.tc-nominate button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "已推荐 2 人")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.tc-replace summary`))); err != nil {
		t.Fatal(err)
	}
	collegetest.Screenshot(t, ctx, "74-unit-nominated")
	if got := pagesRegStatus(a, open, c.IDs["ua_more1"]); got != "pending" {
		t.Fatalf("nominated in the browser: %q", got)
	}
}
