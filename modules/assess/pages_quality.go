package assess

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"college/modules/training"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// ---------- the indicator tree as text ----------

// The page edits the indicator tree as text, one indicator a line: a "-"
// for each level below the first, the name, the weight, and for a leaf its
// source, with "#id" after 学员评价 for one evaluation. For example:
//
//	培训效果 40
//	- 学员满意度 60 学员评价
//	- 学用转化 40 组织部门评价

// sourceWords are the words the editor accepts for the sources.
var sourceWords = map[string]string{
	"学员评价": SourceTrainee, "学员": SourceTrainee, SourceTrainee: SourceTrainee,
	"主办方自评": SourceSelf, "自评": SourceSelf, "主办方": SourceSelf, SourceSelf: SourceSelf,
	"组织部门评价": SourceOrg, "组织评价": SourceOrg, "组织部门": SourceOrg, SourceOrg: SourceOrg,
}

// TreeText writes a tree in the editor's format.
func TreeText(nodes []IndicatorView) string {
	var b strings.Builder
	var walk func(nodes []IndicatorView, depth int)
	walk = func(nodes []IndicatorView, depth int) {
		for _, n := range nodes {
			if depth > 0 {
				b.WriteString(strings.Repeat("-", depth) + " ")
			}
			fmt.Fprintf(&b, "%s %d", n.Name, n.Weight)
			if len(n.Children) > 0 {
				b.WriteString("\n")
				walk(n.Children, depth+1)
				continue
			}
			b.WriteString(" " + SourceNames[n.Source])
			if n.Source == SourceTrainee && n.EvaluationID != 0 {
				fmt.Fprintf(&b, " #%d", n.EvaluationID)
			}
			b.WriteString("\n")
		}
	}
	walk(nodes, 0)
	return b.String()
}

// stripLevels counts and removes the level dashes at the start of a line.
func stripLevels(t string) (int, string) {
	depth := 0
	for {
		switch {
		case strings.HasPrefix(t, "-"):
			t = t[1:]
		case strings.HasPrefix(t, "－"):
			t = t[len("－"):]
		case strings.HasPrefix(t, "—"):
			t = t[len("—"):]
		default:
			return depth, t
		}
		depth++
		t = strings.TrimLeft(t, " \t　")
	}
}

// treeLine is a parsed line: the indicator and where it sits.
type treeLine struct {
	req  IndicatorRequest
	kids []*treeLine
	line int
}

// ParseTree reads the editor's format. It returns the tree, the line of
// each node by its field path (indicators[0].children[1]), and the
// messages of lines it could not read.
func ParseTree(text string) ([]IndicatorRequest, map[string]int, []string) {
	var roots, stack []*treeLine
	var problems []string
	for i, raw := range strings.Split(text, "\n") {
		no := i + 1
		line := strings.TrimRight(raw, " \t\r")
		t := strings.TrimLeft(line, " \t　")
		if t == "" {
			continue
		}
		lead := line[:len(line)-len(t)]
		depth, t := stripLevels(t)
		if depth == 0 {
			depth = strings.Count(lead, "\t") + strings.Count(lead, "　") + strings.Count(lead, " ")/2
		}
		fields := strings.Fields(t)
		n := &treeLine{line: no}
		if k := len(fields); k > 0 && strings.HasPrefix(fields[k-1], "#") {
			id, err := strconv.ParseUint(strings.TrimPrefix(fields[k-1], "#"), 10, 64)
			if err != nil {
				problems = append(problems, fmt.Sprintf("第 %d 行：评估编号应写作 #数字", no))
				continue
			}
			n.req.EvaluationID = id
			fields = fields[:k-1]
		}
		if k := len(fields); k > 0 && sourceWords[fields[k-1]] != "" {
			n.req.Source = sourceWords[fields[k-1]]
			fields = fields[:k-1]
		}
		k := len(fields)
		if k < 2 {
			problems = append(problems, fmt.Sprintf("第 %d 行：应写作“名称 权重 评分来源”", no))
			continue
		}
		w, err := strconv.ParseFloat(strings.TrimRight(fields[k-1], "%％分"), 64)
		if err != nil {
			problems = append(problems, fmt.Sprintf("第 %d 行：缺少权重（名称后写数字）", no))
			continue
		}
		n.req.Weight, n.req.Name = w, strings.Join(fields[:k-1], " ")
		switch {
		case depth == 0:
			roots = append(roots, n)
			stack = []*treeLine{n}
		case depth > len(stack):
			problems = append(problems, fmt.Sprintf("第 %d 行：层级不对，上一行没有对应的上级指标", no))
		default:
			parent := stack[depth-1]
			parent.kids = append(parent.kids, n)
			stack = append(stack[:depth], n)
		}
	}
	lines := map[string]int{}
	var build func(nodes []*treeLine, at string) []IndicatorRequest
	build = func(nodes []*treeLine, at string) []IndicatorRequest {
		out := make([]IndicatorRequest, len(nodes))
		for i, n := range nodes {
			p := fmt.Sprintf("%s[%d]", at, i)
			lines[p] = n.line
			out[i] = n.req
			if len(n.kids) > 0 {
				out[i].Children = build(n.kids, p+".children")
			}
		}
		return out
	}
	return build(roots, "indicators"), lines, problems
}

// treeMessages places validation messages on the lines of the editor.
func treeMessages(fields map[string]string, lines map[string]int, tree []IndicatorRequest) []string {
	name := func(path string) string {
		nodes, node := tree, (*IndicatorRequest)(nil)
		for _, part := range strings.Split(strings.TrimPrefix(path, "indicators"), ".children") {
			var i int
			if _, err := fmt.Sscanf(part, "[%d]", &i); err != nil || i >= len(nodes) {
				return ""
			}
			node = &nodes[i]
			nodes = node.Children
		}
		if node == nil {
			return ""
		}
		return node.Name
	}
	type msg struct {
		line int
		text string
	}
	var out []msg
	for k, v := range fields {
		best := ""
		for p := range lines {
			if (k == p || strings.HasPrefix(k, p+".")) && len(p) > len(best) {
				best = p
			}
		}
		switch {
		case best == "":
			out = append(out, msg{0, "第一级指标：" + v})
		case k == best+".children":
			out = append(out, msg{lines[best], fmt.Sprintf("第 %d 行“%s”的下级指标：%s", lines[best], name(best), v)})
		default:
			out = append(out, msg{lines[best], fmt.Sprintf("第 %d 行“%s”：%s", lines[best], name(best), v)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].line != out[j].line {
			return out[i].line < out[j].line
		}
		return out[i].text < out[j].text
	})
	texts := make([]string, len(out))
	for i, m := range out {
		texts[i] = m.text
	}
	return texts
}

// ---------- 项目质量考核 ----------

type qualityRow struct {
	IndicatorView
	Depth    int
	Leaf     bool
	ScorePct int
}

func flatten(nodes []IndicatorView, depth int, out *[]qualityRow) {
	for _, n := range nodes {
		r := qualityRow{IndicatorView: n, Depth: depth, Leaf: len(n.Children) == 0}
		if n.Score != nil {
			r.ScorePct = percent(*n.Score, 100)
		}
		*out = append(*out, r)
		flatten(n.Children, depth+1, out)
	}
}

// scoreForm is a form to score the leaves of one source: the host's
// self-assessment or the org department's review.
type scoreForm struct {
	Scorer string
	Title  string
	Leaves []qualityRow
	values map[string]string // as entered, after a refusal
}

// Value is the score to show in a leaf's input.
func (f scoreForm) Value(key string, r qualityRow) string {
	if v, ok := f.values[key]; ok {
		return v
	}
	if s := f.given(r); s != nil {
		return strconv.FormatFloat(s.Score, 'f', -1, 64)
	}
	return ""
}

// Note is the note to show beside a leaf's score.
func (f scoreForm) Note(key string, r qualityRow) string {
	if v, ok := f.values[key]; ok {
		return v
	}
	if s := f.given(r); s != nil {
		return s.Note
	}
	return ""
}

func (f scoreForm) given(r qualityRow) *ScoreView {
	if f.Scorer == SourceSelf {
		return r.Self
	}
	return r.Org
}

type qualityData struct {
	Class       *training.Class
	Q           Quality
	Rows        []qualityRow
	ScoreForms  []scoreForm
	TreeText    string
	Evaluations []EvaluationRow
	Section     string // where the refusal belongs: tree, self, org
	Error       string
	Extra       []string
	Values      map[string]string // entered scores and notes on a refusal
	TotalPct    int
}

func (h *Handlers) qualityPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderQuality(c, fiber.StatusOK, id, qualityData{})
}

func (h *Handlers) renderQuality(c *fiber.Ctx, status int, id uint64, d qualityData) error {
	ctx, p := c.UserContext(), web.Caller(c)
	q, err := h.svc.Quality(ctx, p, id)
	if err != nil {
		return err
	}
	if d.Class, err = h.svc.classes.ClassByID(ctx, id); err != nil {
		return err
	}
	canSelf, err := h.svc.classes.Hosts(ctx, p, id)
	if err != nil {
		return err
	}
	if d.Evaluations, err = h.svc.ClassEvaluations(ctx, p, id); err != nil {
		return err
	}
	d.Q, d.TotalPct = q, percent(q.Total, 100)
	flatten(q.Indicators, 0, &d.Rows)
	self := scoreForm{Scorer: SourceSelf, Title: "主办方自评", values: d.Values}
	org := scoreForm{Scorer: SourceOrg, Title: "组织部门评价", values: d.Values}
	for _, r := range d.Rows {
		switch {
		case !r.Leaf:
		case r.Source == SourceSelf:
			self.Leaves = append(self.Leaves, r)
		case r.Source == SourceOrg:
			org.Leaves = append(org.Leaves, r)
		}
	}
	if canSelf && len(self.Leaves) > 0 {
		d.ScoreForms = append(d.ScoreForms, self)
	}
	if p.Has(web.RoleOrgAdmin) && len(org.Leaves) > 0 {
		d.ScoreForms = append(d.ScoreForms, org)
	}
	if d.TreeText == "" {
		d.TreeText = TreeText(q.Indicators)
	}
	return h.pages.Render(c, status, "assess/quality", "项目质量考核", d)
}

func (h *Handlers) qualityTemplateSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.ApplyTemplate(c.UserContext(), web.Caller(c), id); err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		return h.renderQuality(c, we.Status, id, qualityData{Section: "tree", Error: we.Message})
	}
	web.Flash(c, "已套用默认考核指标，可按需修改")
	return c.Redirect(fmt.Sprintf("/admin/classes/%d/quality", id), fiber.StatusSeeOther)
}

func (h *Handlers) qualityIndicatorsSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	text := c.FormValue("tree")
	tree, lines, problems := ParseTree(text)
	d := qualityData{Section: "tree", TreeText: text}
	if len(problems) > 0 {
		d.Error, d.Extra = "指标体系未保存，请修改以下各行", problems
		return h.renderQuality(c, fiber.StatusBadRequest, id, d)
	}
	in := IndicatorsRequest{Indicators: tree}
	if _, err := h.svc.SetIndicators(c.UserContext(), web.Caller(c), id, in); err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		d.Error, d.Extra = "指标体系未保存，请修改以下各行", treeMessages(we.Fields, lines, tree)
		if len(we.Fields) == 0 {
			d.Error = we.Message
		}
		return h.renderQuality(c, we.Status, id, d)
	}
	web.Flash(c, "考核指标已保存")
	return c.Redirect(fmt.Sprintf("/admin/classes/%d/quality", id), fiber.StatusSeeOther)
}

func (h *Handlers) qualityScoresSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := ScoresRequest{Scorer: c.FormValue("scorer")}
	d := qualityData{Section: in.Scorer, Values: map[string]string{}}
	var at []string // score index -> indicator id
	bad := web.Fields{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		key := string(k)
		if !strings.HasPrefix(key, "score_") {
			return
		}
		sid := strings.TrimPrefix(key, "score_")
		val := strings.TrimSpace(string(v))
		d.Values[key] = val
		d.Values["note_"+sid] = c.FormValue("note_" + sid)
		if val == "" {
			return
		}
		ind, err1 := strconv.ParseUint(sid, 10, 64)
		score, err2 := strconv.ParseFloat(val, 64)
		if err1 != nil || err2 != nil {
			bad.Add("score_"+sid, "分数应为 0 到 100 的数字")
			return
		}
		in.Scores = append(in.Scores, ScoreItem{IndicatorID: ind, Score: score, Note: c.FormValue("note_" + sid)})
		at = append(at, sid)
	})
	err = bad.Err()
	if err == nil {
		_, err = h.svc.SetScores(c.UserContext(), web.Caller(c), id, in)
	}
	if err != nil {
		we, err := pageRefusal(err)
		if err != nil {
			return err
		}
		d.Error = we.Message
		names := map[string]string{}
		q, qerr := h.svc.Quality(c.UserContext(), web.Caller(c), id)
		if qerr == nil {
			var rows []qualityRow
			flatten(q.Indicators, 0, &rows)
			for _, r := range rows {
				names[strconv.FormatUint(r.ID, 10)] = r.Name
			}
		}
		for k, v := range we.Fields {
			var i int
			var field string
			if _, e := fmt.Sscanf(k, "scores[%d].%s", &i, &field); e == nil && i < len(at) {
				d.Extra = append(d.Extra, "“"+names[at[i]]+"”："+v)
			} else if strings.HasPrefix(k, "score_") {
				d.Extra = append(d.Extra, "“"+names[strings.TrimPrefix(k, "score_")]+"”："+v)
			} else {
				d.Extra = append(d.Extra, v)
			}
		}
		sort.Strings(d.Extra)
		return h.renderQuality(c, we.Status, id, d)
	}
	web.Flash(c, map[string]string{SourceSelf: "自评分数已保存", SourceOrg: "组织部门评价已保存"}[in.Scorer])
	return c.Redirect(fmt.Sprintf("/admin/classes/%d/quality", id), fiber.StatusSeeOther)
}

// ---------- the year's ranking ----------

type rankingData struct {
	R     Ranking
	Years []int
}

func (h *Handlers) rankingPage(c *fiber.Ctx) error {
	year, _ := strconv.Atoi(c.Query("year"))
	if year < 2000 || year > 2100 {
		year = 0
	}
	r, err := h.svc.Ranking(c.UserContext(), web.Caller(c), year)
	if err != nil {
		return err
	}
	now := h.svc.now().In(web.Shanghai).Year()
	d := rankingData{R: r}
	for y := now + 1; y >= now-4; y-- {
		d.Years = append(d.Years, y)
	}
	return h.pages.Render(c, fiber.StatusOK, "assess/ranking", "项目质量排名", d)
}
