package catalog

import (
	"fmt"
	"path"
	"time"

	"college/modules/web"
)

// CourseRequest creates or edits a course.
type CourseRequest struct {
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	Category       string     `json:"category"`
	Kind           string     `json:"kind"`
	Teacher        string     `json:"teacher"`
	AudienceLevels []string   `json:"audience_levels"`
	AudienceOrgIDs []uint64   `json:"audience_org_ids"`
	Hours          *web.Hours `json:"hours"` // set by hand; null keeps the proposal from the lessons
}

// LessonRequest creates or edits a lesson.
type LessonRequest struct {
	Title          string `json:"title"`
	Type           string `json:"type"`
	Body           string `json:"body"`             // article text
	MinReadSeconds int    `json:"min_read_seconds"` // article and document lessons
}

// ReorderRequest gives the lesson ids in their new order.
type ReorderRequest struct {
	LessonIDs []uint64 `json:"lesson_ids"`
}

// LessonResponse is a lesson as learners and managers see it.
type LessonResponse struct {
	ID              uint64  `json:"id"`
	Seq             int     `json:"seq"`
	Title           string  `json:"title"`
	Type            string  `json:"type"`
	DurationSeconds float64 `json:"duration_seconds"`
	MinReadSeconds  int     `json:"min_read_seconds,omitempty"`
	HasMedia        bool    `json:"has_media"`
	ContentType     string  `json:"content_type,omitempty"`
	Size            int64   `json:"size,omitempty"`
	Body            string  `json:"body,omitempty"`
}

// CourseResponse is a course with its lessons.
type CourseResponse struct {
	ID             uint64           `json:"id"`
	CollegeID      uint64           `json:"college_id"`
	Title          string           `json:"title"`
	Summary        string           `json:"summary"`
	Category       string           `json:"category"`
	Kind           string           `json:"kind"`
	Teacher        string           `json:"teacher"`
	Hours          web.Hours        `json:"hours"`
	HoursManual    bool             `json:"hours_manual"`
	ProposedHours  web.Hours        `json:"proposed_hours"`
	Status         string           `json:"status"`
	AudienceLevels []string         `json:"audience_levels"`
	AudienceOrgIDs []uint64         `json:"audience_org_ids"`
	Featured       bool             `json:"featured"` // shown on the public portal
	HasCover       bool             `json:"has_cover"`
	CoverURL       string           `json:"cover_url,omitempty"`
	DurationTotal  float64          `json:"duration_seconds"`
	PublishedAt    *time.Time       `json:"published_at,omitempty"`
	Lessons        []LessonResponse `json:"lessons"`
}

// CourseItem is a course in a list.
type CourseItem struct {
	ID          uint64     `json:"id"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	Category    string     `json:"category"`
	Kind        string     `json:"kind"`
	Teacher     string     `json:"teacher"`
	Hours       web.Hours  `json:"hours"`
	Status      string     `json:"status"`
	HasCover    bool       `json:"has_cover"`
	CoverURL    string     `json:"cover_url,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// TopicRequest creates or edits a topic (专题).
type TopicRequest struct {
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Deadline  string   `json:"deadline"` // YYYY-MM-DD, optional
	CourseIDs []uint64 `json:"course_ids"`
}

// TopicResponse is a topic with the courses the caller may see.
type TopicResponse struct {
	ID       uint64       `json:"id"`
	Title    string       `json:"title"`
	Summary  string       `json:"summary"`
	Deadline string       `json:"deadline,omitempty"`
	Courses  []CourseItem `json:"courses"`
}

// PublishResponse answers a publication.
type PublishResponse struct {
	ID     uint64    `json:"id"`
	Status string    `json:"status"`
	Hours  web.Hours `json:"hours"`
}

// MediaResponse answers an upload.
type MediaResponse struct {
	Size            int64   `json:"size"`
	ContentType     string  `json:"content_type"`
	DurationSeconds float64 `json:"duration_seconds"`
}

// StreamURLResponse is a signed, short-lived address of a lesson's media.
type StreamURLResponse struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func courseItem(c *Course) CourseItem {
	return CourseItem{ID: c.ID, Title: c.Title, Summary: c.Summary, Category: c.Category, Kind: c.Kind, Teacher: c.Teacher,
		Hours: c.Hours, Status: c.Status, HasCover: c.CoverKey != "", CoverURL: coverURL(c), PublishedAt: c.PublishedAt}
}

// coverURL changes with each new cover, so caches never show an old one.
func coverURL(c *Course) string {
	if c.CoverKey == "" {
		return ""
	}
	return fmt.Sprintf("/api/v1/courses/%d/cover?v=%s", c.ID, path.Base(c.CoverKey))
}

func lessonResponse(l *Lesson, withBody bool) LessonResponse {
	r := LessonResponse{ID: l.ID, Seq: l.Seq, Title: l.Title, Type: l.Type, DurationSeconds: l.DurationSeconds,
		MinReadSeconds: l.MinReadSeconds, HasMedia: l.MediaKey != "", ContentType: l.ContentType, Size: l.MediaSize}
	if withBody {
		r.Body = l.Body
	}
	return r
}

// KindNames are the Chinese names of course kinds.
var KindNames = map[string]string{KindRequired: "必修", KindElective: "选修"}

// LessonTypeNames are the Chinese names of lesson types.
var LessonTypeNames = map[string]string{LessonVideo: "视频", LessonArticle: "图文", LessonDocument: "文档"}

// StatusNames are the Chinese names of course statuses.
var StatusNames = map[string]string{StatusDraft: "草稿", StatusPublished: "已发布", StatusArchived: "已归档"}
