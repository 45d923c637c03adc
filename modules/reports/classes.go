package reports

import (
	"slices"
	"strconv"

	"college/modules/training"
)

// classTally counts classes of one group in one year.
type classTally struct {
	Classes, Registered, Graduated, Days, PersonDays, Entrusted, CoRun int
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
	if r.CoHostOrgID != 0 {
		t.CoRun++
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
		if r.CoHostOrgID != 0 {
			hostIDs = append(hostIDs, r.CoHostOrgID)
		}
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
		{"市县统筹办学期数", total.Cur.CoRun, total.Prev.CoRun},
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
	if err := wb.sheet(SheetClasses, 36, 12, 24, 12, 12, 8, 10, 10, 10, 24, 24); err != nil {
		return err
	}
	if err := wb.add("班次", "类型", "主办学院", "开始日期", "结束日期", "天数", "录取人次", "结业人次", "人天", "委托单位", "联合举办学院（市县统筹办学）"); err != nil {
		return err
	}
	for _, r := range cur {
		if err := wb.add(r.Title, r.Kind, names[r.HostOrgID], r.StartsOn, r.EndsOn, r.Days, r.Registered, r.Graduated, r.Graduated*r.Days, r.Entrusted, names[r.CoHostOrgID]); err != nil {
			return err
		}
	}
	return b.step()
}

// ClassNote explains what the class statistics count, and what they cannot.
const ClassNote = "说明：班次按开班日期计入年度，备案通过后的班次才计入；下级单位的报表计本单位主办或联合举办的班次和本单位干部参加的班次，学员只计本单位干部。市县统筹办学指填写了联合举办学院的班次。"
