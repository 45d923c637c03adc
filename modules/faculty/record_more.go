package faculty

import (
	"context"
	"time"

	"college/modules/web"
)

// The rest of a teaching record: the online courses that name the teacher
// and the lectures of the 讲坛 series they gave.

// CourseShelf is what the faculty reads of the catalog; app/college wires
// it, so the faculty never reads the catalog's tables.
type CourseShelf interface {
	// PublishedCourses are the published courses naming the teacher.
	PublishedCourses(ctx context.Context, teacherName string, limit int) ([]AuthoredCourse, error)
}

// SetCourses lets teaching records list the teacher's online courses.
func (s *Service) SetCourses(c CourseShelf) { s.courses = c }

// AuthoredCourse is an online course a teacher gives.
type AuthoredCourse struct {
	ID    uint64 `json:"id"`
	Title string `json:"title"`
}

// GivenLecture is a lecture of the 讲坛 series a teacher gave.
type GivenLecture struct {
	ID       uint64    `json:"id"`
	Series   string    `json:"series"`
	Topic    string    `json:"topic"`
	StartsAt time.Time `json:"starts_at"`
}

// recordLectures are the held lectures of a teacher, newest first.
func (s *Service) recordLectures(ctx context.Context, teacherID uint64) ([]GivenLecture, error) {
	var rows []Lecture
	err := s.db.WithContext(ctx).Select("id", "series", "topic", "starts_at").
		Where("teacher_id = ? AND status = ?", teacherID, LectureHeld).Order("starts_at DESC").Limit(recordLimit).Find(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	out := make([]GivenLecture, len(rows))
	for i, l := range rows {
		out[i] = GivenLecture{ID: l.ID, Series: l.Series, Topic: l.Topic, StartsAt: l.StartsAt}
	}
	return out, nil
}

// recordCourses are the published online courses naming the teacher.
func (s *Service) recordCourses(ctx context.Context, name string) ([]AuthoredCourse, error) {
	if s.courses == nil {
		return []AuthoredCourse{}, nil
	}
	out, err := s.courses.PublishedCourses(ctx, name, recordLimit)
	if err != nil {
		return nil, web.Internal(err)
	}
	if out == nil {
		out = []AuthoredCourse{}
	}
	return out, nil
}
