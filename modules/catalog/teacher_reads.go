package catalog

import (
	"context"
	"fmt"

	"college/storage/db"

	"gorm.io/gorm"
)

// courseTeacherIndex finds the courses a teacher gives, by the name on the
// course.
var courseTeacherIndex = db.Migration{
	ID: "0036_catalog_course_teacher",
	Up: func(tx *gorm.DB) error {
		return tx.Exec("CREATE INDEX idx_courses_teacher ON courses (teacher, status)").Error
	},
}

// PublishedByTeacher lists the published courses that name the teacher,
// newest first, at most limit: the online part of a teaching record.
func (s *Service) PublishedByTeacher(ctx context.Context, name string, limit int) ([]Course, error) {
	return s.store.PublishedByTeacher(ctx, name, limit)
}

// PublishedByTeacher reads the published courses naming a teacher.
func (st *Store) PublishedByTeacher(ctx context.Context, name string, limit int) ([]Course, error) {
	var out []Course
	if name == "" {
		return out, nil
	}
	err := st.db.WithContext(ctx).Select("id", "title", "teacher", "status", "published_at").
		Where("teacher = ? AND status = ?", name, StatusPublished).Order("id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("catalog store: courses by teacher: %w", err)
	}
	return out, nil
}
