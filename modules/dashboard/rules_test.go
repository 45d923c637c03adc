package dashboard

import (
	"testing"
	"time"

	"college/modules/hours"
	"college/modules/web"
)

func h(f float64) web.Hours { return web.HoursFromFloat(f) }

var defaults = Rules{OnlineYearly: h(50), CentralizedYearly: h(90), Centralized5y: h(550), CycleStart: 2023, CycleYears: 5}

func TestCycle(t *testing.T) {
	cases := []struct{ year, from, elapsed int }{
		{2023, 2023, 1}, {2026, 2023, 4}, {2027, 2023, 5}, {2028, 2028, 1}, {2032, 2028, 5}, {2033, 2033, 1}, {2022, 2018, 5},
	}
	for _, c := range cases {
		from, elapsed := defaults.Cycle(c.year)
		if from != c.from || elapsed != c.elapsed {
			t.Errorf("Cycle(%d) = %d, %d; want %d, %d", c.year, from, elapsed, c.from, c.elapsed)
		}
	}
}

func TestJudge(t *testing.T) {
	carry := defaults
	carry.CarryOver = true
	cases := []struct {
		name         string
		rules        Rules
		level        string
		year         int
		sums         hours.UserSums
		met          bool
		onGap, ceGap web.Hours
		ceTarget     web.Hours
		due          bool
	}{
		{"乡科级 meets both", defaults, "乡科级", 2026, hours.UserSums{Online: h(50), Centralized: h(90)}, true, 0, 0, h(90), false},
		{"乡科级 online short by 0.5", defaults, "科员", 2026, hours.UserSums{Online: h(49.5), Centralized: h(100)}, false, h(0.5), 0, h(90), false},
		{"乡科级 centralized short", defaults, "", 2026, hours.UserSums{Online: h(60), Centralized: h(89.75), CycleCentralized: h(1000)}, false, 0, h(0.25), h(90), false},
		{"乡科级 ignores the cycle total", defaults, "乡科级", 2026, hours.UserSums{Online: h(60), CycleCentralized: h(500)}, false, 0, h(90), h(90), false},
		{"县处级 pro rata 4 years: 440", defaults, "县处级", 2026, hours.UserSums{Online: h(50), CycleCentralized: h(440)}, true, 0, 0, h(440), false},
		{"县处级 439.99 of 440", defaults, "县处级", 2026, hours.UserSums{Online: h(50), CycleCentralized: h(439.99)}, false, 0, h(0.01), h(440), false},
		{"县处级 needs no yearly centralized", defaults, "厅局级", 2024, hours.UserSums{Online: h(50), Centralized: 0, CycleCentralized: h(220)}, true, 0, 0, h(220), false},
		{"县处级 first year of the cycle: 110", defaults, "县处级", 2023, hours.UserSums{Online: h(50), CycleCentralized: h(110)}, true, 0, 0, h(110), false},
		{"县处级 last year 2027: 550, due", defaults, "县处级", 2027, hours.UserSums{Online: h(50), CycleCentralized: h(540)}, false, 0, h(10), h(550), true},
		{"县处级 2026 is not yet due", defaults, "县处级", 2026, hours.UserSums{Online: h(50), CycleCentralized: h(500)}, true, 0, 0, h(440), false},
		{"县处级 2028 starts a new cycle: 110", defaults, "县处级", 2028, hours.UserSums{Online: h(50), CycleCentralized: h(110)}, true, 0, 0, h(110), false},
		{"县处级 online short", defaults, "县处级", 2026, hours.UserSums{Online: h(10), CycleCentralized: h(500)}, false, h(40), 0, h(440), false},
		{"carry-over off: last year's surplus ignored", defaults, "乡科级", 2026, hours.UserSums{Online: h(30), PrevOnline: h(80), Centralized: h(90)}, false, h(20), 0, h(90), false},
		{"carry-over on: surplus 30 fills online", carry, "乡科级", 2026, hours.UserSums{Online: h(20), PrevOnline: h(80), Centralized: h(90)}, true, 0, 0, h(90), false},
		{"carry-over on: surplus 29 falls short by 1", carry, "乡科级", 2026, hours.UserSums{Online: h(20), PrevOnline: h(79), Centralized: h(90)}, false, h(1), 0, h(90), false},
		{"carry-over on: centralized surplus for 乡科级", carry, "乡科级", 2026, hours.UserSums{Online: h(50), PrevCentralized: h(120), Centralized: h(60)}, true, 0, 0, h(90), false},
		{"carry-over on: no centralized carry for 县处级", carry, "县处级", 2026, hours.UserSums{Online: h(50), PrevCentralized: h(300), CycleCentralized: h(430)}, false, 0, h(10), h(440), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := c.rules.Judge(c.level, c.sums, c.year)
			if st.Met != c.met || st.OnlineGap != c.onGap || st.CentralizedGap != c.ceGap || st.CentralizedTarget != c.ceTarget || st.Due != c.due {
				t.Errorf("got met=%v online gap %s centralized gap %s target %s due %v; want %v %s %s %s %v",
					st.Met, st.OnlineGap, st.CentralizedGap, st.CentralizedTarget, st.Due, c.met, c.onGap, c.ceGap, c.ceTarget, c.due)
			}
		})
	}
}

func TestSettingsChangeTheNumbers(t *testing.T) {
	r := defaults
	r.OnlineYearly, r.Centralized5y, r.CycleStart = h(40), h(500), 2024
	st := r.Judge("县处级", hours.UserSums{Online: h(40), CycleCentralized: h(300)}, 2026) // 3 of 5 years: 300
	if !st.Met || st.CentralizedTarget != h(300) {
		t.Fatalf("got %+v", st)
	}
}

func TestBeijingYearBoundary(t *testing.T) {
	// 00:30 on 1 January in Beijing is 16:30 on 31 December in UTC.
	at := time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)
	if hours.YearOf(at) != 2026 {
		t.Fatalf("YearOf(%s) = %d", at, hours.YearOf(at))
	}
	from, to := yearSpan(2026)
	if !from.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("yearSpan(2026) = %s, %s", from.UTC(), to.UTC())
	}
}

func TestUnitOf(t *testing.T) {
	cases := []struct {
		path, orgPath string
		want          uint64
	}{{"/1/", "/1/4/9/", 4}, {"/1/4/", "/1/4/9/12/", 9}, {"/1/4/", "/1/4/", 0}, {"/1/", "/2/3/", 0}}
	for _, c := range cases {
		if got := unitOf(c.path, c.orgPath); got != c.want {
			t.Errorf("unitOf(%s, %s) = %d, want %d", c.path, c.orgPath, got, c.want)
		}
	}
	if unitParent("/1/4/9/") != 4 || unitParent("/1/") != 0 {
		t.Error("unitParent")
	}
}
