package assess_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"college/app/collegetest"
	"college/modules/web"

	"github.com/xuri/excelize/v2"
)

func TestAssessFormValidation(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col := c.Tokens["col"]
	rating := func(text string, w any) map[string]any {
		return map[string]any{"kind": "rating", "text": text, "weight": w}
	}

	// Weights that do not add up to 100.
	r := a.Do("POST", "/api/v1/forms", col, map[string]any{"title": "讲座评估", "items": []any{rating("内容", 50), rating("表达", 40)}})
	collegetest.MustStatus(t, r, 400)
	if f := r.Fields(t); f["items"] == nil || !strings.Contains(f["items"].(string), "100") {
		t.Fatalf("weights 90: %s", r.Body)
	}
	// Malformed items, each named.
	r = a.Do("POST", "/api/v1/forms", col, map[string]any{"title": "", "items": []any{
		rating("内容", 0), map[string]any{"kind": "stars", "text": "x"}, map[string]any{"kind": "choice", "text": "收获", "options": []string{"只有一项"}},
		map[string]any{"kind": "text", "text": " "}, rating("表达", 100)}})
	collegetest.MustStatus(t, r, 400)
	f := r.Fields(t)
	for _, k := range []string{"title", "items[0].weight", "items[1].kind", "items[2].options", "items[3].text"} {
		if f[k] == nil {
			t.Errorf("no message for %s: %v", k, f)
		}
	}
	// Only those who run classes make forms.
	collegetest.MustStatus(t, a.Do("POST", "/api/v1/forms", c.Tokens["ua_cadre"], map[string]any{"title": "x", "items": []any{rating("a", 100)}}), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/forms", c.Tokens["ua_cadre"], nil), 403)

	r = a.Do("POST", "/api/v1/forms", col, map[string]any{"title": "专题讲座评估表", "items": []any{rating("内容", 60), rating("表达", 40),
		map[string]any{"kind": "choice", "text": "收获", "options": []string{"理论", "方法", "案例"}, "multiple": true},
		map[string]any{"kind": "text", "text": "建议"}}})
	collegetest.MustStatus(t, r, 201)
	id := r.ID(t)
	if n := a.AuditCount("form.create", id); n != 1 {
		t.Fatalf("form audit entries: %d", n)
	}
	got := a.Do("GET", fmt.Sprintf("/api/v1/forms/%d", id), col, nil)
	collegetest.MustStatus(t, got, 200)
	var form struct {
		Title     string
		Questions []struct {
			Kind     string
			Weight   float64
			Required *bool
		}
	}
	if err := json.Unmarshal(got.Body, &form); err != nil {
		t.Fatal(err)
	}
	if form.Title != "专题讲座评估表" || len(form.Questions) != 4 || form.Questions[0].Weight != 60 ||
		!*form.Questions[0].Required || !*form.Questions[2].Required || *form.Questions[3].Required {
		t.Fatalf("saved form: %s", got.Body)
	}
	// The default card is there for everyone who runs classes, with the five items.
	def := collegetest.AssessDefaultForm(a, c)
	got = a.Do("GET", fmt.Sprintf("/api/v1/forms/%d", def), c.Tokens["org"], nil)
	collegetest.MustStatus(t, got, 200)
	for _, name := range []string{"现实针对性", "理论性", "信息量", "语言表达", "教风教态"} {
		if !strings.Contains(string(got.Body), `"text":"`+name+`","weight":20`) {
			t.Errorf("default card lacks %s: %s", name, got.Body)
		}
	}
	list := a.Do("GET", "/api/v1/forms", col, nil).JSON(t)
	if collegetest.AssessNum(t, list, "total") != 2 {
		t.Fatalf("forms: %v", list)
	}
	// Another college does not see this college's form; the built-in one is shared.
	other := a.CreateOrg(c.Tokens["org"], "市委党校总部", "C00", "college", c.Root)
	a.CreateUser(c.Tokens["admin"], "col2", other, "college_admin")
	col2 := a.Login("col2", collegetest.UserPassword)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/forms/%d", id), col2, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/forms/%d", def), col2, nil), 200)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/forms/%d", def), col, nil), 409)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/forms/%d", id), col2, nil), 404)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/forms/%d", id), col, nil), 204)
}

// Attaching a form checks its target against the class.
func TestAssessEvaluationTargets(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 1, nil)
	def := collegetest.AssessDefaultForm(a, c)
	path := fmt.Sprintf("/api/v1/classes/%d/evaluations", ac.ID)
	col := c.Tokens["col"]
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"form_id": def, "target": map[string]any{"type": "course", "id": ac.Course + 100}}, "target.id"},
		{map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": ac.Sessions[0] + 100}}, "target.id"},
		{map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.Sessions[2]}}, "target.id"}, // no teacher on it
		{map[string]any{"form_id": def, "target": map[string]any{"type": "lecture", "id": 1}}, "target.type"},
		{map[string]any{"form_id": def + 100, "target": map[string]any{"type": "class"}}, "form_id"},
		{map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.Sessions[0]}, "teacher_user_id": ac.Trainees[0]}, "teacher_user_id"},
		{map[string]any{"form_id": def, "target": map[string]any{"type": "class"}, "teacher_user_id": ac.Teachers["t_wang"]}, "teacher_user_id"},
	} {
		r := a.Do("POST", path, col, tc.body)
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)[tc.field] == nil {
			t.Errorf("%v: no message for %s: %s", tc.body, tc.field, r.Body)
		}
	}
	collegetest.MustStatus(t, a.Do("POST", path, c.Tokens["org"], map[string]any{"form_id": def, "target": map[string]any{"type": "class"}}), 403) // the org department only oversees
	collegetest.MustStatus(t, a.Do("POST", path, c.Tokens["ua_cadre"], map[string]any{"form_id": def, "target": map[string]any{"type": "class"}}), 403)

	labels := map[string]string{}
	for _, tg := range []map[string]any{{"type": "class"}, {"type": "course", "id": ac.Course}, {"type": "session", "id": ac.Sessions[1]}, {"type": "teacher", "id": ac.Sessions[0]}} {
		id := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": tg})
		r := a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d", id), col, nil)
		collegetest.MustStatus(t, r, 200)
		labels[tg["type"].(string)] = r.JSON(t)["target"].(map[string]any)["label"].(string)
		if n := a.AuditCount("evaluation.create", ac.ID); n != int64(len(labels)) {
			t.Fatalf("evaluation audit entries: %d", n)
		}
	}
	want := map[string]string{"class": "学习贯彻专题培训班", "course": "习近平新时代中国特色社会主义思想概论", "session": "基层治理现代化（李老师）", "teacher": "王教授"}
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("label of %s: %q, want %q", k, labels[k], v)
		}
	}
	r := a.Do("POST", path, col, map[string]any{"form_id": def, "target": map[string]any{"type": "class"}})
	collegetest.MustRefuse(t, r, 409, "evaluation_exists")
	list := a.Do("GET", path, c.Tokens["org"], nil)
	collegetest.MustStatus(t, list, 200)
	var rows []map[string]any
	_ = json.Unmarshal(list.Body, &rows)
	if len(rows) != 4 || rows[0]["trainees"].(float64) != 1 || rows[0]["submitted"].(float64) != 0 || rows[0]["required"] != true {
		t.Fatalf("class evaluations: %s", list.Body)
	}
	// An evaluation nobody answered can go; one that was answered stays.
	first := uint64(rows[0]["id"].(float64))
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[0], first, "满意", "满意", "满意", "满意", "满意", nil), 201)
	r = a.Do("DELETE", fmt.Sprintf("/api/v1/evaluations/%d", first), col, nil)
	collegetest.MustStatus(t, r, 409)
	collegetest.MustStatus(t, a.Do("DELETE", fmt.Sprintf("/api/v1/evaluations/%d", uint64(rows[1]["id"].(float64))), col, nil), 204)
	// Closed windows refuse answers.
	past := time.Now().Add(-time.Hour)
	closed := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "session", "id": ac.Sessions[2]}, "closes_at": past})
	r = collegetest.AssessAnswer(a, ac.Trainees[0], closed, "满意", "满意", "满意", "满意", "满意", nil)
	collegetest.MustRefuse(t, r, 422, "evaluation_closed")
}

// Trainees answer once, anonymously; the results add up exactly and show
// nobody; a teacher reads their own results and no one else's.
func TestAssessResponsesResultsAndAnonymity(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 4, nil)
	col := c.Tokens["col"]
	def := collegetest.AssessDefaultForm(a, c)
	teacherEval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.Sessions[0]}, "teacher_user_id": ac.Teachers["t_wang"]})
	r := a.Do("POST", "/api/v1/forms", col, map[string]any{"title": "班次总体评估", "items": []any{
		map[string]any{"kind": "rating", "text": "组织管理", "weight": 60}, map[string]any{"kind": "rating", "text": "后勤保障", "weight": 40},
		map[string]any{"kind": "choice", "text": "收获最大的环节", "options": []string{"专题讲座", "现场教学", "分组研讨"}, "multiple": true},
		map[string]any{"kind": "text", "text": "意见建议"}}})
	collegetest.MustStatus(t, r, 201)
	classEval := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": r.ID(t), "target": map[string]any{"type": "class"}, "required": false})

	// Not a trainee: refused.
	outsider := a.Cadres("aso", c.UnitA, "乡科级", 1)[0]
	r = collegetest.AssessAnswer(a, outsider, teacherEval, "满意", "满意", "满意", "满意", "满意", nil)
	collegetest.MustStatus(t, r, 403)
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/evaluations/%d/responses", teacherEval), c.Tokens["ua_admin"], map[string]any{"answers": []any{}}), 403)
	// Bad answers name the item.
	r = collegetest.AssessAnswer(a, ac.Trainees[0], teacherEval, "很好", "满意", "满意", "满意", "满意", nil)
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["answers[0]"] == nil {
		t.Fatalf("bad grade: %s", r.Body)
	}
	r = collegetest.AssessAnswer(a, ac.Trainees[0], teacherEval, "满意", nil, "满意", "满意", "满意", nil)
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["answers[1]"] == nil {
		t.Fatalf("missing rating: %s", r.Body)
	}
	r = collegetest.AssessAnswer(a, ac.Trainees[0], teacherEval, "满意", "满意")
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["answers"] == nil {
		t.Fatalf("too few: %s", r.Body)
	}

	// Three trainees answer the teacher card; the fourth does not.
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[0], teacherEval, "非常满意", "非常满意", "非常满意", "非常满意", "非常满意", "讲得很好，联系实际"), 201)
	r = collegetest.AssessAnswer(a, ac.Trainees[0], teacherEval, "不满意", "不满意", "不满意", "不满意", "不满意", nil)
	collegetest.MustRefuse(t, r, 409, "already_answered")
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[1], teacherEval, "满意", "满意", "满意", "合格", "不满意", nil), 201)
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[2], teacherEval, "满意", "满意", "满意", "满意", "满意", ""), 201)
	// The host reminds the one trainee who has not answered the teacher card, and only them.
	collegetest.MustStatus(t, a.Do("POST", fmt.Sprintf("/api/v1/evaluations/%d/remind", teacherEval), c.Tokens["ua_admin"], nil), 403)
	r = a.Do("POST", fmt.Sprintf("/api/v1/evaluations/%d/remind", teacherEval), col, nil)
	collegetest.MustStatus(t, r, 200)
	if r.JSON(t)["reminded"].(float64) != 1 {
		t.Fatalf("remind: %s", r.Body)
	}
	for i, u := range ac.Trainees {
		var n int64
		a.DB.Table("notifications").Where("user_id = ? AND title LIKE ?", u, "请填写评估%").Count(&n)
		if want := map[bool]int64{true: 1, false: 0}[i == 3]; n != want {
			t.Fatalf("trainee %d got %d reminders", i, n)
		}
	}
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[0], classEval, "非常满意", "合格", []int{0, 1}, "希望增加研讨时间"), 201)
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[1], classEval, "满意", "满意", []int{1}, nil), 201)

	r = a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", teacherEval), col, nil)
	collegetest.MustStatus(t, r, 200)
	var res struct {
		Responses        int
		Score            float64
		SatisfactionRate float64 `json:"satisfaction_rate"`
		MeetsBar         bool    `json:"meets_bar"`
		Items            []struct {
			Text             string
			Average          float64
			SatisfactionRate float64 `json:"satisfaction_rate"`
			Grades           map[string]int
			Options          []int
		}
		Comments []struct{ Item, Text string }
	}
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	// Per response: 100, 16×3+12+4 = 64, 80 → 81.33; 13 of 15 ratings are
	// 非常满意 or 满意 → 0.8667 ≥ 0.85.
	if res.Responses != 3 || res.Score != 81.33 || res.SatisfactionRate != 0.8667 || !res.MeetsBar {
		t.Fatalf("totals: %s", r.Body)
	}
	wantAvg := []float64{17.33, 17.33, 17.33, 16, 13.33}
	wantRate := []float64{1, 1, 1, 0.6667, 0.6667}
	for i, w := range wantAvg {
		it := res.Items[i]
		if it.Average != w || it.SatisfactionRate != wantRate[i] {
			t.Errorf("item %d %s: average %v rate %v, want %v %v", i, it.Text, it.Average, it.SatisfactionRate, w, wantRate[i])
		}
	}
	if g := res.Items[4].Grades; g["非常满意"] != 1 || g["满意"] != 1 || g["合格"] != 0 || g["不满意"] != 1 {
		t.Fatalf("grades of 教风教态: %v", g)
	}
	if len(res.Comments) != 1 || res.Comments[0].Text != "讲得很好，联系实际" {
		t.Fatalf("comments: %+v", res.Comments)
	}
	// The bar is a setting.
	a.Setting("assess.satisfaction_bar", "0.9")
	if a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", teacherEval), col, nil).JSON(t)["meets_bar"] != false {
		t.Fatal("the bar of 90% is met by 86.67%")
	}
	// Choices are counted per option.
	cr := a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", classEval), c.Tokens["org"], nil)
	collegetest.MustStatus(t, cr, 200)
	if err := json.Unmarshal(cr.Body, &res); err != nil {
		t.Fatal(err)
	}
	// Per response: 60+0.6×40 = 84 and 0.8×60+0.8×40 = 80 → 82.
	if res.Responses != 2 || res.Score != 82 || len(res.Items[2].Options) != 3 || res.Items[2].Options[0] != 1 || res.Items[2].Options[1] != 2 || res.Items[2].Options[2] != 0 {
		t.Fatalf("class results: %s", cr.Body)
	}

	// Nobody's name or id in the results, and none in the answers table.
	var people []struct {
		ID             uint64
		Username, Name string
	}
	a.DB.Table("users").Where("id IN ?", ac.Trainees).Find(&people)
	for _, body := range [][]byte{r.Body, cr.Body} {
		for _, p := range people {
			if bytes.Contains(body, []byte(p.Username)) || bytes.Contains(body, []byte(p.Name)) {
				t.Fatalf("results name %s: %s", p.Username, body)
			}
		}
		if bytes.Contains(body, []byte("user")) {
			t.Fatalf("results carry a user field: %s", body)
		}
	}
	cols, err := a.DB.Migrator().ColumnTypes("eval_responses")
	if err != nil || len(cols) == 0 {
		t.Fatal(err)
	}
	for _, ct := range cols {
		if strings.Contains(strings.ToLower(ct.Name()), "user") || strings.Contains(strings.ToLower(ct.Name()), "_at") {
			t.Fatalf("eval_responses has a column %s that could name or time a respondent", ct.Name())
		}
	}
	var ids []string
	a.DB.Table("eval_responses").Where("evaluation_id = ?", teacherEval).Pluck("id", &ids)
	if len(ids) != 3 || len(ids[0]) != 32 {
		t.Fatalf("response keys: %v", ids)
	}

	// The teacher reads their own evaluation and nothing else.
	wang, li := a.TokenFor(ac.Teachers["t_wang"]), a.TokenFor(ac.Teachers["t_li"])
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", teacherEval), wang, nil), 200)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", teacherEval), li, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", classEval), wang, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results.xlsx", classEval), wang, nil), 404)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", teacherEval), a.TokenFor(ac.Trainees[0]), nil), 404)
	mine := a.Do("GET", "/api/v1/me/teaching-results", wang, nil)
	collegetest.MustStatus(t, mine, 200)
	m := mine.JSON(t)
	if collegetest.AssessNum(t, m, "responses") != 3 || collegetest.AssessNum(t, m, "score") != 81.33 || len(m["evaluations"].([]any)) != 1 || len(m["trend"].([]any)) != 1 {
		t.Fatalf("my teaching: %s", mine.Body)
	}
	if collegetest.AssessNum(t, a.Do("GET", "/api/v1/me/teaching-results", li, nil).JSON(t), "responses") != 0 {
		t.Fatal("another teacher sees 王教授's results")
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/me/teaching-results", a.TokenFor(ac.Trainees[0]), nil), 403)
	// Another college sees nothing of this class.
	other := a.CreateOrg(c.Tokens["org"], "市委党校总部", "C00", "college", c.Root)
	a.CreateUser(c.Tokens["admin"], "col2", other, "college_admin")
	col2 := a.Login("col2", collegetest.UserPassword)
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results", teacherEval), col2, nil), 404)
	if collegetest.AssessNum(t, a.Do("GET", "/api/v1/assess/teachers/results?name=王教授", col2, nil).JSON(t), "responses") != 0 {
		t.Fatal("another college sees the teacher's results")
	}
	tr := a.Do("GET", "/api/v1/assess/teachers/results?name=王教授", col, nil)
	collegetest.MustStatus(t, tr, 200)
	if collegetest.AssessNum(t, tr.JSON(t), "score") != 81.33 {
		t.Fatalf("teacher results by name: %s", tr.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/assess/teachers/results", col, nil), 400)

	// The trainee's list.
	me := a.Do("GET", "/api/v1/me/evaluations", a.TokenFor(ac.Trainees[0]), nil)
	collegetest.MustStatus(t, me, 200)
	var list []map[string]any
	_ = json.Unmarshal(me.Body, &list)
	if len(list) != 2 || list[0]["done"] != true || list[1]["done"] != true || list[0]["class_title"] != "学习贯彻专题培训班" {
		t.Fatalf("my evaluations: %s", me.Body)
	}
	me = a.Do("GET", "/api/v1/me/evaluations", a.TokenFor(ac.Trainees[3]), nil)
	_ = json.Unmarshal(me.Body, &list)
	tg := list[0]["target"].(map[string]any)
	if len(list) != 2 || list[0]["done"] != false || list[0]["required"] != true || list[1]["required"] != false || tg["type"] != "teacher" || tg["label"] != "王教授" || list[0]["title"] != "课程评估表（默认）" {
		t.Fatalf("the fourth trainee's evaluations: %s", me.Body)
	}
	if string(a.Do("GET", "/api/v1/me/evaluations", a.TokenFor(outsider), nil).Body) != "[]" {
		t.Fatal("an outsider has evaluations to fill")
	}
	// Completion for the host.
	rows := a.Do("GET", fmt.Sprintf("/api/v1/classes/%d/evaluations", ac.ID), col, nil)
	if !strings.Contains(string(rows.Body), `"submitted":3,"trainees":4,"score":81.33,"satisfaction_rate":0.8667,"meets_bar":false`) {
		t.Fatalf("completion: %s", rows.Body)
	}

	// Excel.
	x := a.Do("GET", fmt.Sprintf("/api/v1/evaluations/%d/results.xlsx", teacherEval), col, nil)
	collegetest.MustStatus(t, x, 200)
	book, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	sheet, _ := book.GetRows("评估结果")
	if len(sheet) != 9 || sheet[1][1] != "3" || sheet[3][1] != "评估项目" || sheet[4][1] != "现实针对性" || sheet[4][3] != "17.33" || sheet[8][1] != "教风教态" || sheet[8][9] != "1" {
		t.Fatalf("results sheet: %q", sheet)
	}
	comments, _ := book.GetRows("意见建议")
	if len(comments) != 2 || comments[1][2] != "讲得很好，联系实际" {
		t.Fatalf("comments sheet: %q", comments)
	}
}

// Results of a course across classes, with the trend by month.
func TestAssessCourseResultsAcrossClasses(t *testing.T) {
	t.Parallel()
	a, c, first := collegetest.AssessSetup(t, 2, nil)
	second := collegetest.AssessNewClass(a, c, "as2", 1, map[string]any{"title": "第二期专题培训班"})
	def := collegetest.AssessDefaultForm(a, c)
	e1 := collegetest.AssessAttach(a, c, first.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "course", "id": first.Course}})
	// The same course title makes a new course each time; link the second class to the first's course.
	collegetest.MustStatus(t, a.Do("PUT", fmt.Sprintf("/api/v1/classes/%d/courses", second.ID), c.Tokens["col"], map[string]any{"courses": []map[string]any{{"course_id": first.Course, "hours": 2}}}), 200)
	e2 := collegetest.AssessAttach(a, c, second.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "course", "id": first.Course}})
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, first.Trainees[0], e1, "非常满意", "非常满意", "非常满意", "非常满意", "非常满意", nil), 201) // 100
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, first.Trainees[1], e1, "合格", "合格", "合格", "合格", "合格", nil), 201)           // 60
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, second.Trainees[0], e2, "满意", "满意", "满意", "满意", "合格", "案例丰富"), 201)       // 76
	r := a.Do("GET", fmt.Sprintf("/api/v1/assess/courses/%d/results", first.Course), c.Tokens["org"], nil)
	collegetest.MustStatus(t, r, 200)
	m := r.JSON(t)
	// (100+60+76)/3 = 78.67; 9 of 15 ratings satisfied = 0.6.
	if collegetest.AssessNum(t, m, "responses") != 3 || collegetest.AssessNum(t, m, "score") != 78.67 || collegetest.AssessNum(t, m, "satisfaction_rate") != 0.6 || m["meets_bar"] != false ||
		m["subject"] != "习近平新时代中国特色社会主义思想概论" || len(m["evaluations"].([]any)) != 2 {
		t.Fatalf("course results: %s", r.Body)
	}
	trend := m["trend"].([]any)
	point := trend[0].(map[string]any)
	if len(trend) != 1 || point["period"] != time.Now().In(web.Shanghai).Format("2006-01") || point["responses"].(float64) != 3 || point["score"].(float64) != 78.67 {
		t.Fatalf("trend: %v", trend)
	}
	items := m["items"].([]any)
	if len(items) != 5 || items[4].(map[string]any)["average"].(float64) != 14.67 {
		t.Fatalf("merged items: %v", items)
	}
	collegetest.MustStatus(t, a.Do("GET", fmt.Sprintf("/api/v1/assess/courses/%d/results", first.Course), c.Tokens["ua_cadre"], nil), 403)
}

// A class that requires its evaluations graduates only those who
// submitted the required ones.
func TestAssessGraduationRequiresEvaluations(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 3, map[string]any{"require_evaluation": true})
	def := collegetest.AssessDefaultForm(a, c)
	required := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.Sessions[0]}})
	optional := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "teacher", "id": ac.Sessions[1]}, "required": false})
	all := []any{"满意", "满意", "满意", "满意", "满意", nil}
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[0], required, all...), 201)
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[1], optional, all...), 201)
	r := a.Do("POST", fmt.Sprintf("/api/v1/classes/%d/graduate", ac.ID), c.Tokens["col"], nil)
	collegetest.MustStatus(t, r, 200)
	g := r.JSON(t)
	inc := g["incomplete"].([]any)
	if g["graduated"].(float64) != 1 || len(inc) != 2 || !strings.Contains(fmt.Sprint(inc), "有 1 项评估未提交") {
		t.Fatalf("graduation: %s", r.Body)
	}
	for i, want := range []string{"graduated", "incomplete", "incomplete"} {
		var status string
		a.DB.Table("registrations").Where("class_id = ? AND user_id = ?", ac.ID, ac.Trainees[i]).Pluck("status", &status)
		if status != want {
			t.Errorf("trainee %d: %s, want %s", i, status, want)
		}
	}
	// A graduate who left it undone can still answer afterwards.
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[2], required, all...), 201)
}

// The quality assessment: the template, scores by the host and the org
// department, the trainees' score, the total, the grade and the ranking.
func TestAssessQualityTotalsAndRanking(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 2, map[string]any{"title": "甲班"})
	col, adm := c.Tokens["col"], c.Tokens["org"]
	base := fmt.Sprintf("/api/v1/classes/%d/quality", ac.ID)
	r := a.Do("POST", base+"/template", col, nil)
	collegetest.MustStatus(t, r, 201)
	collegetest.MustStatus(t, a.Do("POST", base+"/template", col, nil), 409)
	leaves := map[string]uint64{}
	var walk func(nodes []any)
	walk = func(nodes []any) {
		for _, n := range nodes {
			m := n.(map[string]any)
			if kids, ok := m["children"].([]any); ok {
				walk(kids)
			} else {
				leaves[m["name"].(string)] = uint64(m["id"].(float64))
			}
		}
	}
	walk(r.JSON(t)["indicators"].([]any))
	if len(leaves) != 6 {
		t.Fatalf("template: %s", r.Body)
	}
	score := func(tok, scorer string, s map[string]float64) collegetest.Response {
		var items []map[string]any
		for name, v := range s {
			items = append(items, map[string]any{"indicator_id": leaves[name], "score": v, "note": "依据自评报告"})
		}
		return a.Do("PUT", base+"/scores", tok, map[string]any{"scorer": scorer, "scores": items})
	}
	// Each scores only what is theirs.
	collegetest.MustStatus(t, score(col, "org", map[string]float64{"方案科学性": 95}), 403)
	collegetest.MustStatus(t, score(adm, "self", map[string]float64{"课程设置": 90}), 403)
	r = score(col, "self", map[string]float64{"方案科学性": 95})
	collegetest.MustStatus(t, r, 400)
	if r.Fields(t)["scores[0].indicator_id"] == nil {
		t.Fatalf("self scoring an org indicator: %s", r.Body)
	}
	r = score(col, "self", map[string]float64{"课程设置": 101})
	collegetest.MustStatus(t, r, 400)
	collegetest.MustStatus(t, score(col, "self", map[string]float64{"课程设置": 90, "组织管理": 80}), 200)
	collegetest.MustStatus(t, score(adm, "org", map[string]float64{"方案科学性": 95, "师资水平": 85, "学用转化": 70}), 200)
	q := a.Do("GET", base, col, nil).JSON(t)
	if q["complete"] != false || collegetest.AssessNum(t, q, "scored") != 5 {
		t.Fatalf("before trainees: %v", q)
	}
	// Trainees: 100 and 80 → 90.
	def := collegetest.AssessDefaultForm(a, c)
	e := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": def, "target": map[string]any{"type": "class"}})
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[0], e, "非常满意", "非常满意", "非常满意", "非常满意", "非常满意", nil), 201)
	collegetest.MustStatus(t, collegetest.AssessAnswer(a, ac.Trainees[1], e, "满意", "满意", "满意", "满意", "满意", nil), 201)
	r = a.Do("GET", base, adm, nil)
	collegetest.MustStatus(t, r, 200)
	q = r.JSON(t)
	// 0.3×(0.6×95+0.4×90) + 0.3×(0.5×80+0.5×85) + 0.4×(0.6×90+0.4×70) = 85.45
	if collegetest.AssessNum(t, q, "total") != 85.45 || q["grade"] != "良好" || q["complete"] != true {
		t.Fatalf("quality: %s", r.Body)
	}
	if n := a.AuditCount("quality.scores", ac.ID); n != 2 {
		t.Fatalf("score audit entries: %d", n)
	}

	// A second class with its own tree, reviewed by the org department only.
	b := collegetest.AssessNewClass(a, c, "asb", 1, map[string]any{"title": "乙班"})
	bpath := fmt.Sprintf("/api/v1/classes/%d/quality", b.ID)
	for _, bad := range []struct {
		tree  []map[string]any
		field string
	}{
		{[]map[string]any{{"name": "整体", "weight": 60, "source": "org"}, {"name": "其他", "weight": 30, "source": "self"}}, "indicators"},
		{[]map[string]any{{"name": "整体", "weight": 100}}, "indicators[0].source"},
		{[]map[string]any{{"name": "整体", "weight": 100, "source": "trainee", "evaluation_id": e}}, "indicators[0].evaluation_id"},
	} {
		r := a.Do("PUT", bpath+"/indicators", col, map[string]any{"indicators": bad.tree})
		collegetest.MustStatus(t, r, 400)
		if r.Fields(t)[bad.field] == nil {
			t.Errorf("%v: no message for %s: %s", bad.tree, bad.field, r.Body)
		}
	}
	r = a.Do("PUT", bpath+"/indicators", col, map[string]any{"indicators": []map[string]any{{"name": "整体评价", "weight": 100, "source": "org"}}})
	collegetest.MustStatus(t, r, 200)
	id := uint64(r.JSON(t)["indicators"].([]any)[0].(map[string]any)["id"].(float64))
	collegetest.MustStatus(t, a.Do("PUT", bpath+"/scores", adm, map[string]any{"scorer": "org", "scores": []map[string]any{{"indicator_id": id, "score": 92}}}), 200)
	if q := a.Do("GET", bpath, col, nil).JSON(t); collegetest.AssessNum(t, q, "total") != 92 || q["grade"] != "优秀" {
		t.Fatalf("乙班: %v", q)
	}
	// The year's ranking, best first; a unit admin may not see it.
	year := ac.StartedOn[:4]
	rk := a.Do("GET", "/api/v1/quality/ranking?year="+year, adm, nil)
	collegetest.MustStatus(t, rk, 200)
	items := rk.JSON(t)["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("ranking: %s", rk.Body)
	}
	top, next := items[0].(map[string]any), items[1].(map[string]any)
	if top["class_title"] != "乙班" || top["rank"].(float64) != 1 || top["total"].(float64) != 92 || next["class_title"] != "甲班" || next["rank"].(float64) != 2 || next["grade"] != "良好" {
		t.Fatalf("ranking: %s", rk.Body)
	}
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/quality/ranking?year="+year, col, nil), 200)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/quality/ranking", c.Tokens["ua_admin"], nil), 403)
	collegetest.MustStatus(t, a.Do("GET", "/api/v1/quality/ranking?year=abc", adm, nil), 400)
	// Replacing a tree drops its scores.
	r = a.Do("PUT", bpath+"/indicators", col, map[string]any{"indicators": []map[string]any{{"name": "整体评价", "weight": 100, "source": "org"}}})
	collegetest.MustStatus(t, r, 200)
	if q := r.JSON(t); collegetest.AssessNum(t, q, "total") != 0 || collegetest.AssessNum(t, q, "scored") != 0 {
		t.Fatalf("after a new tree: %s", r.Body)
	}
}

// The same trainee submitting at once from two phones is recorded once.
func TestAssessConcurrentSubmissionsCountOnce(t *testing.T) {
	t.Parallel()
	a, c, ac := collegetest.AssessSetup(t, 1, nil)
	e := collegetest.AssessAttach(a, c, ac.ID, map[string]any{"form_id": collegetest.AssessDefaultForm(a, c), "target": map[string]any{"type": "class"}})
	tok := a.TokenFor(ac.Trainees[0])
	body := map[string]any{"answers": []any{"满意", "满意", "满意", "满意", "满意", nil}}
	statuses := make(chan int, 6)
	var wg sync.WaitGroup
	for i := 0; i < cap(statuses); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- a.Do("POST", fmt.Sprintf("/api/v1/evaluations/%d/responses", e), tok, body).Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != cap(statuses)-1 {
		t.Fatalf("statuses: %v", count)
	}
	var responses, submissions int64
	a.DB.Table("eval_responses").Where("evaluation_id = ?", e).Count(&responses)
	a.DB.Table("eval_submissions").Where("evaluation_id = ?", e).Count(&submissions)
	if responses != 1 || submissions != 1 {
		t.Fatalf("%d responses, %d submissions", responses, submissions)
	}
}
