package followup

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// ---------- 问效任务: the team member's rounds ----------

type teamRow struct {
	RoundSummary
	Tone  string
	CTone string
}

type teamRoundsData struct {
	Rounds  []teamRow
	Open    int
	Overdue int
	Member  bool
	Manager bool
}

func (h *Handlers) teamRoundsPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	rounds, err := h.svc.MyRounds(ctx, p)
	if err != nil {
		return err
	}
	member, err := h.svc.IsTeamMember(ctx, p.UserID)
	if err != nil {
		return web.Internal(err)
	}
	d := teamRoundsData{Member: member, Manager: p.HasAny(managers...)}
	for _, r := range rounds {
		d.Rounds = append(d.Rounds, teamRow{RoundSummary: r, Tone: roundTone(r.Status, r.Overdue), CTone: conclusionTone(r.Conclusion)})
		if r.Status == RoundPending {
			d.Open++
		}
		if r.Overdue {
			d.Overdue++
		}
	}
	return h.pages.Render(c, fiber.StatusOK, "followup/rounds", "问效任务", d)
}

// ---------- the round form ----------

type formIndicator struct {
	Name  string
	Score string
}

type formDimension struct {
	Index      int
	Name       string
	Score      string
	Notes      string
	Indicators []formIndicator
	Error      string
}

type formMethod struct {
	Index    int
	Name     string
	Checked  bool
	Evidence string
	Online   bool // done by questionnaire
}

// gradeCell is one grade's count in a results table.
type gradeCell struct {
	Grade string
	N     int
}

type resultQuestion struct {
	QuestionResult
	Cells []gradeCell
}

type resultView struct {
	QuestionnaireResults
	Rated []resultQuestion
	Texts []QuestionResult
}

type questionnaireForm struct {
	Kind        string
	Title       string
	Respondents string
}

type roundPageData struct {
	Round       RoundResponse
	Tone        string
	Dims        []formDimension
	Methods     []formMethod
	Conclusions []string
	Conclusion  string
	CanFill     bool
	CanManage   bool
	Done        bool
	Team        []TeamMemberResponse
	Results     []resultView
	Links       *QuestionnaireCreated
	Error       string
	QForm       questionnaireForm
	QError      string
	Kinds       []string
	Through     []ThroughThread // the graduate's through-train threads of the class
}

// scoreInput writes a stored score for an input ("" when none).
func scoreInput(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// roundForm is the form as stored, with the template's indicators where
// none were scored yet.
func roundForm(r RoundResponse) ([]formDimension, []formMethod) {
	dims := make([]formDimension, len(Dimensions))
	for i, name := range Dimensions {
		d := r.Dimensions[name]
		fd := formDimension{Index: i, Name: name, Score: scoreInput(d.Score), Notes: d.Notes}
		if len(d.Indicators) > 0 {
			for _, x := range d.Indicators {
				fd.Indicators = append(fd.Indicators, formIndicator{Name: x.Name, Score: scoreInput(x.Score)})
			}
		} else {
			for _, n := range r.Templates[name] {
				fd.Indicators = append(fd.Indicators, formIndicator{Name: n})
			}
		}
		dims[i] = fd
	}
	methods := make([]formMethod, len(Methods))
	for j, m := range Methods {
		checked := false
		for _, x := range r.Methods {
			checked = checked || x == m
		}
		methods[j] = formMethod{Index: j, Name: m, Checked: checked, Evidence: r.Evidence[m], Online: m == KindDemocratic || m == KindSurvey}
	}
	return dims, methods
}

// parseRoundForm reads the posted form into a request and the form as typed.
func parseRoundForm(c *fiber.Ctx) (RoundRequest, []formDimension, []formMethod, web.Fields) {
	f := web.Fields{}
	in := RoundRequest{Dimensions: map[string]DimensionInput{}, Evidence: map[string]string{}, Conclusion: c.FormValue("conclusion")}
	num := func(raw string) (*float64, bool) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return nil, true
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		return &v, true
	}
	dims := make([]formDimension, len(Dimensions))
	for i, name := range Dimensions {
		key := fmt.Sprintf("d%d_", i)
		fd := formDimension{Index: i, Name: name, Score: c.FormValue(key + "score"), Notes: c.FormValue(key + "notes")}
		var d DimensionInput
		var ok bool
		if d.Score, ok = num(fd.Score); !ok {
			f.Add("dimensions."+name+".score", "评分应为 0 到 100 的数字")
		}
		d.Notes = fd.Notes
		names, scores := formValues(c, key+"ind_name"), formValues(c, key+"ind_score")
		for k, n := range names {
			raw := ""
			if k < len(scores) {
				raw = scores[k]
			}
			fd.Indicators = append(fd.Indicators, formIndicator{Name: n, Score: raw})
			v, ok := num(raw)
			if !ok {
				f.Add("dimensions."+name+".indicators", "指标评分应为 0 到 100 的数字")
			}
			d.Indicators = append(d.Indicators, IndicatorScore{Name: n, Score: v})
		}
		in.Dimensions[name] = d
		dims[i] = fd
	}
	checked := formValues(c, "method")
	methods := make([]formMethod, len(Methods))
	for j, m := range Methods {
		fm := formMethod{Index: j, Name: m, Evidence: c.FormValue(fmt.Sprintf("ev%d", j)), Online: m == KindDemocratic || m == KindSurvey}
		for _, x := range checked {
			fm.Checked = fm.Checked || x == m
		}
		if fm.Checked {
			in.Methods = append(in.Methods, m)
		}
		in.Evidence[m] = fm.Evidence
		methods[j] = fm
	}
	return in, dims, methods, f
}

func resultViews(qs []QuestionnaireResults) []resultView {
	out := make([]resultView, 0, len(qs))
	for _, q := range qs {
		v := resultView{QuestionnaireResults: q}
		for _, x := range q.Questions {
			if x.Kind != QuestionRating {
				if len(x.Answers) > 0 {
					v.Texts = append(v.Texts, x)
				}
				continue
			}
			rq := resultQuestion{QuestionResult: x}
			for _, g := range Conclusions {
				rq.Cells = append(rq.Cells, gradeCell{Grade: g, N: x.Grades[g]})
			}
			v.Rated = append(v.Rated, rq)
		}
		out = append(out, v)
	}
	return out
}

func (h *Handlers) roundPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.roundRender(c, fiber.StatusOK, id, nil)
}

// roundRender shows the round form; change, when given, puts the refused
// form, the message or the new links on it.
func (h *Handlers) roundRender(c *fiber.Ctx, status int, id uint64, change func(*roundPageData)) error {
	ctx, p := c.UserContext(), web.Caller(c)
	r, _, rights, err := h.svc.round(ctx, p, id)
	if err != nil {
		return err
	}
	if !rights.fill() {
		// Readers who may not fill the form (the unit, the cadre) get the report.
		return c.Redirect(fmt.Sprintf("/followup/rounds/%d/report", id), fiber.StatusSeeOther)
	}
	resp, err := h.svc.GetRound(ctx, p, id)
	if err != nil {
		return err
	}
	d := roundPageData{Round: resp, Tone: roundTone(resp.Status, resp.Overdue), Conclusions: Conclusions, Conclusion: resp.Conclusion,
		CanFill: rights.fill() && r.Status != RoundCancelled, CanManage: rights.manage, Done: r.Status == RoundDone, Results: resultViews(resp.Questionnaires),
		QForm: questionnaireForm{Kind: KindDemocratic, Title: fmt.Sprintf("%d 年度民主评议", resp.Year)}, Kinds: []string{KindDemocratic, KindSurvey}}
	d.Dims, d.Methods = roundForm(resp)
	if d.Through, err = h.svc.throughOf(ctx, resp.UserID, resp.ClassID); err != nil {
		return err
	}
	if rights.manage && r.Status == RoundPending {
		if d.Team, err = h.svc.Team(ctx); err != nil {
			return err
		}
	}
	if change != nil {
		change(&d)
	}
	return h.pages.Render(c, status, "followup/round", fmt.Sprintf("%s %d 年度问效", resp.Name, resp.Year), d)
}

func (h *Handlers) roundSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in, dims, methods, f := parseRoundForm(c)
	mode := SaveDraft
	if c.FormValue("action") == "complete" {
		mode = SaveComplete
	}
	var status string
	if err = f.Err(); err == nil {
		status, err = h.svc.SaveRound(c.UserContext(), web.Caller(c), id, in, mode)
	}
	if err != nil {
		we, msg, ok := refusal(err)
		if !ok || we.Status == fiber.StatusNotFound {
			return err
		}
		return h.roundRender(c, we.Status, id, func(d *roundPageData) {
			d.Dims, d.Methods, d.Conclusion, d.Error = dims, methods, in.Conclusion, msg
			for i := range d.Dims {
				d.Dims[i].Error = we.Fields["dimensions."+d.Dims[i].Name+".score"]
				if e := we.Fields["dimensions."+d.Dims[i].Name+".indicators"]; e != "" && d.Dims[i].Error == "" {
					d.Dims[i].Error = e
				}
			}
		})
	}
	if status == RoundDone {
		web.Flash(c, "本轮问效已完成，书面报告已报送组织部门和派训单位")
		return c.Redirect(fmt.Sprintf("/followup/rounds/%d/report", id), fiber.StatusSeeOther)
	}
	web.Flash(c, "已保存草稿")
	return c.Redirect(fmt.Sprintf("/followup/rounds/%d", id), fiber.StatusSeeOther)
}

// roundQuestionnaireSubmit creates a questionnaire and shows its links on
// the round page itself: they are not kept, so this is the only time.
func (h *Handlers) roundQuestionnaireSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := questionnaireForm{Kind: c.FormValue("kind"), Title: c.FormValue("title"), Respondents: c.FormValue("respondents")}
	in := QuestionnaireRequest{Kind: form.Kind, Title: form.Title}
	for _, line := range strings.Split(strings.ReplaceAll(form.Respondents, "，", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Respondents = append(in.Respondents, RespondentRequest{Label: line})
		}
	}
	out, err := h.svc.CreateQuestionnaire(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		we, msg, ok := refusal(err)
		if !ok || we.Status == fiber.StatusNotFound {
			return err
		}
		return h.roundRender(c, we.Status, id, func(d *roundPageData) { d.QForm, d.QError = form, msg })
	}
	base := web.PublicURL(c)
	for i := range out.Links {
		out.Links[i].URL = base + out.Links[i].Path
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.roundRender(c, fiber.StatusCreated, id, func(d *roundPageData) { d.Links = &out })
}

// ---------- the report page ----------

type reportPageData struct {
	Report  Report
	Body    template.HTML
	CSS     template.CSS
	CanFill bool
	Back    string
}

func (h *Handlers) reportPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	id, r, err := web.WithID(c, h.svc.ReportFor)
	if err != nil {
		return err
	}
	r.College = h.pages.College
	body, err := RenderReport(r)
	if err != nil {
		return web.Internal(err)
	}
	_, _, rights, err := h.svc.round(ctx, p, id)
	if err != nil {
		return err
	}
	back := "/me/followup"
	switch {
	case rights.fill() && !rights.manage:
		back = "/followup/rounds"
	case rights.manage:
		back = "/admin/followup"
	case rights.unit:
		back = "/unit/followup"
	}
	return h.pages.Render(c, fiber.StatusOK, "followup/report", ReportTitle(r), reportPageData{Report: r, Body: body, CSS: template.CSS(ReportCSS), CanFill: rights.fill(), Back: back})
}
