package audit

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"college/modules/web"
	"college/storage/db"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

var testSecret = []byte("test-secret-key-0123456789abcdef0123456789")

func newService(t *testing.T, gdb *gorm.DB, national bool) *Service {
	t.Helper()
	s, err := New(Deps{DB: gdb, Secret: testSecret, National: national, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// freshService is a service over a fresh database of its own; it returns
// the database too.
func freshService(t *testing.T, national bool) (*Service, *gorm.DB) {
	t.Helper()
	gdb := dbtest.New(t, Migrations()...)
	return newService(t, gdb, national), gdb
}

func record(t *testing.T, s *Service, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		e := web.AuditEntry{ActorID: uint64(i + 1), ActorName: fmt.Sprintf("user%d", i), IP: "10.0.0.1", Action: "user.update",
			Target: "user", TargetID: uint64(100 + i), Detail: fmt.Sprintf(`{"n":%d}`, i), Success: true}
		if err := s.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t *testing.T, s *Service) Report {
	t.Helper()
	rep, err := s.SealAndVerify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func idOfSeq(t *testing.T, gdb *gorm.DB, seq uint64) uint64 {
	t.Helper()
	var r Log
	if err := gdb.Where("seq = ?", seq).Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// Each kind of tampering is found at the row where it happened, in both
// suites; an intact chain verifies.
func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		tamper  func(t *testing.T, gdb *gorm.DB)
		wantSeq uint64
		reason  string
	}{
		{"intact", func(*testing.T, *gorm.DB) {}, 0, ""},
		{"detail edited", func(t *testing.T, gdb *gorm.DB) {
			gdb.Model(&Log{}).Where("seq = 4").Update("detail", `{"n":999}`)
		}, 4, "edited"},
		{"actor edited", func(t *testing.T, gdb *gorm.DB) {
			gdb.Model(&Log{}).Where("seq = 7").Update("actor_name", "somebody")
		}, 7, "edited"},
		{"row deleted", func(t *testing.T, gdb *gorm.DB) {
			gdb.Where("seq = 5").Delete(&Log{})
		}, 5, "missing"},
		{"first row deleted", func(t *testing.T, gdb *gorm.DB) {
			gdb.Where("seq = 1").Delete(&Log{})
		}, 1, "missing"},
		{"rows swapped", func(t *testing.T, gdb *gorm.DB) {
			a, b := idOfSeq(t, gdb, 3), idOfSeq(t, gdb, 6)
			gdb.Model(&Log{}).Where("id = ?", a).Update("seq", 1000)
			gdb.Model(&Log{}).Where("id = ?", b).Update("seq", 3)
			gdb.Model(&Log{}).Where("id = ?", a).Update("seq", 6)
		}, 3, "edited"},
		{"time moved", func(t *testing.T, gdb *gorm.DB) {
			gdb.Model(&Log{}).Where("seq = 2").Update("at", time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond))
		}, 2, "edited"},
		{"last row deleted", func(t *testing.T, gdb *gorm.DB) {
			gdb.Where("seq = 10").Delete(&Log{})
		}, 10, "end"},
		{"link rewritten after the edit", func(t *testing.T, gdb *gorm.DB) {
			var r Log
			gdb.Where("seq = 8").Take(&r)
			gdb.Model(&Log{}).Where("seq = 8").Updates(map[string]any{"detail": "{}", "mac": strings.Repeat("0", 64)})
		}, 8, "edited"},
	}
	for _, national := range []bool{false, true} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/national=%v", c.name, national), func(t *testing.T) {
				t.Parallel()
				s, gdb := freshService(t, national)
				record(t, s, 10)
				if rep := mustVerify(t, s); !rep.OK() || rep.Checked != 10 || rep.FirstSeq != 1 || rep.LastSeq != 10 {
					t.Fatalf("fresh chain: %+v %+v", rep, rep.Break)
				}
				c.tamper(t, gdb)
				rep := mustVerify(t, s)
				if c.wantSeq == 0 {
					if !rep.OK() {
						t.Fatalf("intact chain reported broken: %+v", rep.Break)
					}
					return
				}
				if rep.OK() {
					t.Fatal("tampering not detected")
				}
				if rep.Break.Seq != c.wantSeq || !strings.Contains(rep.Break.Reason, c.reason) {
					t.Fatalf("break at %d (%s), want %d (%s)", rep.Break.Seq, rep.Break.Reason, c.wantSeq, c.reason)
				}
			})
		}
	}
}

// The chain goes on across a switch to national cryptography: each row
// names its key.
func TestChainAcrossSuites(t *testing.T) {
	t.Parallel()
	std, gdb := freshService(t, false)
	record(t, std, 5)
	mustVerify(t, std)
	sm := newService(t, gdb, true)
	record(t, sm, 5)
	rep := mustVerify(t, sm)
	if !rep.OK() || rep.Checked != 10 {
		t.Fatalf("mixed chain: %+v %+v", rep, rep.Break)
	}
	var keys []string
	gdb.Model(&Log{}).Order("seq").Pluck("key_id", &keys)
	if keys[0] != KeySHA256 || keys[9] != KeySM3 {
		t.Fatalf("key ids %v", keys)
	}
	// A chain key from another secret does not verify it.
	other, _ := New(Deps{DB: gdb, Secret: []byte("another-secret-another-secret-another"), Log: slog.New(slog.DiscardHandler)})
	if rep, _ := other.Verify(context.Background()); rep.OK() {
		t.Fatal("a different secret verified the chain")
	}
}

// Many goroutines record at once while a sealer runs; the chain then holds
// every row once, without gaps.
func TestConcurrentRecordsOneChain(t *testing.T) {
	t.Parallel()
	s, _ := freshService(t, false)
	const writers, each = 20, 15
	var wg sync.WaitGroup
	stop := make(chan struct{})
	sealed := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				sealed <- nil
				return
			default:
			}
			if _, err := s.Seal(context.Background()); err != nil {
				sealed <- err
				return
			}
		}
	}()
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				errs <- s.Record(context.Background(), web.AuditEntry{ActorID: uint64(w), Action: "exam.start", Target: "exam", TargetID: uint64(i), Success: true})
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	if err := <-sealed; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep := mustVerify(t, s)
	if !rep.OK() || rep.Checked != writers*each || rep.LastSeq != writers*each || rep.Unsealed != 0 {
		t.Fatalf("report %+v break %+v", rep, rep.Break)
	}
}

// Two instances (separate connections) seal the same rows at the same time:
// every row is sealed exactly once and the chain has no gaps.
func TestTwoSealersOneChain(t *testing.T) {
	t.Parallel()
	cfg := dbtest.Config(t)
	log := slog.New(slog.DiscardHandler)
	open := func() *gorm.DB {
		gdb, err := db.Open(cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close(gdb) })
		return gdb
	}
	gdbA := open()
	if _, err := db.Migrate(context.Background(), gdbA, Migrations()); err != nil {
		t.Fatal(err)
	}
	a, b := newService(t, gdbA, false), newService(t, open(), false)
	const rows = 1500 // three batches
	batch := make([]Log, 0, rows)
	at := time.Now().UTC().Truncate(time.Millisecond)
	for i := 0; i < rows; i++ {
		batch = append(batch, Log{At: at.Add(time.Duration(i%7) * time.Millisecond), Action: "login.success", ActorID: uint64(i), Success: true})
	}
	if err := gdbA.CreateInBatches(batch, 500).Error; err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	counts := make([]int, 4)
	errs := make([]error, 4)
	for i := range counts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			counts[i], errs[i] = s.Seal(context.Background())
		}(i)
	}
	wg.Wait()
	total := 0
	for i := range counts {
		if errs[i] != nil {
			t.Fatalf("sealer %d: %v", i, errs[i])
		}
		total += counts[i]
	}
	if total != rows {
		t.Fatalf("sealers report %d rows sealed, want %d (each once)", total, rows)
	}
	rep, err := b.Verify(context.Background())
	if err != nil || !rep.OK() || rep.Checked != rows || rep.LastSeq != rows {
		t.Fatalf("verify: %+v %+v %v", rep, rep.Break, err)
	}
	// Sealed in (at, id) order.
	var ats []time.Time
	gdbA.Model(&Log{}).Order("seq").Pluck("at", &ats)
	for i := 1; i < len(ats); i++ {
		if ats[i].Before(ats[i-1]) {
			t.Fatalf("seq %d is earlier than seq %d", i+1, i)
		}
	}
}
