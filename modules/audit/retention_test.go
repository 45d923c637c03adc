package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"college/modules/settings"
	"college/storage/db/dbtest"
)

// Purging rows past the retention keeps the chain verifiable from the
// checkpoint, and a removed or forged checkpoint is found.
func TestPurgeKeepsChainVerifiable(t *testing.T) {
	t.Parallel()
	s, gdb := freshService(t, false)
	now := time.Now().UTC()
	s.now = func() time.Time { return now.AddDate(0, 0, -200) }
	record(t, s, 30)
	s.now = func() time.Time { return now.AddDate(0, 0, -170) }
	record(t, s, 5) // younger than the minimum retention: kept
	s.now = func() time.Time { return now }
	record(t, s, 10)
	if rep := mustVerify(t, s); !rep.OK() || rep.Checked != 45 {
		t.Fatalf("before purge: %+v %+v", rep, rep.Break)
	}
	n, err := s.Purge(context.Background())
	if err != nil || n != 30 {
		t.Fatalf("purged %d, %v; want 30", n, err)
	}
	var left int64
	gdb.Model(&Log{}).Count(&left)
	if left != 15 {
		t.Fatalf("%d rows left, want 15", left)
	}
	rep := mustVerify(t, s)
	if !rep.OK() || rep.FirstSeq != 31 || rep.LastSeq != 45 || rep.Checkpoint == nil || rep.Checkpoint.Seq != 30 || rep.Checkpoint.Rows != 30 {
		t.Fatalf("after purge: %+v %+v", rep, rep.Break)
	}
	// A second run has nothing to do and the chain still holds.
	if n, err := s.Purge(context.Background()); err != nil || n != 0 {
		t.Fatalf("second purge: %d %v", n, err)
	}
	if rep := mustVerify(t, s); !rep.OK() {
		t.Fatalf("after second purge: %+v", rep.Break)
	}

	// Deleting more old rows and moving the checkpoint by hand is found.
	gdb.Where("seq <= 33").Delete(&Log{})
	gdb.Model(&Checkpoint{}).Where("seq = 30").Update("seq", 33)
	rep = mustVerify(t, s)
	if rep.OK() || !strings.Contains(rep.Break.Reason, "checkpoint") {
		t.Fatalf("forged checkpoint not found: %+v", rep.Break)
	}
	// And so is deleting the checkpoint.
	gdb.Where("1 = 1").Delete(&Checkpoint{})
	rep = mustVerify(t, s)
	if rep.OK() || rep.Break.Seq != 1 || !strings.Contains(rep.Break.Reason, "missing") {
		t.Fatalf("missing checkpoint not found: %+v", rep.Break)
	}
}

// The retention setting refuses less than 180 days, and the purge keeps 180
// days whatever is stored.
func TestRetentionMinimum(t *testing.T) {
	t.Parallel()
	gdb := dbtest.New(t, append(settings.Migrations(), Migrations()...)...)
	set := settings.New(gdb, nil)
	s, err := New(Deps{DB: gdb, Settings: set, Secret: testSecret, Log: newService(t, gdb, false).log})
	if err != nil {
		t.Fatal(err)
	}
	if _, bad := set.Validate(map[string]string{SetRetentionDays: "30"}); bad[SetRetentionDays] == "" {
		t.Fatal("a retention of 30 days was accepted")
	}
	if clean, bad := set.Validate(map[string]string{SetRetentionDays: "365"}); len(bad) != 0 || clean[SetRetentionDays] != "365" {
		t.Fatalf("365 days refused: %v", bad)
	}
	// Even a value written behind the settings' back does not go below.
	if err := set.Set(context.Background(), 0, map[string]string{SetRetentionDays: "10"}); err != nil {
		t.Fatal(err)
	}
	if d := s.RetentionDays(context.Background()); d != MinRetentionDays {
		t.Fatalf("retention %d days", d)
	}
	now := time.Now().UTC()
	s.now = func() time.Time { return now.AddDate(0, 0, -100) }
	record(t, s, 3)
	s.now = func() time.Time { return now }
	if _, err := s.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Purge(context.Background()); err != nil || n != 0 {
		t.Fatalf("purged %d rows of 100 days, %v", n, err)
	}
}
