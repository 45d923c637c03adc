package notify

import (
	"strconv"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// PagePath is the 消息通知 page, where opened and read-all forms come back to.
const PagePath = "/me/notifications"

func notificationResponse(n Notification) NotificationResponse {
	return NotificationResponse{ID: n.ID, Title: n.Title, Body: n.Body, Link: n.Link, Read: n.ReadAt != nil, CreatedAt: n.CreatedAt.UTC()}
}

// Handlers serves the notifications API and page.
type Handlers struct {
	svc   *Service
	pages *web.Engine
}

// NewHandlers wires the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, pages: pages}
}

// Register lists every route of the module; each needs a logged-in caller,
// who sees only their own notifications.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	api = api.Tag("notify")
	api.Get("/me/notifications", web.Doc{Summary: "本人站内消息（最新在前；unread=1 只看未读）", Resp: NotificationListResponse{}, Query: []string{"page", "page_size", "unread"}}, h.list)
	api.Post("/me/notifications/read-all", web.Doc{Summary: "本人站内消息全部标为已读", Resp: NotificationsReadResponse{}}, h.readAll)
	api.Post("/me/notifications/:id/read", web.Doc{Summary: "将一条站内消息标为已读", Resp: NotificationResponse{}}, h.read)
	pages.Get(PagePath, web.RequireLogin, h.listPage)
	pages.Post(PagePath+"/read-all", web.RequireLogin, h.readAllSubmit)
	pages.Post(PagePath+"/:id/open", web.RequireLogin, h.openSubmit)
}

// inbox is one page of the caller's notifications, as the query asks.
type inbox struct {
	pg         web.Page
	unreadOnly bool
	items      []Notification
	total      int64
	unread     int64
}

// load reads ?page=, ?page_size= and ?unread= and the caller's page of
// notifications with the unread count.
func (h *Handlers) load(c *fiber.Ctx) (inbox, error) {
	var in inbox
	var err error
	if in.pg, err = web.PageFrom(c); err != nil {
		return in, err
	}
	if v := c.Query("unread"); v != "" {
		if in.unreadOnly, err = strconv.ParseBool(v); err != nil {
			return in, web.Invalid(map[string]string{"unread": "只能是 1（只看未读）或 0"})
		}
	}
	ctx, userID := c.UserContext(), web.Caller(c).UserID
	list := h.svc.List
	if in.unreadOnly {
		list = h.svc.ListUnread
	}
	if in.items, in.total, err = list(ctx, userID, in.pg); err != nil {
		return in, web.Internal(err)
	}
	if in.unread, err = h.svc.Unread(ctx, userID); err != nil {
		return in, web.Internal(err)
	}
	return in, nil
}

func (h *Handlers) list(c *fiber.Ctx) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	out := NotificationListResponse{Items: make([]NotificationResponse, 0, len(in.items)), Total: in.total, Page: in.pg.Page, PageSize: in.pg.PageSize, Unread: in.unread}
	for _, n := range in.items {
		out.Items = append(out.Items, notificationResponse(n))
	}
	return c.JSON(out)
}

// markRead marks the caller's notification the route's :id names as read.
func (h *Handlers) markRead(c *fiber.Ctx) (*Notification, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	n, err := h.svc.MarkRead(c.UserContext(), web.Caller(c).UserID, id)
	if err != nil {
		return nil, web.AsError(err)
	}
	return n, nil
}

func (h *Handlers) read(c *fiber.Ctx) error {
	n, err := h.markRead(c)
	if err != nil {
		return err
	}
	return c.JSON(notificationResponse(*n))
}

func (h *Handlers) readAll(c *fiber.Ctx) error {
	n, err := h.svc.MarkAllRead(c.UserContext(), web.Caller(c).UserID)
	if err != nil {
		return web.Internal(err)
	}
	return c.JSON(NotificationsReadResponse{Updated: n})
}

func (h *Handlers) listPage(c *fiber.Ctx) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	data := map[string]any{
		"List":       web.NewList(in.items, in.total, in.pg),
		"Unread":     in.unread,
		"UnreadOnly": in.unreadOnly,
	}
	return h.pages.Render(c, fiber.StatusOK, "notify/list", "消息通知", data)
}

// openSubmit marks the notification read and goes to its link when that is
// a path on this site, back to the list otherwise.
func (h *Handlers) openSubmit(c *fiber.Ctx) error {
	n, err := h.markRead(c)
	if err != nil {
		return err
	}
	return c.Redirect(SafeLink(n.Link, PagePath), fiber.StatusSeeOther)
}

func (h *Handlers) readAllSubmit(c *fiber.Ctx) error {
	n, err := h.svc.MarkAllRead(c.UserContext(), web.Caller(c).UserID)
	if err != nil {
		return web.Internal(err)
	}
	if n > 0 {
		web.Flash(c, "已将 "+strconv.FormatInt(n, 10)+" 条消息标为已读")
	} else {
		web.Flash(c, "没有未读消息")
	}
	return c.Redirect(PagePath, fiber.StatusSeeOther)
}
