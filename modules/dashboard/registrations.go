package dashboard

import (
	"context"
	"sort"
	"strconv"

	"college/modules/training"
	"college/modules/web"
)

// QuotaTally counts the seats and registrations of units: Quota allotted,
// Used charged to it; Registered is every live registration (pending,
// approved, waitlisted, or already through the class), Approved those
// admitted (approved and beyond).
type QuotaTally struct {
	Quota, Used                                    int
	Registered, Pending, Approved, Waitlisted, Out int
}

// UsedRate is the share of the allotted quota used.
func (t QuotaTally) UsedRate() float64 { return rate(t.Used, t.Quota) }

func (t QuotaTally) empty() bool { return t.Quota == 0 && t.Registered == 0 }

func (t *QuotaTally) addQuota(q training.QuotaUse) {
	t.Quota += q.Quota
	t.Used += q.Used
}

func (t *QuotaTally) addRegs(status string, n int) {
	switch status {
	case training.RegPending:
		t.Pending += n
	case training.RegApproved, training.RegGraduated, training.RegIncomplete, training.RegAbsent:
		t.Approved += n
	case training.RegWaitlisted:
		t.Waitlisted += n
	default: // rejected, withdrawn, replaced
		t.Out += n
		return
	}
	t.Registered += n
}

// ClassQuota is one class's figures in the subtree.
type ClassQuota struct {
	training.ClassHeader
	QuotaTally
}

// Registrations is the registrations and quota use of an org subtree for
// the classes starting in a year.
type Registrations struct {
	Org  Org
	Year int
	QuotaTally
	Units   []UnitOf[QuotaTally]
	Classes []ClassQuota
}

// Registrations counts, for the filed classes starting in year, the quota
// allotted to the units of org's subtree, the seats used and the
// registrations of their cadres by status, per direct child of the org and
// per class.
func (s *Service) Registrations(ctx context.Context, p *web.Principal, orgID uint64, year int) (Registrations, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return Registrations{}, err
	}
	out, err := s.registrations(ctx, org, year)
	if err != nil {
		return Registrations{}, web.Internal(err)
	}
	return out, nil
}

func (s *Service) registrations(ctx context.Context, org Org, year int) (Registrations, error) {
	out := Registrations{Org: org, Year: year}
	from, to := strconv.Itoa(year)+"-01-01", strconv.Itoa(year)+"-12-31"
	var (
		u       units
		classes []training.ClassHeader
		quotas  []training.QuotaUse
		regs    []training.RegCount
	)
	err := all([]func() error{
		func() (err error) { u, err = s.unitsOf(ctx, org); return err },
		func() (err error) { classes, err = s.d.Trainings.ClassesStarting(ctx, from, to); return err },
		func() (err error) { quotas, err = s.d.Trainings.QuotaUses(ctx, from, to, org.Path); return err },
		func() (err error) { regs, err = s.d.Trainings.RegistrationCounts(ctx, from, to, org.Path); return err },
	})
	if err != nil {
		return out, err
	}
	byUnit := map[uint64]*QuotaTally{}
	byClass := map[uint64]*QuotaTally{}
	at := func(m map[uint64]*QuotaTally, id uint64) *QuotaTally {
		t := m[id]
		if t == nil {
			t = &QuotaTally{}
			m[id] = t
		}
		return t
	}
	for _, q := range quotas {
		unit, ok := u.of(q.OrgID)
		if !ok {
			continue
		}
		out.addQuota(q)
		at(byUnit, unit).addQuota(q)
		at(byClass, q.ClassID).addQuota(q)
	}
	for _, r := range regs {
		unit, ok := u.of(r.OrgID)
		if !ok {
			continue
		}
		out.addRegs(r.Status, r.N)
		at(byUnit, unit).addRegs(r.Status, r.N)
		at(byClass, r.ClassID).addRegs(r.Status, r.N)
	}
	out.Units = list(u, byUnit, func() *QuotaTally { return &QuotaTally{} }, func(t *QuotaTally) bool { return !t.empty() })
	for _, c := range classes {
		if t := byClass[c.ID]; t != nil && !t.empty() {
			out.Classes = append(out.Classes, ClassQuota{ClassHeader: c, QuotaTally: *t})
		}
	}
	sort.SliceStable(out.Classes, func(i, j int) bool { return out.Classes[i].StartsOn < out.Classes[j].StartsOn })
	return out, nil
}
