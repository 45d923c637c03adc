package main

import (
	"college/app/collegetest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Every exempt or pending entry names a mutating route that exists; with
// $COLLEGE_AUDIT_SWEEP_DIR (set by .ci/run around the whole test run), every
// mutating route has succeeded under the observer somewhere in the suite.
func TestEveryMutatingRouteIsAudited(t *testing.T) {
	a := collegetest.New(t)
	var all []string
	for _, r := range a.Fiber.GetRoutes(true) {
		if collegetest.Mutating(r.Method) {
			all = append(all, r.Method+" "+r.Path)
		}
	}
	for r := range collegetest.AuditExempt {
		if !slices.Contains(all, r) {
			t.Errorf("exempt route %s does not exist", r)
		}
	}
	for r := range collegetest.AuditPending {
		if !slices.Contains(all, r) {
			t.Errorf("pending route %s does not exist", r)
		}
	}
	dir := os.Getenv("COLLEGE_AUDIT_SWEEP_DIR")
	if dir == "" || os.Getenv("COLLEGE_AUDIT_SWEEP_CHECK") == "" {
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "seen-*.txt"))
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			seen[l] = true
		}
	}
	var missing []string
	for _, r := range all {
		if !seen[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d mutating routes never succeeded under the audit observer in %d test processes:\n%s", len(missing), len(all), len(files), strings.Join(missing, "\n"))
	}
}
