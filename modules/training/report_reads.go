package training

import (
	"context"
	"fmt"
	"strconv"

	"college/modules/web"
)

// ClassYearRow is one class of a year's class statistics (班次统计): its
// kind, host and length, and its trainees from the subtree asked about.
type ClassYearRow struct {
	ClassID     uint64
	Title       string
	Kind        string
	HostOrgID   uint64
	StartsOn    string
	EndsOn      string
	Days        int
	Entrusted   string // 委托单位: the unit a branch ran the class for
	CoHostOrgID uint64 // 市县统筹办学: the college that ran it with the host; 0: none
	Registered  int    // admitted trainees: pending, approved, graduated, incomplete, absent
	Graduated   int
}

// admitted are the registrations that held a seat in the class.
var admitted = []string{RegPending, RegApproved, RegGraduated, RegIncomplete, RegAbsent}

// ClassYear lists the classes that start in year (Beijing dates) and were
// approved by the org department (draft and filed plans are not classes
// yet), with their trainees from the org subtree at orgPath. Below the
// root, a class counts when its host lies in the subtree or one of the
// subtree's cadres was admitted to it, or (市县统筹办学) it was run with a
// college of the subtree; only the subtree's trainees count.
func (s *Service) ClassYear(ctx context.Context, orgPath string, year int) ([]ClassYearRow, error) {
	from, to := strconv.Itoa(year)+"-01-01", strconv.Itoa(year)+"-12-31"
	regCond, regArgs := web.OrgSubtree("r.org_id", orgPath)
	hostCond, hostArgs := web.OrgSubtree("c.host_org_id", orgPath)
	coCond, coArgs := web.OrgSubtree("c.co_host_org_id", orgPath)
	var classes []Class
	err := s.db.WithContext(ctx).Table("training_classes AS c").
		Select("c.id, c.title, c.kind, c.host_org_id, c.starts_on, c.ends_on, c.entrusted, c.co_host_org_id").
		Where("c.starts_on BETWEEN ? AND ?", from, to).
		Where("c.status NOT IN ?", []string{StatusDraft, StatusFiling}).
		Where("("+hostCond+" OR "+coCond+" OR c.id IN (SELECT r.class_id FROM registrations AS r WHERE r.status IN ? AND "+regCond+"))",
			append(append(append(hostArgs, coArgs...), admitted), regArgs...)...).
		Order("c.starts_on, c.id").Find(&classes).Error
	if err != nil {
		return nil, fmt.Errorf("training: classes of %d: %w", year, err)
	}
	out := make([]ClassYearRow, 0, len(classes))
	if len(classes) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(classes))
	for i, c := range classes {
		ids[i] = c.ID
	}
	type count struct {
		ClassID    uint64
		Registered int
		Graduated  int
	}
	counts := map[uint64]count{}
	for lo := 0; lo < len(ids); lo += 500 {
		var part []count
		err := s.db.WithContext(ctx).Table("registrations AS r").
			Select("r.class_id, COUNT(*) AS registered, SUM(CASE WHEN r.status = ? THEN 1 ELSE 0 END) AS graduated", RegGraduated).
			Where("r.class_id IN ? AND r.status IN ?", ids[lo:min(lo+500, len(ids))], admitted).
			Where(regCond, regArgs...).Group("r.class_id").Scan(&part).Error
		if err != nil {
			return nil, fmt.Errorf("training: trainees of %d: %w", year, err)
		}
		for _, c := range part {
			counts[c.ClassID] = c
		}
	}
	for i := range classes {
		c := &classes[i]
		n := counts[c.ID]
		out = append(out, ClassYearRow{ClassID: c.ID, Title: c.Title, Kind: c.Kind, HostOrgID: c.HostOrgID, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
			Days: c.Days(), Entrusted: c.Entrusted, CoHostOrgID: c.CoHostOrgID, Registered: n.Registered, Graduated: n.Graduated})
	}
	return out, nil
}
