package identity

import (
	"context"
	"fmt"

	"college/modules/web"

	"gorm.io/gorm"
)

// Cadre is one enabled learner account as the dashboards count it.
type Cadre struct {
	ID      uint64
	OrgID   uint64
	OrgPath string
	Level   string
}

// cadresUnder selects the enabled accounts holding the learner role whose
// org lies in the subtree of orgPath.
func (s *Store) cadresUnder(ctx context.Context, orgPath string) *gorm.DB {
	return s.db.WithContext(ctx).Table("users").
		Joins("JOIN orgs ON orgs.id = users.org_id").
		Where("orgs.path LIKE ? ESCAPE '!'", web.Prefix(orgPath)).
		Where("users.disabled = ?", false).
		Where("EXISTS (SELECT 1 FROM user_roles WHERE user_roles.user_id = users.id AND user_roles.role = ?)", web.RoleLearner)
}

// EachCadre calls fn with every cadre in the subtree of orgPath, in no
// particular order, streaming the rows: fn must not query the database.
func (s *Store) EachCadre(ctx context.Context, orgPath string, fn func(Cadre) error) error {
	rows, err := s.cadresUnder(ctx, orgPath).Select("users.id, users.org_id, orgs.path, users.level").Rows()
	if err != nil {
		return fmt.Errorf("identity store: cadres: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Cadre
		if err := rows.Scan(&c.ID, &c.OrgID, &c.OrgPath, &c.Level); err != nil {
			return fmt.Errorf("identity store: cadres: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("identity store: cadres: %w", err)
	}
	return nil
}

// CadreIDs is a subquery of the ids of the cadres in the subtree of
// orgPath, for another module's filters ("user_id IN (?)").
func (s *Store) CadreIDs(orgPath string) *gorm.DB {
	return s.cadresUnder(context.Background(), orgPath).Select("users.id")
}

// ChildOrgs lists the direct children of an org, in display order.
func (s *Store) ChildOrgs(ctx context.Context, parentID uint64) ([]Org, error) {
	var out []Org
	if err := s.db.WithContext(ctx).Where("parent_id = ?", parentID).Order("sort, name").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("identity store: child orgs: %w", err)
	}
	return out, nil
}
