package training

import (
	"context"
	"fmt"

	"college/modules/web"

	"gorm.io/gorm"
)

// TrainedKind says that a user graduated from at least one class of a kind.
type TrainedKind struct {
	UserID uint64
	Kind   string
}

// EachTrainedKind hands fn, once per user and class kind, the users (of
// the users subquery, or everyone when it is nil) who graduated from a class
// of that kind that ended on or after since (YYYY-MM-DD). It is one grouped
// query: classes by their dates, their graduates by (class_id, status).
func (s *Service) EachTrainedKind(ctx context.Context, since string, users *gorm.DB, fn func(TrainedKind) error) error {
	q := s.db.WithContext(ctx).Table("registrations AS r").Joins("JOIN training_classes AS c ON c.id = r.class_id").
		Select("r.user_id, c.kind").
		Where("r.status = ? AND c.ends_on >= ?", RegGraduated, since)
	if users != nil {
		q = q.Where("r.user_id IN (?)", users)
	}
	rows, err := q.Group("r.user_id, c.kind").Rows()
	if err != nil {
		return fmt.Errorf("training: trained kinds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t TrainedKind
		if err := rows.Scan(&t.UserID, &t.Kind); err != nil {
			return fmt.Errorf("training: trained kinds: %w", err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ClassHeader names a class in the dashboards.
type ClassHeader struct {
	ID        uint64
	Title     string
	Kind      string
	HostOrgID uint64
	StartsOn  string
	Quota     int
}

// QuotaUse is one unit's quota of one class and the seats it used.
type QuotaUse struct {
	ClassID uint64
	OrgID   uint64
	Quota   int
	Used    int
}

// RegCount counts the registrations of one class from one org in one status.
type RegCount struct {
	ClassID uint64
	OrgID   uint64
	Status  string
	N       int
}

// plannedStatuses are the classes past their filing: they have quotas
// and registrations worth counting.
var plannedStatuses = []string{StatusApproved, StatusOpen, StatusClosed, StatusInSession, StatusGraduated, StatusArchived}

// classesStarting selects the filed classes starting between from and to.
func (s *Service) classesStarting(ctx context.Context, from, to string) *gorm.DB {
	return s.db.WithContext(ctx).Table("training_classes").Select("id").
		Where("starts_on BETWEEN ? AND ? AND status IN ?", from, to, plannedStatuses)
}

// ClassesStarting lists the filed classes starting between from and to
// (YYYY-MM-DD, inclusive), by start date.
func (s *Service) ClassesStarting(ctx context.Context, from, to string) ([]ClassHeader, error) {
	var out []ClassHeader
	err := s.db.WithContext(ctx).Table("training_classes").Select("id, title, kind, host_org_id, starts_on, quota").
		Where("starts_on BETWEEN ? AND ? AND status IN ?", from, to, plannedStatuses).Order("starts_on, title").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("training: classes starting: %w", err)
	}
	return out, nil
}

// QuotaUses lists the unit quotas of the classes starting between from and
// to that were given to orgs of the subtree at orgPath.
func (s *Service) QuotaUses(ctx context.Context, from, to, orgPath string) ([]QuotaUse, error) {
	cond, args := web.OrgSubtree("q.org_id", orgPath)
	var out []QuotaUse
	err := s.db.WithContext(ctx).Table("class_quotas AS q").Select("q.class_id, q.org_id, q.quota, q.used").
		Where("q.class_id IN (?)", s.classesStarting(ctx, from, to)).Where(cond, args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("training: quota uses: %w", err)
	}
	return out, nil
}

// RegistrationCounts counts, by class, org and status, the registrations of
// the cadres of the subtree at orgPath (their org when they registered) in
// the classes starting between from and to.
func (s *Service) RegistrationCounts(ctx context.Context, from, to, orgPath string) ([]RegCount, error) {
	cond, args := web.OrgSubtree("r.org_id", orgPath)
	var out []RegCount
	err := s.db.WithContext(ctx).Table("registrations AS r").Select("r.class_id, r.org_id, r.status, COUNT(*) AS n").
		Where("r.class_id IN (?)", s.classesStarting(ctx, from, to)).Where(cond, args...).
		Group("r.class_id, r.org_id, r.status").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("training: registration counts: %w", err)
	}
	return out, nil
}
