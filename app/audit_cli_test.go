package main

import (
	"college/app/college"
	"college/app/collegetest"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// commandEnv is the environment that points the command line at a test
// app's database and secret.
func commandEnv(a *collegetest.App) []string {
	return []string{"COLLEGE_DATA_DIR=" + a.Config().DataDir, "COLLEGE_SECRET_KEY=" + a.Config().SecretKey,
		"COLLEGE_DB_DRIVER=" + a.Config().DB.Driver, "COLLEGE_DB_DSN=" + a.Config().DB.DSN, "COLLEGE_LOG_LEVEL=error"}
}

// `college audit verify` passes on an untouched log, and exits with an
// error naming the row after a detail is edited, and after a row is deleted.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	for i := 0; i < 3; i++ {
		collegetest.MustStatus(t, a.Do("POST", "/api/v1/orgs", c.Tokens["admin"], map[string]any{"name": fmt.Sprintf("单位%d", i), "code": fmt.Sprintf("V%d", i), "kind": "unit"}), 201)
	}
	env := commandEnv(a)
	if err := run([]string{"audit", "verify"}, env); err != nil {
		t.Fatalf("untouched log: %v", err)
	}
	if n := a.Count("audit_logs", "seq IS NULL"); n != 0 {
		t.Fatalf("%d rows left unsealed by verify", n)
	}
	var seq uint64
	a.DB.Table("audit_logs").Where("action = ?", "org.create").Order("seq").Limit(1).Pluck("seq", &seq)
	if err := a.DB.Exec("UPDATE audit_logs SET detail = ? WHERE seq = ?", `{"name":"改过的"}`, seq).Error; err != nil {
		t.Fatal(err)
	}
	err := run([]string{"audit", "verify"}, env)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("seq %d", seq)) {
		t.Fatalf("edited detail: %v", err)
	}

	// Another log, with a row deleted.
	b := collegetest.New(t)
	collegetest.NewCity(b)
	if err := run([]string{"audit", "verify"}, commandEnv(b)); err != nil {
		t.Fatal(err)
	}
	if err := b.DB.Exec("DELETE FROM audit_logs WHERE seq = 3").Error; err != nil {
		t.Fatal(err)
	}
	err = run([]string{"audit", "verify"}, commandEnv(b))
	if err == nil || !strings.Contains(err.Error(), "seq 3") || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("deleted row: %v", err)
	}
}

// No route writes to the audit log's records: it is read through GET only.
func TestNoRouteEditsTheAuditLog(t *testing.T) {
	t.Parallel()
	a := collegetest.New(t)
	found := 0
	for _, r := range a.Fiber.GetRoutes(true) {
		if !strings.Contains(r.Path, "audit") {
			continue
		}
		found++
		if r.Method != "GET" && r.Method != "HEAD" {
			t.Errorf("%s %s changes the audit log", r.Method, r.Path)
		}
	}
	if found == 0 {
		t.Fatal("no audit routes found")
	}
}

// crypto.* come from the file or COLLEGE_CRYPTO_*; keys are checked.
func TestCryptoConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, err := college.LoadConfig("", []string{"COLLEGE_DATA_DIR=" + dir, "COLLEGE_CRYPTO_NATIONAL=true", "COLLEGE_CRYPTO_KEYS=2:" + strings.Repeat("ab", 32), "COLLEGE_CRYPTO_ACTIVE_KEY=2"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Crypto.National || cfg.Crypto.ActiveKey != 2 {
		t.Fatalf("crypto config %+v", cfg.Crypto)
	}
	ring, err := cfg.Keyring([]byte(strings.Repeat("s", 32)))
	if err != nil || ring.Describe() != "sm:2" {
		t.Fatalf("ring %v %v", ring, err)
	}
	if d := college.DefaultConfig(); d.Crypto.National || d.Crypto.ActiveKey != 1 {
		t.Fatalf("defaults %+v", d.Crypto)
	}
	for _, env := range [][]string{
		{"COLLEGE_CRYPTO_KEYS=2:abcd"},
		{"COLLEGE_CRYPTO_ACTIVE_KEY=0"},
		{"COLLEGE_CRYPTO_NATIONAL=perhaps"},
	} {
		if _, err := college.LoadConfig("", append(env, "COLLEGE_DATA_DIR="+dir)); err == nil || !strings.Contains(err.Error(), "COLLEGE_CRYPTO_") {
			t.Errorf("%v: %v", env, err)
		}
	}
	// An active key that is nowhere to be found is refused at start.
	cfg, _ = college.LoadConfig("", []string{"COLLEGE_DATA_DIR=" + dir, "COLLEGE_CRYPTO_ACTIVE_KEY=3"})
	if _, err := cfg.Keyring([]byte(strings.Repeat("s", 32))); err == nil {
		t.Fatal("a missing active key was accepted")
	}
	// `college keys generate` writes key 2 into the data folder, readable by
	// the owner only, and the ring then takes it.
	if err := run([]string{"keys", "generate"}, []string{"COLLEGE_DATA_DIR=" + dir, "COLLEGE_LOG_LEVEL=error"}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "keys", "2.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	cfg, _ = college.LoadConfig("", []string{"COLLEGE_DATA_DIR=" + dir, "COLLEGE_CRYPTO_ACTIVE_KEY=2"})
	if ring, err := cfg.Keyring([]byte(strings.Repeat("s", 32))); err != nil || ring.Describe() != "std:2" {
		t.Fatalf("ring with the generated key: %v %v", ring, err)
	}
}

// The audit page shows each entry's place in the chain, or that it is
// about to be sealed.
func TestAuditPageShowsChainPlace(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	page := string(a.Do("GET", "/admin/audit?action=login", c.Tokens["aud"], nil).Body)
	if !strings.Contains(page, "链序号") || !strings.Contains(page, "待封存") {
		t.Fatalf("unsealed entries not marked: %.300s", page)
	}
	if _, err := a.Audit.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	page = string(a.Do("GET", "/admin/audit?action=login&page_size=100", c.Tokens["aud"], nil).Body)
	if strings.Contains(page, "待封存") || !regexp.MustCompile(`data-label="链序号" class="num nowrap">\d+<`).MatchString(page) {
		t.Fatalf("sealed entries: no chain place shown")
	}
	if strings.Contains(page, "0xc") {
		t.Fatal("a pointer printed")
	}
}
