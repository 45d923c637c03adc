package assess

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// registerPages lists the module's pages: the trainee's (their evaluations
// and the form to fill), the teacher's own results, and the host's and org
// department's (forms, a class's evaluations, results, quality assessment
// and the year's ranking). Forms post to page routes that call the same
// service actions as the JSON API (which write the audit entries), and
// redirect (303) with a flash message, or show the refusal with its 4xx
// status on the page they came from.
func (h *Handlers) registerPages(r fiber.Router) {
	managers := web.RequireRole(web.RoleCollegeAdmin, web.RoleOrgAdmin)
	host := web.RequireRole(web.RoleCollegeAdmin)
	teacher := web.RequireRole(web.RoleTeacher)
	r.Get("/me/evaluations", web.RequireLogin, h.myEvaluationsPage)
	r.Get("/evaluations/:id", web.RequireLogin, h.fillPage)
	r.Post("/evaluations/:id", web.RequireLogin, h.fillSubmit)
	r.Get("/me/teaching", teacher, h.teachingPage)
	r.Get("/me/teaching/evaluations/:id", teacher, h.resultsPage)
	r.Get("/admin/forms", managers, h.formsPage)
	r.Post("/admin/forms", managers, h.formSubmit)
	r.Post("/admin/forms/:id/delete", managers, h.formDeleteSubmit)
	r.Get("/admin/classes/:id/evaluations", managers, h.classEvaluationsPage)
	r.Post("/admin/classes/:id/evaluations", host, h.classEvaluationSubmit)
	r.Post("/admin/evaluations/:id/delete", host, h.evaluationDeleteSubmit)
	r.Post("/admin/evaluations/:id/remind", host, h.evaluationRemindSubmit)
	r.Get("/admin/evaluations/:id/results", managers, h.resultsPage)
	r.Get("/admin/assess/courses/:id", managers, h.courseAggregatePage)
	r.Get("/admin/assess/teachers", managers, h.teacherAggregatePage)
	r.Get("/admin/classes/:id/quality", managers, h.qualityPage)
	r.Post("/admin/classes/:id/quality/template", managers, h.qualityTemplateSubmit)
	r.Post("/admin/classes/:id/quality/indicators", managers, h.qualityIndicatorsSubmit)
	r.Post("/admin/classes/:id/quality/scores", managers, h.qualityScoresSubmit)
	r.Get("/admin/quality", managers, h.rankingPage)
}

// pageRefusal turns a service error into a message for the page it came
// from, or returns the error itself for the error page: a server failure,
// a missing record or a caller without the right.
func pageRefusal(err error) (*web.Error, error) {
	we := web.AsError(err)
	switch we.Status {
	case fiber.StatusUnauthorized, fiber.StatusForbidden, fiber.StatusNotFound:
		return nil, err
	}
	if we.Status >= 500 {
		return nil, err
	}
	return we, nil
}

// percent is a share as a whole-number percentage for bar widths.
func percent(part, whole float64) int {
	if whole <= 0 {
		return 0
	}
	p := int(part/whole*100 + 0.5)
	return min(max(p, 0), 100)
}

// ---------- 我的评估 ----------

type myEvaluationsData struct {
	Todo, Waiting, Done []MyEvaluation
}

func (h *Handlers) myEvaluationsPage(c *fiber.Ctx) error {
	rows, err := h.svc.MyEvaluations(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	var d myEvaluationsData
	for _, r := range rows {
		switch {
		case r.Done:
			d.Done = append(d.Done, r)
		case r.Open:
			d.Todo = append(d.Todo, r)
		default:
			d.Waiting = append(d.Waiting, r)
		}
	}
	return h.pages.Render(c, fiber.StatusOK, "assess/my_evaluations", "我的评估", d)
}

// ---------- filling in an evaluation ----------

// fillItem is one question on the page with what was entered.
type fillItem struct {
	Item
	No       int
	Name     string // form field name
	Grade    string
	Picks    map[int]bool
	Answer   string // a text item's answer
	Error    string
	Required bool
}

type fillData struct {
	E       EvaluationDetail
	Items   []fillItem
	Grades  []string
	Error   string
	Preview bool // a manager or the teacher looking at the form
}

func (h *Handlers) fillPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderFill(c, fiber.StatusOK, id, nil, "", nil)
}

// renderFill shows the form to fill, with the answers as entered and the
// messages of a refused submission.
func (h *Handlers) renderFill(c *fiber.Ctx, status int, id uint64, values []fillItem, alert string, fields map[string]string) error {
	e, err := h.svc.Evaluation(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	d := fillData{E: e, Grades: Grades, Error: alert, Preview: !e.Trainee}
	for i, it := range e.Questions {
		fi := fillItem{Item: it, No: i + 1, Name: "a" + strconv.Itoa(i), Picks: map[int]bool{}, Required: it.IsRequired()}
		if i < len(values) {
			fi.Grade, fi.Picks, fi.Answer = values[i].Grade, values[i].Picks, values[i].Answer
		}
		fi.Error = fields[fmt.Sprintf("answers[%d]", i)]
		d.Items = append(d.Items, fi)
	}
	if msg := fields["answers"]; msg != "" && d.Error == "" {
		d.Error = msg
	}
	if d.Error == "" && len(fields) > 0 {
		d.Error = "还有项目没有填好，请检查标出的项目"
	}
	return h.pages.Render(c, status, "assess/fill", e.Title, d)
}

func (h *Handlers) fillSubmit(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	id, e, err := web.WithID(c, h.svc.Evaluation)
	if err != nil {
		return err
	}
	values := make([]fillItem, len(e.Questions))
	answers := make([]json.RawMessage, len(e.Questions))
	for i, it := range e.Questions {
		name := "a" + strconv.Itoa(i)
		v := fillItem{Picks: map[int]bool{}}
		var a any
		switch it.Kind {
		case KindRating:
			v.Grade = c.FormValue(name)
			a = v.Grade
		case KindChoice:
			picks := []any{}
			for _, raw := range c.Request().PostArgs().PeekMulti(name) {
				n, err := strconv.Atoi(string(raw))
				if err != nil {
					picks = append(picks, string(raw)) // refused by the validation
					continue
				}
				v.Picks[n] = true
				picks = append(picks, n)
			}
			a = picks
		case KindText:
			v.Answer = c.FormValue(name)
			a = v.Answer
		}
		b, _ := json.Marshal(a)
		answers[i] = b
		values[i] = v
	}
	if err := h.svc.Respond(ctx, p, id, ResponseRequest{Answers: answers}); err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		msg := ""
		if len(we.Fields) == 0 {
			msg = we.Message
		}
		return h.renderFill(c, we.Status, id, values, msg, we.Fields)
	}
	web.Flash(c, "评估已提交，感谢您的评价！")
	return c.Redirect(fmt.Sprintf("/evaluations/%d", id), fiber.StatusSeeOther)
}

// ---------- results ----------

// gradeBar is one grade's share of a rating item's answers.
type gradeBar struct {
	Name  string
	Count int
	Pct   int
	Class string
}

// optionBar is one option's count.
type optionBar struct {
	Label string
	Count int
	Pct   int
}

// itemView is an item's results with the widths of its bars.
type itemView struct {
	ItemResult
	No       int
	ScorePct int // average out of the weight
	RatePct  int
	Bars     []gradeBar
	Choices  []optionBar
}

var gradeClasses = map[string]string{GradeExcellent: "g1", GradeGood: "g2", GradePass: "g3", GradePoor: "g4"}

func itemViews(items []ItemResult) []itemView {
	out := make([]itemView, 0, len(items))
	for i, it := range items {
		v := itemView{ItemResult: it, No: i + 1}
		switch it.Kind {
		case KindRating:
			v.ScorePct = percent(it.Average, it.Weight)
			v.RatePct = percent(it.SatisfactionRate, 1)
			for _, g := range Grades {
				v.Bars = append(v.Bars, gradeBar{Name: g, Count: it.Grades[g], Pct: percent(float64(it.Grades[g]), float64(it.Answers)), Class: gradeClasses[g]})
			}
		case KindChoice:
			for j, label := range it.OptionLabels {
				n := 0
				if j < len(it.Options) {
					n = it.Options[j]
				}
				v.Choices = append(v.Choices, optionBar{Label: label, Count: n, Pct: percent(float64(n), float64(max(it.Answers, 1)))})
			}
		}
		out = append(out, v)
	}
	return out
}

// summaryView feeds the asSummary partial.
type summaryView struct {
	Responses        int
	Score, Rate, Bar float64
	RatePct, BarPct  int
	Meets            bool
}

func summary(responses int, score, rate, bar float64, meets bool) summaryView {
	return summaryView{Responses: responses, Score: score, Rate: rate, Bar: bar, RatePct: percent(rate, 1), BarPct: percent(bar, 1), Meets: meets}
}

type resultsData struct {
	R       Results
	Items   []itemView
	Sum     summaryView
	Back    string
	BackTo  string
	Teacher bool // the teacher's own view
}

func (h *Handlers) resultsPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p := web.Caller(c)
	r, err := h.svc.Results(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	d := resultsData{R: r, Items: itemViews(r.Items), Sum: summary(r.Responses, r.Score, r.SatisfactionRate, r.Bar, r.MeetsBar)}
	if strings.HasPrefix(c.Path(), "/me/") {
		d.Teacher, d.Back, d.BackTo = true, "/me/teaching", "我的教学评价"
	} else {
		d.Back, d.BackTo = fmt.Sprintf("/admin/classes/%d/evaluations", r.ClassID), "班次评估"
	}
	return h.pages.Render(c, fiber.StatusOK, "assess/results", "评估结果", d)
}

// ---------- course and teacher results across classes ----------

type aggregateData struct {
	A     Aggregate
	Kind  string // course, teacher, mine
	Items []itemView
	Sum   summaryView
	Trend []trendBar
	Link  string // where an evaluation's results are: a prefix before its id
	Query string // the teacher name searched
}

type trendBar struct {
	TrendPoint
	ScorePct int
	RatePct  int
}

func (h *Handlers) renderAggregate(c *fiber.Ctx, kind, title string, a Aggregate, query string) error {
	d := aggregateData{A: a, Kind: kind, Items: itemViews(a.Items), Sum: summary(a.Responses, a.Score, a.SatisfactionRate, a.Bar, a.MeetsBar), Query: query,
		Link: "/admin/evaluations/"}
	if kind == "mine" {
		d.Link = "/me/teaching/evaluations/"
	}
	for _, t := range a.Trend {
		d.Trend = append(d.Trend, trendBar{TrendPoint: t, ScorePct: percent(t.Score, 100), RatePct: percent(t.SatisfactionRate, 1)})
	}
	// Newest first in the list of evaluations.
	slices.Reverse(d.A.Evaluations)
	return h.pages.Render(c, fiber.StatusOK, "assess/aggregate", title, d)
}

func (h *Handlers) teachingPage(c *fiber.Ctx) error {
	a, err := h.svc.MyTeaching(c.UserContext(), web.Caller(c))
	if err != nil {
		return err
	}
	return h.renderAggregate(c, "mine", "我的教学评价", a, "")
}

func (h *Handlers) courseAggregatePage(c *fiber.Ctx) error {
	_, a, err := web.WithID(c, h.svc.CourseResults)
	if err != nil {
		return err
	}
	return h.renderAggregate(c, "course", "课程评估汇总", a, "")
}

func (h *Handlers) teacherAggregatePage(c *fiber.Ctx) error {
	name := strings.TrimSpace(c.Query("name"))
	uid, _ := web.ParseUint(c.Query("user_id"))
	a := Aggregate{Subject: name}
	if name != "" || uid != 0 {
		var err error
		if a, err = h.svc.TeacherResults(c.UserContext(), web.Caller(c), name, uid); err != nil {
			return err
		}
	}
	return h.renderAggregate(c, "teacher", "授课教师评估汇总", a, name)
}
