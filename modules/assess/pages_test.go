package assess_test

import (
	"college/app/collegetest"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func assessUsername(a *collegetest.App, id uint64) string {
	var u string
	a.DB.Table("users").Where("id = ?", id).Pluck("username", &u)
	return u
}

func assessIndicator(a *collegetest.App, classID uint64, name string) uint64 {
	var id uint64
	a.DB.Table("quality_indicators").Where("class_id = ? AND name = ?", classID, name).Pluck("id", &id)
	return id
}

// The host publishes an evaluation on its page, a trainee fills it in on a
// phone-sized form, the host and the teacher read the results.
func TestAssessPagesFillAndResults(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 2, nil)
	def := collegetest.AssessDefaultForm(a, c)
	host := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	path := fmt.Sprintf("/admin/classes/%d/evaluations", ac.ID)
	page := collegetest.PageGet(host, path, 200)
	collegetest.MustContain(t, page, "发布评估", fmt.Sprintf(`value="teacher:%d"`, ac.Sessions[0]), fmt.Sprintf(`value="course:%d"`, ac.Course), "测试t_wang（t_wang）")
	r := collegetest.PagePost(host, page, path, url.Values{"form_id": {fmt.Sprint(def)}, "target": {fmt.Sprintf("course:%d", ac.Course+50)}, "required": {"1"}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "不是本班次的课程", "评估未发布")
	r = collegetest.PagePost(host, page, path, url.Values{"form_id": {fmt.Sprint(def)}, "target": {fmt.Sprintf("teacher:%d", ac.Sessions[0])},
		"teacher_user_id": {fmt.Sprint(ac.Teachers["t_wang"])}, "required": {"1"}})
	collegetest.MustRedirect(t, r, path)
	var eval uint64
	a.DB.Table("evaluations").Where("class_id = ?", ac.ID).Pluck("id", &eval)
	if eval == 0 || a.AuditCount("evaluation.create", ac.ID) != 1 {
		t.Fatal("the evaluation was not published and audited")
	}
	fill := fmt.Sprintf("/evaluations/%d", eval)

	// The trainee fills it in.
	b := collegetest.LoginPages(a, assessUsername(a, ac.Trainees[0]), collegetest.UserPassword)
	collegetest.MustContain(t, collegetest.PageGet(b, "/me/evaluations", 200), "王教授", `href="`+fill+`"`, "结业必填")
	form := collegetest.PageGet(b, fill, 200)
	collegetest.MustContain(t, form, `name="a0" value="非常满意"`, `name="a4" value="不满意"`, `name="a5"`, "匿名", "现实针对性", "教风教态")
	r = collegetest.PagePost(b, form, fill, url.Values{"a0": {"满意"}, "a1": {"满意"}, "a2": {"满意"}, "a4": {"满意"}, "a5": {"很实用"}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "请选择评价等级", `value="满意" checked`, "很实用")
	r = collegetest.PagePost(b, form, fill, url.Values{"a0": {"非常满意"}, "a1": {"非常满意"}, "a2": {"非常满意"}, "a3": {"非常满意"}, "a4": {"非常满意"}, "a5": {"案例鲜活，很实用"}})
	collegetest.MustRedirect(t, r, fill)
	done := collegetest.PageGet(b, fill, 200)
	collegetest.MustContain(t, done, "感谢您的评价", "评估已提交")
	if strings.Contains(done, `id="fill-form"`) {
		t.Fatal("the form is still offered after submitting")
	}
	collegetest.MustStatus(t, collegetest.PagePost(b, form, fill, url.Values{"a0": {"不满意"}, "a1": {"不满意"}, "a2": {"不满意"}, "a3": {"不满意"}, "a4": {"不满意"}}), 409)
	b2 := collegetest.LoginPages(a, assessUsername(a, ac.Trainees[1]), collegetest.UserPassword)
	form = collegetest.PageGet(b2, fill, 200)
	collegetest.MustRedirect(t, collegetest.PagePost(b2, form, fill, url.Values{"a0": {"合格"}, "a1": {"合格"}, "a2": {"合格"}, "a3": {"合格"}, "a4": {"合格"}}), fill)
	// An outsider cannot open it.
	collegetest.PageGet(collegetest.LoginPages(a, "ua_cadre", collegetest.UserPassword), fill, 404)

	// Results: (100+60)/2 = 80; 5 of 10 ratings satisfied.
	res := collegetest.PageGet(host, fmt.Sprintf("/admin/evaluations/%d/results", eval), 200)
	collegetest.MustContain(t, res, "参评人次", ">2<", ">80<", "50%", "未达标", "案例鲜活，很实用", fmt.Sprintf("/api/v1/evaluations/%d/results.xlsx", eval), "16<small> / 20 分")
	for _, id := range ac.Trainees {
		if strings.Contains(res, assessUsername(a, id)) {
			t.Fatal("the results page names a trainee")
		}
	}
	collegetest.MustContain(t, collegetest.PageGet(host, path, 200), "已提交 2 / 2", `平均 <strong class="num">80</strong> 分`)
	// The teacher reads their own results only, and only once enough
	// trainees answered (3 by default) to keep them anonymous.
	wang := collegetest.LoginPages(a, "t_wang", collegetest.UserPassword)
	withheld := collegetest.PageGet(wang, fmt.Sprintf("/me/teaching/evaluations/%d", eval), 200)
	collegetest.MustContain(t, withheld, "已有 2 人参评", "达到 3 人后才显示结果")
	if strings.Contains(withheld, "案例鲜活，很实用") || strings.Contains(withheld, "平均总分") {
		t.Fatal("the teacher sees results of only 2 answers")
	}
	if strings.Contains(collegetest.PageGet(wang, "/me/teaching", 200), fmt.Sprintf("/me/teaching/evaluations/%d", eval)) {
		t.Fatal("the teacher's summary counts an evaluation of only 2 answers")
	}
	a.Setting("assess.teacher_min_responses", "2")
	collegetest.MustContain(t, collegetest.PageGet(wang, "/me/teaching", 200), "学习贯彻专题培训班", fmt.Sprintf("/me/teaching/evaluations/%d", eval))
	collegetest.MustContain(t, collegetest.PageGet(wang, fmt.Sprintf("/me/teaching/evaluations/%d", eval), 200), "平均总分", "案例鲜活，很实用")
	li := collegetest.LoginPages(a, "t_li", collegetest.UserPassword)
	collegetest.PageGet(li, fmt.Sprintf("/me/teaching/evaluations/%d", eval), 404)
	collegetest.MustContain(t, collegetest.PageGet(li, "/me/teaching", 200), "还没有关联到您账号的评估")
	collegetest.PageGet(wang, fmt.Sprintf("/admin/evaluations/%d/results", eval), 403)
}

// The form builder, the quality page and the ranking page.
func TestAssessPagesFormsAndQuality(t *testing.T) {
	t.Parallel()
	a, _, ac := collegetest.AssessSetup(t, 1, nil)
	host := collegetest.LoginPages(a, "col", collegetest.UserPassword)
	page := collegetest.PageGet(host, "/admin/forms", 200)
	collegetest.MustContain(t, page, "课程评估表（默认）", "从默认课程评估表开始", `name="text_2"`, `id="builder-add" data-max="60" hidden`)
	form := url.Values{"rows": {"3"}, "title": {"专题讲座评估表"}, "kind_0": {"rating"}, "text_0": {"内容"}, "weight_0": {"50"},
		"kind_1": {"rating"}, "text_1": {"表达"}, "weight_1": {"40"}, "kind_2": {"choice"}, "text_2": {"收获"}, "options_2": {"理论\n方法\n"}, "required_2": {"1"}}
	r := collegetest.PagePost(host, page, "/admin/forms", form)
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "权重合计应为 100", `value="40"`, ">90<")
	form.Set("weight_1", "50")
	r = collegetest.PagePost(host, page, "/admin/forms", form)
	collegetest.MustRedirect(t, r, "/admin/forms#form-")
	var items string
	a.DB.Table("eval_forms").Where("title = ?", "专题讲座评估表").Pluck("items", &items)
	if !strings.Contains(items, `"options":["理论","方法"]`) || strings.Count(items, `"kind"`) != 3 {
		t.Fatalf("saved items: %s", items)
	}
	if n := collegetest.CountAudits(a, "form.create"); n != 1 {
		t.Fatalf("form audit entries: %d", n)
	}

	// Quality: template, self-assessment, a bad tree.
	qpath := fmt.Sprintf("/admin/classes/%d/quality", ac.ID)
	page = collegetest.PageGet(host, qpath, 200)
	collegetest.MustContain(t, page, "套用默认指标")
	collegetest.MustRedirect(t, collegetest.PagePost(host, page, qpath+"/template", url.Values{}), qpath)
	page = collegetest.PageGet(host, qpath, 200)
	collegetest.MustContain(t, page, "培训设计", "方案科学性", "主办方自评", "待组织部门评价", "培训设计 30\n- 方案科学性 60 组织部门评价")
	course := assessIndicator(a, ac.ID, "课程设置")
	r = collegetest.PagePost(host, page, qpath+"/scores", url.Values{"scorer": {"self"}, fmt.Sprintf("score_%d", course): {"120"}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "“课程设置”：分数应在 0 到 100 之间", `value="120"`)
	collegetest.MustRedirect(t, collegetest.PagePost(host, page, qpath+"/scores", url.Values{"scorer": {"self"}, fmt.Sprintf("score_%d", course): {"90"}, fmt.Sprintf("note_%d", course): {"课程紧扣主题"}}), qpath)
	collegetest.MustContain(t, collegetest.PageGet(host, qpath, 200), "自评 90 分：课程紧扣主题", `id="quality-total">10.8<`)
	r = collegetest.PagePost(host, page, qpath+"/indicators", url.Values{"tree": {"甲 50\n乙 40 组织部门评价\n- 丙"}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "第 3 行")
	r = collegetest.PagePost(host, page, qpath+"/indicators", url.Values{"tree": {"甲 50\n乙 40 组织部门评价\n- 丙 100 自评"}})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustContain(t, string(r.Body), "第一级指标：同级指标的权重合计应为 100", "第 1 行“甲”")
	// The org department reviews.
	adm := collegetest.LoginPages(a, "org", collegetest.UserPassword)
	page = collegetest.PageGet(adm, qpath, 200)
	collegetest.MustContain(t, page, `id="org-form"`)
	if strings.Contains(page, `id="self-form"`) {
		t.Fatal("the org department is offered the host's self-assessment")
	}
	fields := url.Values{"scorer": {"org"}}
	for name, v := range map[string]string{"方案科学性": "95", "师资水平": "85", "学用转化": "70"} {
		fields.Set(fmt.Sprintf("score_%d", assessIndicator(a, ac.ID, name)), v)
	}
	collegetest.MustRedirect(t, collegetest.PagePost(adm, page, qpath+"/scores", fields), qpath)
	year := ac.StartedOn[:4]
	rank := collegetest.PageGet(adm, "/admin/quality?year="+year, 200)
	collegetest.MustContain(t, rank, "学习贯彻专题培训班", "评分未完成", fmt.Sprintf(`href="/admin/classes/%d/quality"`, ac.ID))
	collegetest.PageGet(collegetest.LoginPages(a, "ua_admin", collegetest.UserPassword), "/admin/quality", 403)
	// A whole new tree from text.
	page = collegetest.PageGet(host, qpath, 200)
	collegetest.MustRedirect(t, collegetest.PagePost(host, page, qpath+"/indicators", url.Values{"tree": {"总体评价 100\n- 学员满意度 50 学员评价\n- 组织实施 50 自评\n"}}), qpath)
	collegetest.MustContain(t, collegetest.PageGet(host, qpath, 200), "总体评价", "本班次全部评估")
	// Nav links.
	collegetest.MustContain(t, collegetest.PageGet(host, "/", 200), `href="/admin/forms"`, `href="/admin/quality"`)
}

// The assessment pages fit a 390 px phone.
func TestBrowserAssessPagesFitAPhone(t *testing.T) {
	ctx := collegetest.NewChrome(t)
	a, c, ac := collegetest.AssessSetup(t, 3, map[string]any{"title": "学习贯彻党的二十届四中全会精神专题培训班", "require_evaluation": true})
	base := a.Start()
	def := collegetest.AssessDefaultForm(a, c)
	eval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.Sessions[0]}, "teacher_user_id": ac.Teachers["t_wang"]})
	r := a.Do("POST", "/api/v1/forms", c.Tokens["col"], map[string]any{"title": "班次总体评估表", "items": []any{
		map[string]any{"kind": "rating", "text": "培训组织与管理服务", "weight": 60}, map[string]any{"kind": "rating", "text": "食宿与后勤保障", "weight": 40},
		map[string]any{"kind": "choice", "text": "您认为收获最大的教学环节", "options": []string{"专题讲座", "现场教学", "分组研讨", "学员论坛"}, "multiple": true},
		map[string]any{"kind": "text", "text": "对今后办班的意见和建议"}}})
	collegetest.MustStatus(t, r, 201)
	classForm := r.ID(t)
	classEval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": classForm, "target": map[string]any{"type": "class"}})
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[1], eval, "非常满意", "满意", "非常满意", "满意", "非常满意", "王教授讲解深入浅出，案例丰富，建议适当增加互动交流时间。"), 201)
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[2], eval, "满意", "满意", "合格", "满意", "满意", nil), 201)
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[1], classEval, "满意", "非常满意", []int{0, 1}, "希望多安排现场教学"), 201)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/quality/template", ac.ID), c.Tokens["col"], nil), 201)

	check := func(path, want, shot string) {
		t.Helper()
		collegetest.PhonePage(t, ctx, base+path, want, shot)
	}
	collegetest.ChromeLogin(t, ctx, base, assessUsername(a, ac.Trainees[0]), collegetest.UserPassword)
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
	collegetest.WaitText(t, ctx, "请选择评价等级")
	collegetest.Screenshot(t, ctx, "82-fill-missing")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="a4"][value="满意"] + span`)), chromedp.Click(chromedp.CSS(`#fill-submit`))); err != nil {
		t.Fatal(err)
	}
	collegetest.WaitText(t, ctx, "感谢您的评价")
	collegetest.Screenshot(t, ctx, "83-fill-thanks")
	check(fmt.Sprintf("/evaluations/%d", classEval), "收获最大", "84-fill-class")

	ctx = collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, ctx, base, "col", collegetest.UserPassword)
	check(fmt.Sprintf("/admin/classes/%d/evaluations", ac.ID), "发布评估", "85-class-evaluations")
	check(fmt.Sprintf("/admin/evaluations/%d/results", eval), "各项评价", "86-results")
	check(fmt.Sprintf("/admin/evaluations/%d/results", classEval), "收获最大", "87-results-class")
	check("/admin/forms", "新建评估表", "88-forms")
	check(fmt.Sprintf("/admin/forms?from=%d", classForm), "已复制", "88-forms-copy")
	check(fmt.Sprintf("/admin/classes/%d/quality", ac.ID), "考核指标", "89-quality")
	check("/admin/assess/teachers?name=王教授", "各次评估", "90-teacher-aggregate")
	check("/admin/quality?year="+ac.StartedOn[:4], "项目质量排名", "91-ranking")
	ctx = collegetest.NewChrome(t)
	collegetest.ChromeLogin(t, ctx, base, "t_wang", collegetest.UserPassword)
	check("/me/teaching", "我的教学评价", "92-my-teaching")
}
