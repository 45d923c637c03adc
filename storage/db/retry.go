package db

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// Retryable reports whether a transaction failed only because it collided
// with another one (MySQL/TiDB deadlock or lock wait timeout, SQLite busy)
// and may simply be run again.
func Retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1213, 1205, 8002, 9007: // deadlock, lock wait timeout, TiDB write conflicts
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

// txOptions: on MySQL/MariaDB (and TiDB) short write transactions run at
// READ COMMITTED, which takes no gap locks, so concurrent inserts of
// neighbouring keys do not deadlock one another.
func txOptions(gdb *gorm.DB) *sql.TxOptions {
	if IsMySQL(gdb) {
		return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return nil
}

// Retry runs a single statement again when it collides with another
// transaction (a single statement needs no explicit transaction).
func Retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		err = fn()
		if err == nil || !Retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1)*5*time.Millisecond + time.Duration(rand.IntN(5000))*time.Microsecond):
		}
	}
	return err
}

// Transaction runs fn in a transaction, again (up to 10 times, with a short
// growing, jittered pause) when it fails with a retryable conflict. fn must be safe to
// repeat: everything it did is rolled back before the next try.
func Transaction(ctx context.Context, gdb *gorm.DB, fn func(tx *gorm.DB) error) error {
	return Retry(ctx, func() error {
		return gdb.WithContext(ctx).Transaction(fn, txOptions(gdb))
	})
}
