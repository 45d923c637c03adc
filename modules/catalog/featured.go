package catalog

import (
	"context"
	"errors"
	"fmt"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// FeaturedRequest marks a course as featured on the public portal or not.
type FeaturedRequest struct {
	Featured bool `json:"featured"`
}

// FeaturedResponse is the course's new mark.
type FeaturedResponse struct {
	ID       uint64 `json:"id"`
	Featured bool   `json:"featured"`
}

// FeaturedCourses lists up to limit published featured courses, newest
// first, for the public portal.
func (s *Service) FeaturedCourses(ctx context.Context, limit int) ([]CourseItem, error) {
	var rows []Course
	err := s.store.db.WithContext(ctx).Where("featured = ? AND status = ?", true, StatusPublished).
		Order("published_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("catalog: featured courses: %w", err)
	}
	return courseItems(rows), nil
}

// featuredCourse loads a published featured course, whose cover anyone may see.
func (s *Service) featuredCourse(ctx context.Context, id uint64) (*Course, error) {
	var c Course
	err := s.store.db.WithContext(ctx).Where("id = ? AND featured = ? AND status = ?", id, true, StatusPublished).First(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, web.NotFound()
	}
	if err != nil {
		return nil, web.Internal(err)
	}
	return &c, nil
}

// SetFeatured shows a course of the caller's college on the public portal
// or takes it off; onFeatured hears of the change.
func (s *Service) SetFeatured(ctx context.Context, p *web.Principal, id uint64, in FeaturedRequest) (*Course, error) {
	c, err := s.managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	c.Featured = in.Featured
	err = s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		if err := st.UpdateCourseColumns(ctx, c, "featured"); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "course.feature", "course", c.ID, map[string]any{"featured": c.Featured}), nil
	})
	if err != nil {
		return nil, err
	}
	if s.onFeatured != nil {
		s.onFeatured(ctx)
	}
	return c, nil
}

// OnFeatured registers who hears that the featured courses changed (the
// portal drops its cache).
func (s *Service) OnFeatured(f func(ctx context.Context)) { s.onFeatured = f }

func (h *Handlers) setFeatured(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in FeaturedRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	course, err := h.svc.SetFeatured(c.UserContext(), web.Caller(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(FeaturedResponse{ID: course.ID, Featured: course.Featured})
}
