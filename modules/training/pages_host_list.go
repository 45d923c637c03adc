package training

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"

	"github.com/gofiber/fiber/v2"
)

// adminTab is a filter tab with its count.
type adminTab struct {
	Value string
	Name  string
	N     int64
	Link  string
}

type adminClassesData struct {
	Items  []ClassSummary
	Total  int64
	Page   int
	Pages  int
	Status string
	Q      string
	Tabs   []adminTab
	Hosts  bool // show the host column (the org department sees every college)
}

func (h *Handlers) adminClassesPage(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), web.Caller(c)
	pg, err := web.PageFrom(c)
	if err != nil {
		pg = web.Page{Page: 1, PageSize: 20}
	}
	status := c.Query("status")
	if _, ok := StatusNames[status]; !ok {
		status = ""
	}
	q := strings.TrimSpace(c.Query("q"))
	rows, total, err := h.svc.ListManaged(ctx, p, ListFilter{Status: status, Q: q}, pg)
	if err != nil {
		return err
	}
	counts, err := h.svc.adminClassCounts(ctx, p, 0)
	if err != nil {
		return err
	}
	d := &adminClassesData{Total: total, Page: pg.Page, Status: status, Q: q, Hosts: canApprove(p)}
	d.Pages = int((total + int64(pg.PageSize) - 1) / int64(pg.PageSize))
	for i := range rows {
		d.Items = append(d.Items, h.svc.Summary(ctx, &rows[i]))
	}
	link := func(st string) string {
		v := url.Values{}
		if st != "" {
			v.Set("status", st)
		}
		if q != "" {
			v.Set("q", q)
		}
		if len(v) == 0 {
			return "/admin/classes"
		}
		return "/admin/classes?" + v.Encode()
	}
	var all int64
	for _, n := range counts {
		all += n
	}
	d.Tabs = append(d.Tabs, adminTab{Value: "", Name: "全部", N: all, Link: link("")})
	for _, st := range adminStatusOrder {
		d.Tabs = append(d.Tabs, adminTab{Value: st, Name: StatusNames[st], N: counts[st], Link: link(st)})
	}
	return h.pages.Render(c, fiber.StatusOK, "training/admin_classes", "班次管理", d)
}

type adminFilingView struct {
	ClassSummary
	Entrusted   string
	Days        int
	Levels      []string
	SubmittedAt string
	Quotas      int
	Sessions    int
	ByDays      bool
}

type adminOverviewItem struct {
	Status string
	Name   string
	N      int64
	Link   string
}

type adminFilingsData struct {
	Items    []adminFilingView
	Total    int64
	Err      *adminErr
	Reason   string // the refused reason, typed again
	Year     int
	Years    []int
	Overview []adminOverviewItem
	YearSum  int64
}

// ErrFor returns the refusal shown under one filed class.
func (d *adminFilingsData) ErrFor(id uint64) *adminErr {
	if d.Err != nil && d.Err.Section == "filing:"+web.Itoa(id) {
		return d.Err
	}
	return nil
}

func (h *Handlers) adminFilingsPage(c *fiber.Ctx) error {
	return h.adminRenderFilings(c, fiber.StatusOK, nil, "")
}

func (h *Handlers) adminRenderFilings(c *fiber.Ctx, status int, perr *adminErr, reason string) error {
	ctx, p := c.UserContext(), web.Caller(c)
	rows, total, err := h.svc.ListManaged(ctx, p, ListFilter{Status: StatusFiling}, web.Page{Page: 1, PageSize: 100})
	if err != nil {
		return err
	}
	now := time.Now().In(web.Shanghai).Year()
	year, _ := strconv.Atoi(c.Query("year"))
	if year < 2000 || year > now+5 {
		year = now
	}
	d := &adminFilingsData{Total: total, Err: perr, Reason: reason, Year: year, Years: []int{now + 1, now, now - 1, now - 2}}
	for i := range rows {
		cl := &rows[i]
		v := adminFilingView{ClassSummary: h.svc.Summary(ctx, cl), Entrusted: cl.Entrusted, Days: cl.Days(), Levels: db.SplitList(cl.Levels), ByDays: cl.Hours == 0}
		if cl.SubmittedAt != nil {
			v.SubmittedAt = adminShortTime(*cl.SubmittedAt)
		}
		if qs, err := h.svc.Quotas(ctx, cl.ID); err == nil {
			v.Quotas = len(qs)
		}
		if xs, err := h.svc.Sessions(ctx, cl.ID); err == nil {
			v.Sessions = len(xs)
		}
		d.Items = append(d.Items, v)
	}
	counts, err := h.svc.adminClassCounts(ctx, p, year)
	if err != nil {
		return err
	}
	for _, st := range adminStatusOrder {
		d.Overview = append(d.Overview, adminOverviewItem{Status: st, Name: StatusNames[st], N: counts[st], Link: "/admin/classes?status=" + st})
		d.YearSum += counts[st]
	}
	return h.pages.Render(c, status, "training/admin_filings", "备案审核", d)
}
