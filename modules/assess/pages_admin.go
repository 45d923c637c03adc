package assess

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"college/modules/training"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// ---------- 评估管理: the forms and the form builder ----------

// builderRow is one item of the form builder as entered.
type builderRow struct {
	Kind     string
	Text     string
	Weight   string
	Options  string // one option a line
	Multiple bool
	Required bool
	Errors   map[string]string // by field: kind, text, weight, options
}

// blank reports whether nothing was entered in a row.
func (r builderRow) blank() bool {
	return strings.TrimSpace(r.Text) == "" && strings.TrimSpace(r.Weight) == "" && strings.TrimSpace(r.Options) == ""
}

type formsData struct {
	Forms       []FormResponse
	DefaultID   uint64
	Title       string
	Rows        []builderRow
	WeightTotal float64
	Error       string
	TitleError  string
	Extra       []string
	KindNames   map[string]string
	Kinds       []string
	From        string // the form copied into the builder
	MaxRows     int    // rows the builder may grow to
}

// maxBuilderRows bounds the builder's rows: blank rows are not saved, so a
// few more than a form may have.
const maxBuilderRows = MaxItems + 10

// builderRowsFrom turns a form's items into builder rows.
func builderRowsFrom(items []Item) []builderRow {
	rows := make([]builderRow, 0, len(items))
	for _, it := range items {
		r := builderRow{Kind: it.Kind, Text: it.Text, Options: strings.Join(it.Options, "\n"), Multiple: it.Multiple, Required: it.IsRequired()}
		if it.Kind == KindRating {
			r.Weight = strconv.FormatFloat(it.Weight, 'f', -1, 64)
		}
		rows = append(rows, r)
	}
	return rows
}

func weightTotal(rows []builderRow) float64 {
	total := 0.0
	for _, r := range rows {
		if r.Kind == KindRating {
			if w, err := strconv.ParseFloat(strings.TrimSpace(r.Weight), 64); err == nil {
				total += w
			}
		}
	}
	return total
}

func (h *Handlers) formsPage(c *fiber.Ctx) error {
	d := formsData{}
	if from, err := web.ParseUint(c.Query("from")); err == nil && from != 0 {
		f, err := h.svc.GetForm(c.UserContext(), web.Caller(c), from)
		if err != nil {
			return err
		}
		items, err := decodeItems(f.Items)
		if err != nil {
			return web.Internal(err)
		}
		d.Title, d.Rows, d.From = f.Title+"（副本）", builderRowsFrom(items), f.Title
	}
	for len(d.Rows) < 3 {
		d.Rows = append(d.Rows, builderRow{Kind: KindRating})
	}
	return h.renderForms(c, fiber.StatusOK, d)
}

func (h *Handlers) renderForms(c *fiber.Ctx, status int, d formsData) error {
	ctx, p := c.UserContext(), web.Caller(c)
	forms, _, err := h.svc.ListForms(ctx, p, web.Page{Page: 1, PageSize: web.MaxPageSize})
	if err != nil {
		return err
	}
	for _, s := range forms {
		f, err := h.svc.GetForm(ctx, p, s.ID)
		if err != nil {
			return err
		}
		fr, err := h.svc.FormResponse(ctx, f)
		if err != nil {
			return err
		}
		if fr.Builtin && fr.Title == DefaultFormTitle && d.DefaultID == 0 {
			d.DefaultID = fr.ID
		}
		d.Forms = append(d.Forms, fr)
	}
	d.KindNames, d.Kinds, d.MaxRows = KindNames, []string{KindRating, KindChoice, KindText}, maxBuilderRows
	d.WeightTotal = weightTotal(d.Rows)
	return h.pages.Render(c, status, "assess/forms", "评估管理", d)
}

func (h *Handlers) formSubmit(c *fiber.Ctx) error {
	n, _ := strconv.Atoi(c.FormValue("rows"))
	n = min(max(n, 0), maxBuilderRows)
	d := formsData{Title: c.FormValue("title")}
	for i := 0; i < n; i++ {
		k := strconv.Itoa(i)
		d.Rows = append(d.Rows, builderRow{Kind: c.FormValue("kind_" + k), Text: c.FormValue("text_" + k), Weight: c.FormValue("weight_" + k),
			Options: c.FormValue("options_" + k), Multiple: c.FormValue("multiple_"+k) != "", Required: c.FormValue("required_"+k) != ""})
	}
	in := FormRequest{Title: d.Title}
	var at []int // item index -> row index
	for i, r := range d.Rows {
		if r.blank() {
			continue
		}
		req := r.Required
		it := Item{Kind: r.Kind, Text: r.Text, Multiple: r.Multiple, Required: &req}
		if r.Kind == KindRating {
			w, err := strconv.ParseFloat(strings.TrimSpace(r.Weight), 64)
			if err != nil {
				w = -1 // refused by the validation
			}
			it.Weight = w
		}
		if r.Kind == KindChoice {
			for _, o := range strings.Split(r.Options, "\n") {
				if o = strings.TrimSpace(o); o != "" {
					it.Options = append(it.Options, o)
				}
			}
		}
		in.Items = append(in.Items, it)
		at = append(at, i)
	}
	f, err := h.svc.CreateForm(c.UserContext(), web.Caller(c), in)
	if err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		d.Error = we.Message
		for k, msg := range we.Fields {
			if k == "title" {
				d.TitleError = msg
				continue
			}
			var idx int
			var field string
			if _, e := fmt.Sscanf(k, "items[%d].%s", &idx, &field); e == nil && idx < len(at) {
				r := &d.Rows[at[idx]]
				if r.Errors == nil {
					r.Errors = map[string]string{}
				}
				r.Errors[field] = msg
				continue
			}
			d.Extra = append(d.Extra, msg)
		}
		slices.Sort(d.Extra)
		return h.renderForms(c, we.Status, d)
	}
	web.Flash(c, "评估表“"+f.Title+"”已保存，可在班次的评估页面使用")
	return c.Redirect(fmt.Sprintf("/admin/forms#form-%d", f.ID), fiber.StatusSeeOther)
}

func (h *Handlers) formDeleteSubmit(c *fiber.Ctx) error {
	_, f, err := web.WithID(c, h.svc.DeleteForm)
	if err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		d := formsData{Error: we.Message}
		for len(d.Rows) < 3 {
			d.Rows = append(d.Rows, builderRow{Kind: KindRating})
		}
		return h.renderForms(c, we.Status, d)
	}
	web.Flash(c, "评估表“"+f.Title+"”已删除")
	return c.Redirect("/admin/forms", fiber.StatusSeeOther)
}

// ---------- a class's evaluations ----------

type targetOption struct {
	Value, Label string
}

type targetGroup struct {
	Label   string
	Options []targetOption
}

// attachForm is the attach form as entered.
type attachForm struct {
	FormID        uint64
	Target        string // type:id
	Required      bool
	TeacherUserID uint64
	OpensAt       string
	ClosesAt      string
}

type evaluationRowView struct {
	EvaluationRow
	TargetName string
	Pct        int
	Closes     string
}

type classEvaluationsData struct {
	Class       *training.Class
	Host        bool
	Rows        []evaluationRowView
	Forms       []FormSummary
	Targets     []targetGroup
	Teachers    []Teacher
	Form        attachForm
	Error       string
	Fields      map[string]string
	RequireEval bool
}

func (h *Handlers) classEvaluationsPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderClassEvaluations(c, fiber.StatusOK, id, attachForm{Required: true}, nil)
}

const localLayout = "2006-01-02T15:04" // <input type="datetime-local">

func (h *Handlers) renderClassEvaluations(c *fiber.Ctx, status int, id uint64, form attachForm, refused *web.Error) error {
	ctx, p := c.UserContext(), web.Caller(c)
	rows, err := h.svc.ClassEvaluations(ctx, p, id)
	if err != nil {
		return err
	}
	cl, err := h.svc.classes.ClassByID(ctx, id)
	if err != nil {
		return err
	}
	host, err := h.svc.classes.Hosts(ctx, p, id)
	if err != nil {
		return err
	}
	d := classEvaluationsData{Class: cl, Host: host, Form: form, RequireEval: cl.RequireEval, Fields: map[string]string{}}
	if refused != nil {
		d.Error = refused.Message
		for k, v := range refused.Fields {
			d.Fields[k] = v
		}
	}
	for _, r := range rows {
		v := evaluationRowView{EvaluationRow: r, TargetName: TargetNames[r.Target.Type], Pct: percent(float64(r.Submitted), float64(r.Trainees))}
		if r.ClosesAt != nil {
			v.Closes = r.ClosesAt.In(web.Shanghai).Format("2006-01-02 15:04")
		}
		d.Rows = append(d.Rows, v)
	}
	if host {
		if d.Forms, _, err = h.svc.ListForms(ctx, p, web.Page{Page: 1, PageSize: web.MaxPageSize}); err != nil {
			return err
		}
		d.Targets = append(d.Targets, targetGroup{Label: "班次", Options: []targetOption{{Value: fmt.Sprintf("%s:%d", TargetClass, cl.ID), Label: "整个班次：" + cl.Title}}})
		courses, err := h.svc.classes.Courses(ctx, id)
		if err != nil {
			return err
		}
		if len(courses) > 0 {
			g := targetGroup{Label: "网络课程"}
			for _, x := range courses {
				g.Options = append(g.Options, targetOption{Value: fmt.Sprintf("%s:%d", TargetCourse, x.CourseID), Label: "课程：" + x.Title})
			}
			d.Targets = append(d.Targets, g)
		}
		sessions, err := h.svc.classes.Sessions(ctx, id)
		if err != nil {
			return err
		}
		if len(sessions) > 0 {
			gs, gt := targetGroup{Label: "课次（专题）"}, targetGroup{Label: "授课教师"}
			for _, x := range sessions {
				day := x.StartsAt.In(web.Shanghai).Format("1月2日")
				gs.Options = append(gs.Options, targetOption{Value: fmt.Sprintf("%s:%d", TargetSession, x.ID), Label: day + " " + sessionLabel(x)})
				if strings.TrimSpace(x.Teacher) != "" {
					gt.Options = append(gt.Options, targetOption{Value: fmt.Sprintf("%s:%d", TargetTeacher, x.ID), Label: "教师：" + x.Teacher + "（" + day + " " + x.Topic + "）"})
				}
			}
			d.Targets = append(d.Targets, gs)
			if len(gt.Options) > 0 {
				d.Targets = append(d.Targets, gt)
			}
		}
		if h.svc.teachers != nil {
			if d.Teachers, err = h.svc.teachers.Teachers(ctx, p); err != nil {
				return web.Internal(err)
			}
		}
	}
	return h.pages.Render(c, status, "assess/class_evaluations", "班次评估", d)
}

func (h *Handlers) classEvaluationSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := attachForm{Target: c.FormValue("target"), Required: c.FormValue("required") != "", OpensAt: c.FormValue("opens_at"), ClosesAt: c.FormValue("closes_at")}
	form.FormID, _ = web.ParseUint(c.FormValue("form_id"))
	form.TeacherUserID, _ = web.ParseUint(c.FormValue("teacher_user_id"))
	required := form.Required
	in := EvaluationRequest{FormID: form.FormID, Required: &required, TeacherUserID: form.TeacherUserID}
	bad := web.Fields{}
	if kind, sid, ok := strings.Cut(form.Target, ":"); ok {
		in.Target.Type = kind
		in.Target.ID, _ = web.ParseUint(sid)
	} else {
		bad.Add("target", "请选择评估对象")
	}
	for name, v := range map[string]string{"opens_at": form.OpensAt, "closes_at": form.ClosesAt} {
		if strings.TrimSpace(v) == "" {
			continue
		}
		t, err := time.ParseInLocation(localLayout, v, web.Shanghai)
		if err != nil {
			bad.Add(name, "时间格式不正确")
			continue
		}
		if name == "opens_at" {
			in.OpensAt = &t
		} else {
			in.ClosesAt = &t
		}
	}
	err = bad.Err()
	var e *Evaluation
	if err == nil {
		e, err = h.svc.CreateEvaluation(c.UserContext(), web.Caller(c), id, in)
	}
	if err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		if len(we.Fields) > 0 {
			we = &web.Error{Status: we.Status, Fields: we.Fields, Message: "评估未发布，请检查标出的项目"}
		}
		return h.renderClassEvaluations(c, we.Status, id, form, we)
	}
	web.Flash(c, "评估已发布："+TargetNames[e.TargetType]+"“"+e.TargetLabel+"”，本班次学员可以填写")
	return c.Redirect(fmt.Sprintf("/admin/classes/%d/evaluations#evaluation-%d", id, e.ID), fiber.StatusSeeOther)
}

func (h *Handlers) evaluationDeleteSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, e, err := web.WithID(c, h.svc.DeleteEvaluation)
	if err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		ev, err := h.svc.evaluation(ctx, id)
		if err != nil {
			return err
		}
		return h.renderClassEvaluations(c, we.Status, ev.ClassID, attachForm{Required: true}, we)
	}
	web.Flash(c, "评估已删除")
	return c.Redirect(fmt.Sprintf("/admin/classes/%d/evaluations", e.ClassID), fiber.StatusSeeOther)
}

func (h *Handlers) evaluationRemindSubmit(c *fiber.Ctx) error {
	_, e, n, err := web.WithIDPair(c, h.svc.Remind)
	if err != nil {
		return err
	}
	if n == 0 {
		web.Flash(c, "学员都已提交这项评估，无需提醒")
	} else {
		web.Flash(c, fmt.Sprintf("已提醒 %d 名未提交的学员", n))
	}
	return c.Redirect(fmt.Sprintf("/admin/classes/%d/evaluations", e.ClassID), fiber.StatusSeeOther)
}
