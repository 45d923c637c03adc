package throughtrain

import (
	"strings"
	"time"
	"unicode/utf8"

	"college/modules/web"
)

// Limits of what a graduate or the college writes.
const (
	maxSubject = 200
	maxBody    = 5000
	maxNote    = 500
)

// RaiseRequest opens a thread: a graduate's question or request for help.
// A unit admin raising it on a graduate's behalf names them in UserID.
type RaiseRequest struct {
	ClassID uint64 `json:"class_id"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	UserID  uint64 `json:"user_id,omitempty"`
}

func (r *RaiseRequest) validate() error {
	r.Subject, r.Body = strings.TrimSpace(r.Subject), strings.TrimSpace(r.Body)
	errs := map[string]string{}
	if r.ClassID == 0 {
		errs["class_id"] = "请选择已结业的班次"
	}
	switch n := utf8.RuneCountInString(r.Subject); {
	case n == 0:
		errs["subject"] = "请填写标题"
	case n > maxSubject:
		errs["subject"] = "标题不能超过 200 字"
	}
	if err := checkBody(r.Body); err != "" {
		errs["body"] = err
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	return nil
}

func checkBody(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "请填写内容"
	case n > maxBody:
		return "内容不能超过 5000 字"
	}
	return ""
}

// MessageRequest is one message of a thread.
type MessageRequest struct {
	Body string `json:"body"`
}

func (r *MessageRequest) validate() error {
	r.Body = strings.TrimSpace(r.Body)
	if err := checkBody(r.Body); err != "" {
		return web.Invalid(map[string]string{"body": err})
	}
	return nil
}

// AssignRequest names the faculty's teacher who answers a thread.
type AssignRequest struct {
	TeacherID uint64 `json:"teacher_id"`
}

// CloseRequest closes a thread with the graduate's satisfaction (1–5).
type CloseRequest struct {
	Satisfaction int    `json:"satisfaction"`
	Note         string `json:"note"`
}

func (r *CloseRequest) validate() error {
	r.Note = strings.TrimSpace(r.Note)
	errs := map[string]string{}
	if r.Satisfaction < 1 || r.Satisfaction > 5 {
		errs["satisfaction"] = "满意度应为 1 至 5 分"
	}
	if utf8.RuneCountInString(r.Note) > maxNote {
		errs["note"] = "评价不能超过 500 字"
	}
	if len(errs) > 0 {
		return web.Invalid(errs)
	}
	return nil
}

// CaseRequest marks (or unmarks) a thread as a good case (优秀案例).
type CaseRequest struct {
	Good bool   `json:"good"`
	Note string `json:"note"`
}

func (r *CaseRequest) validate() error {
	r.Note = strings.TrimSpace(r.Note)
	if utf8.RuneCountInString(r.Note) > maxNote {
		return web.Invalid(map[string]string{"note": "说明不能超过 500 字"})
	}
	return nil
}

// ThreadItem is a thread in a list.
type ThreadItem struct {
	ID           uint64    `json:"id"`
	ClassID      uint64    `json:"class_id"`
	ClassTitle   string    `json:"class_title"`
	GraduateID   uint64    `json:"graduate_id"`
	GraduateName string    `json:"graduate_name"`
	Subject      string    `json:"subject"`
	Status       string    `json:"status"`
	StatusName   string    `json:"status_name"`
	TeacherName  string    `json:"teacher_name"`
	Satisfaction int       `json:"satisfaction"`
	GoodCase     bool      `json:"good_case"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func itemOf(t *Thread) ThreadItem {
	return ThreadItem{ID: t.ID, ClassID: t.ClassID, ClassTitle: t.ClassTitle, GraduateID: t.GraduateID, GraduateName: t.GraduateName,
		Subject: t.Subject, Status: t.Status, StatusName: StatusNames[t.Status], TeacherName: t.TeacherName, Satisfaction: t.Satisfaction,
		GoodCase: t.GoodCase, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// MessageResponse is one message of a thread.
type MessageResponse struct {
	ID         uint64    `json:"id"`
	AuthorName string    `json:"author_name"`
	Side       string    `json:"side"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// AttachmentResponse is one file of a thread.
type AttachmentResponse struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	Side      string    `json:"side"`
	CreatedAt time.Time `json:"created_at"`
}

// ThreadResponse is a thread with its conversation and what the caller may do.
type ThreadResponse struct {
	ThreadItem
	CloseNote   string               `json:"close_note,omitempty"`
	CaseNote    string               `json:"case_note,omitempty"`
	CaseCourse  uint64               `json:"case_course_id,omitempty"` // the draft course the good case became
	Messages    []MessageResponse    `json:"messages"`
	Attachments []AttachmentResponse `json:"attachments"`
	Actions     []string             `json:"actions"` // message, attach, assign, close, mark_case
}

// CaseCourseResponse names the draft course a good case became.
type CaseCourseResponse struct {
	CourseID uint64 `json:"course_id"`
}
