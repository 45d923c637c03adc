// Package dbtest gives each test a fresh, migrated database: SQLite in a
// temporary folder by default, or a new database on the MySQL/MariaDB server
// named by COLLEGE_TEST_MYSQL_DSN.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"college/storage/db"

	"gorm.io/gorm"
)

// EnvMySQL names the server-level DSN used for MySQL test databases.
const EnvMySQL = "COLLEGE_TEST_MYSQL_DSN"

// New returns a fresh database with the given migrations applied. It is
// dropped when the test ends.
func New(t testing.TB, migrations ...db.Migration) *gorm.DB {
	t.Helper()
	cfg := Config(t)
	gdb, err := db.Open(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close(gdb) })
	if _, err := db.Migrate(context.Background(), gdb, migrations); err != nil {
		t.Fatalf("dbtest: migrate: %v", err)
	}
	return gdb
}

// Config creates an empty database and returns the config that opens it.
func Config(t testing.TB) db.Config {
	t.Helper()
	server := os.Getenv(EnvMySQL)
	if server == "" {
		return db.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "test.db")}
	}
	name := "college_t_" + randomHex(6)
	admin, err := gorm.Open(mysqlDialector(server), &gorm.Config{})
	if err != nil {
		t.Fatalf("dbtest: connect %s: %v", EnvMySQL, err)
	}
	if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP DATABASE IF EXISTS " + name).Error
		_ = db.Close(admin)
	})
	return db.Config{Driver: "mysql", DSN: withDatabase(server, name), MaxOpenConns: 16}
}

// Driver reports which database the tests run on.
func Driver() string {
	if os.Getenv(EnvMySQL) != "" {
		return "mysql"
	}
	return "sqlite"
}

func withDatabase(dsn, name string) string {
	base, query, _ := strings.Cut(dsn, "?")
	if i := strings.LastIndex(base, "/"); i >= 0 {
		base = base[:i]
	}
	out := base + "/" + name
	if query != "" {
		out += "?" + query
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("dbtest: random: %v", err))
	}
	return hex.EncodeToString(b)
}
