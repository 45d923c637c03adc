package audit

import (
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Handlers serves the audit API and page.
type Handlers struct {
	svc   *Service
	pages *web.Engine
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers { return &Handlers{svc: svc, pages: pages} }

// Register lists every route of the module: auditors only, and reading
// only: no route edits or deletes an entry.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	api.Tag("audit").Get("/audit", web.Doc{Summary: "查询审计日志", Resp: web.List[Entry]{}, Roles: []string{web.RoleAuditor}, Query: []string{"q", "action", "from", "to", "page", "page_size"}}, h.search)
	pages.Get("/admin/audit", web.RequireRole(web.RoleAuditor), h.page)
}

func filterFrom(c *fiber.Ctx) (Filter, error) {
	f := Filter{Q: c.Query("q"), Action: c.Query("action")}
	bad := web.Fields{}
	if v := c.Query("from"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, web.Shanghai)
		bad.Check(err == nil, "from", "日期格式应为 YYYY-MM-DD")
		f.From = t
	}
	if v := c.Query("to"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, web.Shanghai)
		bad.Check(err == nil, "to", "日期格式应为 YYYY-MM-DD")
		f.To = t.AddDate(0, 0, 1)
	}
	return f, bad.Err()
}

func (h *Handlers) list(c *fiber.Ctx) (web.List[Entry], Filter, error) {
	f, err := filterFrom(c)
	if err != nil {
		return web.List[Entry]{}, f, err
	}
	pg, err := web.PageFrom(c)
	if err != nil {
		return web.List[Entry]{}, f, err
	}
	rows, total, err := h.svc.Search(c.UserContext(), f, pg)
	if err != nil {
		return web.List[Entry]{}, f, web.Internal(err)
	}
	items := make([]Entry, len(rows))
	for i, r := range rows {
		items[i] = Entry{ID: r.ID, At: r.At, ActorID: r.ActorID, ActorName: r.ActorName, IP: r.IP, Action: r.Action,
			Target: r.Target, TargetID: r.TargetID, Detail: r.Detail, Success: r.Success, Seq: r.Seq}
	}
	return web.NewList(items, total, pg), f, nil
}

func (h *Handlers) search(c *fiber.Ctx) error {
	l, _, err := h.list(c)
	if err != nil {
		return err
	}
	return c.JSON(l)
}

// pageEntry is an entry of the audit page, its codes in Chinese.
type pageEntry struct {
	Entry
	ActionName string
	TargetName string
	DetailText string
}

// actionOption is a choice of the page's action filter.
type actionOption struct{ Value, Name string }

func (h *Handlers) page(c *fiber.Ctx) error {
	l, _, err := h.list(c)
	if err != nil {
		return err
	}
	rows := make([]pageEntry, len(l.Items))
	for i, e := range l.Items {
		rows[i] = pageEntry{Entry: e, ActionName: ActionName(e.Action), TargetName: TargetName(e.Target), DetailText: DetailText(e.Detail)}
	}
	opts := make([]actionOption, 0, len(actionGroups))
	for _, v := range actionFilterOrder {
		opts = append(opts, actionOption{Value: v, Name: actionGroups[v]})
	}
	return h.pages.Render(c, fiber.StatusOK, "audit/index", "审计日志", map[string]any{
		"List": l, "Rows": rows, "Actions": opts, "Q": c.Query("q"), "Action": c.Query("action"), "From": c.Query("from"), "To": c.Query("to"),
	})
}

// actionFilterOrder is the order of the page's action filter.
var actionFilterOrder = []string{"login", "logout", "user", "role", "password", "mfa", "org", "settings", "course", "lesson", "bank", "question",
	"exam", "attempt", "class", "registration", "attendance", "leave", "evaluation", "followup", "export", "list", "access"}
