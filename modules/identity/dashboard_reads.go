package identity

import (
	"context"
	"fmt"

	"college/modules/web"
)

// OrgsUnder lists every org of a subtree (the org at orgPath included) with
// its name, path and kind: what the dashboards need to roll figures kept by
// org up to the direct children of the org they show.
func (s *Store) OrgsUnder(ctx context.Context, orgPath string) ([]Org, error) {
	var out []Org
	if err := s.db.WithContext(ctx).Select("id", "name", "path", "kind").Where("path LIKE ? ESCAPE '!'", web.Prefix(orgPath)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("identity store: orgs under: %w", err)
	}
	return out, nil
}
