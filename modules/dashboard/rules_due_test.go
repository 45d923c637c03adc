package dashboard

import (
	"testing"
	"time"

	"college/modules/web"
)

// TestLeaderDue: a 县处级及以上 leader is due when the plan cycle ends within
// a year and their centralized hours in it are under 550 (DOMAIN.md).
func TestLeaderDue(t *testing.T) {
	r := Rules{Centralized5y: 55000, CycleStart: 2023, CycleYears: 5}
	at := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02 15:04", s, web.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		name  string
		level string
		cycle web.Hours
		today time.Time
		due   bool
	}{
		{"last year of the cycle, under 550", "县处级", 54999, at("2027-03-01 10:00"), true},
		{"last year, exactly 550", "县处级", 55000, at("2027-03-01 10:00"), false},
		{"厅局级 too", "厅局级", 0, at("2027-12-31 23:59"), true},
		{"省部级 too", "省部级", 10000, at("2027-06-30 00:00"), true},
		{"乡科级 are never due", "乡科级", 0, at("2027-06-30 00:00"), false},
		{"no level counts as 乡科级及以下", "", 0, at("2027-06-30 00:00"), false},
		{"more than a year left", "县处级", 0, at("2026-12-30 12:00"), false},
		{"exactly a year left: 1 January 2027 in Beijing", "县处级", 0, at("2027-01-01 00:00"), true},
		{"31 December 2026 16:30 UTC is 1 January 2027 in Beijing", "县处级", 0, time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), true},
		{"31 December 2026 15:30 UTC is still 2026 in Beijing", "县处级", 0, time.Date(2026, 12, 31, 15, 30, 0, 0, time.UTC), false},
		{"the next cycle's first year", "县处级", 0, at("2028-01-01 00:00"), false},
		{"the next cycle's last year", "县处级", 0, at("2032-05-01 00:00"), true},
	} {
		if got := r.LeaderDue(c.level, c.cycle, c.today); got != c.due {
			t.Errorf("%s: due %v, want %v", c.name, got, c.due)
		}
	}
	// A shorter cycle: two years from 2025, so 2026 is its last year.
	short := Rules{Centralized5y: 55000, CycleStart: 2025, CycleYears: 2}
	if !short.LeaderDue("县处级", 0, at("2026-02-01 00:00")) || short.LeaderDue("县处级", 0, at("2025-02-01 00:00")) {
		t.Error("a two-year cycle")
	}
}
