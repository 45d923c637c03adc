package training

import (
	"context"
	"errors"

	"college/modules/web"

	"gorm.io/gorm"
)

// GraduateClass is what the graduates' through-train (直通车) reads of a
// class and of one cadre's place in it.
type GraduateClass struct {
	ClassID   uint64
	Title     string
	HostOrgID uint64
	Found     bool // the class exists
	Graduated bool // the cadre's registration graduated
}

// GraduateOf reads a class and whether the user graduated from it.
func (s *Service) GraduateOf(ctx context.Context, classID, userID uint64) (GraduateClass, error) {
	var c Class
	err := s.db.WithContext(ctx).Select("id", "title", "host_org_id").Where("id = ?", classID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return GraduateClass{ClassID: classID}, nil
	}
	if err != nil {
		return GraduateClass{}, web.Internal(err)
	}
	out := GraduateClass{ClassID: c.ID, Title: c.Title, HostOrgID: c.HostOrgID, Found: true}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Registration{}).Where("class_id = ? AND user_id = ? AND status = ?", classID, userID, RegGraduated).
		Count(&n).Error; err != nil {
		return GraduateClass{}, web.Internal(err)
	}
	out.Graduated = n > 0
	return out, nil
}
