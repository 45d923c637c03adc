package sites

import "testing"

func TestPeak(t *testing.T) {
	t.Parallel()
	b := func(from, to string, n int) Booking { return Booking{StartsAt: from, EndsAt: to, GroupSize: n} }
	cases := []struct {
		name     string
		bookings []Booking
		from, to string
		want     int
	}{
		{"none", nil, "09:00", "10:00", 0},
		{"one over the whole slot", []Booking{b("08:00", "12:00", 5)}, "09:00", "10:00", 5},
		{"apart in time", []Booking{b("09:00", "10:00", 6), b("11:00", "12:00", 6)}, "09:00", "12:00", 6},
		{"overlapping each other", []Booking{b("09:00", "11:00", 6), b("10:00", "12:00", 4)}, "09:00", "12:00", 10},
		{"one ends as the next starts", []Booking{b("09:00", "10:00", 6), b("10:00", "11:00", 7)}, "09:00", "11:00", 7},
		{"starts inside the slot", []Booking{b("08:00", "09:30", 3), b("09:30", "10:30", 2), b("09:45", "11:00", 4)}, "09:00", "10:00", 6},
	}
	for _, c := range cases {
		if got := peak(c.bookings, c.from, c.to); got != c.want {
			t.Errorf("%s: peak %d, want %d", c.name, got, c.want)
		}
	}
}
