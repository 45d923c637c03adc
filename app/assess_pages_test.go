package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// assessLogin returns a browser logged in as user.
func assessLogin(a *testApp, user, password string) *browser {
	a.t.Helper()
	b := a.browser()
	mustStatus(a.t, b.loginAs(user, password), 303)
	return b
}

// assessGet loads a page and fails unless it has the wanted status.
func assessGet(b *browser, path string, want int) string {
	b.a.t.Helper()
	r := b.req("GET", path, nil)
	if r.Status != want {
		b.a.t.Fatalf("GET %s: %d, want %d:\n%s", path, r.Status, want, r.Body)
	}
	return string(r.Body)
}

// assessPost submits a form with the CSRF token of a page.
func assessPost(b *browser, page, path string, form url.Values) response {
	b.a.t.Helper()
	form.Set("_csrf", b.csrf(response{Body: []byte(page)}))
	return b.req("POST", path, form)
}

// assessMust fails unless body has every want.
func assessMust(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Fatalf("page lacks %q:\n%s", w, body)
		}
	}
}

// assessSeeOther fails unless r redirects (303) to want.
func assessSeeOther(t *testing.T, r response, want string) {
	t.Helper()
	if loc := r.Header.Get("Location"); r.Status != 303 || !strings.HasPrefix(loc, want) {
		t.Fatalf("want 303 to %s, got %d %q:\n%s", want, r.Status, loc, r.Body)
	}
}

func assessUsername(a *testApp, id uint64) string {
	var u string
	a.DB.Table("users").Where("id = ?", id).Pluck("username", &u)
	return u
}

func assessIndicator(a *testApp, classID uint64, name string) uint64 {
	var id uint64
	a.DB.Table("quality_indicators").Where("class_id = ? AND name = ?", classID, name).Pluck("id", &id)
	return id
}

// The host publishes an evaluation on its page, a trainee fills it in on a
// phone-sized form, the host and the teacher read the results.
func TestAssessPagesFillAndResults(t *testing.T) {
	t.Parallel()
	a, c, ac := assessSetup(t, 2, nil)
	def := assessDefaultForm(a, c)
	host := assessLogin(a, "col", userPassword)
	path := fmt.Sprintf("/admin/classes/%d/evaluations", ac.id)
	page := assessGet(host, path, 200)
	assessMust(t, page, "发布评估", fmt.Sprintf(`value="teacher:%d"`, ac.sessions[0]), fmt.Sprintf(`value="course:%d"`, ac.course), "测试t_wang（t_wang）")
	r := assessPost(host, page, path, url.Values{"form_id": {fmt.Sprint(def)}, "target": {fmt.Sprintf("course:%d", ac.course+50)}, "required": {"1"}})
	mustStatus(t, r, 400)
	assessMust(t, string(r.Body), "不是本班次的课程", "评估未发布")
	r = assessPost(host, page, path, url.Values{"form_id": {fmt.Sprint(def)}, "target": {fmt.Sprintf("teacher:%d", ac.sessions[0])},
		"teacher_user_id": {fmt.Sprint(ac.teachers["t_wang"])}, "required": {"1"}})
	assessSeeOther(t, r, path)
	var eval uint64
	a.DB.Table("evaluations").Where("class_id = ?", ac.id).Pluck("id", &eval)
	if eval == 0 || a.auditCount("evaluation.create", ac.id) != 1 {
		t.Fatal("the evaluation was not published and audited")
	}
	fill := fmt.Sprintf("/evaluations/%d", eval)

	// The trainee fills it in.
	b := assessLogin(a, assessUsername(a, ac.trainees[0]), userPassword)
	assessMust(t, assessGet(b, "/me/evaluations", 200), "王教授", `href="`+fill+`"`, "结业必填")
	form := assessGet(b, fill, 200)
	assessMust(t, form, `name="a0" value="非常满意"`, `name="a4" value="不满意"`, `name="a5"`, "匿名", "现实针对性", "教风教态")
	r = assessPost(b, form, fill, url.Values{"a0": {"满意"}, "a1": {"满意"}, "a2": {"满意"}, "a4": {"满意"}, "a5": {"很实用"}})
	mustStatus(t, r, 400)
	assessMust(t, string(r.Body), "请选择评价等级", `value="满意" checked`, "很实用")
	r = assessPost(b, form, fill, url.Values{"a0": {"非常满意"}, "a1": {"非常满意"}, "a2": {"非常满意"}, "a3": {"非常满意"}, "a4": {"非常满意"}, "a5": {"案例鲜活，很实用"}})
	assessSeeOther(t, r, fill)
	done := assessGet(b, fill, 200)
	assessMust(t, done, "感谢您的评价", "评估已提交")
	if strings.Contains(done, `id="fill-form"`) {
		t.Fatal("the form is still offered after submitting")
	}
	mustStatus(t, assessPost(b, form, fill, url.Values{"a0": {"不满意"}, "a1": {"不满意"}, "a2": {"不满意"}, "a3": {"不满意"}, "a4": {"不满意"}}), 409)
	b2 := assessLogin(a, assessUsername(a, ac.trainees[1]), userPassword)
	form = assessGet(b2, fill, 200)
	assessSeeOther(t, assessPost(b2, form, fill, url.Values{"a0": {"合格"}, "a1": {"合格"}, "a2": {"合格"}, "a3": {"合格"}, "a4": {"合格"}}), fill)
	// An outsider cannot open it.
	assessGet(assessLogin(a, "ua_cadre", userPassword), fill, 404)

	// Results: (100+60)/2 = 80; 5 of 10 ratings satisfied.
	res := assessGet(host, fmt.Sprintf("/admin/evaluations/%d/results", eval), 200)
	assessMust(t, res, "参评人次", ">2<", ">80<", "50%", "未达标", "案例鲜活，很实用", fmt.Sprintf("/api/v1/evaluations/%d/results.xlsx", eval), "16<small> / 20 分")
	for _, id := range ac.trainees {
		if strings.Contains(res, assessUsername(a, id)) {
			t.Fatal("the results page names a trainee")
		}
	}
	assessMust(t, assessGet(host, path, 200), "已提交 2 / 2", `平均 <strong class="num">80</strong> 分`)
	// The teacher reads their own results only, and only once enough
	// trainees answered (3 by default) to keep them anonymous.
	wang := assessLogin(a, "t_wang", userPassword)
	withheld := assessGet(wang, fmt.Sprintf("/me/teaching/evaluations/%d", eval), 200)
	assessMust(t, withheld, "已有 2 人参评", "达到 3 人后才显示结果")
	if strings.Contains(withheld, "案例鲜活，很实用") || strings.Contains(withheld, "平均总分") {
		t.Fatal("the teacher sees results of only 2 answers")
	}
	if strings.Contains(assessGet(wang, "/me/teaching", 200), fmt.Sprintf("/me/teaching/evaluations/%d", eval)) {
		t.Fatal("the teacher's summary counts an evaluation of only 2 answers")
	}
	if err := a.Settings.Set(context.Background(), 0, map[string]string{"assess.teacher_min_responses": "2"}); err != nil {
		t.Fatal(err)
	}
	assessMust(t, assessGet(wang, "/me/teaching", 200), "学习贯彻专题培训班", fmt.Sprintf("/me/teaching/evaluations/%d", eval))
	assessMust(t, assessGet(wang, fmt.Sprintf("/me/teaching/evaluations/%d", eval), 200), "平均总分", "案例鲜活，很实用")
	li := assessLogin(a, "t_li", userPassword)
	assessGet(li, fmt.Sprintf("/me/teaching/evaluations/%d", eval), 404)
	assessMust(t, assessGet(li, "/me/teaching", 200), "还没有关联到您账号的评估")
	assessGet(wang, fmt.Sprintf("/admin/evaluations/%d/results", eval), 403)
}

// The form builder, the quality page and the ranking page.
func TestAssessPagesFormsAndQuality(t *testing.T) {
	t.Parallel()
	a, _, ac := assessSetup(t, 1, nil)
	host := assessLogin(a, "col", userPassword)
	page := assessGet(host, "/admin/forms", 200)
	assessMust(t, page, "课程评估表（默认）", "从默认课程评估表开始", `name="text_2"`, `id="builder-add" data-max="60" hidden`)
	form := url.Values{"rows": {"3"}, "title": {"专题讲座评估表"}, "kind_0": {"rating"}, "text_0": {"内容"}, "weight_0": {"50"},
		"kind_1": {"rating"}, "text_1": {"表达"}, "weight_1": {"40"}, "kind_2": {"choice"}, "text_2": {"收获"}, "options_2": {"理论\n方法\n"}, "required_2": {"1"}}
	r := assessPost(host, page, "/admin/forms", form)
	mustStatus(t, r, 400)
	assessMust(t, string(r.Body), "权重合计应为 100", `value="40"`, ">90<")
	form.Set("weight_1", "50")
	r = assessPost(host, page, "/admin/forms", form)
	assessSeeOther(t, r, "/admin/forms#form-")
	var items string
	a.DB.Table("eval_forms").Where("title = ?", "专题讲座评估表").Pluck("items", &items)
	if !strings.Contains(items, `"options":["理论","方法"]`) || strings.Count(items, `"kind"`) != 3 {
		t.Fatalf("saved items: %s", items)
	}
	if n := pagesAudits(a, "form.create"); n != 1 {
		t.Fatalf("form audit entries: %d", n)
	}

	// Quality: template, self-assessment, a bad tree.
	qpath := fmt.Sprintf("/admin/classes/%d/quality", ac.id)
	page = assessGet(host, qpath, 200)
	assessMust(t, page, "套用默认指标")
	assessSeeOther(t, assessPost(host, page, qpath+"/template", url.Values{}), qpath)
	page = assessGet(host, qpath, 200)
	assessMust(t, page, "培训设计", "方案科学性", "主办方自评", "待组织部门评价", "培训设计 30\n- 方案科学性 60 组织部门评价")
	course := assessIndicator(a, ac.id, "课程设置")
	r = assessPost(host, page, qpath+"/scores", url.Values{"scorer": {"self"}, fmt.Sprintf("score_%d", course): {"120"}})
	mustStatus(t, r, 400)
	assessMust(t, string(r.Body), "“课程设置”：分数应在 0 到 100 之间", `value="120"`)
	assessSeeOther(t, assessPost(host, page, qpath+"/scores", url.Values{"scorer": {"self"}, fmt.Sprintf("score_%d", course): {"90"}, fmt.Sprintf("note_%d", course): {"课程紧扣主题"}}), qpath)
	assessMust(t, assessGet(host, qpath, 200), "自评 90 分：课程紧扣主题", `id="quality-total">10.8<`)
	r = assessPost(host, page, qpath+"/indicators", url.Values{"tree": {"甲 50\n乙 40 组织部门评价\n- 丙"}})
	mustStatus(t, r, 400)
	assessMust(t, string(r.Body), "第 3 行")
	r = assessPost(host, page, qpath+"/indicators", url.Values{"tree": {"甲 50\n乙 40 组织部门评价\n- 丙 100 自评"}})
	mustStatus(t, r, 400)
	assessMust(t, string(r.Body), "第一级指标：同级指标的权重合计应为 100", "第 1 行“甲”")
	// The org department reviews.
	adm := assessLogin(a, "org", userPassword)
	page = assessGet(adm, qpath, 200)
	assessMust(t, page, `id="org-form"`)
	if strings.Contains(page, `id="self-form"`) {
		t.Fatal("the org department is offered the host's self-assessment")
	}
	fields := url.Values{"scorer": {"org"}}
	for name, v := range map[string]string{"方案科学性": "95", "师资水平": "85", "学用转化": "70"} {
		fields.Set(fmt.Sprintf("score_%d", assessIndicator(a, ac.id, name)), v)
	}
	assessSeeOther(t, assessPost(adm, page, qpath+"/scores", fields), qpath)
	year := ac.startedOn[:4]
	rank := assessGet(adm, "/admin/quality?year="+year, 200)
	assessMust(t, rank, "学习贯彻专题培训班", "评分未完成", fmt.Sprintf(`href="/admin/classes/%d/quality"`, ac.id))
	assessGet(assessLogin(a, "ua_admin", userPassword), "/admin/quality", 403)
	// A whole new tree from text.
	page = assessGet(host, qpath, 200)
	assessSeeOther(t, assessPost(host, page, qpath+"/indicators", url.Values{"tree": {"总体评价 100\n- 学员满意度 50 学员评价\n- 组织实施 50 自评\n"}}), qpath)
	assessMust(t, assessGet(host, qpath, 200), "总体评价", "本班次全部评估")
	// Nav links.
	assessMust(t, assessGet(host, "/", 200), `href="/admin/forms"`, `href="/admin/quality"`)
}

// The assessment pages fit a 390 px phone.
func TestBrowserAssessPagesFitAPhone(t *testing.T) {
	ctx := newBrowser(t)
	a, c, ac := assessSetup(t, 3, map[string]any{"title": "学习贯彻党的二十届四中全会精神专题培训班", "require_evaluation": true})
	base := a.serve()
	def := assessDefaultForm(a, c)
	eval := assessAttach(a, c, ac.id, map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.sessions[0]}, "teacher_user_id": ac.teachers["t_wang"]})
	r := a.do("POST", "/api/v1/forms", c.tokens["col"], map[string]any{"title": "班次总体评估表", "items": []any{
		map[string]any{"kind": "rating", "text": "培训组织与管理服务", "weight": 60}, map[string]any{"kind": "rating", "text": "食宿与后勤保障", "weight": 40},
		map[string]any{"kind": "choice", "text": "您认为收获最大的教学环节", "options": []string{"专题讲座", "现场教学", "分组研讨", "学员论坛"}, "multiple": true},
		map[string]any{"kind": "text", "text": "对今后办班的意见和建议"}}})
	mustStatus(t, r, 201)
	classForm := r.id(t)
	classEval := assessAttach(a, c, ac.id, map[string]any{"form_id": classForm, "target": map[string]any{"type": "class"}})
	mustStatus(t, assessAnswer(a, ac.trainees[1], eval, "非常满意", "满意", "非常满意", "满意", "非常满意", "王教授讲解深入浅出，案例丰富，建议适当增加互动交流时间。"), 201)
	mustStatus(t, assessAnswer(a, ac.trainees[2], eval, "满意", "满意", "合格", "满意", "满意", nil), 201)
	mustStatus(t, assessAnswer(a, ac.trainees[1], classEval, "满意", "非常满意", []int{0, 1}, "希望多安排现场教学"), 201)
	mustStatus(t, a.do("POST", fmt.Sprintf("/api/v1/classes/%d/quality/template", ac.id), c.tokens["col"], nil), 201)

	check := func(path, want, shot string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		waitText(t, ctx, want)
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			t.Errorf("%s is %d px wide on a 390 px phone", path, width)
		}
		screenshot(t, ctx, shot)
	}
	browserLogin(t, ctx, base, assessUsername(a, ac.trainees[0]), userPassword)
	check("/me/evaluations", "待填写", "80-my-evaluations")
	check(fmt.Sprintf("/evaluations/%d", eval), "现实针对性", "81-fill")
	// Tap the grades like a cadre would, leave one out, submit, then finish.
	for _, sel := range []string{`input[name="a0"][value="非常满意"]`, `input[name="a1"][value="满意"]`, `input[name="a2"][value="满意"]`, `input[name="a3"][value="合格"]`} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel+` + span`))); err != nil {
			t.Fatalf("tap %s: %v", sel, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#fill-submit`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "请选择评价等级")
	screenshot(t, ctx, "82-fill-missing")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="a4"][value="满意"] + span`)), chromedp.Click(chromedp.CSS(`#fill-submit`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "感谢您的评价")
	screenshot(t, ctx, "83-fill-thanks")
	check(fmt.Sprintf("/evaluations/%d", classEval), "收获最大", "84-fill-class")

	ctx = newBrowser(t)
	browserLogin(t, ctx, base, "col", userPassword)
	check(fmt.Sprintf("/admin/classes/%d/evaluations", ac.id), "发布评估", "85-class-evaluations")
	check(fmt.Sprintf("/admin/evaluations/%d/results", eval), "各项评价", "86-results")
	check(fmt.Sprintf("/admin/evaluations/%d/results", classEval), "收获最大", "87-results-class")
	check("/admin/forms", "新建评估表", "88-forms")
	check(fmt.Sprintf("/admin/forms?from=%d", classForm), "已复制", "88-forms-copy")
	check(fmt.Sprintf("/admin/classes/%d/quality", ac.id), "考核指标", "89-quality")
	check("/admin/assess/teachers?name=王教授", "各次评估", "90-teacher-aggregate")
	check("/admin/quality?year="+ac.startedOn[:4], "项目质量排名", "91-ranking")
	ctx = newBrowser(t)
	browserLogin(t, ctx, base, "t_wang", userPassword)
	check("/me/teaching", "我的教学评价", "92-my-teaching")
}
