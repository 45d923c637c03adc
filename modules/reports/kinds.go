package reports

import (
	"slices"
	"strconv"
	"strings"

	"college/modules/dashboard"
	"college/modules/followup"
	"college/modules/training"
)

// parentOf reads the parent's id from a path: "/1/4/9/" → 4.
func parentOf(path string) uint64 {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(segs[len(segs)-2], 10, 64)
	return id
}

func unitName(name string, own bool) string {
	if own {
		return name + "（本级）"
	}
	return name
}

// hours is the annual study-hour compliance of every unit of the subtree,
// level by level, from the dashboard's own computation (one call per org
// that has units below it), and the people behind with their gaps.
func (b *builder) hours() error {
	ctx, year := b.ctx, b.job.Year
	orgs, err := b.s.d.Directory.Subtree(ctx, b.org.Path)
	if err != nil {
		return err
	}
	parents := map[uint64]bool{}
	for _, o := range orgs {
		parents[parentOf(o.Path)] = true
	}
	steps := 2 // the org itself and the people behind
	for _, o := range orgs {
		if o.ID != b.org.ID && parents[o.ID] {
			steps++
		}
	}
	if err := b.plan(steps); err != nil {
		return err
	}
	wb := b.wb
	if err := wb.sheet(SheetCompliance, 8, 36, 10, 10, 10, 10); err != nil {
		return err
	}
	if err := b.title("学时达标情况"); err != nil {
		return err
	}
	if err := wb.add(ComplianceHeader...); err != nil {
		return err
	}
	var visit func(id uint64, level int) error
	visit = func(id uint64, level int) error {
		c, err := b.s.d.Dashboard.Compliance(ctx, b.p, id, year)
		if err != nil {
			return err
		}
		if level == 0 {
			if err := wb.add(0, c.Org.Name+"（合计）", c.Cadres, c.Met, c.Behind, c.Rate()); err != nil {
				return err
			}
		}
		if err := b.step(); err != nil {
			return err
		}
		for _, u := range c.Units {
			if err := wb.add(level+1, unitName(u.Name, u.Own), u.Cadres, u.Met, u.Behind, u.Rate()); err != nil {
				return err
			}
			if !u.Own && parents[u.ID] {
				if err := visit(u.ID, level+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := visit(b.org.ID, 0); err != nil {
		return err
	}
	_, people, err := b.s.d.Dashboard.PeopleExport(ctx, b.p, b.org.ID, year, dashboard.StatusBehind)
	if err != nil {
		return err
	}
	if err := wb.sheet(SheetBehind, 12, 30, 10, 10, 10, 10, 14, 16, 10, 10); err != nil {
		return err
	}
	if err := wb.add(BehindHeader...); err != nil {
		return err
	}
	for _, r := range people {
		cycle := any("")
		if r.Senior {
			cycle = r.Cycle
		}
		if err := wb.add(r.Name, r.OrgName, r.Level, r.Online, r.OnlineTarget, r.OnlineGap, r.Centralized, cycle, r.CentralizedTarget, r.CentralizedGap); err != nil {
			return err
		}
	}
	return b.step()
}

// Sheet names and headers of the reports.
const (
	SheetCompliance = "学时达标"
	SheetBehind     = "未达标人员"
	SheetSummary    = "总体情况"
	SheetByKind     = "按班次类型"
	SheetByHost     = "按主办学院"
	SheetClasses    = "班次明细"
	SheetExams      = "考试情况"
	SheetExamTotals = "按考试汇总"
	SheetFuClasses  = "按班次"
	SheetFuUnits    = "按单位"
)

var (
	// ComplianceHeader heads the compliance sheet: level 0 is the org
	// asked about, 1 its units, 2 theirs...
	ComplianceHeader = []any{"层级", "单位", "干部人数", "达标", "未达标", "达标率"}
	// BehindHeader heads the sheet of people behind.
	BehindHeader = []any{"姓名", "单位", "职级", "网络学习", "网络要求", "网络差额", "集中培训（本年）", "周期累计集中培训", "集中要求", "集中差额"}
	// ExamHeader heads the exam sheets.
	ExamHeader = []any{"考试", "单位", "参考人数", "交卷人数", "通过人数", "通过率"}
)

// classTally counts classes of one group in one year.
type classTally struct {
	Classes, Registered, Graduated, Days, PersonDays, Entrusted int
}

func (t *classTally) add(r training.ClassYearRow) {
	t.Classes++
	t.Registered += r.Registered
	t.Graduated += r.Graduated
	t.Days += r.Days
	t.PersonDays += r.Graduated * r.Days
	if r.Entrusted != "" {
		t.Entrusted++
	}
}

// yearPair is a group's tallies this year and the year before.
type yearPair struct{ Cur, Prev classTally }

// grouped tallies the classes of both years by key, keys in first-seen
// order after the preferred ones.
func grouped(cur, prev []training.ClassYearRow, key func(training.ClassYearRow) string, preferred []string) ([]string, map[string]*yearPair) {
	m := map[string]*yearPair{}
	keys := []string{}
	get := func(k string) *yearPair {
		if m[k] == nil {
			m[k] = &yearPair{}
			keys = append(keys, k)
		}
		return m[k]
	}
	for _, r := range cur {
		get(key(r)).Cur.add(r)
	}
	for _, r := range prev {
		get(key(r)).Prev.add(r)
	}
	slices.SortStableFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(preferred, a), slices.Index(preferred, b)
		if ia < 0 {
			ia = len(preferred)
		}
		if ib < 0 {
			ib = len(preferred)
		}
		return ia - ib
	})
	return keys, m
}

// classes is the class statistics (班次统计) of the year beside the year
// before: classes by kind and by host college, trainees, days and
// person-days.
func (b *builder) classes() error {
	ctx, year := b.ctx, b.job.Year
	if err := b.plan(3); err != nil {
		return err
	}
	cur, err := b.s.d.Classes.ClassYear(ctx, b.org.Path, year)
	if err != nil {
		return err
	}
	if err := b.step(); err != nil {
		return err
	}
	prev, err := b.s.d.Classes.ClassYear(ctx, b.org.Path, year-1)
	if err != nil {
		return err
	}
	if err := b.step(); err != nil {
		return err
	}
	var hostIDs []uint64
	for _, r := range append(slices.Clip(cur), prev...) {
		hostIDs = append(hostIDs, r.HostOrgID)
	}
	slices.Sort(hostIDs)
	hostIDs = slices.Compact(hostIDs)
	names, err := b.s.d.Directory.OrgNames(ctx, hostIDs)
	if err != nil {
		return err
	}
	wb := b.wb
	y, py := strconv.Itoa(year)+" 年", strconv.Itoa(year-1)+" 年"
	var total yearPair
	for _, r := range cur {
		total.Cur.add(r)
	}
	for _, r := range prev {
		total.Prev.add(r)
	}
	if err := wb.sheet(SheetSummary, 30, 12, 12, 12); err != nil {
		return err
	}
	if err := b.title("班次统计"); err != nil {
		return err
	}
	if err := wb.add("指标", y, py, "增减"); err != nil {
		return err
	}
	for _, r := range []struct {
		name      string
		cur, prev int
	}{
		{"班次数", total.Cur.Classes, total.Prev.Classes},
		{"参训学员（录取）人次", total.Cur.Registered, total.Prev.Registered},
		{"结业学员人次", total.Cur.Graduated, total.Prev.Graduated},
		{"培训天数", total.Cur.Days, total.Prev.Days},
		{"培训人天（结业人次×天数）", total.Cur.PersonDays, total.Prev.PersonDays},
		{"委托办班期数", total.Cur.Entrusted, total.Prev.Entrusted},
	} {
		if err := wb.add(r.name, r.cur, r.prev, r.cur-r.prev); err != nil {
			return err
		}
	}
	if err := wb.add(""); err != nil {
		return err
	}
	if err := wb.add(ClassNote); err != nil {
		return err
	}
	head := []any{"", y + "班次", py + "班次", y + "录取人次", py + "录取人次", y + "结业人次", py + "结业人次", y + "天数", py + "天数", y + "人天", py + "人天"}
	groups := []struct {
		sheet, col string
		key        func(training.ClassYearRow) string
		preferred  []string
	}{
		{SheetByKind, "班次类型", func(r training.ClassYearRow) string { return r.Kind }, training.Kinds},
		{SheetByHost, "主办学院", func(r training.ClassYearRow) string { return names[r.HostOrgID] }, nil},
	}
	for _, g := range groups {
		if err := wb.sheet(g.sheet, 24, 10, 10, 12, 12, 12, 12, 10, 10, 10, 10); err != nil {
			return err
		}
		head[0] = g.col
		if err := wb.add(head...); err != nil {
			return err
		}
		keys, m := grouped(cur, prev, g.key, g.preferred)
		for _, k := range keys {
			t := m[k]
			if err := wb.add(k, t.Cur.Classes, t.Prev.Classes, t.Cur.Registered, t.Prev.Registered, t.Cur.Graduated, t.Prev.Graduated,
				t.Cur.Days, t.Prev.Days, t.Cur.PersonDays, t.Prev.PersonDays); err != nil {
				return err
			}
		}
		if err := wb.add("合计", total.Cur.Classes, total.Prev.Classes, total.Cur.Registered, total.Prev.Registered, total.Cur.Graduated, total.Prev.Graduated,
			total.Cur.Days, total.Prev.Days, total.Cur.PersonDays, total.Prev.PersonDays); err != nil {
			return err
		}
	}
	if err := wb.sheet(SheetClasses, 36, 12, 24, 12, 12, 8, 10, 10, 10, 24); err != nil {
		return err
	}
	if err := wb.add("班次", "类型", "主办学院", "开始日期", "结束日期", "天数", "录取人次", "结业人次", "人天", "委托单位"); err != nil {
		return err
	}
	for _, r := range cur {
		if err := wb.add(r.Title, r.Kind, names[r.HostOrgID], r.StartsOn, r.EndsOn, r.Days, r.Registered, r.Graduated, r.Graduated*r.Days, r.Entrusted); err != nil {
			return err
		}
	}
	return b.step()
}

// ClassNote explains what the class statistics count, and what they cannot.
const ClassNote = "说明：班次按开班日期计入年度，备案通过后的班次才计入；下级单位的报表只计本单位干部。系统尚未记录班次是否属于市县统筹办学，本表不统计市县统筹办学数量。"

// exams is the theory exam report: the dashboard's exam board, by exam and
// unit, and each exam's totals.
func (b *builder) exams() error {
	if err := b.plan(1); err != nil {
		return err
	}
	board, err := b.s.d.Dashboard.Exams(b.ctx, b.p, b.org.ID, b.job.Year)
	if err != nil {
		return err
	}
	wb := b.wb
	if err := wb.sheet(SheetExams, 36, 30, 10, 10, 10, 10); err != nil {
		return err
	}
	if err := b.title("理论考试情况"); err != nil {
		return err
	}
	if err := wb.add(ExamHeader...); err != nil {
		return err
	}
	type total struct {
		title                   string
		candidates, sat, passed int
	}
	var order []uint64
	totals := map[uint64]*total{}
	for _, r := range board.Rows {
		if err := wb.add(r.ExamTitle, unitName(r.Unit.Name, r.Own), r.Candidates, r.Sat, r.Passed, r.PassRate()); err != nil {
			return err
		}
		t := totals[r.ExamID]
		if t == nil {
			t = &total{title: r.ExamTitle}
			totals[r.ExamID] = t
			order = append(order, r.ExamID)
		}
		t.candidates += r.Candidates
		t.sat += r.Sat
		t.passed += r.Passed
	}
	if err := wb.sheet(SheetExamTotals, 36, 10, 10, 10, 10); err != nil {
		return err
	}
	if err := wb.add("考试", "参考人数", "交卷人数", "通过人数", "通过率"); err != nil {
		return err
	}
	for _, id := range order {
		t := totals[id]
		row := dashboard.ExamUnitRow{Candidates: t.candidates, Sat: t.sat, Passed: t.passed}
		if err := wb.add(t.title, t.candidates, t.sat, t.passed, row.PassRate()); err != nil {
			return err
		}
	}
	return b.step()
}

// followups is the follow-up summary (跟踪问效汇总) of the year: rounds by
// status and conclusion, per class and per unit, from the follow-up
// module's own summary.
func (b *builder) followups() error {
	if err := b.plan(1); err != nil {
		return err
	}
	sum, err := b.s.d.Followups.Summary(b.ctx, b.p, followup.SummaryFilter{Year: b.job.Year, OrgID: b.org.ID})
	if err != nil {
		return err
	}
	wb := b.wb
	head := append([]any{"", "问效轮次", "待完成", "已完成", "已取消", "逾期"}, conclusionCols()...)
	for i, part := range []struct {
		sheet, col string
		rows       []followup.SummaryRow
	}{{SheetFuClasses, "班次", sum.ByClass}, {SheetFuUnits, "单位", sum.ByUnit}} {
		if err := wb.sheet(part.sheet, 36, 10, 10, 10, 10, 10, 8, 8, 8, 8); err != nil {
			return err
		}
		if i == 0 {
			if err := b.title("跟踪问效汇总"); err != nil {
				return err
			}
		}
		head[0] = part.col
		if err := wb.add(head...); err != nil {
			return err
		}
		for _, r := range append(slices.Clip(part.rows), sum.Total) {
			if err := wb.add(followupRow(r)...); err != nil {
				return err
			}
		}
	}
	return b.step()
}

func conclusionCols() []any {
	out := make([]any, len(followup.Conclusions))
	for i, c := range followup.Conclusions {
		out[i] = c
	}
	return out
}

func followupRow(r followup.SummaryRow) []any {
	row := []any{r.Name, r.Rounds, r.Pending, r.Done, r.Cancelled, r.Overdue}
	for _, c := range followup.Conclusions {
		row = append(row, r.Conclusions[c])
	}
	return row
}
