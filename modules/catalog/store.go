package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"college/modules/web"

	"gorm.io/gorm"
)

// Store holds the catalog queries.
type Store struct{ db *gorm.DB }

// NewStore wraps the database.
func NewStore(gdb *gorm.DB) *Store { return &Store{db: gdb} }

// learnerVisible limits courses to the published ones whose audience
// includes the caller: their level, and their org or one of its ancestors.
func learnerVisible(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		q = q.Where("courses.status = ?", StatusPublished)
		if p.Level != "" {
			q = q.Where("courses.audience_levels = '' OR courses.audience_levels LIKE ?", "%,"+p.Level+",%")
		} else {
			q = q.Where("courses.audience_levels = ''")
		}
		chain := p.OrgChain()
		if len(chain) == 0 {
			chain = []uint64{0}
		}
		return q.Where("NOT EXISTS (SELECT 1 FROM course_orgs co WHERE co.course_id = courses.id) OR EXISTS (SELECT 1 FROM course_orgs co WHERE co.course_id = courses.id AND co.org_id IN ?)", chain)
	}
}

// managerScope limits courses to those of the colleges in the caller's subtree.
func managerScope(p *web.Principal) func(*gorm.DB) *gorm.DB {
	return web.OrgScope(p, "courses.college_id")
}

// CourseFilter selects courses.
type CourseFilter struct {
	Q        string
	Category string
	Kind     string
	Status   string // managers only
	Manage   bool   // list as a manager (all statuses in scope) instead of as a learner
}

// ListCourses returns a page of courses.
func (s *Store) ListCourses(ctx context.Context, p *web.Principal, f CourseFilter, pg web.Page) ([]Course, int64, error) {
	q := s.db.WithContext(ctx).Model(&Course{})
	if f.Manage {
		q = q.Scopes(managerScope(p))
		if f.Status != "" {
			q = q.Where("courses.status = ?", f.Status)
		}
	} else {
		q = q.Scopes(learnerVisible(p))
	}
	if f.Q != "" {
		like := web.Contains(f.Q)
		q = q.Where("courses.title LIKE ? ESCAPE '!' OR courses.summary LIKE ? ESCAPE '!' OR courses.teacher LIKE ? ESCAPE '!'", like, like, like)
	}
	if f.Category != "" {
		q = q.Where("courses.category = ?", f.Category)
	}
	if f.Kind != "" {
		q = q.Where("courses.kind = ?", f.Kind)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("catalog store: count courses: %w", err)
	}
	var out []Course
	order := "courses.published_at DESC"
	if f.Manage {
		order = "courses.updated_at DESC"
	}
	if err := q.Order(order).Order("courses.title").Offset(pg.Offset()).Limit(pg.PageSize).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("catalog store: list courses: %w", err)
	}
	return out, total, nil
}

// SearchCourses returns up to limit courses the caller may study whose
// title contains q, newest first, without a count. A phrase of two or more
// characters reads only the courses holding its rarest bigram (the title
// index); a single character walks the primary key until the limit.
func (s *Store) SearchCourses(ctx context.Context, p *web.Principal, q string, limit int) ([]Course, error) {
	var out []Course
	find := s.db.WithContext(ctx).Model(&Course{}).Scopes(learnerVisible(p)).
		Where("courses.title LIKE ? ESCAPE '!'", web.Contains(q))
	grams, order, indexed, none, err := titleGrams.Match(ctx, s.db, q, "courses.id")
	switch {
	case err != nil:
		return nil, fmt.Errorf("catalog store: search courses: %w", err)
	case none:
		return out, nil
	case indexed:
		find = find.Scopes(grams)
	default:
		order = "courses.id"
	}
	if err := find.Order(order + " DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("catalog store: search courses: %w", err)
	}
	return out, nil
}

// Categories lists the categories of the courses the caller can see.
func (s *Store) Categories(ctx context.Context, p *web.Principal) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Model(&Course{}).Scopes(learnerVisible(p)).Where("courses.category <> ''").
		Distinct("courses.category").Order("courses.category").Pluck("courses.category", &out).Error
	if err != nil {
		return nil, fmt.Errorf("catalog store: categories: %w", err)
	}
	return out, nil
}

// CourseForLearner returns a course the caller may study, or nil.
func (s *Store) CourseForLearner(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	return s.course(ctx, s.db.WithContext(ctx).Scopes(learnerVisible(p)), id)
}

// CourseForManager returns a course the caller manages, or nil.
func (s *Store) CourseForManager(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	return s.course(ctx, s.db.WithContext(ctx).Scopes(managerScope(p)), id)
}

// CourseByID returns any course (for internal use by other modules).
func (s *Store) CourseByID(ctx context.Context, id uint64) (*Course, error) {
	return s.course(ctx, s.db.WithContext(ctx), id)
}

func (s *Store) course(_ context.Context, q *gorm.DB, id uint64) (*Course, error) {
	var c Course
	err := q.Where("courses.id = ?", id).First(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("catalog store: course %d: %w", id, err)
	}
	return &c, nil
}

// Lessons returns the lessons of a course in order.
func (s *Store) Lessons(ctx context.Context, courseID uint64) ([]Lesson, error) {
	var out []Lesson
	if err := s.db.WithContext(ctx).Where("course_id = ?", courseID).Order("seq").Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("catalog store: lessons of %d: %w", courseID, err)
	}
	return out, nil
}

// LessonByID returns a lesson, or nil.
func (s *Store) LessonByID(ctx context.Context, id uint64) (*Lesson, error) {
	var l Lesson
	err := s.db.WithContext(ctx).First(&l, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("catalog store: lesson %d: %w", id, err)
	}
	return &l, nil
}

// CourseOrgs returns the org ids a course is limited to.
func (s *Store) CourseOrgs(ctx context.Context, courseID uint64) ([]uint64, error) {
	var ids []uint64
	err := s.db.WithContext(ctx).Model(&CourseOrg{}).Where("course_id = ?", courseID).Order("org_id").Pluck("org_id", &ids).Error
	return ids, err
}

// SaveCourse creates or updates a course and replaces its org audience.
func (s *Store) SaveCourse(ctx context.Context, c *Course, orgs []uint64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Save(c).Error; err != nil {
			return err
		}
		if err := indexTitle(tx, c); err != nil {
			return err
		}
		if orgs == nil {
			return nil
		}
		if err := tx.Where("course_id = ?", c.ID).Delete(&CourseOrg{}).Error; err != nil {
			return err
		}
		for _, o := range orgs {
			if err := tx.Create(&CourseOrg{CourseID: c.ID, OrgID: o}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateCourseColumns saves the given columns of a course.
func (s *Store) UpdateCourseColumns(ctx context.Context, c *Course, cols ...string) error {
	return s.db.WithContext(ctx).Model(c).Select(cols).Updates(c).Error
}

// SaveLesson creates or updates a lesson.
func (s *Store) SaveLesson(ctx context.Context, l *Lesson) error {
	return s.db.WithContext(ctx).Save(l).Error
}

// DeleteLesson removes a lesson.
func (s *Store) DeleteLesson(ctx context.Context, id uint64) error {
	return s.db.WithContext(ctx).Delete(&Lesson{}, id).Error
}

// Reorder sets the order of a course's lessons.
func (s *Store) Reorder(ctx context.Context, courseID uint64, ids []uint64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, id := range ids {
			if err := tx.Model(&Lesson{}).Where("id = ? AND course_id = ?", id, courseID).Update("seq", i+1).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

func levelsColumn(levels []string) string {
	if len(levels) == 0 {
		return ""
	}
	return "," + strings.Join(levels, ",") + ","
}

func levelsFromColumn(s string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.Trim(s, ","), ",") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
