package training

import (
	"context"

	"college/modules/web"
	"college/storage/db"

	"gorm.io/gorm"
)

// TeacherDirectory names the faculty's teachers for the timetable; app/college
// wires it to the faculty module, so the timetable never reads its table.
type TeacherDirectory interface {
	// TeachingName is the name of an active teacher the caller may put on a
	// timetable; a web error (422) when there is none.
	TeachingName(ctx context.Context, teacherID uint64) (string, error)
	// TeachingOptions are the active teachers the caller may pick.
	TeachingOptions(ctx context.Context, p *web.Principal) ([]TeacherOption, error)
	// TeacherIDsOfUser are the teachers linked to a user account.
	TeacherIDsOfUser(ctx context.Context, userID uint64) ([]uint64, error)
}

// TeacherOption is a teacher the timetable's picker offers.
type TeacherOption struct {
	ID   uint64
	Name string
	Note string // kind, and post or title
}

// SetTeachers links timetable sessions to the faculty's teachers.
func (s *Service) SetTeachers(d TeacherDirectory) { s.teachers = d }

// linkTeacher fills a session's teacher with the name of its linked teacher;
// without one the free text stays (a one-off speaker).
func (s *Service) linkTeacher(ctx context.Context, in *SessionRequest) error {
	if in.TeacherID == 0 {
		return nil
	}
	if s.teachers == nil {
		return invalidTeacher()
	}
	name, err := s.teachers.TeachingName(ctx, in.TeacherID)
	if err != nil {
		return err
	}
	in.Teacher = name
	return nil
}

// sessionTeacherMigration adds the link from a session to its teacher.
var sessionTeacherMigration = db.Migration{
	ID: "0027_training_session_teacher",
	Up: func(tx *gorm.DB) error {
		if err := tx.Exec("ALTER TABLE class_sessions ADD COLUMN teacher_id BIGINT UNSIGNED NOT NULL DEFAULT 0").Error; err != nil {
			return err
		}
		return tx.Exec("CREATE INDEX idx_class_sessions_teacher_id ON class_sessions (teacher_id)").Error
	},
}

// invalidTeacher refuses a teacher_id the faculty does not know.
func invalidTeacher() error {
	e := web.Unprocessable("unknown_teacher", "所选教师不存在或已停用")
	e.Fields = map[string]string{"teacher_id": e.Message}
	return e
}

// SessionSpeaker is the one-off speaker typed on a session of a class the
// caller runs: the name, and whether the session already names a teacher
// of the faculty. found is false for a session that is not theirs.
func (s *Service) SessionSpeaker(ctx context.Context, p *web.Principal, sessionID uint64) (name string, linked, found bool, err error) {
	var x Session
	res := s.db.WithContext(ctx).Where("id = ?", sessionID).Limit(1).Find(&x)
	if res.Error != nil {
		return "", false, false, web.Internal(res.Error)
	}
	if res.RowsAffected == 0 || !canHost(p) {
		return "", false, false, nil
	}
	if _, err := s.managedClass(ctx, p, x.ClassID); err != nil {
		if e := web.AsError(err); e.Status == 404 || e.Status == 403 {
			return "", false, false, nil
		}
		return "", false, false, err
	}
	return x.Teacher, x.TeacherID != 0, true, nil
}

// LinkSpeaker links every session of the caller's classes that names the
// one-off speaker to their new faculty record, and returns how many.
func (s *Service) LinkSpeaker(ctx context.Context, p *web.Principal, name string, teacherID uint64) (int64, error) {
	if name == "" || teacherID == 0 || p.OrgPath == "" {
		return 0, nil
	}
	cond, args := web.OrgSubtree("host_org_id", p.OrgPath)
	res := s.db.WithContext(ctx).Model(&Session{}).
		Where("teacher = ? AND teacher_id = 0", name).
		Where("class_id IN (SELECT id FROM training_classes WHERE "+cond+")", args...).
		Update("teacher_id", teacherID)
	if res.Error != nil {
		return 0, web.Internal(res.Error)
	}
	return res.RowsAffected, nil
}
