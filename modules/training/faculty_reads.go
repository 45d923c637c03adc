package training

import (
	"context"
	"time"

	"college/modules/web"
)

// TaughtSession is a timetable session given by a teacher of the faculty.
type TaughtSession struct {
	ID         uint64
	ClassID    uint64
	ClassTitle string
	Topic      string
	StartsAt   time.Time
	Hours      web.Hours
}

// taughtStatuses are the states of classes whose sessions count as taught:
// approved classes onwards, not drafts or classes still being filed.
var taughtStatuses = []string{StatusApproved, StatusOpen, StatusClosed, StatusInSession, StatusGraduated, StatusArchived}

// SessionsTaughtBy lists the sessions linked to a teacher, newest first, at
// most limit.
func (s *Service) SessionsTaughtBy(ctx context.Context, teacherID uint64, limit int) ([]TaughtSession, error) {
	var rows []TaughtSession
	err := s.db.WithContext(ctx).Model(&Session{}).
		Select("class_sessions.id, class_sessions.class_id, training_classes.title AS class_title, class_sessions.topic, class_sessions.starts_at, class_sessions.hours_x100 AS hours").
		Joins("JOIN training_classes ON training_classes.id = class_sessions.class_id").
		Where("class_sessions.teacher_id = ? AND training_classes.status IN ?", teacherID, taughtStatuses).
		Order("class_sessions.starts_at DESC, class_sessions.id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

// SessionCounts counts the sessions each of the teachers gave from from
// (inclusive) to to (exclusive); a teacher with none is absent.
func (s *Service) SessionCounts(ctx context.Context, teacherIDs []uint64, from, to time.Time) (map[uint64]int, error) {
	out := map[uint64]int{}
	if len(teacherIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		TeacherID uint64
		N         int
	}
	err := s.db.WithContext(ctx).Model(&Session{}).Select("class_sessions.teacher_id, COUNT(*) AS n").
		Joins("JOIN training_classes ON training_classes.id = class_sessions.class_id").
		Where("class_sessions.teacher_id IN ? AND training_classes.status IN ? AND class_sessions.starts_at >= ? AND class_sessions.starts_at < ?", teacherIDs, taughtStatuses, from.UTC(), to.UTC()).
		Group("class_sessions.teacher_id").Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	for _, r := range rows {
		out[r.TeacherID] = r.N
	}
	return out, nil
}

// TeacherSession is one taught session of one of several teachers.
type TeacherSession struct {
	ID        uint64
	TeacherID uint64
	Hours     web.Hours
}

// SessionsOfTeachers lists the sessions the teachers gave from from
// (inclusive) to to (exclusive), by teacher.
func (s *Service) SessionsOfTeachers(ctx context.Context, teacherIDs []uint64, from, to time.Time) ([]TeacherSession, error) {
	var out []TeacherSession
	for i := 0; i < len(teacherIDs); i += 500 {
		var rows []TeacherSession
		err := s.db.WithContext(ctx).Model(&Session{}).Select("class_sessions.id, class_sessions.teacher_id, class_sessions.hours_x100 AS hours").
			Joins("JOIN training_classes ON training_classes.id = class_sessions.class_id").
			Where("class_sessions.teacher_id IN ? AND training_classes.status IN ? AND class_sessions.starts_at >= ? AND class_sessions.starts_at < ?",
				teacherIDs[i:min(i+500, len(teacherIDs))], taughtStatuses, from.UTC(), to.UTC()).
			Order("class_sessions.teacher_id, class_sessions.id").Scan(&rows).Error
		if err != nil {
			return nil, web.Internal(err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// KindGraduation is a user's graduation from a class of a kind.
type KindGraduation struct {
	UserID      uint64
	ClassID     uint64
	Title       string
	GraduatedAt time.Time
}

// GraduationsOfKind lists the graduations of the users from the classes of
// a kind that graduated from from (inclusive) to to (exclusive), by user.
func (s *Service) GraduationsOfKind(ctx context.Context, kind string, userIDs []uint64, from, to time.Time) ([]KindGraduation, error) {
	var out []KindGraduation
	for i := 0; i < len(userIDs); i += 500 {
		var rows []KindGraduation
		err := s.db.WithContext(ctx).Table("registrations AS r").Joins("JOIN training_classes AS c ON c.id = r.class_id").
			Select("r.user_id, c.id AS class_id, c.title, c.graduated_at").
			Where("r.user_id IN ? AND r.status = ? AND c.kind = ? AND c.graduated_at >= ? AND c.graduated_at < ?",
				userIDs[i:min(i+500, len(userIDs))], RegGraduated, kind, from.UTC(), to.UTC()).
			Order("r.user_id, c.graduated_at, c.id").Scan(&rows).Error
		if err != nil {
			return nil, web.Internal(err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// ScheduledSession is a coming session of a teacher's timetable.
type ScheduledSession struct {
	ID         uint64
	ClassID    uint64
	ClassTitle string
	Topic      string
	StartsAt   time.Time
	EndsAt     time.Time
	Place      string
	Site       string
	Hours      web.Hours
}

// UpcomingSessionsOf lists the sessions linked to a teacher that start at
// or after from, soonest first, at most limit.
func (s *Service) UpcomingSessionsOf(ctx context.Context, teacherID uint64, from time.Time, limit int) ([]ScheduledSession, error) {
	var rows []ScheduledSession
	err := s.db.WithContext(ctx).Model(&Session{}).
		Select("class_sessions.id, class_sessions.class_id, training_classes.title AS class_title, class_sessions.topic, class_sessions.starts_at, class_sessions.ends_at, "+
			"class_sessions.place, class_sessions.site, class_sessions.hours_x100 AS hours").
		Joins("JOIN training_classes ON training_classes.id = class_sessions.class_id").
		Where("class_sessions.teacher_id = ? AND training_classes.status IN ? AND class_sessions.starts_at >= ?", teacherID, taughtStatuses, from.UTC()).
		Order("class_sessions.starts_at, class_sessions.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}
