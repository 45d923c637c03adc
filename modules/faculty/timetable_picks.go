package faculty

import (
	"context"

	"college/modules/web"
)

// PickLimit is the most teachers a timetable's picker offers; a one-off
// speaker is still typed by name.
const PickLimit = web.MaxPageSize

// TeachingOptions are the active teachers the caller manages, for the
// timetable's teacher picker, by name.
func (s *Service) TeachingOptions(ctx context.Context, p *web.Principal) ([]Teacher, error) {
	if !canManage(p) {
		return nil, nil
	}
	var ts []Teacher
	err := s.db.WithContext(ctx).Model(&Teacher{}).Scopes(web.OrgScope(p, "owner_org_id")).Where("status = ?", StatusActive).
		Order("name, id").Limit(PickLimit).Find(&ts).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	return ts, nil
}

// TeacherIDsOfUser are the faculty teachers linked to a user account, so
// that a teacher's schedule follows the timetable's link and not only the
// name typed on it.
func (s *Service) TeacherIDsOfUser(ctx context.Context, userID uint64) ([]uint64, error) {
	if userID == 0 {
		return nil, nil
	}
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&Teacher{}).Where("user_id = ?", userID).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, web.Internal(err)
	}
	return ids, nil
}
