package reports

import (
	"strconv"
	"strings"

	"college/modules/dashboard"
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
