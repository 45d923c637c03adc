package throughtrain_test

import (
	"testing"

	"college/app/collegetest"
)

// TestMain runs the package's tests and leaves the routes they saw succeed
// for the audit sweep.
func TestMain(m *testing.M) { collegetest.Main(m) }
