package training

import (
	"context"

	"college/modules/web"

	"gorm.io/gorm"
)

// ClassLinkProblems says, for each class id, why the caller may not link
// it to a training programme ("" when it may): the class must exist and be
// one the caller hosts or oversees.
func (s *Service) ClassLinkProblems(ctx context.Context, p *web.Principal, ids []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(ids))
	for _, id := range ids {
		_, err := s.managedClass(ctx, p, id)
		switch {
		case err == nil:
			out[id] = ""
		case web.IsStatus(err, 404), web.IsStatus(err, 403):
			out[id] = "班次不存在或不在您的管理范围内"
		default:
			return nil, err
		}
	}
	return out, nil
}

// GraduatesOf is a subquery of the ids of the cadres who graduated from one
// of the classes, for another module's filters ("id IN (?)").
func (s *Service) GraduatesOf(classIDs []uint64) *gorm.DB {
	return s.db.Model(&Registration{}).Select("user_id").Where("class_id IN ? AND status = ?", nonEmpty(classIDs), RegGraduated)
}

// EnrolledIn is a subquery of the ids of the cadres holding an approved or
// pending registration in one of the classes.
func (s *Service) EnrolledIn(classIDs []uint64) *gorm.DB {
	return s.db.Model(&Registration{}).Select("user_id").Where("class_id IN ? AND status IN ?", nonEmpty(classIDs), []string{RegPending, RegApproved})
}

// nonEmpty keeps "IN ?" valid SQL for no ids (no class has id 0).
func nonEmpty(ids []uint64) []uint64 {
	if len(ids) == 0 {
		return []uint64{0}
	}
	return ids
}
