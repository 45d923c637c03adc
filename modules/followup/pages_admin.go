package followup

import (
	"fmt"
	"strconv"
	"strings"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// planRow is a plan in the unit's and the org department's lists.
type planRow struct {
	PlanResponse
	Tone   string
	Rounds []learnerRound
	Done   int
	Latest string // the latest conclusion
}

func planRows(plans []PlanResponse) []planRow {
	out := make([]planRow, 0, len(plans))
	for _, p := range plans {
		row := planRow{PlanResponse: p, Tone: planTone(p.Status)}
		for _, r := range p.Rounds {
			row.Rounds = append(row.Rounds, learnerRound{RoundBrief: r, Tone: roundTone(r.Status, r.Overdue), CTone: conclusionTone(r.Conclusion), HasReport: r.Status == RoundDone})
			if r.Status == RoundDone {
				row.Done++
				row.Latest = r.Conclusion
			}
		}
		out = append(out, row)
	}
	return out
}

// summaryView is the annual summary with its rows ready for the tables.
type summaryView struct {
	SummaryResponse
	Grades []string
	Tables []summaryTable
}

type summaryTable struct {
	Title, Head string
	Rows        []SummaryRow
}

func newSummaryView(s SummaryResponse) summaryView {
	return summaryView{SummaryResponse: s, Grades: Conclusions, Tables: []summaryTable{
		{Title: "按班次", Head: "班次", Rows: s.ByClass}, {Title: "按单位", Head: "单位", Rows: s.ByUnit}}}
}

func yearOptions(current int) []int {
	out := make([]int, 0, 8)
	for y := current + 3; y >= current-4; y-- {
		out = append(out, y)
	}
	return out
}

// ---------- the unit: 本单位干部的跟踪问效 ----------

type unitData struct {
	Plans   []planRow
	List    web.List[PlanResponse]
	Overdue []Task
	Summary summaryView
	Year    int
	Years   []int
}

func (h *Handlers) unitPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	f, err := summaryFilter(c)
	if err != nil {
		return err
	}
	plans, total, err := h.svc.ListPlans(ctx, p, PlanFilter{Scope: ScopeUnit}, pg)
	if err != nil {
		return err
	}
	overdue, err := h.svc.OverdueTasks(ctx, p, ScopeUnit)
	if err != nil {
		return err
	}
	sum, err := h.svc.Summary(ctx, &web.Principal{UserID: p.UserID, Roles: []string{web.RoleUnitAdmin}, OrgID: p.OrgID, OrgPath: p.OrgPath}, f)
	if err != nil {
		return err
	}
	d := unitData{Plans: planRows(plans), List: web.NewList(plans, total, pg), Overdue: overdue, Summary: newSummaryView(sum),
		Year: sum.Year, Years: yearOptions(h.svc.now().In(web.Shanghai).Year())}
	return h.pages.Render(c, fiber.StatusOK, "followup/unit", "本单位跟踪问效", d)
}

// ---------- the org department: 跟踪问效管理 ----------

type adminRoundRow struct {
	RoundSummary
	Tone  string
	CTone string
}

func adminRows(rows []RoundSummary) []adminRoundRow {
	out := make([]adminRoundRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, adminRoundRow{RoundSummary: r, Tone: roundTone(r.Status, r.Overdue), CTone: conclusionTone(r.Conclusion)})
	}
	return out
}

// adminList is a list of rounds with the forms each row offers.
type adminList struct {
	Rows     []adminRoundRow
	Total    int64
	More     int64 // rows not shown
	Team     []TeamMemberResponse
	CSRF     string
	Assign   bool // an assign form per row
	Mark     bool // a form to mark the row an excellent case
	Case     bool // the case note and the course
	Next     string
	Empty    string
	OrgAdmin bool
}

type adminData struct {
	Summary    summaryView
	Year       int
	Years      []int
	Overdue    adminList
	Unassigned adminList
	Cases      adminList
	Done       adminList // finished this year, to be marked as cases
	Tasks      []Task
	OrgAdmin   bool
	Error      string // why an action was refused
}

const adminListSize = 50

func (h *Handlers) adminPage(c *fiber.Ctx) error {
	return h.adminRender(c, fiber.StatusOK, "")
}

func (h *Handlers) adminRender(c *fiber.Ctx, status int, msg string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	f, err := summaryFilter(c)
	if err != nil {
		return err
	}
	sum, err := h.svc.Summary(ctx, p, f)
	if err != nil {
		return err
	}
	team, err := h.svc.Team(ctx)
	if err != nil {
		return err
	}
	first := web.Page{Page: 1, PageSize: adminListSize}
	d := adminData{Summary: newSummaryView(sum), Year: sum.Year, Years: yearOptions(h.svc.now().In(web.Shanghai).Year()), OrgAdmin: p.Has(web.RoleOrgAdmin), Error: msg}
	list := func(f RoundFilter, l adminList) (adminList, error) {
		rows, n, err := h.svc.ListRounds(ctx, p, f, first)
		l.Rows, l.Total, l.Team, l.CSRF, l.OrgAdmin = adminRows(rows), n, team, p.CSRF, d.OrgAdmin
		l.More = n - int64(len(rows))
		return l, err
	}
	if d.Overdue, err = list(RoundFilter{Overdue: true}, adminList{Assign: true, Next: "/admin/followup#overdue", Empty: "没有逾期未完成的问效。"}); err != nil {
		return err
	}
	if d.Unassigned, err = list(RoundFilter{Unassigned: true, Year: sum.Year}, adminList{Assign: true, Next: "/admin/followup#unassigned", Empty: "本年度的问效都已分配。"}); err != nil {
		return err
	}
	if d.Cases, err = list(RoundFilter{Excellent: true}, adminList{Case: true, Next: "/admin/followup#cases", Empty: "还没有优秀案例。可在下方“本年度已完成”中标记。"}); err != nil {
		return err
	}
	if d.Done, err = list(RoundFilter{Status: RoundDone, Year: sum.Year}, adminList{Mark: d.OrgAdmin, Next: "/admin/followup#done", Empty: "本年度还没有完成的问效。"}); err != nil {
		return err
	}
	rows := d.Done.Rows[:0]
	for _, r := range d.Done.Rows {
		if !r.Excellent {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 && len(d.Done.Rows) > 0 {
		d.Done.Empty = "本年度已完成的问效均已列为优秀案例。"
	}
	d.Done.Rows = rows
	if d.Tasks, err = h.svc.OverdueTasks(ctx, p, ScopeManage); err != nil {
		return err
	}
	return h.pages.Render(c, status, "followup/admin", "跟踪问效管理", d)
}

// adminBack is where an admin form returns: the page it came from, when
// it is one of ours.
func adminBack(c *fiber.Ctx, fallback string) string {
	next := c.FormValue("next")
	if strings.HasPrefix(next, "/admin/followup") || strings.HasPrefix(next, "/followup/rounds/") {
		return next
	}
	return fallback
}

// adminRefused shows the page the form came from again, with the refusal's
// status and its reason; a server error goes to the error page.
func (h *Handlers) adminRefused(c *fiber.Ctx, err error, back string) error {
	we, msg, ok := refusal(err)
	if !ok {
		return err
	}
	msg = "未能完成：" + msg
	path, _, _ := strings.Cut(back, "#")
	switch {
	case strings.HasPrefix(path, "/admin/followup/team"):
		return h.adminTeamRender(c, we.Status, "", msg)
	case strings.HasPrefix(path, "/admin/followup/plans"):
		return h.adminPlansRender(c, we.Status, msg)
	case strings.HasPrefix(path, "/followup/rounds/"):
		id, perr := web.ParseUint(strings.TrimPrefix(path, "/followup/rounds/"))
		if perr != nil {
			return err
		}
		return h.roundRender(c, we.Status, id, func(d *roundPageData) { d.Error = msg })
	}
	return h.adminRender(c, we.Status, msg)
}

func (h *Handlers) adminAssignSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	back := adminBack(c, "/admin/followup#unassigned")
	uid := formID(c, "user_id")
	out, err := h.svc.AssignRound(c.UserContext(), web.Caller(c), id, uid)
	if err != nil {
		return h.adminRefused(c, err, back)
	}
	if uid == 0 {
		web.Flash(c, fmt.Sprintf("已取消 %s %d 年度问效的分配", out.Name, out.Year))
	} else {
		web.Flash(c, fmt.Sprintf("已将 %s %d 年度问效分配给 %s", out.Name, out.Year, out.AssigneeName))
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

func (h *Handlers) adminExcellentSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	back := adminBack(c, "/admin/followup#cases")
	if _, err := h.svc.MarkExcellent(c.UserContext(), web.Caller(c), id, c.FormValue("case_note")); err != nil {
		return h.adminRefused(c, err, back)
	}
	web.Flash(c, "已列为优秀实践案例")
	return c.Redirect(back, fiber.StatusSeeOther)
}

func (h *Handlers) adminCaseCourseSubmit(c *fiber.Ctx) error {
	_, out, created, err := web.WithIDPair(c, h.svc.CreateCaseCourse)
	if err != nil {
		return h.adminRefused(c, err, adminBack(c, "/admin/followup#cases"))
	}
	if created {
		web.Flash(c, "已在主办学院新建草稿课程，请补充课程内容后发布")
	}
	return c.Redirect(fmt.Sprintf("/admin/courses/%d", out.CourseID), fiber.StatusSeeOther)
}

// ---------- plans and terms ----------

type adminPlansData struct {
	Plans    []planRow
	List     web.List[PlanResponse]
	ClassID  uint64
	Status   string
	Statuses map[string]string
	OrgAdmin bool
	Error    string // why a change of term was refused
}

func (h *Handlers) adminPlansPage(c *fiber.Ctx) error {
	return h.adminPlansRender(c, fiber.StatusOK, "")
}

func (h *Handlers) adminPlansRender(c *fiber.Ctx, status int, msg string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		return err
	}
	classID, err := web.QueryUint(c, "class_id")
	if err != nil {
		return err
	}
	planStatus := c.Query("status")
	if PlanStatusNames[planStatus] == "" {
		planStatus = ""
	}
	plans, total, err := h.svc.ListPlans(ctx, p, PlanFilter{Scope: ScopeManage, ClassID: classID, Status: planStatus}, pg)
	if err != nil {
		return err
	}
	d := adminPlansData{Plans: planRows(plans), List: web.NewList(plans, total, pg), ClassID: classID, Status: planStatus, Statuses: PlanStatusNames,
		OrgAdmin: p.Has(web.RoleOrgAdmin), Error: msg}
	return h.pages.Render(c, status, "followup/admin_plans", "跟踪问效计划", d)
}

func (h *Handlers) adminTermSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	back := adminBack(c, "/admin/followup/plans") + fmt.Sprintf("#plan-%d", id)
	out, err := h.svc.UpdateTerm(c.UserContext(), web.Caller(c), id, c.FormValue("term_ends_on"))
	if err != nil {
		return h.adminRefused(c, err, back)
	}
	web.Flash(c, fmt.Sprintf("已将 %s 的任职期满日期改为 %s，共 %d 轮年度问效（%s）", out.Name, out.TermEndsOn, activeRounds(out), out.StatusName))
	return c.Redirect(back, fiber.StatusSeeOther)
}

func activeRounds(p PlanResponse) int {
	n := 0
	for _, r := range p.Rounds {
		if r.Status != RoundCancelled {
			n++
		}
	}
	return n
}

// ---------- the team and the templates ----------

type adminTeamData struct {
	Team      []TeamMemberResponse
	Templates []TemplateItem
	OrgAdmin  bool
	CityLevel bool // the org department at the top: edits the templates
	Username  string
	Error     string // why the member was not added
}

func (h *Handlers) adminTeamPage(c *fiber.Ctx) error {
	return h.adminTeamRender(c, fiber.StatusOK, c.Query("username"), "")
}

func (h *Handlers) adminTeamRender(c *fiber.Ctx, status int, username, msg string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	team, err := h.svc.Team(ctx)
	if err != nil {
		return err
	}
	templates, err := h.svc.Templates(ctx)
	if err != nil {
		return err
	}
	return h.pages.Render(c, status, "followup/admin_team", "工作专班与问效指标", adminTeamData{Team: team, Templates: templates, OrgAdmin: p.Has(web.RoleOrgAdmin),
		CityLevel: cityOrgAdmin(p), Username: username, Error: msg})
}

// adminTeamAddSubmit adds the account named by username; a refusal shows
// the team page again with the name as typed and the reason.
func (h *Handlers) adminTeamAddSubmit(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	username := strings.TrimSpace(c.FormValue("username"))
	person, err := h.svc.TeamCandidate(ctx, p, username)
	if err == nil {
		err = h.svc.AddTeamMember(ctx, p, person.ID)
	}
	if err != nil {
		we, msg, ok := refusal(err)
		if !ok {
			return err
		}
		return h.adminTeamRender(c, we.Status, username, "未能完成："+msg)
	}
	web.Flash(c, "已将 "+person.Name+" 加入工作专班")
	return c.Redirect("/admin/followup/team#team", fiber.StatusSeeOther)
}

func (h *Handlers) adminTeamRemoveSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "uid")
	if err != nil {
		return err
	}
	if err := h.svc.RemoveTeamMember(c.UserContext(), web.Caller(c), id); err != nil {
		return h.adminRefused(c, err, "/admin/followup/team#team")
	}
	web.Flash(c, "已移出工作专班，其待问效任务已取消分配")
	return c.Redirect("/admin/followup/team#team", fiber.StatusSeeOther)
}

func (h *Handlers) adminTemplatesSubmit(c *fiber.Ctx) error {
	var in TemplatesRequest
	for i, d := range Dimensions {
		raw := c.FormValue("t" + strconv.Itoa(i))
		var list []string
		for _, line := range strings.Split(strings.ReplaceAll(raw, "、", "\n"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				list = append(list, line)
			}
		}
		in.Templates = append(in.Templates, TemplateItem{Dimension: d, Indicators: list})
	}
	if _, err := h.svc.SetTemplates(c.UserContext(), web.Caller(c), in); err != nil {
		return h.adminRefused(c, err, "/admin/followup/team#templates")
	}
	web.Flash(c, "问效指标模板已保存，新的问效表单将使用新指标")
	return c.Redirect("/admin/followup/team#templates", fiber.StatusSeeOther)
}
