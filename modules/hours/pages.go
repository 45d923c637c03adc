package hours

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// progressView is one bar of the "我的学时" page.
type progressView struct {
	Label   string
	Done    web.Hours
	Target  web.Hours
	Left    web.Hours
	Percent int
	Met     bool
	Note    string
}

func newProgress(label string, done, target web.Hours, note string) progressView {
	p := progressView{Label: label, Done: done, Target: target, Note: note, Percent: 100, Met: done >= target}
	if target > 0 && done < target {
		p.Percent = int(done * 100 / target)
		p.Left = target - done
	}
	return p
}

// entryView is a ledger entry with its Chinese labels.
type entryView struct {
	Title    string
	Source   string
	Category string
	Kind     string
	Hours    web.Hours
	EarnedAt time.Time
}

func entryViews(entries []Entry) []entryView {
	out := make([]entryView, 0, len(entries))
	for _, e := range entries {
		out = append(out, entryView{Title: e.Title, Source: nameOr(SourceNames, e.SourceType), Category: nameOr(CategoryNames, e.Category), Kind: nameOr(KindNames, e.Kind), Hours: e.Hours, EarnedAt: e.EarnedAt})
	}
	return out
}

// carryNote explains a bar that includes last year's surplus.
func carryNote(h web.Hours) string {
	if h > 0 {
		return "含上年结转 " + h.String() + " 学时（选修）"
	}
	return ""
}

// progressOf lists the bars that apply to the learner's level.
func progressOf(s Summary) []progressView {
	out := []progressView{}
	var online, central web.Hours
	if s.Carry != nil {
		online, central = s.Carry.Online, s.Carry.Centralized
	}
	out = append(out, newProgress("网络学习（本年度）", s.OnlineDone(), s.Targets.Online, carryNote(online)))
	if s.Targets.Senior {
		note := fmt.Sprintf("县处级及以上干部每五年要求，统计 %d—%d 年集中培训学时", s.Targets.Centralized5yFrom, s.Year)
		out = append(out, newProgress("集中培训（五年累计）", s.Targets.Centralized5yDone, s.Targets.Centralized5y, note))
	} else {
		out = append(out, newProgress("集中培训（本年度）", s.CentralizedDone(), s.Targets.Centralized, carryNote(central)))
	}
	return out
}

func (h *Handlers) hoursPage(c *fiber.Ctx) error {
	year, err := h.yearFrom(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	uid := web.Caller(c).UserID
	sum, err := h.svc.Year(ctx, uid, year)
	if err != nil {
		return web.Internal(err)
	}
	years, err := h.svc.Years(ctx, uid)
	if err != nil {
		return web.Internal(err)
	}
	current := h.svc.CurrentYear()
	for _, y := range []int{current, year} {
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.SortFunc(years, func(a, b int) int { return b - a })
	data := map[string]any{
		"Year":     year,
		"Years":    years,
		"Current":  current,
		"Summary":  sum,
		"Level":    sum.Level,
		"Progress": progressOf(sum),
		"Entries":  entryViews(sum.Entries),
	}
	return h.pages.Render(c, fiber.StatusOK, "hours/me", "我的学时", data)
}

// archiveYear is one year of the archive page.
type archiveYear struct {
	Year           int
	Totals         Totals
	OnlineMet      bool
	CentralizedMet bool // meaningful for the yearly rule only
	Entries        []entryView
}

func (h *Handlers) myArchivePage(c *fiber.Ctx) error {
	return h.archivePage(c, web.Caller(c).UserID, true)
}

func (h *Handlers) userArchivePage(c *fiber.Ctx) error {
	id, err := h.scopedUser(c)
	if err != nil {
		return err
	}
	return h.archivePage(c, id, false)
}

func (h *Handlers) archivePage(c *fiber.Ctx, userID uint64, self bool) error {
	ctx := c.UserContext()
	p, a, err := h.profileArchive(ctx, userID)
	if err != nil {
		return err
	}
	current := h.svc.CurrentYear()
	var fiveYears web.Hours
	years := make([]archiveYear, 0, len(a.Years))
	for _, y := range a.Years {
		years = append(years, archiveYear{
			Year: y.Year, Totals: y.Totals, Entries: entryViews(y.Entries),
			OnlineMet:      y.Totals.Online >= a.Targets.Online,
			CentralizedMet: y.Totals.Centralized >= a.Targets.Centralized,
		})
		if y.Year > current-5 && y.Year <= current {
			fiveYears += y.Totals.Centralized
		}
	}
	export := "/api/v1/me/archive.xlsx"
	title := "学习档案"
	if !self {
		export = "/api/v1/users/" + strconv.FormatUint(userID, 10) + "/archive.xlsx"
		title = "学习档案 - " + p.Name
	}
	data := map[string]any{
		"Self":        self,
		"Profile":     p,
		"Archive":     a,
		"Years":       years,
		"Current":     current,
		"FiveYears":   fiveYears,
		"FiveFrom":    current - 4,
		"ExportURL":   export,
		"GeneratedAt": h.svc.now(),
	}
	return h.pages.Render(c, fiber.StatusOK, "hours/archive", title, data)
}
