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
