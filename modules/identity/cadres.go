package identity

import (
	"context"
	"fmt"
	"strings"

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
// org lies in the subtree of orgPath (every org for a root path "/n/").
func (s *Store) cadresUnder(ctx context.Context, orgPath string) *gorm.DB {
	q := s.db.WithContext(ctx).Table("users").
		Where("users.disabled = ?", false).
		Where("EXISTS (SELECT 1 FROM user_roles WHERE user_roles.user_id = users.id AND user_roles.role = ?)", web.RoleLearner)
	if strings.Count(orgPath, "/") > 2 {
		q = q.Where("users.org_id IN (SELECT id FROM orgs WHERE path LIKE ? ESCAPE '!')", web.Prefix(orgPath))
	}
	return q
}

// EachCadre calls fn with every cadre in the subtree of orgPath, in no
// particular order, streaming the rows: fn must not query the database.
// The orgs' paths are read first, so the scan of users joins nothing.
func (s *Store) EachCadre(ctx context.Context, orgPath string, fn func(Cadre) error) error {
	var orgs []Org
	if err := s.db.WithContext(ctx).Select("id", "path").Where("path LIKE ? ESCAPE '!'", web.Prefix(orgPath)).Find(&orgs).Error; err != nil {
		return fmt.Errorf("identity store: cadres: %w", err)
	}
	paths := make(map[uint64]string, len(orgs))
	for _, o := range orgs {
		paths[o.ID] = o.Path
	}
	rows, err := s.cadresUnder(ctx, orgPath).Select("users.id, users.org_id, users.level").Rows()
	if err != nil {
		return fmt.Errorf("identity store: cadres: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Cadre
		if err := rows.Scan(&c.ID, &c.OrgID, &c.Level); err != nil {
			return fmt.Errorf("identity store: cadres: %w", err)
		}
		var ok bool
		if c.OrgPath, ok = paths[c.OrgID]; !ok {
			continue // an org outside the subtree: the root's query has no org filter
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
