package catalog

import (
	"context"
	"fmt"
	"strconv"

	"college/modules/web"
)

// CourseLink is what another module needs to know before it links a course
// into a class or an exam (which then credit its study hours).
type CourseLink struct {
	ID        uint64
	Title     string
	Published bool
	Own       bool // a course of a college in the caller's subtree
	CityWide  bool // open to every org of the city (no org audience)
}

// Problem says why a course may not be linked ("" when it may): it must be
// published, and either the caller's college's own or open city-wide.
func (l CourseLink) Problem() string {
	switch {
	case l.ID == 0 || (!l.Own && !(l.CityWide && l.Published)):
		// Another college's drafts and restricted courses stay unnamed.
		return "课程不存在或不在本学院可选范围内"
	case !l.Published:
		return "课程尚未发布"
	}
	return ""
}

// CourseLinks looks up courses for a manager linking them elsewhere; ids
// that do not exist are absent from the map.
func (s *Store) CourseLinks(ctx context.Context, p *web.Principal, ids []uint64) (map[uint64]CourseLink, error) {
	out := map[uint64]CourseLink{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Course
	if err := s.db.WithContext(ctx).Select("id", "title", "status").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("catalog store: course links: %w", err)
	}
	var own, restricted []uint64
	if err := s.db.WithContext(ctx).Model(&Course{}).Scopes(managerScope(p)).Where("courses.id IN ?", ids).Pluck("courses.id", &own).Error; err != nil {
		return nil, fmt.Errorf("catalog store: course links: %w", err)
	}
	if err := s.db.WithContext(ctx).Model(&CourseOrg{}).Distinct("course_id").Where("course_id IN ?", ids).Pluck("course_id", &restricted).Error; err != nil {
		return nil, fmt.Errorf("catalog store: course links: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = CourseLink{ID: r.ID, Title: r.Title, Published: r.Status == StatusPublished, CityWide: true}
	}
	for _, id := range own {
		if l, ok := out[id]; ok {
			l.Own = true
			out[id] = l
		}
	}
	for _, id := range restricted {
		if l, ok := out[id]; ok {
			l.CityWide = false
			out[id] = l
		}
	}
	return out, nil
}

// CheckCourseLink validates one course id for a manager (422 with the
// field otherwise).
func (s *Store) CheckCourseLink(ctx context.Context, p *web.Principal, field string, id uint64) error {
	links, err := s.CourseLinks(ctx, p, []uint64{id})
	if err != nil {
		return web.Internal(err)
	}
	if msg := links[id].Problem(); msg != "" {
		e := web.Unprocessable("course_unavailable", msg)
		e.Fields = map[string]string{field: msg + "（课程 " + strconv.FormatUint(id, 10) + "）"}
		return e
	}
	return nil
}

// CourseTitles returns the titles of courses by id; ids that do not exist
// are absent from the map.
func (s *Store) CourseTitles(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var courses []Course
	if err := s.db.WithContext(ctx).Select("id", "title").Where("id IN ?", ids).Find(&courses).Error; err != nil {
		return nil, fmt.Errorf("catalog store: course titles: %w", err)
	}
	for _, c := range courses {
		out[c.ID] = c.Title
	}
	return out, nil
}

// PublishedCourses lists up to limit published courses, newest first, for
// another module's course pickers.
func (s *Store) PublishedCourses(ctx context.Context, limit int) ([]Course, error) {
	var courses []Course
	err := s.db.WithContext(ctx).Select("id", "title", "status").Where("status = ?", StatusPublished).
		Order("id DESC").Limit(limit).Find(&courses).Error
	if err != nil {
		return nil, fmt.Errorf("catalog store: published courses: %w", err)
	}
	return courses, nil
}
