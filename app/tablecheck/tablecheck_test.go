// Package tablecheck_test holds the rule that each table has one owner: only
// the module whose migrations create a table may name it in SQL. Other modules
// reach it through the owner's service or a small interface that app/ wires.
package tablecheck_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"college/modules/assess"
	"college/modules/audit"
	"college/modules/bases"
	"college/modules/catalog"
	"college/modules/exam"
	"college/modules/faculty"
	"college/modules/followup"
	"college/modules/hours"
	"college/modules/identity"
	"college/modules/learning"
	"college/modules/notify"
	"college/modules/portal"
	"college/modules/programs"
	"college/modules/reports"
	"college/modules/settings"
	"college/modules/sites"
	"college/modules/throughtrain"
	"college/modules/training"
	"college/storage/db"

	"gorm.io/gorm"
)

// known lists the places that still name another module's table, as
// "dir/file.go: table". It may only shrink: an entry that no longer occurs
// fails the test, so a fixed place cannot silently come back.
var known = map[string]bool{}

// shared are the places outside the owner allowed to name a table: the one
// org-subtree helper every module's scoping goes through.
var shared = map[string]bool{
	"modules/web/scope.go: orgs": true,
	// The fault-injection run reads, read-only, the ground truth it compares
	// every acknowledged request with; it is a checker outside the college,
	// not a module.
	"app/chaos/verify.go: attempts":         true,
	"app/chaos/verify.go: hour_entries":     true,
	"app/chaos/verify.go: lesson_progress":  true,
	"app/chaos/verify.go: registrations":    true,
	"app/chaos/verify.go: training_classes": true,
}

// owners applies every module's migrations in order on a fresh SQLite
// database and records which module created each table.
func owners(t *testing.T) map[string]string {
	t.Helper()
	mods := map[string][]db.Migration{
		"identity": identity.Migrations(), "settings": settings.Migrations(), "audit": audit.Migrations(),
		"hours": hours.Migrations(), "catalog": catalog.Migrations(), "learning": learning.Migrations(),
		"exam": exam.Migrations(), "notify": notify.Migrations(), "training": training.Migrations(),
		"assess": assess.Migrations(), "followup": followup.Migrations(), "portal": portal.Migrations(),
		"reports":      reports.Migrations(),
		"sites":        sites.Migrations(),
		"bases":        bases.Migrations(),
		"faculty":      faculty.Migrations(),
		"throughtrain": throughtrain.Migrations(),
		"programs":     programs.Migrations(),
	}
	type step struct {
		module string
		m      db.Migration
	}
	var steps []step
	for mod, ms := range mods {
		for _, m := range ms {
			steps = append(steps, step{mod, m})
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].m.ID < steps[j].m.ID })
	gdb, err := db.Open(db.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "owners.db")}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(gdb) })
	gdb = gdb.WithContext(context.Background())
	owner := map[string]string{}
	for _, s := range steps {
		if err := gdb.Transaction(func(tx *gorm.DB) error { return s.m.Up(tx) }); err != nil {
			t.Fatalf("migration %s: %v", s.m.ID, err)
		}
		var names []string
		if err := gdb.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(&names).Error; err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if _, ok := owner[n]; !ok {
				owner[n] = s.module
			}
		}
	}
	if len(owner) < 20 {
		t.Fatalf("only %d tables found: %v", len(owner), owner)
	}
	return owner
}

// sqlTable finds table names after the SQL words that introduce one.
var sqlTable = regexp.MustCompile("(?i)\\b(?:from|join|into|update|table|exists)\\s+[`\"]?([a-z_][a-z0-9_]*)")

// named returns the tables a Go file names in its string literals: in SQL
// text, or as the argument of a .Table(...) call.
func named(t *testing.T, path string, tables map[string]string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Table" && len(x.Args) > 0 {
				if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					if fields := strings.Fields(s); len(fields) > 0 && tables[fields[0]] != "" {
						out[fields[0]] = true
					}
				}
			}
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(x.Value)
			if err != nil {
				return true
			}
			for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
				if name := strings.ToLower(m[1]); tables[name] != "" {
					out[name] = true
				}
			}
		}
		return true
	})
	return out
}

// violations lists "dir/file.go: table" for every non-test Go file under
// modules/ and app/ that names a table its own module did not create. Test
// support packages (collegetest) are test code: they may look at any table.
func violations(t *testing.T, root string, owner map[string]string) []string {
	t.Helper()
	var out []string
	for _, top := range []string{"modules", "app"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && strings.HasSuffix(d.Name(), "test") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			mod := ""
			if parts := strings.Split(rel, "/"); parts[0] == "modules" && len(parts) > 2 {
				mod = parts[1]
			}
			for table := range named(t, path, owner) {
				if owner[table] == mod {
					continue
				}
				if v := rel + ": " + table; !shared[v] {
					out = append(out, v)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

func TestEachTableHasOneOwner(t *testing.T) {
	owner := owners(t)
	found := violations(t, filepath.Join("..", ".."), owner)
	seen := map[string]bool{}
	for _, v := range found {
		seen[v] = true
		if !known[v] {
			table := v[strings.LastIndex(v, " ")+1:]
			t.Errorf("%s names table %q of module %s; call that module's service or an interface app/ wires", v[:strings.Index(v, ":")], table, owner[table])
		}
	}
	for v := range known {
		if !seen[v] {
			t.Errorf("%s no longer occurs: remove it from the known list", v)
		}
	}
}

// TestCheckSeesSQL keeps the scanner honest: it must see a table in SQL and
// in a .Table call, and ignore the same word outside SQL.
func TestCheckSeesSQL(t *testing.T) {
	dir := t.TempDir()
	src := "package x\nfunc f(q interface{ Table(string) }) {\n" +
		"\t_ = \"SELECT id FROM orgs WHERE path LIKE ?\"\n" +
		"\tq.Table(\"courses c\")\n" +
		"\t_ = \"exams\"\n}\n"
	path := filepath.Join(dir, "x.go")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := named(t, path, map[string]string{"orgs": "identity", "courses": "catalog", "exams": "exam"})
	if !got["orgs"] || !got["courses"] || got["exams"] || len(got) != 2 {
		t.Fatalf("named = %v, want orgs and courses", got)
	}
}
