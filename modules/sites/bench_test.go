package sites_test

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"college/app/collegetest"
)

// TestBookingRush measures bookings when many classes book the same few
// sites at once: 400 bookings of 5 people from 16 clients onto 4 sites of
// 60 seats over 5 days, 09:00–11:00 (12 fit per site and day). It checks
// that no site-day holds more people than its seats and reports the time
// per booking.
//
//	COLLEGE_BENCH_SITES=1 go test ./modules/sites -run BookingRush -v
//
// (add COLLEGE_TEST_MYSQL_DSN for MariaDB).
func TestBookingRush(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_SITES") == "" {
		t.Skip("set COLLEGE_BENCH_SITES=1 to measure")
	}
	w := newWorld(t)
	var ids []uint64
	for range 4 {
		ids = append(ids, w.inUse(t, 60))
	}
	var days []string
	for d := weekday(7); len(days) < 5; d = weekday(d + 1) {
		days = append(days, collegetest.Day(d))
	}
	const total, clients = 400, 16
	jobs := make(chan int)
	var mu sync.Mutex
	var took []time.Duration
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				site, day := ids[i%len(ids)], days[(i/len(ids))%len(days)]
				start := time.Now()
				r := book(w, "org", site, slot(day, "09:00", "11:00", 5))
				d := time.Since(start)
				mu.Lock()
				took = append(took, d)
				codes[r.Status]++
				mu.Unlock()
			}
		}()
	}
	begin := time.Now()
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(begin)
	var most int
	if err := w.a.DB.Table("site_bookings").Select("COALESCE(MAX(people), 0)").
		Table("(SELECT site_id, date, SUM(group_size) AS people FROM site_bookings WHERE status IN ('pending','confirmed') GROUP BY site_id, date) AS d").
		Scan(&most).Error; err != nil {
		t.Fatal(err)
	}
	if most > 60 {
		t.Fatalf("a site-day holds %d people for 60 seats", most)
	}
	if codes[201] != len(ids)*len(days)*12 || codes[201]+codes[409] != total {
		t.Fatalf("answers %v: want %d accepted and the rest 409", codes, len(ids)*len(days)*12)
	}
	slices.Sort(took)
	q := func(p float64) time.Duration { return took[int(p*float64(len(took)-1))] }
	t.Logf("%d bookings from %d clients in %v (%.0f/s): p50 %v, p95 %v, p99 %v, max %v; %v",
		total, clients, wall.Round(time.Millisecond), float64(total)/wall.Seconds(), q(.5).Round(time.Microsecond), q(.95).Round(time.Microsecond),
		q(.99).Round(time.Microsecond), took[len(took)-1].Round(time.Microsecond), fmt.Sprint(codes))
}
