package db_test

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"college/storage/db"
)

// syncBuffer is a log sink safe for the pool's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Slow-query lines show the shape of the SQL, never the values bound to it
// (passwords' hashes, ID numbers, tokens).
func TestSlowQueryLogsOmitValues(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gdb, err := db.Open(db.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "t.db"), SlowThreshold: time.Nanosecond}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(gdb) })
	if err := gdb.Exec("CREATE TABLE people (id INTEGER PRIMARY KEY, id_number TEXT, token TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	const secret, token = "110101199003074514", "tok-SECRET-5f2a9c"
	if err := gdb.Exec("INSERT INTO people (id_number, token) VALUES (?, ?)", secret, token).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := gdb.Table("people").Where("id_number = ? AND token = ?", secret, token).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("count %d, %v", n, err)
	}
	var ids []int64
	if err := gdb.Raw("SELECT id FROM people WHERE token = ?", token).Scan(&ids).Error; err != nil || len(ids) != 1 {
		t.Fatalf("scan %v, %v", ids, err)
	}
	logged := out.String()
	if !strings.Contains(logged, "slow query") || !strings.Contains(logged, "id_number = ?") || !strings.Contains(logged, "WHERE token = ?") {
		t.Fatalf("the slow queries are not logged by shape:\n%s", logged)
	}
	for _, v := range []string{secret, token} {
		if strings.Contains(logged, v) {
			t.Fatalf("a bound value (%s) is in the log:\n%s", v, logged)
		}
	}
}
