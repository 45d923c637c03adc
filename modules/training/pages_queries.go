package training

import (
	"context"

	"college/modules/web"
)

// UnitClasses lists the classes where cadres of the caller's units have
// registrations, the most recently registered first; the unit admin's page
// shows them after registration closes.
func (s *Service) UnitClasses(ctx context.Context, p *web.Principal, limit int) ([]Class, error) {
	var ids []uint64
	err := s.db.WithContext(ctx).Model(&Registration{}).Scopes(web.OrgScope(p, "org_id")).
		Group("class_id").Order("MAX(id) DESC").Limit(limit).Pluck("class_id", &ids).Error
	if err != nil {
		return nil, web.Internal(err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []Class
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	byID := make(map[uint64]Class, len(rows))
	for _, c := range rows {
		byID[c.ID] = c
	}
	out := make([]Class, 0, len(rows))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}
