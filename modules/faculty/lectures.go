package faculty

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"college/modules/web"
)

// LectureSources are what lectures read of other modules, wired in
// app/college: the catalog for a recording's course, identity for the
// names of the cadres' units.
type LectureSources interface {
	// Course finds a catalog course: found false when there is none.
	Course(ctx context.Context, id uint64) (c LectureCourse, found bool, err error)
	// OrgNames names organizations.
	OrgNames(ctx context.Context, ids []uint64) (map[uint64]string, error)
}

// LectureCourse is what a lecture knows of a catalog course.
type LectureCourse struct {
	ID        uint64
	Title     string
	Published bool
}

// LectureRequest adds or edits a lecture; date is YYYY-MM-DD and the
// times HH:MM, Beijing time.
type LectureRequest struct {
	Series    string `json:"series"`
	Topic     string `json:"topic"`
	TeacherID uint64 `json:"teacher_id"`
	Date      string `json:"date"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	Place     string `json:"place"`
	Audience  string `json:"audience"`
	Capacity  int    `json:"capacity"` // 0: not limited
}

// validate trims the request, checks it field by field and gives its
// start and end.
func (in *LectureRequest) validate() (time.Time, time.Time, error) {
	for _, s := range []*string{&in.Series, &in.Topic, &in.Date, &in.StartTime, &in.EndTime, &in.Place, &in.Audience} {
		*s = strings.TrimSpace(*s)
	}
	f := web.Fields{}
	f.Required("series", in.Series)
	f.MaxLen("series", in.Series, 100)
	f.Required("topic", in.Topic)
	f.MaxLen("topic", in.Topic, 200)
	f.Check(in.TeacherID != 0, "teacher_id", "请选择主讲人（师资库中的教师）")
	f.Required("place", in.Place)
	f.MaxLen("place", in.Place, 200)
	f.Check(utf8.RuneCountInString(in.Audience) <= 500, "audience", "听课对象不能超过 500 个字")
	f.Check(in.Capacity >= 0 && in.Capacity <= 100000, "capacity", "容纳人数应为 0 至 100000（0 表示不限）")
	day, err := time.ParseInLocation(time.DateOnly, in.Date, web.Shanghai)
	f.Check(err == nil, "date", "请填写日期，如 2026-05-20")
	start, err1 := time.ParseInLocation("15:04", in.StartTime, web.Shanghai)
	f.Check(err1 == nil, "start_time", "请填写开始时间，如 09:00")
	end, err2 := time.ParseInLocation("15:04", in.EndTime, web.Shanghai)
	f.Check(err2 == nil, "end_time", "请填写结束时间，如 11:30")
	if err1 == nil && err2 == nil {
		f.Check(end.After(start), "end_time", "结束时间应晚于开始时间")
	}
	if err := f.Err(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	at := func(clock time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, web.Shanghai).UTC()
	}
	return at(start), at(end), nil
}

// CancelRequest calls a lecture off with the reason told to the cadres.
type CancelRequest struct {
	Reason string `json:"reason"`
}

// RecordingRequest links a held lecture to the catalog course of its recording.
type RecordingRequest struct {
	CourseID uint64 `json:"course_id"`
}

// SignInRequest is the code a cadre types at a lecture.
type SignInRequest struct {
	Code string `json:"code"`
}

// LectureItem is a lecture in a list and on its page.
type LectureItem struct {
	ID          uint64 `json:"id"`
	Series      string `json:"series"`
	Topic       string `json:"topic"`
	TeacherID   uint64 `json:"teacher_id"`
	Speaker     string `json:"speaker"`
	OwnerOrgID  uint64 `json:"owner_org_id"`
	Date        string `json:"date"`
	StartTime   string `json:"start_time"`
	EndTime     string `json:"end_time"`
	Place       string `json:"place"`
	Audience    string `json:"audience"`
	Capacity    int    `json:"capacity"`
	Status      string `json:"status"`
	StatusName  string `json:"status_name"`
	Reason      string `json:"reason"`
	CourseID    uint64 `json:"course_id"`
	CourseTitle string `json:"course_title,omitempty"`
	CoursePath  string `json:"course_path,omitempty"`
	Attendance  int64  `json:"attendance"`
}

func lectureItem(l *Lecture) LectureItem {
	s, e := l.StartsAt.In(web.Shanghai), l.EndsAt.In(web.Shanghai)
	out := LectureItem{ID: l.ID, Series: l.Series, Topic: l.Topic, TeacherID: l.TeacherID, Speaker: l.Speaker, OwnerOrgID: l.OwnerOrgID,
		Date: s.Format(time.DateOnly), StartTime: s.Format("15:04"), EndTime: e.Format("15:04"), Place: l.Place, Audience: l.Audience,
		Capacity: l.Capacity, Status: l.Status, StatusName: LectureStatusNames[l.Status], Reason: l.Reason, CourseID: l.CourseID}
	if l.CourseID != 0 {
		out.CoursePath = "/courses/" + web.Itoa(l.CourseID)
	}
	return out
}

// request is the lecture as its form shows it.
func (l *Lecture) request() LectureRequest {
	it := lectureItem(l)
	return LectureRequest{Series: l.Series, Topic: l.Topic, TeacherID: l.TeacherID, Date: it.Date, StartTime: it.StartTime, EndTime: it.EndTime,
		Place: l.Place, Audience: l.Audience, Capacity: l.Capacity}
}

// LectureCode is a lecture's sign-in code and when it takes sign-ins.
type LectureCode struct {
	LectureID uint64    `json:"lecture_id"`
	Code      string    `json:"code"`
	Path      string    `json:"path"` // the page its QR code opens
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
}

// SignInResponse is a cadre's sign-in at a lecture.
type SignInResponse struct {
	LectureID uint64    `json:"lecture_id"`
	Topic     string    `json:"topic"`
	SignedAt  time.Time `json:"signed_at"`
}

// AttendeeItem is one cadre signed in at a lecture.
type AttendeeItem struct {
	UserID   uint64    `json:"user_id"`
	Name     string    `json:"name"`
	OrgID    uint64    `json:"org_id"`
	OrgName  string    `json:"org_name"`
	SignedAt time.Time `json:"signed_at"`
}

// AttendanceResponse is a lecture's attendance: a page of those signed in
// and how many they are.
type AttendanceResponse struct {
	web.List[AttendeeItem]
	Capacity int `json:"capacity"`
}
