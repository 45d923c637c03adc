package training

import (
	"time"

	"college/modules/web"
)

// ClassRequest creates or edits a class.
type ClassRequest struct {
	Title                string     `json:"title"`
	Kind                 string     `json:"kind"`
	HostOrgID            uint64     `json:"host_org_id"`
	Entrusted            string     `json:"entrusted"`
	CoHostOrgID          uint64     `json:"co_host_org_id"` // 市县统筹办学: the college running the class with the host; 0: none
	BaseID               uint64     `json:"base_id"`        // a filed training base hosting the class; 0: the college's own premises
	StartsOn             string     `json:"starts_on"`
	EndsOn               string     `json:"ends_on"`
	Place                string     `json:"place"`
	Online               bool       `json:"online"`
	Quota                int        `json:"quota"`
	Hours                web.Hours  `json:"hours"`
	SelfRegistration     bool       `json:"self_registration"`
	AutoApprove          bool       `json:"auto_approve"`
	NoWaitlist           bool       `json:"no_waitlist"`
	Levels               []string   `json:"levels"`
	AudienceOrgIDs       []uint64   `json:"audience_org_ids"`
	RegistrationOpensAt  *time.Time `json:"registration_opens_at"`
	RegistrationClosesAt *time.Time `json:"registration_closes_at"`
	FollowUp             bool       `json:"follow_up"`
	Contact              string     `json:"contact"`
	ContactPhone         string     `json:"contact_phone"`
	Description          string     `json:"description"`
	MinAttendance        int        `json:"min_attendance"`
	RequireCourses       bool       `json:"require_courses"`
	ExamID               uint64     `json:"exam_id"`
	RequireEvaluation    bool       `json:"require_evaluation"` // trainees must submit the class's required evaluations to graduate
}

// QuotaItem is one unit's quota.
type QuotaItem struct {
	OrgID   uint64 `json:"org_id"`
	OrgName string `json:"org_name,omitempty"`
	Quota   int    `json:"quota"`
	Used    int    `json:"used"`
}

// QuotasRequest replaces a class's unit quotas.
type QuotasRequest struct {
	Quotas []QuotaItem `json:"quotas"`
}

// CourseItem is a catalog course in a class.
type CourseItem struct {
	CourseID uint64    `json:"course_id"`
	Title    string    `json:"title,omitempty"`
	Required bool      `json:"required"`
	Hours    web.Hours `json:"hours"`
}

// CoursesRequest replaces a class's courses.
type CoursesRequest struct {
	Courses []CourseItem `json:"courses"`
}

// SessionRequest adds or edits a timetable item.
type SessionRequest struct {
	Topic    string    `json:"topic"`
	Teacher  string    `json:"teacher"`
	Place    string    `json:"place"`
	Site     string    `json:"site"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Hours    web.Hours `json:"hours"`

	TeacherID uint64 `json:"teacher_id"` // a teacher of the faculty: fills teacher with the name
}

// SessionResponse is a timetable item; the code is only shown to the host.
type SessionResponse struct {
	ID       uint64    `json:"id"`
	Topic    string    `json:"topic"`
	Teacher  string    `json:"teacher"`
	Place    string    `json:"place"`
	Site     string    `json:"site"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Hours    web.Hours `json:"hours"`
	Code     string    `json:"code,omitempty"`

	TeacherID uint64 `json:"teacher_id"`
}

// ClassResponse is a class as shown to its readers.
type ClassResponse struct {
	ID                   uint64            `json:"id"`
	Title                string            `json:"title"`
	Kind                 string            `json:"kind"`
	HostOrgID            uint64            `json:"host_org_id"`
	HostName             string            `json:"host_name"`
	Entrusted            string            `json:"entrusted"`
	CoHostOrgID          uint64            `json:"co_host_org_id"`
	CoHostName           string            `json:"co_host_name,omitempty"`
	BaseID               uint64            `json:"base_id"`
	BaseName             string            `json:"base_name,omitempty"`
	StartsOn             string            `json:"starts_on"`
	EndsOn               string            `json:"ends_on"`
	Days                 int               `json:"days"`
	Place                string            `json:"place"`
	Online               bool              `json:"online"`
	Quota                int               `json:"quota"`
	Enrolled             int               `json:"enrolled"`
	Hours                web.Hours         `json:"hours"`
	SelfRegistration     bool              `json:"self_registration"`
	AutoApprove          bool              `json:"auto_approve"`
	Waitlist             bool              `json:"waitlist"`
	Levels               []string          `json:"levels"`
	AudienceOrgIDs       []uint64          `json:"audience_org_ids"`
	RegistrationOpensAt  *time.Time        `json:"registration_opens_at"`
	RegistrationClosesAt *time.Time        `json:"registration_closes_at"`
	FollowUp             bool              `json:"follow_up"`
	Contact              string            `json:"contact"`
	ContactPhone         string            `json:"contact_phone"`
	Description          string            `json:"description"`
	MinAttendance        int               `json:"min_attendance"`
	RequireCourses       bool              `json:"require_courses"`
	ExamID               uint64            `json:"exam_id"`
	RequireEvaluation    bool              `json:"require_evaluation"`
	Status               string            `json:"status"`
	StatusName           string            `json:"status_name"`
	RejectReason         string            `json:"reject_reason,omitempty"`
	Quotas               []QuotaItem       `json:"quotas"`
	Courses              []CourseItem      `json:"courses"`
	Sessions             []SessionResponse `json:"sessions"`
}

// StatusResponse answers a transition.
type StatusResponse struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"`
}

// RejectRequest gives the reason of a refusal.
type RejectRequest struct {
	Reason string `json:"reason"`
}

// SignInRequest is a trainee's sign-in with the session code.
type SignInRequest struct {
	Code string `json:"code"`
}

// SignInResponse answers a sign-in.
type SignInResponse struct {
	SessionID uint64    `json:"session_id"`
	Topic     string    `json:"topic"`
	SignedAt  time.Time `json:"signed_at"`
}

// CodeResponse is a session's sign-in code for the teacher's screen.
type CodeResponse struct {
	SessionID uint64    `json:"session_id"`
	Code      string    `json:"code"`
	Path      string    `json:"path"` // the sign-in page the QR code opens
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
}

// AttendanceRequest marks a trainee present or absent (the host).
type AttendanceRequest struct {
	UserID  uint64 `json:"user_id"`
	Present bool   `json:"present"`
}

// LeaveRequest asks leave for sessions of a class, or for hours.
type LeaveRequest struct {
	SessionIDs []uint64  `json:"session_ids"`
	Hours      web.Hours `json:"hours"`
	Reason     string    `json:"reason"`
}

// LeaveResponse is a leave request.
type LeaveResponse struct {
	ID         uint64    `json:"id"`
	ClassID    uint64    `json:"class_id"`
	UserID     uint64    `json:"user_id"`
	Name       string    `json:"name,omitempty"`
	SessionIDs []uint64  `json:"session_ids"`
	Hours      web.Hours `json:"hours"`
	Reason     string    `json:"reason"`
	Status     string    `json:"status"`
	StatusName string    `json:"status_name"`
	CreatedAt  time.Time `json:"created_at"`
	// TotalHours is the trainee's approved leave in the class, and Limit
	// the most the class allows (1/7 of its hours by default).
	TotalHours web.Hours `json:"total_hours"`
	Limit      web.Hours `json:"limit"`
	OverLimit  bool      `json:"over_limit"`
}

// RosterRow is a trainee's line in the class roster.
type RosterRow struct {
	RegistrationResponse
	Signed      int       `json:"signed"`
	Sessions    int       `json:"sessions"`
	Attendance  int       `json:"attendance"` // percent of sessions signed in
	LeaveHours  web.Hours `json:"leave_hours"`
	CoursesDone int       `json:"courses_done"`
	CoursesReq  int       `json:"courses_required"`
	ExamPassed  *bool     `json:"exam_passed,omitempty"`
}

// RegisterRequest registers a cadre: a unit admin names the user; an
// empty body registers the caller.
type RegisterRequest struct {
	UserID uint64 `json:"user_id"`
}

// ReplaceRequest names the replacement of a nominee.
type ReplaceRequest struct {
	UserID uint64 `json:"user_id"`
}

// RegistrationResponse is a registration as shown to hosts, units and the cadre.
type RegistrationResponse struct {
	ID         uint64    `json:"id"`
	ClassID    uint64    `json:"class_id"`
	ClassTitle string    `json:"class_title,omitempty"`
	UserID     uint64    `json:"user_id"`
	Name       string    `json:"name"`
	Username   string    `json:"username,omitempty"`
	OrgID      uint64    `json:"org_id"`
	OrgName    string    `json:"org_name"`
	Level      string    `json:"level,omitempty"`
	Post       string    `json:"post,omitempty"`
	Status     string    `json:"status"`
	StatusName string    `json:"status_name"`
	Source     string    `json:"source"`
	Flags      []string  `json:"flags"`
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// MyRegistration is a class the caller registered for.
type MyRegistration struct {
	RegistrationResponse
	Class ClassSummary `json:"class"`
}

// ClassSummary is a class in a list.
type ClassSummary struct {
	ID               uint64    `json:"id"`
	Title            string    `json:"title"`
	Kind             string    `json:"kind"`
	HostName         string    `json:"host_name"`
	StartsOn         string    `json:"starts_on"`
	EndsOn           string    `json:"ends_on"`
	Place            string    `json:"place"`
	Online           bool      `json:"online"`
	Quota            int       `json:"quota"`
	Enrolled         int       `json:"enrolled"`
	Hours            web.Hours `json:"hours"`
	SelfRegistration bool      `json:"self_registration"`
	Status           string    `json:"status"`
	StatusName       string    `json:"status_name"`
	ClosesAt         time.Time `json:"registration_closes_at"`
}

// UnitUse is a unit's use of its quota in a class.
type UnitUse struct {
	Quota      int `json:"quota"` // 0: the class has no quota for the unit (only the overall quota)
	Used       int `json:"used"`
	Waitlisted int `json:"waitlisted"`
	Nominated  int `json:"nominated"`
}

// FileResponse is an attached file.
type FileResponse struct {
	ID        uint64    `json:"id"`
	Kind      string    `json:"kind"`
	KindName  string    `json:"kind_name"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// GraduateRequest names the absentees removed at graduation.
type GraduateRequest struct {
	AbsentUserIDs []uint64 `json:"absent_user_ids"`
}

// CertificateRef is a certificate issued at graduation.
type CertificateRef struct {
	UserID uint64 `json:"user_id"`
	Serial string `json:"serial"`
}

// Shortfall is a trainee who did not meet the graduation rules.
type Shortfall struct {
	UserID  uint64   `json:"user_id"`
	Name    string   `json:"name"`
	Reasons []string `json:"reasons"`
}

// GraduateResponse answers a graduation.
type GraduateResponse struct {
	Graduated    int              `json:"graduated"`
	Certificates []CertificateRef `json:"certificates"`
	Absent       int              `json:"absent"`
	Incomplete   []Shortfall      `json:"incomplete"`
	Hours        web.Hours        `json:"hours"`
}

// CertificateView is a certificate as its holder and the class's managers
// see it.
type CertificateView struct {
	Serial     string    `json:"serial"`
	Name       string    `json:"name"`
	IDNumber   string    `json:"id_number"` // masked
	OrgName    string    `json:"org_name"`
	ClassTitle string    `json:"class_title"`
	HostName   string    `json:"host_name"`
	StartsOn   string    `json:"starts_on"`
	EndsOn     string    `json:"ends_on"`
	Hours      web.Hours `json:"hours"`
	IssuedOn   string    `json:"issued_on"`
	UserID     uint64    `json:"-"`
	ClassID    uint64    `json:"-"`
}

// CertificateCheck is what the public verification shows: enough to match
// a paper certificate (a masked name, the class, the dates and hours),
// nothing more about the person.
type CertificateCheck struct {
	Serial     string    `json:"serial"`
	Name       string    `json:"name"` // masked: 张*三
	ClassTitle string    `json:"class_title"`
	HostName   string    `json:"host_name"`
	StartsOn   string    `json:"starts_on"`
	EndsOn     string    `json:"ends_on"`
	Hours      web.Hours `json:"hours"`
	IssuedOn   string    `json:"issued_on"`
	Valid      bool      `json:"valid"` // issued by this college and in force
}

// IDResponse answers a creation.
type IDResponse struct {
	ID     uint64 `json:"id"`
	Status string `json:"status,omitempty"`
}
