package home

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"college/modules/web"
)

// The home reads every part at once and shows what it could read: a part
// that fails is named, the others are there.
func TestBuildShowsWhatItCouldRead(t *testing.T) {
	h := New(nil, Sources{
		Rings: func(context.Context, *web.Principal, int) ([]Ring, error) {
			return []Ring{{Label: "网络学习", Done: 20, Target: 50}}, nil
		},
		Required: func(context.Context, *web.Principal) ([]Course, error) { return nil, errors.New("catalog down") },
		Exams: func(context.Context, *web.Principal) ([]Exam, error) {
			return []Exam{{ID: 7, Title: "理论考试", State: "open"}}, nil
		},
		Unread: func(_ context.Context, uid uint64) (int64, error) { return int64(uid), nil },
	}, func(*web.Principal) []Group { return []Group{{Title: "学习"}} }, slog.New(slog.DiscardHandler))
	h.now = func() time.Time { return time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC) } // 1 January in Beijing
	v := h.Build(context.Background(), &web.Principal{UserID: 3, Name: "张三", Roles: []string{web.RoleLearner}})
	if v.Year != 2027 {
		t.Errorf("year %d, want 2027 (Beijing time)", v.Year)
	}
	if len(v.Rings) != 1 || len(v.Exams) != 1 || v.Unread != 3 || len(v.Groups) != 1 {
		t.Errorf("parts read: %+v", v)
	}
	if !slices.Equal(v.Failed, []string{"待学必修课"}) {
		t.Errorf("failed parts %v, want the required courses", v.Failed)
	}
}

// Someone who does not study (the system administrators) gets no
// learner parts, and no source is asked for them.
func TestBuildLeavesOutLearningForAdministrators(t *testing.T) {
	asked := false
	h := New(nil, Sources{
		Rings: func(context.Context, *web.Principal, int) ([]Ring, error) { asked = true; return nil, nil },
		Todos: func(context.Context, *web.Principal) ([]Todo, error) {
			return []Todo{{Label: "待审核", Count: 2, Href: "/x"}}, nil
		},
	}, nil, slog.New(slog.DiscardHandler))
	v := h.Build(context.Background(), &web.Principal{UserID: 1, Roles: []string{web.RoleSysAdmin}})
	if asked || v.Learner || len(v.Todos) != 1 {
		t.Fatalf("asked %v, view %+v", asked, v)
	}
}

func TestRing(t *testing.T) {
	for _, c := range []struct {
		r    Ring
		pct  int
		met  bool
		dash string
	}{
		{Ring{Done: 0, Target: 50}, 0, false, "0.0 263.9"},
		{Ring{Done: 25, Target: 50}, 50, false, "131.9 263.9"},
		{Ring{Done: 49.99, Target: 50}, 99, false, "261.3 263.9"},
		{Ring{Done: 60, Target: 50}, 100, true, "263.9 263.9"},
		{Ring{Done: 0, Target: 0}, 100, true, "263.9 263.9"},
	} {
		if got := c.r.Percent(); got != c.pct {
			t.Errorf("%v: percent %d, want %d", c.r, got, c.pct)
		}
		if got := c.r.Met(); got != c.met {
			t.Errorf("%v: met %v", c.r, got)
		}
		if got := c.r.Dash(); got != c.dash {
			t.Errorf("%v: dash %q, want %q", c.r, got, c.dash)
		}
	}
}

// workSources answers every part of each role's work with one item.
func workSources(fail string) (Sources, map[string]bool) {
	asked := map[string]bool{}
	var mu sync.Mutex
	ask := func(part string) error {
		mu.Lock()
		defer mu.Unlock()
		asked[part] = true
		if part == fail {
			return errors.New(part + " down")
		}
		return nil
	}
	return Sources{
		Teaching: func(context.Context, *web.Principal) ([]Session, error) {
			return []Session{{ID: 1, Topic: "新发展理念"}}, ask(PartSessions)
		},
		Results: func(context.Context, *web.Principal) (Teaching, error) {
			return Teaching{Evaluations: 1, Rate: 0.9}, ask(PartTeaching)
		},
		Nominations: func(context.Context, *web.Principal) ([]Nominations, error) {
			return []Nominations{{Class: "专题班", Pending: 2}}, ask(PartNominations)
		},
		Compliance: func(_ context.Context, _ *web.Principal, year int) (Compliance, error) {
			return Compliance{Cadres: year, Met: 1}, ask(PartCompliance)
		},
		UnitClasses: func(context.Context, *web.Principal) ([]Class, int, error) {
			return []Class{{ID: 4}}, 7, ask(PartUnitClasses)
		},
		Courses: func(context.Context, *web.Principal) ([]Count, error) {
			return []Count{{Label: "已发布", N: 3}}, ask(PartCourses)
		},
		ClassStates: func(context.Context, *web.Principal) ([]Count, error) {
			return []Count{{Label: "草稿", N: 1}}, ask(PartClassStates)
		},
		Reviews: func(context.Context, *web.Principal) ([]Review, error) {
			return []Review{{Exam: "理论考试", N: 5}}, ask(PartReviews)
		},
		BelowBar: func(context.Context, *web.Principal) ([]Result, float64, error) {
			return []Result{{Class: "专题班", Rate: 0.5}}, 0.85, ask(PartBelowBar)
		},
	}, asked
}

// Each role's parts are read from their sources and shown; a role without
// a part neither asks its source nor shows it.
func TestBuildShowsEachRolesWork(t *testing.T) {
	all := []string{PartSessions, PartTeaching, PartNominations, PartCompliance, PartUnitClasses, PartCourses, PartClassStates, PartReviews, PartBelowBar}
	for _, c := range []struct {
		role  string
		parts []string
	}{
		{web.RoleTeacher, []string{PartSessions, PartTeaching}},
		{web.RoleUnitAdmin, []string{PartNominations, PartCompliance, PartUnitClasses}},
		{web.RoleCollegeAdmin, []string{PartCourses, PartClassStates, PartReviews, PartBelowBar}},
		{web.RoleOrgAdmin, []string{PartCompliance}},
		{web.RoleLearner, nil},
		{web.RoleSysAdmin, nil},
	} {
		src, asked := workSources("")
		h := New(nil, src, nil, slog.New(slog.DiscardHandler))
		h.now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
		v := h.Build(context.Background(), &web.Principal{UserID: 1, Roles: []string{c.role}})
		for _, part := range all {
			want := slices.Contains(c.parts, part)
			if v.Has(part) != want || asked[part] != want {
				t.Errorf("%s: part %s shown %v, asked %v, want %v", c.role, part, v.Has(part), asked[part], want)
			}
		}
		if len(v.Failed) != 0 {
			t.Errorf("%s: failed %v", c.role, v.Failed)
		}
	}
	// What the sources said is in the view.
	src, _ := workSources("")
	h := New(nil, src, nil, slog.New(slog.DiscardHandler))
	h.now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	v := h.Build(context.Background(), &web.Principal{UserID: 1, Roles: []string{web.RoleTeacher, web.RoleUnitAdmin, web.RoleCollegeAdmin}})
	if len(v.Sessions) != 1 || v.Teaching.Rate != 0.9 || v.Nominations[0].Pending != 2 || v.Compliance.Cadres != 2026 || v.UnitOpenN != 7 ||
		v.Courses[0].N != 3 || v.ClassStates[0].N != 1 || v.Reviews[0].N != 5 || v.Bar != 0.85 || len(v.BelowBar) != 1 {
		t.Errorf("view %+v", v)
	}
}

// A part whose source fails is named among the failed parts and not
// shown; the other parts of the role are.
func TestBuildMarksAFailedPart(t *testing.T) {
	for part, name := range map[string]string{PartSessions: "授课安排", PartReviews: "待阅卷", PartCompliance: "学时达标情况", PartNominations: "待审核的报名"} {
		src, _ := workSources(part)
		h := New(nil, src, nil, slog.New(slog.DiscardHandler))
		v := h.Build(context.Background(), &web.Principal{UserID: 1, Roles: []string{web.RoleTeacher, web.RoleUnitAdmin, web.RoleCollegeAdmin}})
		if !slices.Equal(v.Failed, []string{name}) || v.Has(part) {
			t.Errorf("%s failing: failed %v, shown %v", part, v.Failed, v.Has(part))
		}
		for _, other := range []string{PartSessions, PartReviews, PartCompliance, PartNominations} {
			if other != part && !v.Has(other) {
				t.Errorf("%s failing: %s not shown", part, other)
			}
		}
	}
}

// A part without a source is left out for every role.
func TestBuildLeavesOutPartsWithoutSources(t *testing.T) {
	h := New(nil, Sources{}, nil, slog.New(slog.DiscardHandler))
	v := h.Build(context.Background(), &web.Principal{UserID: 1, Roles: []string{web.RoleTeacher, web.RoleUnitAdmin, web.RoleCollegeAdmin, web.RoleOrgAdmin}})
	if len(v.shown) != 0 || len(v.Failed) != 0 {
		t.Errorf("shown %v, failed %v", v.shown, v.Failed)
	}
}

func TestSessionTimes(t *testing.T) {
	s := Session{StartsAt: time.Date(2026, 12, 8, 23, 30, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 9, 2, 30, 0, 0, time.UTC)}
	if s.Day() != "12月9日 周三" || s.Hours() != "07:30–10:30" {
		t.Errorf("day %q, hours %q (Beijing time)", s.Day(), s.Hours())
	}
	if p := (Compliance{Rate: 0.5799}).Percent(); p != 57 {
		t.Errorf("percent %d", p)
	}
}
