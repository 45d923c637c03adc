package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"college/modules/web"

	"gorm.io/gorm"
)

// Limits of a message. Longer titles and bodies are cut; a longer link is
// refused (a cut link would lead nowhere).
const (
	MaxTitle  = 200  // runes
	MaxBody   = 5000 // runes
	MaxLink   = 500  // bytes
	batchSize = 500
)

// Message is what Send delivers to each recipient.
type Message struct {
	Title string // required; cut to MaxTitle runes
	Body  string // plain text; line breaks are kept
	Link  string // optional path on this site, e.g. "/courses/7"; see SafeLink
}

// Service sends and reads notifications. Other modules call Send.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// New builds the service.
func New(gdb *gorm.DB) *Service {
	return &Service{db: gdb, now: time.Now}
}

// conn is the caller's transaction when given, the pool otherwise, with no
// conditions carried over from the caller's statement.
func (s *Service) conn(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if tx == nil {
		tx = s.db
	}
	return tx.Session(&gorm.Session{NewDB: true, Context: ctx})
}

// Send gives every user in userIDs one copy of m. tx may be nil; when given,
// the messages are written in the caller's transaction and disappear with
// it. Repeated ids get one copy, and 0 is skipped; no recipients is no error.
func (s *Service) Send(ctx context.Context, tx *gorm.DB, userIDs []uint64, m Message) error {
	title := cut(strings.TrimSpace(m.Title), MaxTitle)
	if title == "" {
		return errors.New("notify: a message needs a title")
	}
	link := strings.TrimSpace(m.Link)
	if len(link) > MaxLink {
		return fmt.Errorf("notify: link longer than %d bytes", MaxLink)
	}
	body := cut(strings.TrimSpace(m.Body), MaxBody)
	seen := make(map[uint64]bool, len(userIDs))
	now := s.now()
	rows := make([]Notification, 0, len(userIDs))
	for _, id := range userIDs {
		if id == 0 || seen[id] {
			continue
		}
		seen[id] = true
		rows = append(rows, Notification{UserID: id, Title: title, Body: body, Link: link, CreatedAt: now})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := s.conn(ctx, tx).CreateInBatches(&rows, batchSize).Error; err != nil {
		return fmt.Errorf("notify: send: %w", err)
	}
	return nil
}

// cut makes s valid UTF-8 and at most n runes long.
func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// List returns a page of the user's notifications, newest first, and how
// many there are in all.
func (s *Service) List(ctx context.Context, userID uint64, pg web.Page) ([]Notification, int64, error) {
	return s.list(ctx, userID, pg, false)
}

// ListUnread is List restricted to the unread notifications.
func (s *Service) ListUnread(ctx context.Context, userID uint64, pg web.Page) ([]Notification, int64, error) {
	return s.list(ctx, userID, pg, true)
}

func (s *Service) list(ctx context.Context, userID uint64, pg web.Page, unreadOnly bool) ([]Notification, int64, error) {
	query := func() *gorm.DB {
		q := s.conn(ctx, nil).Model(&Notification{}).Where("user_id = ?", userID)
		if unreadOnly {
			q = q.Where("read_at IS NULL")
		}
		return q
	}
	var total int64
	if err := query().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("notify: count: %w", err)
	}
	out := []Notification{}
	if total == 0 || pg.Offset() >= int(total) {
		return out, total, nil
	}
	if err := query().Order("id DESC").Offset(pg.Offset()).Limit(pg.PageSize).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("notify: list: %w", err)
	}
	return out, total, nil
}

// Unread counts the user's unread notifications.
func (s *Service) Unread(ctx context.Context, userID uint64) (int64, error) {
	var n int64
	err := s.conn(ctx, nil).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("notify: unread: %w", err)
	}
	return n, nil
}

// MarkRead marks one of the user's notifications read (again is a no-op)
// and returns it. Another user's notification, or none, is web.NotFound().
func (s *Service) MarkRead(ctx context.Context, userID, id uint64) (*Notification, error) {
	conn := s.conn(ctx, nil)
	err := conn.Model(&Notification{}).Where("id = ? AND user_id = ? AND read_at IS NULL", id, userID).Update("read_at", s.now()).Error
	if err != nil {
		return nil, fmt.Errorf("notify: mark read: %w", err)
	}
	return web.Load[Notification](s.conn(ctx, nil).Where("user_id = ?", userID), id)
}

// MarkAllRead marks every unread notification of the user read and reports
// how many there were.
func (s *Service) MarkAllRead(ctx context.Context, userID uint64) (int64, error) {
	res := s.conn(ctx, nil).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", s.now())
	if res.Error != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// SafeLink returns link when it is a path on this site ("/…"), and
// fallback otherwise: "//host", "/\host", absolute URLs and anything with
// control characters (browsers drop tabs and line breaks, so "/\t/host" is
// "//host") could lead off the site.
func SafeLink(link, fallback string) string {
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.HasPrefix(link, "/\\") {
		return fallback
	}
	for i := 0; i < len(link); i++ {
		if c := link[i]; c < 0x20 || c == 0x7f {
			return fallback
		}
	}
	return link
}
