// Package db opens the relational database (SQLite or MySQL/MariaDB) through GORM
// and applies the versioned migrations of every module.
package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Config selects and tunes the database.
type Config struct {
	Driver          string        // "sqlite" or "mysql"
	DSN             string        // for sqlite: a file path (empty: DataDir/college.db)
	DataDir         string        // where the SQLite file lives by default
	MaxOpenConns    int           // MySQL pool size
	MaxIdleConns    int           // MySQL idle connections
	ConnMaxLifetime time.Duration // MySQL connection recycling
	SlowThreshold   time.Duration // queries slower than this are logged
}

// Open connects to the configured database. SQLite runs in WAL mode with a busy
// timeout and a single connection, so writes are serialized and never fail with
// "database is locked".
func Open(cfg Config, log *slog.Logger) (*gorm.DB, error) {
	gcfg := &gorm.Config{
		Logger:                                   newLogger(log, cfg.SlowThreshold),
		NowFunc:                                  func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
	}
	switch cfg.Driver {
	case "", "sqlite":
		path := cfg.DSN
		if path == "" {
			dir := cfg.DataDir
			if dir == "" {
				dir = "data"
			}
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("db: create data dir: %w", err)
			}
			path = filepath.Join(dir, "college.db")
		}
		gdb, err := gorm.Open(sqlite.Open(SQLiteDSN(path)), gcfg)
		if err != nil {
			return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
		}
		sqlDB, err := gdb.DB()
		if err != nil {
			return nil, err
		}
		// One connection: SQLite allows one writer, and a single connection turns
		// concurrent writers into a queue instead of SQLITE_BUSY errors.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
		return gdb, nil
	case "mysql":
		gdb, err := gorm.Open(mysql.Open(MySQLDSN(cfg.DSN)), gcfg)
		if err != nil {
			return nil, fmt.Errorf("db: open mysql: %w", err)
		}
		sqlDB, err := gdb.DB()
		if err != nil {
			return nil, err
		}
		maxOpen := cfg.MaxOpenConns
		if maxOpen <= 0 {
			maxOpen = 32
		}
		maxIdle := cfg.MaxIdleConns
		if maxIdle <= 0 {
			maxIdle = maxOpen
		}
		life := cfg.ConnMaxLifetime
		if life <= 0 {
			life = 30 * time.Minute
		}
		sqlDB.SetMaxOpenConns(maxOpen)
		sqlDB.SetMaxIdleConns(maxIdle)
		sqlDB.SetConnMaxLifetime(life)
		return gdb, nil
	default:
		return nil, fmt.Errorf("db: unknown driver %q", cfg.Driver)
	}
}

// SQLiteDSN adds the pragmas the college needs to a SQLite file path.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// MySQLDSN makes sure the options the college relies on are present: UTC times
// parsed into time.Time and utf8mb4.
func MySQLDSN(dsn string) string {
	base, query, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return dsn
	}
	if q.Get("parseTime") == "" {
		q.Set("parseTime", "true")
	}
	if q.Get("charset") == "" {
		q.Set("charset", "utf8mb4")
	}
	if q.Get("loc") == "" {
		q.Set("loc", "UTC")
	}
	if q.Get("interpolateParams") == "" {
		// One round trip per statement instead of prepare, execute and
		// close: batched upserts carry thousands of parameters.
		q.Set("interpolateParams", "true")
	}
	if q.Get("collation") == "" {
		q.Set("collation", "utf8mb4_unicode_ci")
	}
	// A database that stops answering fails a call instead of holding it
	// (and its pool connection) for ever: 5 s to connect, 60 s per read or
	// write of the connection (a report's long query still fits).
	for k, v := range map[string]string{"timeout": "5s", "readTimeout": "60s", "writeTimeout": "60s"} {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	return base + "?" + q.Encode()
}

// Ping checks that the database answers.
func Ping(ctx context.Context, gdb *gorm.DB) error {
	sqlDB, err := gdb.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connection pool.
func Close(gdb *gorm.DB) error {
	sqlDB, err := gdb.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// IsDuplicate reports whether err is a unique-key violation on either dialect.
func IsDuplicate(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// IsMySQL reports whether gdb talks to MySQL/MariaDB.
func IsMySQL(gdb *gorm.DB) bool { return gdb.Dialector.Name() == "mysql" }

type slogLogger struct {
	log  *slog.Logger
	slow time.Duration
}

// hideRecordedValues makes gorm's recorder (Scan runs its query through it
// and hands us the SQL it recorded) keep the SQL shape without values.
var hideRecordedValues sync.Once

func newLogger(log *slog.Logger, slow time.Duration) logger.Interface {
	hideRecordedValues.Do(func() {
		logger.RecorderParamsFilter = func(_ context.Context, sql string, _ ...any) (string, []any) { return sql, nil }
	})
	if log == nil {
		log = slog.Default()
	}
	if slow <= 0 {
		slow = 500 * time.Millisecond
	}
	return &slogLogger{log: log, slow: slow}
}

// ParamsFilter drops the values bound to a statement before gorm explains
// it for Trace: slow-query lines show placeholders, never ID numbers,
// password hashes or tokens.
func (l *slogLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

func (l *slogLogger) LogMode(logger.LogLevel) logger.Interface     { return l }
func (l *slogLogger) Info(context.Context, string, ...interface{}) {}
func (l *slogLogger) Warn(ctx context.Context, msg string, args ...interface{}) {
	l.log.WarnContext(ctx, "db: "+fmt.Sprintf(msg, args...))
}
func (l *slogLogger) Error(ctx context.Context, msg string, args ...interface{}) {
	l.log.ErrorContext(ctx, "db: "+fmt.Sprintf(msg, args...))
}
func (l *slogLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	if elapsed >= l.slow {
		sql, rows := fc()
		l.log.WarnContext(ctx, "db: slow query", "ms", elapsed.Milliseconds(), "rows", rows, "sql", sql)
	}
	_ = err // errors are returned to and handled by the caller
}
