package faculty

import (
	"context"
	"time"

	"college/modules/web"
)

// LeaderLectures is the year's 领导干部上讲台: each active leader of the
// faculty with the sessions they gave against the yearly target.
type LeaderLectures struct {
	Year    int             `json:"year"`
	Target  int             `json:"target"`
	Leaders []LeaderLecture `json:"leaders"`
	Behind  int             `json:"behind"` // leaders under the target
}

// LeaderLecture is one leader's count.
type LeaderLecture struct {
	TeacherID uint64 `json:"teacher_id"`
	Name      string `json:"name"`
	Post      string `json:"post"`
	Unit      string `json:"unit"`
	Sessions  int    `json:"sessions"`
	Met       bool   `json:"met"`
}

// leaderLimit bounds the leaders one report lists.
const leaderLimit = 2000

// LeaderLectures counts the year's lectures of the active leaders the caller
// manages (timetable sessions and held 讲坛 lectures), those under the
// target first.
func (s *Service) LeaderLectures(ctx context.Context, p *web.Principal, year int) (LeaderLectures, error) {
	if !canManage(p) {
		return LeaderLectures{}, web.Forbidden()
	}
	if year < 2000 || year > 2100 {
		year = s.now().In(web.Shanghai).Year()
	}
	out := LeaderLectures{Year: year, Target: s.deps.Settings.Int(ctx, SetLeaderTarget), Leaders: []LeaderLecture{}}
	ts, _, err := s.store.list(ctx, p, Filter{Kind: KindLeader, Status: StatusActive}, web.Page{Page: 1, PageSize: leaderLimit})
	if err != nil {
		return out, web.Internal(err)
	}
	ids := make([]uint64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, web.Shanghai)
	counts, err := s.deps.Timetable.SessionCounts(ctx, ids, from, from.AddDate(1, 0, 0))
	if err != nil {
		return out, err
	}
	held, err := s.heldLectures(ctx, ids, from, from.AddDate(1, 0, 0))
	if err != nil {
		return out, err
	}
	for id, n := range held {
		counts[id] += n
	}
	var met []LeaderLecture
	for _, t := range ts {
		l := LeaderLecture{TeacherID: t.ID, Name: t.Name, Post: t.Post, Unit: t.Unit, Sessions: counts[t.ID]}
		l.Met = l.Sessions >= out.Target
		if l.Met {
			met = append(met, l)
			continue
		}
		out.Leaders = append(out.Leaders, l)
		out.Behind++
	}
	out.Leaders = append(out.Leaders, met...)
	return out, nil
}
