package dashboard

import (
	"context"
	"sort"
	"time"

	"college/modules/exam"
	"college/modules/web"
)

// ExamUnitRow is one exam's figures for one unit: Candidates started an
// attempt, Sat submitted one, Passed passed.
type ExamUnitRow struct {
	ExamID     uint64
	ExamTitle  string
	Unit       Org
	Own        bool
	Candidates int
	Sat        int
	Passed     int
}

// PassRate is Passed over Sat, 0..1 to 4 places.
func (r ExamUnitRow) PassRate() float64 {
	if r.Sat == 0 {
		return 0
	}
	return float64(r.Passed*10000/r.Sat) / 10000
}

// ExamBoard is the exams of a year by exam and unit.
type ExamBoard struct {
	Org  Org
	Year int
	Rows []ExamUnitRow
}

// yearSpan is the year in the college's time zone, as UTC instants.
func yearSpan(year int) (time.Time, time.Time) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, web.Shanghai)
	return from, from.AddDate(1, 0, 0)
}

// Exams counts, for every exam with attempts started in year (Beijing
// time), the candidates, sitters and passes of each direct child of the org;
// every college's exams count, and only the cadres of the caller's subtree.
func (s *Service) Exams(ctx context.Context, p *web.Principal, orgID uint64, year int) (ExamBoard, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return ExamBoard{}, err
	}
	b, err := s.exams(ctx, org, year)
	if err != nil {
		return ExamBoard{}, web.Internal(err)
	}
	return b, nil
}

func (s *Service) exams(ctx context.Context, org Org, year int) (ExamBoard, error) {
	board := ExamBoard{Org: org, Year: year}
	from, to := yearSpan(year)
	headers, err := s.d.Exams.ExamsStartedIn(ctx, from, to)
	if err != nil || len(headers) == 0 {
		return board, err
	}
	children, err := s.d.Directory.Children(ctx, org.ID)
	if err != nil {
		return board, err
	}
	units := map[uint64]Org{org.ID: org}
	for _, c := range children {
		units[c.ID] = c
	}
	unitOfUser := map[uint64]uint64{}
	if err := s.d.Directory.EachCadre(ctx, org.Path, func(c Cadre) error {
		u := unitOf(org.Path, c.OrgPath)
		if _, ok := units[u]; !ok {
			u = org.ID
		}
		unitOfUser[c.ID] = u
		return nil
	}); err != nil {
		return board, err
	}
	type key struct{ exam, unit uint64 }
	cells := map[key]*ExamUnitRow{}
	if err := s.d.Exams.EachTally(ctx, from, to, func(t exam.Tally) error {
		u, ok := unitOfUser[t.UserID]
		if !ok {
			return nil
		}
		k := key{t.ExamID, u}
		r := cells[k]
		if r == nil {
			r = &ExamUnitRow{ExamID: t.ExamID, Unit: units[u], Own: u == org.ID}
			cells[k] = r
		}
		r.Candidates++
		if t.Sat {
			r.Sat++
		}
		if t.Passed {
			r.Passed++
		}
		return nil
	}); err != nil {
		return board, err
	}
	order := map[uint64]int{org.ID: -1}
	for i, c := range children {
		order[c.ID] = i
	}
	byExam := map[uint64][]ExamUnitRow{}
	for k, r := range cells {
		byExam[k.exam] = append(byExam[k.exam], *r)
	}
	for _, h := range headers {
		rows := byExam[h.ID]
		for i := range rows {
			rows[i].ExamTitle = h.Title
		}
		sort.Slice(rows, func(a, b int) bool { return order[rows[a].Unit.ID] < order[rows[b].Unit.ID] })
		board.Rows = append(board.Rows, rows...)
	}
	return board, nil
}
