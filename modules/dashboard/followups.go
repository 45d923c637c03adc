package dashboard

import (
	"context"
	"time"

	"college/modules/followup"
	"college/modules/web"
)

// FollowupTally counts a year's follow-up rounds: Due are the rounds to do
// that year (pending or done; cancelled ones are not), Overdue the pending
// ones past their date.
type FollowupTally struct {
	Due, Done, Pending, Overdue, Cancelled int
}

// CompletionRate is the share of the due rounds done.
func (t FollowupTally) CompletionRate() float64 { return rate(t.Done, t.Due) }

func (t *FollowupTally) add(x followup.RoundTally) {
	switch x.Status {
	case followup.RoundDone:
		t.Due += x.N
		t.Done += x.N
	case followup.RoundPending:
		t.Due += x.N
		t.Pending += x.N
		t.Overdue += x.Overdue
	case followup.RoundCancelled:
		t.Cancelled += x.N
	}
}

// Followups is the follow-up status of an org subtree for a year.
type Followups struct {
	Org  Org
	Year int
	FollowupTally
	Units []UnitOf[FollowupTally]
}

// Followups counts the year's follow-up rounds of the graduates the units
// of org's subtree dispatched, per direct child of the org: due, done,
// pending and overdue (pending past the due date, today in Beijing).
func (s *Service) Followups(ctx context.Context, p *web.Principal, orgID uint64, year int) (Followups, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return Followups{}, err
	}
	out := Followups{Org: org, Year: year}
	var u units
	var tallies []followup.RoundTally
	err = all([]func() error{
		func() (err error) { u, err = s.unitsOf(ctx, org); return err },
		func() (err error) {
			tallies, err = s.d.Followups.RoundTallies(ctx, year, s.today().Format(time.DateOnly), org.Path)
			return err
		},
	})
	if err != nil {
		return Followups{}, web.Internal(err)
	}
	byUnit := map[uint64]*FollowupTally{}
	for _, x := range tallies {
		unit, ok := u.of(x.OrgID)
		if !ok {
			continue
		}
		out.add(x)
		t := byUnit[unit]
		if t == nil {
			t = &FollowupTally{}
			byUnit[unit] = t
		}
		t.add(x)
	}
	out.Units = list(u, byUnit, func() *FollowupTally { return &FollowupTally{} }, func(t *FollowupTally) bool { return t.Due+t.Cancelled > 0 })
	return out, nil
}
