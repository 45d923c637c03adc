package training

import (
	"context"
	"fmt"
	"strings"

	"college/modules/web"
	"college/storage/db"
)

// Read-only lookups for the host's and the org department's pages
// (pages_host.go): pickers and counts the service API does not offer.

// adminOrgOption is an org in a select box, indented by its depth.
type adminOrgOption struct {
	ID    uint64
	Name  string
	Path  string
	Kind  string
	Depth int
}

// Label is the org's name indented by its depth in the tree.
func (o adminOrgOption) Label() string {
	if o.Depth <= 0 {
		return o.Name
	}
	return strings.Repeat("　", min(o.Depth, 6)) + o.Name
}

// adminOrgLimit bounds the org pickers.
const adminOrgLimit = 500

// Pickers are the other modules' lists behind the host pages' select
// boxes; app/ wires identity, the catalog and exams behind them.
type Pickers interface {
	// Orgs lists up to limit orgs of the kinds (any when none) in tree
	// order; with a caller, only those in the caller's subtree.
	Orgs(ctx context.Context, p *web.Principal, kinds []string, limit int) ([]PickOrg, error)
	// PublishedCourses lists up to limit published courses, newest first.
	PublishedCourses(ctx context.Context, limit int) ([]PickItem, error)
	// CollegeExams lists up to limit exams of the caller's colleges, newest first.
	CollegeExams(ctx context.Context, p *web.Principal, limit int) ([]PickItem, error)
}

// PickOrg is an org as a picker shows it.
type PickOrg struct {
	ID   uint64
	Name string
	Path string
	Kind string
}

// PickItem is an id and a title for a select box.
type PickItem struct {
	ID     uint64
	Title  string
	Status string
}

// SetPickers sets where the host pages' select boxes read from.
func (s *Service) SetPickers(p Pickers) { s.pickers = p }

// adminOrgOptions lists the orgs of the given kinds in tree order, at most 500.
func (s *Service) adminOrgOptions(ctx context.Context, kinds ...string) ([]adminOrgOption, error) {
	orgs, err := s.pickers.Orgs(ctx, nil, kinds, adminOrgLimit)
	if err != nil {
		return nil, web.Internal(err)
	}
	rows := make([]adminOrgOption, len(orgs))
	top := -1
	for i, o := range orgs {
		rows[i] = adminOrgOption{ID: o.ID, Name: o.Name, Path: o.Path, Kind: o.Kind}
		if d := strings.Count(o.Path, "/"); top < 0 || d < top {
			top = d
		}
	}
	for i := range rows {
		rows[i].Depth = strings.Count(rows[i].Path, "/") - top
	}
	return rows, nil
}

// adminHostColleges lists the colleges in the caller's subtree: the host
// colleges a college admin may name.
func (s *Service) adminHostColleges(ctx context.Context, p *web.Principal) ([]adminOrgOption, error) {
	if p == nil {
		return nil, nil
	}
	orgs, err := s.pickers.Orgs(ctx, p, []string{"college"}, 100)
	if err != nil {
		return nil, web.Internal(err)
	}
	rows := make([]adminOrgOption, len(orgs))
	for i, o := range orgs {
		rows[i] = adminOrgOption{ID: o.ID, Name: o.Name, Path: o.Path, Kind: o.Kind}
	}
	return rows, nil
}

// adminPickItem is an id and a title for a select box.
type adminPickItem = PickItem

// adminPublishedCourses lists the catalog's published courses, newest first.
func (s *Service) adminPublishedCourses(ctx context.Context) ([]adminPickItem, error) {
	rows, err := s.pickers.PublishedCourses(ctx, 200)
	if err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

// adminCollegeExams lists the exams of the colleges in the caller's subtree.
func (s *Service) adminCollegeExams(ctx context.Context, p *web.Principal) ([]adminPickItem, error) {
	rows, err := s.pickers.CollegeExams(ctx, p, 200)
	if err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

// adminClassCounts counts the caller's managed classes by status, of one
// year when year > 0.
func (s *Service) adminClassCounts(ctx context.Context, p *web.Principal, year int) (map[string]int64, error) {
	q := s.db.WithContext(ctx).Model(&Class{}).Scopes(web.OrgScope(p, "host_org_id"))
	if year > 0 {
		q = q.Where("starts_on LIKE ?", fmt.Sprintf("%04d-%%", year))
	}
	out, err := db.CountBy[string](q, "status")
	if err != nil {
		return nil, web.Internal(err)
	}
	// Open classes past their deadline count as closed, as the list tabs show them.
	var due int64
	dq := s.db.WithContext(ctx).Model(&Class{}).Scopes(web.OrgScope(p, "host_org_id")).
		Where("status = ? AND registration_closes_at <= ?", StatusOpen, s.now().UTC())
	if year > 0 {
		dq = dq.Where("starts_on LIKE ?", fmt.Sprintf("%04d-%%", year))
	}
	if err := dq.Count(&due).Error; err != nil {
		return nil, web.Internal(err)
	}
	if due > 0 {
		out[StatusOpen] -= due
		out[StatusClosed] += due
	}
	return out, nil
}

// adminRegistrationCounts counts a class's registrations by status.
func (s *Service) adminRegistrationCounts(ctx context.Context, classID uint64) (map[string]int64, error) {
	out, err := db.CountBy[string](s.db.WithContext(ctx).Model(&Registration{}).Where("class_id = ?", classID), "status")
	if err != nil {
		return nil, web.Internal(err)
	}
	return out, nil
}

// adminClassCertificates lists the certificates issued for a class.
func (s *Service) adminClassCertificates(ctx context.Context, classID uint64) ([]Certificate, error) {
	var rows []Certificate
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("serial").Limit(2000).Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	return rows, nil
}

// adminLeaveClassID tells which class a leave request belongs to (0 when unknown).
func (s *Service) adminLeaveClassID(ctx context.Context, id uint64) uint64 {
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&Leave{}).Where("id = ?", id).Limit(1).Pluck("class_id", &ids).Error; err != nil || len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// adminSessionAttendance counts the sign-ins of each session of a class.
func (s *Service) adminSessionAttendance(ctx context.Context, classID uint64) (map[uint64]int64, error) {
	out, err := db.CountBy[uint64](s.db.WithContext(ctx).Model(&Attendance{}).Where("class_id = ?", classID), "session_id")
	if err != nil {
		return nil, web.Internal(err)
	}
	return out, nil
}
