package dashboard

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"college/modules/training"
	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// tab is one section of the dashboards' navigation.
type tab struct {
	Label, Href string
	Active      bool
}

// Section keys of the navigation.
const (
	tabCompliance    = "compliance"
	tabCoverage      = "coverage"
	tabRegistrations = "registrations"
	tabFollowup      = "followup"
	tabSatisfaction  = "satisfaction"
)

// tabs links every section for the org and year shown.
func tabs(orgID uint64, year int, active string) []tab {
	q := query(orgID, year)
	out := []tab{
		{Label: "学时达标", Href: "/admin/dashboard?" + q},
		{Label: "培训覆盖", Href: "/admin/dashboard/coverage?org_id=" + strconv.FormatUint(orgID, 10)},
		{Label: "报名与名额", Href: "/admin/dashboard/registrations?" + q},
		{Label: "跟踪问效", Href: "/admin/dashboard/followup?" + q},
		{Label: "评估满意度", Href: "/admin/dashboard/satisfaction?" + q},
	}
	for i, k := range []string{tabCompliance, tabCoverage, tabRegistrations, tabFollowup, tabSatisfaction} {
		out[i].Active = k == active
	}
	return out
}

// cell is one cell of a section table.
type cell struct {
	Label, Text, Href, Class string
	Num                      bool
}

// sectionTable is one table of a section page.
type sectionTable struct {
	ID, Title        string
	Cols             []web.Column
	Rows             [][]cell
	Empty, Note      string
	Export, ExportID string
	Pager            *web.Pager
}

// row labels the cells with their columns (the phone layout shows them).
func (t *sectionTable) row(cells ...cell) {
	for i := range cells {
		if i < len(t.Cols) {
			cells[i].Label = t.Cols[i].Label
			cells[i].Num = cells[i].Num || strings.Contains(t.Cols[i].Class, "num")
		}
	}
	t.Rows = append(t.Rows, cells)
}

func newTable(id, title, empty string, cols ...any) sectionTable {
	c, _ := web.Cols(cols...)
	return sectionTable{ID: id, Title: title, Empty: empty, Cols: c}
}

// kpi is one headline figure.
type kpi struct {
	ID, Label, Value, Href string
}

type hidden struct{ Name, Value string }

// sectionPage is what section.html shows.
type sectionPage struct {
	Tabs            []tab
	Heading         string
	Back, BackLabel string
	Up, Export      string
	Action          string
	OrgID           uint64
	Hidden          []hidden
	Year            int
	Years           []int
	Span            int
	Spans           []int
	Kind            string
	Kinds           []string
	SummaryTitle    string
	KPIs            []kpi
	Note            string
	Chart, ChartAlt string
	Tables          []sectionTable
}

func txt(v any) cell               { return cell{Text: fmt.Sprint(v)} }
func link(v any, href string) cell { return cell{Text: fmt.Sprint(v), Href: href} }
func drill(name, href string) cell { return cell{Text: name, Href: href, Class: "dash-drill"} }
func pctCell(r float64, any bool) cell {
	if !any {
		return cell{Text: "—"}
	}
	return cell{Text: pct(r)}
}

// up is the link to the parent's page of the same section, "" at the top
// of the caller's scope.
func (h *Handlers) up(c *fiber.Ctx, org Org, path, q string) string {
	if parent := h.svc.parentInScope(c.UserContext(), web.Caller(c), org); parent != 0 {
		return path + "?org_id=" + strconv.FormatUint(parent, 10) + q
	}
	return ""
}

// coverageSpans are the windows offered.
var coverageSpans = []int{1, 2, 3, 5, 10}

func coverageQuery(orgID uint64, years int, kind string, extra ...string) string {
	q := url.Values{}
	q.Set("org_id", strconv.FormatUint(orgID, 10))
	q.Set("years", strconv.Itoa(years))
	if kind != "" {
		q.Set("kind", kind)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q.Encode()
}

func (h *Handlers) coveragePage(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Coverage(c.UserContext(), web.Caller(c), f.OrgID, f.Years, f.Kind)
	if err != nil {
		return err
	}
	spans := coverageSpans
	if !containsInt(spans, res.Years) {
		spans = append([]int{res.Years}, spans...)
	}
	people := func(orgID uint64, status string) string {
		return "/admin/dashboard/coverage/people?" + coverageQuery(orgID, res.Years, res.Kind, "status", status)
	}
	kind := "各类班次"
	if res.Kind != "" {
		kind = res.Kind
	}
	t := newTable("dash-coverage-table", "各单位培训覆盖情况", "没有下级单位。", "单位", "干部人数|num", "已覆盖|num", "未覆盖|num", "覆盖率|num", "应训领导干部|num")
	for _, u := range res.Units {
		name := drill(unitName(u.Org, u.Own), "/admin/dashboard/coverage?"+coverageQuery(u.ID, res.Years, res.Kind))
		if u.Own {
			name = txt(unitName(u.Org, u.Own))
		}
		t.row(name, txt(u.V.Cadres), txt(u.V.Covered), link(u.V.Uncovered(), people(u.ID, CoverUncovered)), pctCell(u.V.Rate(), u.V.Cadres > 0),
			link(u.V.Due, people(u.ID, CoverDue)))
	}
	t.Note = "点击单位名称查看其下级单位，点击人数查看人员明细。"
	k := newTable("dash-coverage-kinds", "按班次类型", "", "班次类型", "参训干部|num", "占比|num")
	for _, kd := range training.Kinds {
		k.row(txt(kd), txt(res.ByKind[kd]), pctCell(rate(res.ByKind[kd], res.Cadres), res.Cadres > 0))
	}
	from, _ := res.Rules.Cycle(yearOf(res.To))
	data := sectionPage{
		Tabs: tabs(res.Org.ID, h.svc.CurrentYear(), tabCoverage), Heading: "培训覆盖 · " + res.Org.Name,
		Up:     h.up(c, res.Org, "/admin/dashboard/coverage", "&years="+strconv.Itoa(res.Years)),
		Export: "/api/v1/dashboard/coverage.xlsx?" + coverageQuery(res.Org.ID, res.Years, res.Kind),
		Action: "/admin/dashboard/coverage", OrgID: res.Org.ID, Span: res.Years, Spans: spans, Kind: res.Kind, Kinds: training.Kinds,
		SummaryTitle: fmt.Sprintf("%s 至 %s 参加%s情况", res.From, res.To, kind),
		KPIs: []kpi{
			{ID: "kpi-cadres", Label: "干部人数", Value: strconv.Itoa(res.Cadres)},
			{ID: "kpi-covered", Label: "已覆盖", Value: strconv.Itoa(res.Covered)},
			{ID: "kpi-uncovered", Label: "未覆盖", Value: strconv.Itoa(res.Uncovered()), Href: people(res.Org.ID, CoverUncovered)},
			{ID: "kpi-due", Label: "应训领导干部", Value: strconv.Itoa(res.Due), Href: people(res.Org.ID, CoverDue)},
		},
		Note: fmt.Sprintf("已覆盖：统计期内参加%s并结业。应训领导干部：县处级及以上干部，%d—%d 年培训周期将在一年内结束，周期内集中培训累计不足 %s 学时。",
			kind, from, from+res.Rules.CycleYears-1, res.Rules.Centralized5y),
		Chart: "/admin/dashboard/coverage.svg?" + coverageQuery(res.Org.ID, res.Years, res.Kind), ChartAlt: "各单位培训覆盖人数图",
		Tables: []sectionTable{t, k},
	}
	return h.pages.Render(c, fiber.StatusOK, "dashboard/section", "培训覆盖", data)
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (h *Handlers) coveragePeoplePage(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	if c.Query("page_size") == "" {
		pg.PageSize = 50
	}
	res, err := h.svc.CoveragePeople(c.UserContext(), web.Caller(c), f.OrgID, f.Years, f.Kind, f.Status, pg)
	if err != nil {
		return err
	}
	title := "未覆盖干部"
	if f.Status == CoverDue {
		title = "应训领导干部"
	}
	t := newTable("dash-coverage-people", fmt.Sprintf("近 %d 年 · 共 %d 人", res.Years, res.Total), "没有符合条件的干部。", "姓名", "单位", "职级", "已参加班次类型", "周期累计集中培训|num")
	for _, r := range res.Rows {
		cycle := "—"
		if r.Senior {
			cycle = r.Cycle.String()
		}
		kinds := strings.Join(r.Kinds, "、")
		if kinds == "" {
			kinds = "—"
		}
		t.row(link(r.Name, fmt.Sprintf("/admin/users/%d/archive", r.ID)), txt(r.OrgName), txt(or(r.Level, "—")), txt(kinds), txt(cycle))
	}
	base := url.Values{}
	base.Set("org_id", strconv.FormatUint(res.Org.ID, 10))
	base.Set("years", strconv.Itoa(res.Years))
	base.Set("status", f.Status)
	if f.Kind != "" {
		base.Set("kind", f.Kind)
	}
	pages := int((res.Total + int64(pg.PageSize) - 1) / int64(pg.PageSize))
	pager := web.NewPager(web.PageData{Path: "/admin/dashboard/coverage/people", Query: base}, pg.Page, pages)
	t.Pager = &pager
	data := sectionPage{
		Tabs: tabs(res.Org.ID, h.svc.CurrentYear(), tabCoverage), Heading: title + " · " + res.Org.Name,
		Back: "/admin/dashboard/coverage?" + coverageQuery(res.Org.ID, res.Years, res.Kind), BackLabel: "返回 " + res.Org.Name + " 培训覆盖",
		Export: "/api/v1/dashboard/coverage/people.xlsx?" + base.Encode(),
		Action: "/admin/dashboard/coverage/people", OrgID: res.Org.ID, Hidden: []hidden{{"status", f.Status}},
		Span: res.Years, Spans: coverageSpans, Kind: res.Kind, Kinds: training.Kinds, Tables: []sectionTable{t},
	}
	if !containsInt(data.Spans, res.Years) {
		data.Spans = append([]int{res.Years}, data.Spans...)
	}
	return h.pages.Render(c, fiber.StatusOK, "dashboard/section", title+" - "+res.Org.Name, data)
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func (h *Handlers) registrationsPage(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Registrations(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	figures := func(t QuotaTally) []cell {
		return []cell{txt(t.Quota), txt(t.Used), pctCell(t.UsedRate(), t.Quota > 0), txt(t.Registered), txt(t.Approved), txt(t.Waitlisted)}
	}
	cols := []any{"分配名额|num", "已用名额|num", "使用率|num", "报名|num", "已录取|num", "候补|num"}
	u := newTable("dash-registrations-table", "各单位报名与名额", "本年度没有分配给下级单位的名额或报名。", append([]any{"单位"}, cols...)...)
	for _, x := range res.Units {
		name := drill(unitName(x.Org, x.Own), "/admin/dashboard/registrations?"+query(x.ID, f.Year))
		if x.Own {
			name = txt(unitName(x.Org, x.Own))
		}
		u.row(append([]cell{name}, figures(x.V)...)...)
	}
	u.Note = "点击单位名称查看其下级单位；报名人数含待审核、已录取和候补。"
	k := newTable("dash-registrations-classes", "各班次报名与名额（"+res.Org.Name+"）", "本年度没有相关班次。", append([]any{"班次", "开班日期"}, cols...)...)
	for _, x := range res.Classes {
		k.row(append([]cell{link(x.Title, fmt.Sprintf("/admin/classes/%d", x.ID)), txt(x.StartsOn)}, figures(x.QuotaTally)...)...)
	}
	q := query(res.Org.ID, f.Year)
	data := sectionPage{
		Tabs: tabs(res.Org.ID, f.Year, tabRegistrations), Heading: "报名与名额 · " + res.Org.Name,
		Up: h.up(c, res.Org, "/admin/dashboard/registrations", "&year="+strconv.Itoa(f.Year)), Export: "/api/v1/dashboard/registrations.xlsx?" + q,
		Action: "/admin/dashboard/registrations", OrgID: res.Org.ID, Year: f.Year, Years: h.years(),
		SummaryTitle: fmt.Sprintf("%d 年度开班班次报名与名额使用", f.Year),
		KPIs: []kpi{
			{ID: "kpi-quota", Label: "分配名额", Value: strconv.Itoa(res.Quota)},
			{ID: "kpi-used", Label: "已用名额", Value: strconv.Itoa(res.Used)},
			{ID: "kpi-registered", Label: "报名人数", Value: strconv.Itoa(res.Registered)},
			{ID: "kpi-rate", Label: "名额使用率", Value: pctCell(res.UsedRate(), res.Quota > 0).Text},
		},
		Chart: "/admin/dashboard/registrations.svg?" + q, ChartAlt: "各单位名额使用图",
		Tables: []sectionTable{u, k},
	}
	return h.pages.Render(c, fiber.StatusOK, "dashboard/section", "报名与名额", data)
}

func (h *Handlers) followupPage(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Followups(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	t := newTable("dash-followup-table", "各单位跟踪问效", "本年度没有跟踪问效任务。", "单位", "应问效|num", "已完成|num", "待问效|num", "已逾期|num", "完成率|num")
	for _, x := range res.Units {
		name := drill(unitName(x.Org, x.Own), "/admin/dashboard/followup?"+query(x.ID, f.Year))
		if x.Own {
			name = txt(unitName(x.Org, x.Own))
		}
		t.row(name, txt(x.V.Due), txt(x.V.Done), txt(x.V.Pending), txt(x.V.Overdue), pctCell(x.V.CompletionRate(), x.V.Due > 0))
	}
	t.Note = "按学员结业时的派出单位统计；已逾期为超过问效日期仍未完成的轮次。点击单位名称查看其下级单位。"
	q := query(res.Org.ID, f.Year)
	data := sectionPage{
		Tabs: tabs(res.Org.ID, f.Year, tabFollowup), Heading: "跟踪问效 · " + res.Org.Name,
		Up: h.up(c, res.Org, "/admin/dashboard/followup", "&year="+strconv.Itoa(f.Year)), Export: "/api/v1/dashboard/followup.xlsx?" + q,
		Action: "/admin/dashboard/followup", OrgID: res.Org.ID, Year: f.Year, Years: h.years(),
		SummaryTitle: fmt.Sprintf("%d 年度跟踪问效完成情况", f.Year),
		KPIs: []kpi{
			{ID: "kpi-due", Label: "应问效", Value: strconv.Itoa(res.Due)},
			{ID: "kpi-done", Label: "已完成", Value: strconv.Itoa(res.Done)},
			{ID: "kpi-overdue", Label: "已逾期", Value: strconv.Itoa(res.Overdue)},
			{ID: "kpi-rate", Label: "完成率", Value: pctCell(res.CompletionRate(), res.Due > 0).Text},
		},
		Chart: "/admin/dashboard/followup.svg?" + q, ChartAlt: "各单位跟踪问效完成情况图",
		Tables: []sectionTable{t},
	}
	return h.pages.Render(c, fiber.StatusOK, "dashboard/section", "跟踪问效", data)
}

func (h *Handlers) satisfactionPage(c *fiber.Ctx) error {
	f, err := h.sectionFilterFrom(c)
	if err != nil {
		return err
	}
	res, err := h.svc.Satisfaction(c.UserContext(), web.Caller(c), f.OrgID, f.Year)
	if err != nil {
		return err
	}
	yes := func(b bool) cell {
		if b {
			return txt("达标")
		}
		return txt("未达标")
	}
	cols := []any{"评估次数|num", "评价人次|num", "平均得分|num", "满意率|num", "是否达标"}
	t := newTable("dash-satisfaction-table", "各主办学院评估满意度", "本年度没有评估。", append([]any{"主办学院"}, cols...)...)
	for _, x := range res.Colleges {
		t.row(drill(x.College.Name, "/admin/dashboard/satisfaction?"+query(x.College.ID, f.Year)), txt(x.Evaluations), txt(x.Responses),
			txt(x.Score()), pctCell(x.Rate(), x.Ratings > 0), yes(res.Meets(x.Top2, x.Ratings)))
	}
	t.Note = "点击学院名称查看该学院的各次评估。"
	tables := []sectionTable{t}
	if len(res.Colleges) == 1 || res.Org.Kind == "college" {
		e := newTable("dash-satisfaction-evaluations", "各次评估", "本年度没有评估。", "评估对象", "评价人次|num", "平均得分|num", "满意率|num", "是否达标")
		for _, x := range res.Items {
			e.row(txt(x.TargetLabel), txt(x.Responses), txt(x.Score()), pctCell(x.Rate(), x.Ratings > 0), yes(res.Meets(x.Top2, x.Ratings)))
		}
		tables = append(tables, e)
	}
	q := query(res.Org.ID, f.Year)
	data := sectionPage{
		Tabs: tabs(res.Org.ID, f.Year, tabSatisfaction), Heading: "评估满意度 · " + res.Org.Name,
		Up: h.up(c, res.Org, "/admin/dashboard/satisfaction", "&year="+strconv.Itoa(f.Year)), Export: "/api/v1/dashboard/satisfaction.xlsx?" + q,
		Action: "/admin/dashboard/satisfaction", OrgID: res.Org.ID, Year: f.Year, Years: h.years(),
		SummaryTitle: fmt.Sprintf("%d 年度评估满意度", f.Year),
		KPIs: []kpi{
			{ID: "kpi-evaluations", Label: "评估次数", Value: strconv.Itoa(res.Evaluations)},
			{ID: "kpi-responses", Label: "评价人次", Value: strconv.Itoa(res.Responses)},
			{ID: "kpi-score", Label: "平均得分", Value: fmt.Sprint(res.Score())},
			{ID: "kpi-rate", Label: "满意率", Value: pctCell(res.Rate(), res.Ratings > 0).Text},
		},
		Note:  fmt.Sprintf("满意率为“非常满意”和“满意”在全部评分中的占比，达标线 %s。", pct(res.Bar)),
		Chart: "/admin/dashboard/satisfaction.svg?" + q, ChartAlt: "各主办学院满意评价图",
		Tables: tables,
	}
	return h.pages.Render(c, fiber.StatusOK, "dashboard/section", "评估满意度", data)
}
