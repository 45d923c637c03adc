package home

import (
	"context"
	"errors"
	"log/slog"
	"slices"
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
