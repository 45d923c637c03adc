package db

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
)

type wrapper struct{ cause error }

func (w *wrapper) Error() string { return "wrapped: " + w.cause.Error() }
func (w *wrapper) Unwrap() error { return w.cause }

func TestRetryable(t *testing.T) {
	t.Parallel()
	dl := &mysql.MySQLError{Number: 1213, Message: "Deadlock found"}
	for _, err := range []error{dl, fmt.Errorf("a: %w", dl), &wrapper{fmt.Errorf("b: %w", dl)}, errors.New("database is locked (5) (SQLITE_BUSY)")} {
		if !Retryable(err) {
			t.Errorf("%v not retryable", err)
		}
	}
	for _, err := range []error{&mysql.MySQLError{Number: 1062}, errors.New("syntax error")} {
		if Retryable(err) {
			t.Errorf("%v retryable", err)
		}
	}
}
