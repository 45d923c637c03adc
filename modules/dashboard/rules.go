package dashboard

import (
	"context"
	"fmt"
	"time"

	"college/modules/hours"
	"college/modules/settings"
	"college/modules/web"
)

// Setting keys of this module; the yearly and five-year targets and the
// carry-over are the hours module's settings.
const (
	SetCycleStart = "dashboard.cycle_start"
	SetCycleYears = "dashboard.cycle_years"
	SetCacheSecs  = "dashboard.cache_seconds"
	// SetCoverageYears is how many years back the training coverage looks.
	SetCoverageYears = "dashboard.coverage_years"
)

// SettingDefs declares the plan cycle (2023–2027, the next starting 2028)
// and how long a computed dashboard may be served from the cache.
var SettingDefs = []settings.Def{
	{Key: SetCycleStart, Group: "学时达标统计", Label: "五年培训周期起始年份", Help: "县处级及以上干部五年集中培训学时按培训规划周期统计，默认 2023—2027 年", Kind: settings.KindInt, Default: "2023", Min: 2000, Max: 2100},
	{Key: SetCycleYears, Group: "学时达标统计", Label: "培训周期年数", Kind: settings.KindInt, Default: "5", Min: 1, Max: 10},
	{Key: SetCacheSecs, Group: "学时达标统计", Label: "统计结果缓存秒数", Help: "综合管理统计结果的缓存时间，0 为不缓存；规则参数修改后立即重新计算", Kind: settings.KindInt, Default: "300", Min: 0, Max: 3600},
	{Key: SetCoverageYears, Group: "学时达标统计", Label: "培训覆盖统计年数", Help: "培训覆盖情况默认统计最近几年（含本年）参加并结业的班次，默认 5 年，与培训规划周期一致", Kind: settings.KindInt, Default: "5", Min: 1, Max: 20},
}

// Rules are the compliance rules of DOMAIN.md with the numbers of the
// settings: online ≥ OnlineYearly every year; 乡科级及以下 centralized ≥
// CentralizedYearly every year; 县处级及以上 centralized in the plan cycle
// so far ≥ Centralized5y / CycleYears × the years elapsed including this one.
type Rules struct {
	OnlineYearly      web.Hours
	CentralizedYearly web.Hours
	Centralized5y     web.Hours
	CycleStart        int
	CycleYears        int
	// CarryOver counts last year's surplus over the yearly targets toward
	// this year (online for everyone, centralized for 乡科级及以下).
	CarryOver bool
}

// RulesFrom reads the rules from the settings.
func RulesFrom(ctx context.Context, set *settings.Service) Rules {
	return Rules{
		OnlineYearly:      web.HoursFromFloat(set.Float(ctx, hours.SetOnlineYearly)),
		CentralizedYearly: web.HoursFromFloat(set.Float(ctx, hours.SetCentralizedYearly)),
		Centralized5y:     web.HoursFromFloat(set.Float(ctx, hours.SetCentralized5y)),
		CycleStart:        set.Int(ctx, SetCycleStart),
		CycleYears:        max(1, set.Int(ctx, SetCycleYears)),
		CarryOver:         set.Bool(ctx, hours.SetCarryOver),
	}
}

// key identifies the rules in cache keys, so a changed setting is never
// answered from a result computed under the old one.
func (r Rules) key() string {
	return fmt.Sprintf("%d-%d-%d-%d-%d-%t", r.OnlineYearly, r.CentralizedYearly, r.Centralized5y, r.CycleStart, r.CycleYears, r.CarryOver)
}

// Cycle returns the first year of the plan cycle that holds year and how
// many of its years have elapsed by the end of year, this one included.
func (r Rules) Cycle(year int) (from, elapsed int) {
	n := max(1, r.CycleYears)
	k := (year - r.CycleStart) / n
	if (year-r.CycleStart)%n < 0 {
		k-- // floor for years before the configured start
	}
	from = r.CycleStart + k*n
	return from, year - from + 1
}

// Standing is one cadre's compliance for a year.
type Standing struct {
	Senior bool
	// Online and Centralized are the year's ledger sums; Cycle sums the
	// centralized hours of the cycle so far (县处级及以上).
	Online, Centralized, Cycle web.Hours
	// CarryOnline and CarryCentralized are last year's surplus counted
	// toward this year when the carry-over is on.
	CarryOnline, CarryCentralized web.Hours
	// OnlineTarget is the yearly online target; CentralizedTarget is the
	// yearly one, or the pro rata cycle target for 县处级及以上.
	OnlineTarget, CentralizedTarget web.Hours
	OnlineGap, CentralizedGap       web.Hours
	CycleFrom                       int
	Met                             bool
	// Due: a 县处级及以上 cadre in the cycle's last year (it ends within a
	// year) with the cycle total still under the full five-year requirement.
	Due bool
}

// Judge applies the rules to one cadre's sums for year.
func (r Rules) Judge(level string, s hours.UserSums, year int) Standing {
	st := Standing{Senior: hours.IsSenior(level), Online: s.Online, Centralized: s.Centralized, OnlineTarget: r.OnlineYearly}
	from, elapsed := r.Cycle(year)
	st.CycleFrom = from
	if r.CarryOver {
		st.CarryOnline = max(0, s.PrevOnline-r.OnlineYearly)
		if !st.Senior {
			st.CarryCentralized = max(0, s.PrevCentralized-r.CentralizedYearly)
		}
	}
	st.OnlineGap = max(0, st.OnlineTarget-(s.Online+st.CarryOnline))
	if st.Senior {
		st.Cycle = s.CycleCentralized
		st.CentralizedTarget = r.Centralized5y * web.Hours(elapsed) / web.Hours(max(1, r.CycleYears))
		st.CentralizedGap = max(0, st.CentralizedTarget-st.Cycle)
		st.Due = from+max(1, r.CycleYears)-1 == year && st.Cycle < r.Centralized5y
	} else {
		st.CentralizedTarget = r.CentralizedYearly
		st.CentralizedGap = max(0, st.CentralizedTarget-(s.Centralized+st.CarryCentralized))
	}
	st.Met = st.OnlineGap == 0 && st.CentralizedGap == 0
	return st
}

// LeaderDue applies DOMAIN.md's rule for 县处级及以上 leaders: one is due
// for centralized training when the plan cycle holding today ends within a
// year and their centralized hours in the cycle are still under the
// five-year requirement (550 学时 by default).
func (r Rules) LeaderDue(level string, cycle web.Hours, today time.Time) bool {
	if !hours.IsSenior(level) || cycle >= r.Centralized5y {
		return false
	}
	t := today.In(web.Shanghai)
	from, _ := r.Cycle(t.Year())
	next := time.Date(from+max(1, r.CycleYears), 1, 1, 0, 0, 0, 0, web.Shanghai) // the cycle's end
	return !t.AddDate(1, 0, 0).Before(next)
}
