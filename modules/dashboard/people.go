package dashboard

import (
	"context"
	"sort"

	"college/modules/web"
)

// Status filters of the people list.
const (
	StatusBehind = "behind"
	StatusMet    = "met"
)

// PersonRow is one cadre of the people list.
type PersonRow struct {
	ID      uint64
	Name    string
	OrgID   uint64
	OrgName string
	OrgPath string
	Level   string
	Standing
}

// PeoplePage is a page of the people list.
type PeoplePage struct {
	Org    Org
	Year   int
	Status string
	Rules  Rules
	Rows   []PersonRow
	Total  int64
	Page   web.Page
}

// People lists the cadres of org's subtree who meet the year's requirements
// (status "met"), who are behind ("behind") or all of them (""), ordered by
// org and id; only the page is named.
func (s *Service) People(ctx context.Context, p *web.Principal, orgID uint64, year int, status string, pg web.Page) (PeoplePage, error) {
	org, err := s.scopedOrg(ctx, p, orgID)
	if err != nil {
		return PeoplePage{}, err
	}
	out := PeoplePage{Org: org, Year: year, Status: status, Page: pg, Rules: s.Rules(ctx)}
	rows, err := s.matching(ctx, org, year, out.Rules, status)
	if err != nil {
		return PeoplePage{}, web.Internal(err)
	}
	out.Total = int64(len(rows))
	lo := min(pg.Offset(), len(rows))
	hi := min(lo+pg.PageSize, len(rows))
	out.Rows, err = s.named(ctx, rows[lo:hi])
	if err != nil {
		return PeoplePage{}, web.Internal(err)
	}
	return out, nil
}

// matching lists the judged cadres of the subtree with status, by org path
// and id.
func (s *Service) matching(ctx context.Context, org Org, year int, r Rules, status string) ([]judged, error) {
	var rows []judged
	err := s.judge(ctx, org, year, r, func(j judged) {
		if status == "" || (status == StatusMet) == j.Met {
			rows = append(rows, j)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, k int) bool {
		if rows[i].OrgPath != rows[k].OrgPath {
			return rows[i].OrgPath < rows[k].OrgPath
		}
		return rows[i].ID < rows[k].ID
	})
	return rows, nil
}

// named adds names and org names to judged cadres.
func (s *Service) named(ctx context.Context, rows []judged) ([]PersonRow, error) {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	who, err := s.d.Directory.People(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]PersonRow, len(rows))
	for i, r := range rows {
		w := who[r.ID]
		out[i] = PersonRow{ID: r.ID, Name: w.Name, OrgID: r.OrgID, OrgName: w.OrgName, OrgPath: r.OrgPath, Level: r.Level, Standing: r.Standing}
	}
	return out, nil
}
