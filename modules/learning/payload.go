package learning

import (
	"time"

	"college/modules/web"
)

// PresenceResponse answers an idle check.
type PresenceResponse struct {
	NextCheckSeconds int `json:"next_check_seconds"`
}

// EnrollResponse answers an enrollment.
type EnrollResponse struct {
	CourseID uint64 `json:"course_id"`
	Enrolled bool   `json:"enrolled"`
}

// MyCourse is a course in "我的课程".
type MyCourse struct {
	CourseID         uint64     `json:"course_id"`
	Title            string     `json:"title"`
	Kind             string     `json:"kind"`
	Hours            web.Hours  `json:"hours"`
	Lessons          int        `json:"lessons"`
	LessonsCompleted int        `json:"lessons_completed"`
	EnrolledAt       time.Time  `json:"enrolled_at"`
	CompletedAt      *time.Time `json:"completed_at,omitempty"`
}

// PlayResponse answers POST /lessons/:id/play.
type PlayResponse struct {
	PlayID           string  `json:"play_id"`
	ResumeAt         float64 `json:"resume_at"`
	DurationSeconds  float64 `json:"duration_seconds"`
	HeartbeatSeconds int     `json:"heartbeat_seconds"`
	Furthest         float64 `json:"furthest"`
	Coverage         float64 `json:"coverage"`
	Completed        bool    `json:"completed"`
	MaxRate          float64 `json:"max_rate"`
	IdleCheckSeconds int     `json:"idle_check_seconds"`
	IdleAnswer       int     `json:"idle_answer_seconds"`
	StreamURL        string  `json:"stream_url,omitempty"`
}

// HeartbeatRequest is the body of a heartbeat.
type HeartbeatRequest struct {
	Position *float64 `json:"position"`
	State    string   `json:"state"`
}

// HeartbeatResponse answers a heartbeat.
type HeartbeatResponse struct {
	WatchedSeconds float64   `json:"watched_seconds"`
	Coverage       float64   `json:"coverage"`
	Completed      bool      `json:"completed"`
	CreditedHours  web.Hours `json:"credited_hours"`
	Position       float64   `json:"position"`
	PresenceDue    bool      `json:"presence_due"`
	CourseComplete bool      `json:"course_completed"`
}

// LessonStats are the numbers of one lesson of a course.
type LessonStats struct {
	ID              uint64  `json:"id"`
	Title           string  `json:"title"`
	Started         int64   `json:"started"`
	Completed       int64   `json:"completed"`
	AverageCoverage float64 `json:"average_coverage"`
}

// CourseStats are the numbers a college follows for a course.
type CourseStats struct {
	CourseID        uint64        `json:"course_id"`
	Title           string        `json:"title"`
	Enrolled        int64         `json:"enrolled"`
	Started         int64         `json:"started"`
	Completed       int64         `json:"completed"`
	AverageCoverage float64       `json:"average_coverage"`
	Lessons         []LessonStats `json:"lessons"`
}
