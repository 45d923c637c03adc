package bases_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"college/app/collegetest"
)

// apply asks for admission of a base as token and returns its id.
func apply(t *testing.T, a *collegetest.App, token string, body map[string]any) uint64 {
	t.Helper()
	r := a.Do("POST", "/api/v1/bases", token, body)
	collegetest.MustStatus(t, r, 201)
	if got := r.JSON(t)["status"]; got != "applied" {
		t.Fatalf("new base status = %v", got)
	}
	return r.ID(t)
}

func act(a *collegetest.App, token string, id uint64, action string, body any) collegetest.Response {
	return a.Do("POST", fmt.Sprintf("/api/v1/bases/%d/%s", id, action), token, body)
}

func status(t *testing.T, r collegetest.Response) string {
	t.Helper()
	collegetest.MustStatus(t, r, 200)
	return r.JSON(t)["status"].(string)
}

// filedBase applies for and files a base of the college.
func filedBase(t *testing.T, a *collegetest.App, c *collegetest.City, name string) uint64 {
	t.Helper()
	id := apply(t, a, c.Tokens["col"], map[string]any{"name": name, "kind": "party", "org_id": c.College, "capacity": 120})
	if s := status(t, act(a, c.Tokens["org"], id, "approve", nil)); s != "approved" {
		t.Fatalf("approve: %s", s)
	}
	if s := status(t, act(a, c.Tokens["org"], id, "file", nil)); s != "filed" {
		t.Fatalf("file: %s", s)
	}
	return id
}

func TestLifeCycleIsGuardedAndAudited(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col, org := c.Tokens["col"], c.Tokens["org"]
	id := apply(t, a, col, map[string]any{"name": "红色教育基地", "kind": "party", "org_id": c.College, "capacity": 200,
		"address": "人民路 1 号", "contact": "王老师", "office_phone": "010-12345678", "intro": "革命旧址"})
	a.AuditOne("base.apply", id)

	// Only the org department decides; the applicant may not.
	collegetest.MustStatus(t, act(a, col, id, "approve", nil), 403)
	collegetest.MustStatus(t, act(a, c.Tokens["ua_cadre"], id, "approve", nil), 403)
	// Filing needs admission first.
	collegetest.MustRefuse(t, act(a, org, id, "file", nil), 409, "wrong_state")
	collegetest.MustRefuse(t, act(a, org, id, "suspend", map[string]any{"reason": "x"}), 409, "wrong_state")

	if s := status(t, act(a, org, id, "approve", nil)); s != "approved" {
		t.Fatalf("approve: %s", s)
	}
	collegetest.MustRefuse(t, act(a, org, id, "approve", nil), 409, "wrong_state")
	collegetest.MustRefuse(t, act(a, org, id, "reject", map[string]any{"reason": "晚了"}), 409, "wrong_state")
	r := act(a, org, id, "file", nil)
	if s := status(t, r); s != "filed" || r.JSON(t)["filed_at"] == nil {
		t.Fatalf("file: %s", r.Body)
	}

	// Suspension needs a reason; reinstatement returns to filed.
	r = act(a, org, id, "suspend", map[string]any{"reason": ""})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["reason"] == nil {
		t.Fatalf("no reason field error: %s", r.Body)
	}
	r = act(a, org, id, "suspend", map[string]any{"reason": "整改消防设施"})
	if s := status(t, r); s != "suspended" || r.JSON(t)["reason"] != "整改消防设施" {
		t.Fatalf("suspend: %s", r.Body)
	}
	collegetest.MustRefuse(t, act(a, org, id, "file", nil), 409, "wrong_state")
	if s := status(t, act(a, org, id, "reinstate", nil)); s != "filed" {
		t.Fatalf("reinstate: %s", s)
	}
	collegetest.MustRefuse(t, act(a, org, id, "reinstate", nil), 409, "wrong_state")

	// Yearly re-checks: one per year, by the org department only.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/bases/%d/checks", id), col, map[string]any{"year": 2026, "result": "pass"}), 403)
	r = a.Do("POST", fmt.Sprintf("/api/v1/bases/%d/checks", id), org, map[string]any{"year": 2025, "result": "rectify", "note": "展陈需更新"})
	collegetest.MustStatus(t, r, 201)
	collegetest.MustRefuse(t, a.Do("POST", fmt.Sprintf("/api/v1/bases/%d/checks", id), org, map[string]any{"year": 2025, "result": "pass"}), 409, "already_checked")
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/bases/%d/checks", id), org, map[string]any{"year": 2025, "result": "great"}), 400)
	detail := a.Do("GET", fmt.Sprintf("/api/v1/bases/%d", id), col, nil).JSON(t)
	checks := detail["checks"].([]any)
	if len(checks) != 1 || checks[0].(map[string]any)["result_name"] != "限期整改" {
		t.Fatalf("checks: %v", checks)
	}

	r = act(a, org, id, "withdraw", map[string]any{"reason": "不再承担培训任务"})
	if s := status(t, r); s != "withdrawn" {
		t.Fatalf("withdraw: %s", s)
	}
	for _, action := range []string{"approve", "file", "reinstate"} {
		collegetest.MustRefuse(t, act(a, org, id, action, nil), 409, "wrong_state")
	}
	collegetest.MustRefuse(t, act(a, org, id, "withdraw", map[string]any{"reason": "再撤"}), 409, "wrong_state")
	collegetest.MustRefuse(t, a.Do("POST", fmt.Sprintf("/api/v1/bases/%d/checks", id), org, map[string]any{"year": 2026, "result": "pass"}), 409, "wrong_state")

	// A rejected application stays rejected, with its reason.
	other := apply(t, a, col, map[string]any{"name": "某高校基地", "kind": "university", "org_id": c.College, "capacity": 50})
	collegetest.MustStatus(t, act(a, org, other, "reject", map[string]any{}), 400)
	r = act(a, org, other, "reject", map[string]any{"reason": "材料不全"})
	if s := status(t, r); s != "rejected" || r.JSON(t)["reason"] != "材料不全" {
		t.Fatalf("reject: %s", r.Body)
	}
	collegetest.MustRefuse(t, act(a, org, other, "approve", nil), 409, "wrong_state")

	for _, action := range []string{"base.approve", "base.file", "base.suspend", "base.reinstate", "base.check", "base.withdraw"} {
		a.AuditOne(action, id)
	}
	a.AuditOne("base.reject", other)
	if e := a.AuditOne("base.suspend", id); !strings.Contains(e.Detail, "整改消防设施") {
		t.Fatalf("suspension entry lacks its reason: %+v", e)
	}
	// Refused moves change nothing and write no entry of their action.
	if n := collegetest.CountAudits(a, "base.approve"); n != 1 {
		t.Fatalf("base.approve entries = %d", n)
	}
}

func TestApplicationsAreValidated(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	r := a.Do("POST", "/api/v1/bases", c.Tokens["col"], map[string]any{"name": "", "kind": "castle", "org_id": c.College, "capacity": 0, "office_phone": "13800138000"})
	collegetest.MustStatus(t, r, 400)
	f := r.Fields(t)
	for _, k := range []string{"name", "kind", "capacity", "office_phone"} {
		if f[k] == nil {
			t.Fatalf("no field error for %s: %s", k, r.Body)
		}
	}
	if !strings.Contains(f["office_phone"].(string), "办公电话") {
		t.Fatalf("phone message: %v", f["office_phone"])
	}
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/bases", c.Tokens["ua_cadre"], map[string]any{"name": "x", "kind": "other", "capacity": 1}), 403)
	if n := a.Count("training_bases", "1 = 1"); n != 0 {
		t.Fatalf("refused applications stored %d rows", n)
	}
}

func TestUnitAdminsSeeTheirOwnSubtree(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	ua, ub := c.Tokens["ua_admin"], c.Tokens["ub_admin"]
	mine := apply(t, a, ua, map[string]any{"name": "甲单位特色基地", "kind": "grassroots", "capacity": 30})
	if got := a.Do("GET", fmt.Sprintf("/api/v1/bases/%d", mine), ua, nil).JSON(t)["org_id"]; got != float64(c.UnitA) {
		t.Fatalf("org_id defaults to the caller's unit: %v", got)
	}
	// Another unit is outside the caller's subtree.
	r := a.Do("POST", "/api/v1/bases", ua, map[string]any{"name": "乙单位基地", "kind": "other", "org_id": c.UnitB, "capacity": 10})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["org_id"] == nil {
		t.Fatalf("no org_id error: %s", r.Body)
	}
	theirs := apply(t, a, ub, map[string]any{"name": "乙单位特色基地", "kind": "grassroots", "org_id": c.UnitB, "capacity": 40})

	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/bases/%d", theirs), ua, nil), 404)
	collegetest.MustStatus(t, a.Upload(fmt.Sprintf("/api/v1/bases/%d/documents", theirs), ua, "a.pdf", []byte("%PDF-1.4 x"), nil), 404)
	names := func(token string) string {
		var out []string
		for _, it := range a.Do("GET", "/api/v1/bases", token, nil).JSON(t)["items"].([]any) {
			out = append(out, it.(map[string]any)["name"].(string))
		}
		return strings.Join(out, ",")
	}
	if got := names(ua); got != "甲单位特色基地" {
		t.Fatalf("unit A admin's list = %q", got)
	}
	if got := names(c.Tokens["org"]); got != "乙单位特色基地,甲单位特色基地" {
		t.Fatalf("org department's list = %q", got)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/bases", c.Tokens["ua_cadre"], nil), 403)
	// The org department decides on both; a unit admin on neither.
	collegetest.MustStatus(t, act(a, ua, mine, "approve", nil), 403)
	if s := status(t, act(a, c.Tokens["org"], theirs, "approve", nil)); s != "approved" {
		t.Fatalf("approve: %s", s)
	}
}

func TestDocumentsAreSniffedAndBounded(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	id := apply(t, a, col, map[string]any{"name": "材料基地", "kind": "other", "org_id": c.College, "capacity": 10})
	path := fmt.Sprintf("/api/v1/bases/%d/documents", id)

	pdf := []byte("%PDF-1.4\n申请书")
	r := a.Upload(path, col, "申请书.pdf", pdf, nil)
	collegetest.MustStatus(t, r, 201)
	doc := r.ID(t)
	a.AuditOne("base.document", id)

	refused := []struct {
		name    string
		content []byte
		status  int
		code    string
		message string
	}{
		{"fake.pdf", []byte("just text, not a pdf"), 415, "unsupported_type", "只能上传 PDF、Word（.docx）文件或 JPG、PNG 图片"},
		{"sheet.xlsx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 30)...), 415, "unsupported_type", "只能上传"},
		{"big.pdf", append([]byte("%PDF-1.4"), bytes.Repeat([]byte{'x'}, 10<<20)...), 413, "too_large", "不能超过 10 MB"},
		{"empty.png", []byte{}, 400, "invalid", ""},
	}
	for _, x := range refused {
		r := a.Upload(path, col, x.name, x.content, nil)
		collegetest.MustStatus(t, r, x.status)
		body := r.JSON(t)["error"].(map[string]any)
		if x.code != "too_large" && body["code"] != x.code {
			t.Fatalf("%s: code %v: %s", x.name, body["code"], r.Body)
		}
		if !strings.Contains(string(r.Body), x.message) {
			t.Fatalf("%s: message lacks %q: %s", x.name, x.message, r.Body)
		}
	}
	if n := a.Count("training_base_documents", "base_id = ?", id); n != 1 {
		t.Fatalf("documents stored = %d, want the one accepted", n)
	}
	if n := collegetest.CountAudits(a, "base.document"); n != 1 {
		t.Fatalf("base.document entries = %d", n)
	}

	got := a.Do("GET", fmt.Sprintf("/api/v1/base-documents/%d", doc), col, nil)
	collegetest.MustStatus(t, got, 200)
	if !bytes.Equal(got.Body, pdf) || got.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %q %s", got.Header.Get("Content-Type"), got.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/base-documents/%d", doc), c.Tokens["ua_admin"], nil), 404)

	detail := a.Do("GET", fmt.Sprintf("/api/v1/bases/%d", id), c.Tokens["org"], nil).JSON(t)
	if docs := detail["documents"].([]any); len(docs) != 1 || docs[0].(map[string]any)["name"] != "申请书.pdf" {
		t.Fatalf("documents: %v", docs)
	}
	// A withdrawn or rejected base takes no more documents.
	collegetest.MustStatus(t, act(a, c.Tokens["org"], id, "reject", map[string]any{"reason": "不符合条件"}), 200)
	collegetest.MustRefuse(t, a.Upload(path, col, "补充.pdf", pdf, nil), 409, "wrong_state")
}

func TestClassesAreHostedOnlyAtFiledBases(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	filed := filedBase(t, a, c, "党性教育基地甲")
	applied := apply(t, a, c.Tokens["col"], map[string]any{"name": "待审基地", "kind": "other", "org_id": c.College, "capacity": 10})

	body := func(base uint64) map[string]any {
		return map[string]any{"title": "基地现场教学班", "kind": "专题班", "host_org_id": c.College, "starts_on": collegetest.Day(20),
			"ends_on": collegetest.Day(22), "quota": 10, "hours": 16, "base_id": base}
	}
	for _, base := range []uint64{applied, 999999} {
		r := a.Do("POST", "/api/v1/classes", c.Tokens["col"], body(base))
		collegetest.MustRefuse(t, r, 422, "base_not_filed")
		if !strings.Contains(string(r.Body), "未备案") {
			t.Fatalf("no Chinese message: %s", r.Body)
		}
	}
	r := a.Do("POST", "/api/v1/classes", c.Tokens["col"], body(filed))
	collegetest.MustStatus(t, r, 201)
	class := r.ID(t)
	got := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", class), c.Tokens["col"], nil).JSON(t)
	if got["base_id"] != float64(filed) || got["base_name"] != "党性教育基地甲" {
		t.Fatalf("class base: %v %v", got["base_id"], got["base_name"])
	}
	// The class pages show the base; the plan form keeps it on an edit.
	colPages := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	classPath := fmt.Sprintf("/admin/classes/%d", class)
	collegetest.MustContain(t, collegetest.PageGet(colPages, classPath, 200), `id="class-base">党性教育基地甲<`)
	edit := collegetest.PageGet(colPages, classPath+"/edit", 200)
	collegetest.MustContain(t, edit, `<option value="0">本学院自有场所</option>`, fmt.Sprintf(`<option value="%d" selected>党性教育基地甲（党性教育基地）</option>`, filed))
	if strings.Contains(edit, "待审基地") {
		t.Fatal("the class form offers a base that is not filed")
	}
	form := url.Values{"title": {"基地现场教学班（改）"}, "kind": {"专题班"}, "host_org_id": {fmt.Sprint(c.College)}, "starts_on": {collegetest.Day(20)},
		"ends_on": {collegetest.Day(22)}, "quota": {"10"}, "hours": {"16"}, "base_id": {fmt.Sprint(filed)}}
	collegetest.MustRedirect(t, collegetest.PagePostFrom(colPages, classPath+"/edit", classPath, form), classPath)
	got = a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", class), c.Tokens["col"], nil).JSON(t)
	if got["title"] != "基地现场教学班（改）" || got["base_id"] != float64(filed) {
		t.Fatalf("edited class: %v %v", got["title"], got["base_id"])
	}

	// The college's own premises need no base.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/classes", c.Tokens["col"], body(0)), 201)

	// A suspended base hosts no more classes: editing the plan is refused.
	collegetest.MustStatus(t, act(a, c.Tokens["org"], filed, "suspend", map[string]any{"reason": "整改"}), 200)
	collegetest.MustRefuse(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d", class), c.Tokens["col"], body(filed)), 422, "base_not_filed")
	// The form names the suspended base as not filed and refuses it with
	// the reason; the college's own premises save.
	collegetest.MustContain(t, collegetest.PageGet(colPages, classPath+"/edit", 200), fmt.Sprintf(`<option value="%d" selected>党性教育基地甲（未备案）</option>`, filed))
	r = collegetest.PagePostFrom(colPages, classPath+"/edit", classPath, form)
	collegetest.MustBody(t, r, 422, "未备案")
	form.Set("base_id", "0")
	collegetest.MustRedirect(t, collegetest.PagePostFrom(colPages, classPath+"/edit", classPath, form), classPath)
	if got := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d", class), c.Tokens["col"], nil).JSON(t); got["base_id"] != float64(0) {
		t.Fatalf("class base after choosing the own premises: %v", got["base_id"])
	}
}

func TestPublicListShowsOnlyFiledBases(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	filedBase(t, a, c, "已备案基地")
	suspended := filedBase(t, a, c, "已暂停基地")
	collegetest.MustStatus(t, act(a, c.Tokens["org"], suspended, "suspend", map[string]any{"reason": "整改"}), 200)
	approved := apply(t, a, c.Tokens["col"], map[string]any{"name": "已准入基地", "kind": "university", "org_id": c.College, "capacity": 10})
	collegetest.MustStatus(t, act(a, c.Tokens["org"], approved, "approve", nil), 200)
	apply(t, a, c.Tokens["col"], map[string]any{"name": "申请中基地", "kind": "other", "org_id": c.College, "capacity": 10})

	r := a.Do("GET", "/api/v1/bases/public", "", nil)
	collegetest.MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "已备案基地") {
		t.Fatalf("public list lacks the filed base: %s", r.Body)
	}
	page := collegetest.PageGet(a.Browser(), "/bases", 200)
	collegetest.MustContain(t, page, "培训基地", "已备案基地", "党性教育基地")
	for _, hidden := range []string{"已暂停基地", "已准入基地", "申请中基地"} {
		if strings.Contains(string(r.Body), hidden) || strings.Contains(page, hidden) {
			t.Fatalf("the public list shows %s", hidden)
		}
	}
	if strings.Contains(collegetest.PageGet(a.Browser(), "/bases?kind=university", 200), "已备案基地") {
		t.Fatalf("the kind filter shows a base of another kind")
	}
}

func TestAdminPagesAndExport(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	id := apply(t, a, c.Tokens["col"], map[string]any{"name": "页面基地", "kind": "party", "org_id": c.College, "capacity": 60})
	org := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(org, "/", 200), `href="/admin/bases"`, "培训基地")
	collegetest.MustContain(t, collegetest.PageGet(org, "/admin/bases", 200), "培训基地管理", "页面基地", "已申请", "申请基地准入")
	detailPath := fmt.Sprintf("/admin/bases/%d", id)
	collegetest.MustContain(t, collegetest.PageGet(org, detailPath, 200), "页面基地", "准入通过", "不予准入", "准入材料", "年度复核")

	// The applicant's documents go up through the detail page's form; a file
	// that is not a document is refused and nothing is stored.
	uploadPath := fmt.Sprintf("/admin/bases/%d/documents", id)
	col := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	r := collegetest.PageUpload(col, detailPath, uploadPath, "论证报告.exe", []byte("MZ\x90\x00binary"), nil)
	if r.Status < 400 {
		t.Fatalf("an executable was accepted through the page: %d", r.Status)
	}
	if n := a.Count("training_base_documents", "base_id = ?", id); n != 0 {
		t.Fatalf("documents after a refused upload = %d", n)
	}
	r = collegetest.PageUpload(col, detailPath, uploadPath, "论证报告.pdf", []byte("%PDF-1.4\n页面上传"), nil)
	collegetest.MustRedirect(t, r, detailPath)
	collegetest.MustContain(t, collegetest.PageGet(col, detailPath, 200), "已上传准入材料", "论证报告.pdf")
	if n := a.Count("training_base_documents", "base_id = ?", id); n != 1 {
		t.Fatalf("documents after the page upload = %d, want 1", n)
	}

	// A reason-less rejection through the page is refused with its message.
	r = collegetest.PagePostFrom(org, detailPath, fmt.Sprintf("/admin/bases/%d/act/reject", id), url.Values{})
	collegetest.MustBody(t, r, 400, "操作未完成", "请填写原因", "已申请")
	r = collegetest.PagePostFrom(org, detailPath, fmt.Sprintf("/admin/bases/%d/act/approve", id), url.Values{})
	collegetest.MustRedirect(t, r, detailPath)
	collegetest.MustContain(t, collegetest.PageGet(org, detailPath, 200), "准入申请已通过", "准入通过", `id="base-file"`)
	collegetest.MustStatus(t, collegetest.PagePostFrom(org, detailPath, fmt.Sprintf("/admin/bases/%d/act/file", id), url.Values{}), 303)
	r = collegetest.PagePostFrom(org, detailPath, fmt.Sprintf("/admin/bases/%d/checks", id), url.Values{"year": {"2025"}, "result": {"pass"}, "note": {"运行良好"}})
	collegetest.MustRedirect(t, r, detailPath)
	collegetest.MustContain(t, collegetest.PageGet(org, detailPath, 200), "已备案", "运行良好", "合格")

	// The applicant sees the base but not the org department's buttons.
	if page := collegetest.PageGet(col, detailPath, 200); strings.Contains(page, `id="base-suspend"`) {
		t.Fatalf("the applicant sees the suspend button")
	}
	collegetest.MustStatus(t, collegetest.PagePostFrom(col, detailPath, fmt.Sprintf("/admin/bases/%d/act/suspend", id), url.Values{"reason": {"x"}}), 403)
	r = collegetest.PagePostFrom(col, "/admin/bases", "/admin/bases", url.Values{"name": {"页面申请基地"}, "kind": {"university"}, "capacity": {"80"}})
	collegetest.MustRedirect(t, r, "/admin/bases/")
	r = collegetest.PagePostFrom(col, "/admin/bases", "/admin/bases", url.Values{"name": {""}, "kind": {"university"}, "capacity": {"80"}})
	collegetest.MustBody(t, r, 400, "请填写基地名称")
	learner := collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword)
	collegetest.MustStatus(t, learner.Req("GET", "/admin/bases", nil), 403)

	x := a.Do("GET", "/api/v1/bases/export?status=filed", c.Tokens["org"], nil)
	collegetest.MustStatus(t, x, 200)
	if !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") || !bytes.HasPrefix(x.Body, []byte("PK")) {
		t.Fatalf("export: %q", x.Header.Get("Content-Type"))
	}
	if n := collegetest.CountAudits(a, "export.bases"); n != 1 {
		t.Fatalf("export.bases entries = %d", n)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/bases/export", c.Tokens["ua_cadre"], nil), 403)
}
