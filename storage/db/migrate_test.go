package db_test

import (
	"context"
	"strings"
	"testing"

	"college/storage/db"
	"college/storage/db/dbtest"

	"gorm.io/gorm"
)

func TestMigrateAppliesOnceAndRefusesDowngrade(t *testing.T) {
	t.Parallel()
	calls := 0
	m1 := db.Migration{ID: "0001_a", Up: func(tx *gorm.DB) error {
		calls++
		type thing struct {
			ID   uint64 `gorm:"primaryKey"`
			Name string `gorm:"size:20;uniqueIndex:uq_things_name"`
		}
		return tx.Table("things").Migrator().CreateTable(&thing{})
	}}
	gdb := dbtest.New(t, m1)
	ctx := context.Background()
	applied, err := db.Migrate(ctx, gdb, []db.Migration{m1})
	if err != nil || len(applied) != 0 || calls != 1 {
		t.Fatalf("second run: applied %v, err %v, calls %d", applied, err, calls)
	}
	if err := gdb.Exec("INSERT INTO things (name) VALUES ('a')").Error; err != nil {
		t.Fatal(err)
	}
	err = gdb.Exec("INSERT INTO things (name) VALUES ('a')").Error
	if !db.IsDuplicate(err) {
		t.Fatalf("unique violation not recognized: %v", err)
	}
	m2 := db.Migration{ID: "0002_b", Up: func(tx *gorm.DB) error {
		return tx.Exec("ALTER TABLE things ADD COLUMN note VARCHAR(50)").Error
	}}
	applied, err = db.Migrate(ctx, gdb, []db.Migration{m2, m1})
	if err != nil || len(applied) != 1 || applied[0] != "0002_b" {
		t.Fatalf("new migration: %v, %v", applied, err)
	}
	// A binary that knows only 0001 must refuse a database at 0002.
	_, err = db.Migrate(ctx, gdb, []db.Migration{m1})
	if err == nil || !strings.Contains(err.Error(), "0002_b") {
		t.Fatalf("downgrade not refused: %v", err)
	}
	// Duplicate ids are a programming error.
	if _, err := db.Migrate(ctx, gdb, []db.Migration{m1, m1}); err == nil {
		t.Fatal("duplicate migration ids accepted")
	}
}

func TestMigrationFailureIsNotRecorded(t *testing.T) {
	t.Parallel()
	gdb := dbtest.New(t)
	bad := db.Migration{ID: "0009_bad", Up: func(tx *gorm.DB) error { return tx.Exec("THIS IS NOT SQL").Error }}
	if _, err := db.Migrate(context.Background(), gdb, []db.Migration{bad}); err == nil {
		t.Fatal("bad migration succeeded")
	}
	var n int64
	gdb.Table("schema_migrations").Where("id = ?", "0009_bad").Count(&n)
	if n != 0 {
		t.Fatal("failed migration recorded as applied")
	}
}

func TestMySQLDSNAddsOptions(t *testing.T) {
	t.Parallel()
	got := db.MySQLDSN("u:p@tcp(h:3306)/college")
	for _, want := range []string{"parseTime=true", "charset=utf8mb4", "loc=UTC", "timeout=5s", "readTimeout=60s", "writeTimeout=60s"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %s", got, want)
		}
	}
	if got := db.MySQLDSN("u@tcp(h)/c?loc=Local&readTimeout=5m"); !strings.Contains(got, "loc=Local") || !strings.Contains(got, "readTimeout=5m") {
		t.Errorf("explicit option overridden: %s", got)
	}
}
