package db

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Migration is one versioned schema change. IDs sort in the order they apply,
// e.g. "0001_identity". Up must use frozen copies of the models it creates, so
// that later changes to a module's models cannot rewrite history.
type Migration struct {
	ID string
	Up func(tx *gorm.DB) error
}

type schemaMigration struct {
	ID        string    `gorm:"primaryKey;size:100"`
	AppliedAt time.Time `gorm:"not null"`
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrate applies the migrations that have not run yet, in ID order, and
// records each. It refuses to run when the database has migrations this
// binary does not know (a downgrade).
func Migrate(ctx context.Context, gdb *gorm.DB, all []Migration) (applied []string, err error) {
	gdb = gdb.WithContext(ctx)
	if err := gdb.AutoMigrate(&schemaMigration{}); err != nil {
		return nil, fmt.Errorf("db: migrations table: %w", err)
	}
	sorted := append([]Migration(nil), all...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	known := make(map[string]bool, len(sorted))
	for i, m := range sorted {
		if known[m.ID] {
			return nil, fmt.Errorf("db: duplicate migration %s", m.ID)
		}
		known[m.ID] = true
		_ = i
	}
	var done []schemaMigration
	if err := gdb.Find(&done).Error; err != nil {
		return nil, fmt.Errorf("db: read migrations: %w", err)
	}
	doneSet := make(map[string]bool, len(done))
	for _, d := range done {
		if !known[d.ID] {
			return nil, fmt.Errorf("db: database has migration %s unknown to this binary; refusing to downgrade", d.ID)
		}
		doneSet[d.ID] = true
	}
	for _, m := range sorted {
		if doneSet[m.ID] {
			continue
		}
		err := gdb.Transaction(func(tx *gorm.DB) error {
			if err := m.Up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{ID: m.ID, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return applied, fmt.Errorf("db: migration %s: %w", m.ID, err)
		}
		applied = append(applied, m.ID)
	}
	return applied, nil
}
