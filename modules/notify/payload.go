package notify

import (
	"time"
)

// NotificationResponse is one notification in the API.
type NotificationResponse struct {
	ID        uint64    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
}

// NotificationListResponse is a page of the caller's notifications with the
// number of unread ones (GET /me/notifications).
type NotificationListResponse struct {
	Items    []NotificationResponse `json:"items"`
	Total    int64                  `json:"total"`
	Page     int                    `json:"page"`
	PageSize int                    `json:"page_size"`
	Unread   int64                  `json:"unread"`
}

// NotificationsReadResponse tells how many notifications read-all marked.
type NotificationsReadResponse struct {
	Updated int64 `json:"updated"`
}
