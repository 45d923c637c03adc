package college_test

import (
	"college/app/college"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsFileAndEnvironment(t *testing.T) {
	t.Parallel()
	cfg, err := college.LoadConfig("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8080" || cfg.DB.Driver != "sqlite" || cfg.Redis.Addr != "" || cfg.S3.Endpoint != "" || cfg.DataDir != "./data" {
		t.Fatalf("defaults = %+v", cfg)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	yaml := "addr: \":9000\"\ncollege_name: 测试学院\nredis:\n  addr: 10.0.0.1:6379\n  db: 2\nshutdown_timeout: 5s\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"COLLEGE_ADDR=:9100", "COLLEGE_DB_DRIVER=mysql", "COLLEGE_DB_DSN=u:p@tcp(db:3306)/college",
		"COLLEGE_SECRET_KEY=0123456789abcdef0123456789abcdef", "COLLEGE_S3_ENDPOINT=minio:9000",
		"COLLEGE_S3_ACCESS_KEY=ak", "COLLEGE_S3_SECRET_KEY=sk", "COLLEGE_S3_SECURE=true",
		"COLLEGE_TRUSTED_PROXIES=10.0.0.2,10.0.0.3", "COLLEGE_TEST_MYSQL_DSN=ignored", "OTHER=1",
	}
	cfg, err = college.LoadConfig(file, env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9100" || cfg.CollegeName != "测试学院" || cfg.Redis.Addr != "10.0.0.1:6379" || cfg.Redis.DB != 2 ||
		cfg.DB.Driver != "mysql" || cfg.DB.DSN != "u:p@tcp(db:3306)/college" || !cfg.S3.Secure || cfg.S3.Bucket != "college" ||
		cfg.ShutdownTimeout != 5*time.Second || strings.Join(cfg.TrustedProxies, ",") != "10.0.0.2,10.0.0.3" {
		t.Fatalf("merged config = %+v", cfg)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"COLLEGE_REDIS_DB=abc"}, "COLLEGE_REDIS_DB"},
		{[]string{"COLLEGE_REDIS_DB=99"}, "COLLEGE_REDIS_DB"},
		{[]string{"COLLEGE_DB_DRIVER=oracle"}, "COLLEGE_DB_DRIVER"},
		{[]string{"COLLEGE_DB_DRIVER=mysql"}, "COLLEGE_DB_DSN"},
		{[]string{"COLLEGE_DB_DRIVER=mysql", "COLLEGE_DB_DSN=x"}, "COLLEGE_SECRET_KEY"},
		{[]string{"COLLEGE_S3_ENDPOINT=minio:9000"}, "COLLEGE_S3_ACCESS_KEY"},
		{[]string{"COLLEGE_SECRET_KEY=short"}, "COLLEGE_SECRET_KEY"},
		{[]string{"COLLEGE_SHUTDOWN_TIMEOUT=soon"}, "COLLEGE_SHUTDOWN_TIMEOUT"},
		{[]string{"COLLEGE_S3_SECURE=maybe"}, "COLLEGE_S3_SECURE"},
		{[]string{"COLLEGE_LOG_LEVEL=loud"}, "COLLEGE_LOG_LEVEL"},
	}
	for _, c := range cases {
		_, err := college.LoadConfig("", c.env)
		if err == nil {
			t.Errorf("%v: no error", c.env)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %q should name %s on one line", c.env, err, c.want)
		}
	}
	if _, err := college.LoadConfig("/no/such/file.yaml", nil); err == nil {
		t.Error("missing --config file accepted")
	}
}

func TestSecretIsCreatedOnceInDataDir(t *testing.T) {
	t.Parallel()
	cfg := college.DefaultConfig()
	cfg.DataDir = t.TempDir()
	a, err := cfg.Secret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.Secret()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 32 || string(a) != string(b) {
		t.Fatalf("secret not stable: %q vs %q", a, b)
	}
	st, err := os.Stat(filepath.Join(cfg.DataDir, "secret.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", st, err)
	}
}

// The second-factor switch and the two other administrators' passwords come
// from the environment like every key; the second factor is on by default.
func TestAuthConfigFromEnvironment(t *testing.T) {
	cfg, err := college.LoadConfig("", nil)
	if err != nil || !cfg.Auth.AdminMFA {
		t.Fatalf("default admin_mfa = %v (%v), want true", cfg.Auth.AdminMFA, err)
	}
	cfg, err = college.LoadConfig("", []string{"COLLEGE_AUTH_ADMIN_MFA=false", "COLLEGE_SECADMIN_PASSWORD=Sec-Pass-2026x", "COLLEGE_AUDITOR_PASSWORD=Aud-Pass-2026x"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.AdminMFA || cfg.SecAdminPassword != "Sec-Pass-2026x" || cfg.AuditorPassword != "Aud-Pass-2026x" {
		t.Fatalf("config = %+v", cfg.Auth)
	}
}
