package college

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"college/storage/keyring"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
)

// Config is the whole configuration: defaults below, then the YAML file, then
// COLLEGE_* environment variables.
type Config struct {
	Addr          string `koanf:"addr"`
	DataDir       string `koanf:"data_dir"`
	CollegeName   string `koanf:"college_name"`
	AdminPassword string `koanf:"admin_password"`
	// The other two built-in administrators' first passwords (三员分立).
	SecAdminPassword string        `koanf:"secadmin_password"`
	AuditorPassword  string        `koanf:"auditor_password"`
	Auth             AuthConfig    `koanf:"auth"`
	SecretKey        string        `koanf:"secret_key"`
	SecureCookies    bool          `koanf:"secure_cookies"`
	TrustedProxies   []string      `koanf:"trusted_proxies"`
	LogLevel         string        `koanf:"log_level"`
	ShutdownTimeout  time.Duration `koanf:"shutdown_timeout"`
	// RequestTimeout bounds the work of one request (its database, Redis
	// and store calls); LongRequestTimeout that of exports (uploads and
	// imports, streamed at the client's pace, have none). Past it the
	// request answers 503 rather than waiting on a stalled dependency.
	RequestTimeout     time.Duration `koanf:"request_timeout"`
	LongRequestTimeout time.Duration `koanf:"long_request_timeout"`
	AutoMigrate        bool          `koanf:"auto_migrate"`
	DB                 DBConfig      `koanf:"db"`
	Redis              RedisConfig   `koanf:"redis"`
	S3                 S3Config      `koanf:"s3"`
	Crypto             CryptoConfig  `koanf:"crypto"`

	// HTTPS says the college is reached over TLS (at the proxy or here):
	// HSTS is sent and cookies are Secure.
	HTTPS bool `koanf:"https"`
	// PublicURL is the scheme://host[:port] of links, QR codes and
	// certificates; empty derives it from addr (see BaseURL).
	PublicURL string `koanf:"public_url"`
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string `koanf:"metrics_token"`
	// MetricsAddr, when set, serves /metrics on its own listener only.
	MetricsAddr string `koanf:"metrics_addr"`
}

// CryptoConfig selects the cryptography of personal data at rest and of the
// audit chain.
type CryptoConfig struct {
	National  bool   `koanf:"national"`   // SM4-GCM and HMAC-SM3 (GB/T 39786) instead of AES-GCM and HMAC-SHA256
	Keys      string `koanf:"keys"`       // more data keys, "2:<hex>,3:<hex>"; key files in <data_dir>/keys too
	ActiveKey int    `koanf:"active_key"` // the key that seals; key 1 is derived from secret_key
}

// AuthConfig holds login rules fixed at deployment, not editable in the app.
type AuthConfig struct {
	// AdminMFA requires a second factor (TOTP) of every administrator.
	AdminMFA bool `koanf:"admin_mfa"`
}

// DBConfig selects the database.
type DBConfig struct {
	Driver       string `koanf:"driver"`
	DSN          string `koanf:"dsn"`
	MaxOpenConns int    `koanf:"max_open_conns"`
	MaxIdleConns int    `koanf:"max_idle_conns"`
}

// RedisConfig selects Redis; an empty address runs the embedded server.
type RedisConfig struct {
	Addr       string `koanf:"addr"` // comma-separated for Sentinel or Cluster
	MasterName string `koanf:"master_name"`
	Password   string `koanf:"password"`
	DB         int    `koanf:"db"`
	Prefix     string `koanf:"prefix"`
}

// S3Config selects the object store; an empty endpoint uses local disk.
type S3Config struct {
	Endpoint  string `koanf:"endpoint"`
	AccessKey string `koanf:"access_key"`
	SecretKey string `koanf:"secret_key"`
	Bucket    string `koanf:"bucket"`
	Secure    bool   `koanf:"secure"`
	Region    string `koanf:"region"`
	Redirect  bool   `koanf:"redirect"` // stream media by a short-lived presigned redirect
}

// DefaultConfig is the embedded, zero-setup configuration.
func DefaultConfig() Config {
	return Config{
		Addr:               ":8080",
		DataDir:            "./data",
		CollegeName:        "干部网络学院",
		LogLevel:           "info",
		ShutdownTimeout:    15 * time.Second,
		RequestTimeout:     10 * time.Second,
		LongRequestTimeout: 5 * time.Minute,
		AutoMigrate:        true,
		DB:                 DBConfig{Driver: "sqlite", MaxOpenConns: 32},
		Redis:              RedisConfig{Prefix: "college:"},
		S3:                 S3Config{Bucket: "college"},
		Auth:               AuthConfig{AdminMFA: true},
		Crypto:             CryptoConfig{ActiveKey: 1},
	}
}

// envSections are the nested sections reachable as COLLEGE_<SECTION>_<KEY>.
var envSections = []string{"db_", "redis_", "s3_", "crypto_", "auth_"}

// LoadConfig reads the defaults, the YAML file (path, or configs/college.yaml
// when present) and the environment, then validates. Errors name the key.
func LoadConfig(path string, environ []string) (Config, error) {
	k := koanf.New(".")
	if err := k.Load(structs.Provider(DefaultConfig(), "koanf"), nil); err != nil {
		return Config{}, err
	}
	explicit := path != ""
	if path == "" {
		path = "configs/college.yaml"
	}
	if _, err := os.Stat(path); err == nil {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config: %s: %v", path, oneLine(err))
		}
	} else if explicit {
		return Config{}, fmt.Errorf("config: --config %s: file not found", path)
	}
	envMap := map[string]string{}
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "COLLEGE_") || strings.HasPrefix(name, "COLLEGE_TEST_") {
			continue
		}
		envMap[name] = val
	}
	m := map[string]any{}
	for name, value := range envMap {
		key := strings.ToLower(strings.TrimPrefix(name, "COLLEGE_"))
		for _, s := range envSections {
			if strings.HasPrefix(key, s) {
				key = strings.TrimSuffix(s, "_") + "." + strings.TrimPrefix(key, s)
				break
			}
		}
		if key == "trusted_proxies" {
			m[key] = strings.Split(value, ",")
			continue
		}
		m[key] = value
	}
	if err := k.Load(confmap.Provider(m, "."), nil); err != nil {
		return Config{}, fmt.Errorf("config: environment: %v", oneLine(err))
	}
	var cfg Config
	if err := k.UnmarshalWithConf("", &cfg, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return Config{}, fmt.Errorf("config: %s", describeDecodeError(err))
	}
	return cfg, cfg.Validate()
}

// Validate checks the values that would otherwise fail later and obscurely.
func (c *Config) Validate() error {
	switch c.DB.Driver {
	case "sqlite":
	case "mysql":
		if c.DB.DSN == "" {
			return errors.New("config: db.dsn (COLLEGE_DB_DSN) is required when db.driver is mysql")
		}
		if c.SecretKey == "" {
			return errors.New("config: secret_key (COLLEGE_SECRET_KEY) is required with mysql: every instance must share it")
		}
	default:
		return fmt.Errorf("config: db.driver (COLLEGE_DB_DRIVER) must be sqlite or mysql, not %q", c.DB.Driver)
	}
	if c.Addr == "" {
		return errors.New("config: addr (COLLEGE_ADDR) is empty")
	}
	if c.Redis.DB < 0 || c.Redis.DB > 15 {
		return fmt.Errorf("config: redis.db (COLLEGE_REDIS_DB) must be 0..15, not %d", c.Redis.DB)
	}
	if c.S3.Endpoint != "" && (c.S3.AccessKey == "" || c.S3.SecretKey == "" || c.S3.Bucket == "") {
		return errors.New("config: s3.access_key, s3.secret_key and s3.bucket (COLLEGE_S3_ACCESS_KEY, COLLEGE_S3_SECRET_KEY, COLLEGE_S3_BUCKET) are required with s3.endpoint")
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return errors.New("config: secret_key (COLLEGE_SECRET_KEY) must be at least 32 characters (e.g. 64 hex digits)")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log_level (COLLEGE_LOG_LEVEL) must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.Crypto.ActiveKey < 1 {
		return errors.New("config: crypto.active_key (COLLEGE_CRYPTO_ACTIVE_KEY) must be 1 or the id of a configured key")
	}
	if _, err := keyring.ParseSpec(c.Crypto.Keys); err != nil {
		return fmt.Errorf("config: crypto.keys (COLLEGE_CRYPTO_KEYS): %v", err)
	}
	if c.ShutdownTimeout <= 0 {
		return errors.New("config: shutdown_timeout (COLLEGE_SHUTDOWN_TIMEOUT) must be positive, e.g. 15s")
	}
	if c.RequestTimeout <= 0 || c.LongRequestTimeout < c.RequestTimeout {
		return errors.New("config: request_timeout (COLLEGE_REQUEST_TIMEOUT) must be positive, e.g. 10s, and long_request_timeout (COLLEGE_LONG_REQUEST_TIMEOUT) at least as long, e.g. 5m")
	}
	if err := c.validateWeb(); err != nil {
		return err
	}
	return nil
}

// validateWeb checks the public URL and the metrics settings.
func (c *Config) validateWeb() error {
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(c.PublicURL, "?") || strings.HasSuffix(c.PublicURL, "#") {
			return fmt.Errorf("config: public_url (COLLEGE_PUBLIC_URL) must be an absolute http or https URL without path, query or fragment, e.g. https://college.example.gov.cn, not %q", c.PublicURL)
		}
		if c.HTTPS && u.Scheme != "https" {
			return errors.New("config: public_url (COLLEGE_PUBLIC_URL) must be https:// when https (COLLEGE_HTTPS) is on")
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return errors.New("config: metrics_token (COLLEGE_METRICS_TOKEN) must be at least 16 characters")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("config: metrics_addr (COLLEGE_METRICS_ADDR) must be host:port, e.g. 127.0.0.1:9090, not %q", c.MetricsAddr)
		}
		if _, port, _ := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr == c.Addr && port != "0" {
			return errors.New("config: metrics_addr (COLLEGE_METRICS_ADDR) must differ from addr (COLLEGE_ADDR)")
		}
	}
	return nil
}

// BaseURL is the college's public address without a trailing slash:
// public_url, or http(s)://localhost:<port of addr> (the host of addr when
// it names one) so that a laptop demo works unconfigured.
func (c *Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	scheme, defaultPort := "http", "80"
	if c.HTTPS {
		scheme, defaultPort = "https", "443"
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return scheme + "://localhost"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	if port == defaultPort {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// Secret returns the secret key, creating one in the data folder on first
// use when none is configured (embedded mode).
func (c *Config) Secret() ([]byte, error) {
	if c.SecretKey != "" {
		return []byte(c.SecretKey), nil
	}
	path := filepath.Join(c.DataDir, "secret.key")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("config: create data dir: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("config: write %s: %w", path, err)
	}
	return []byte(key), nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// describeDecodeError turns a mapstructure error into one line naming the
// key and its environment variable.
func describeDecodeError(err error) string {
	msg := oneLine(err)
	if i := strings.Index(msg, "'"); i >= 0 {
		if j := strings.Index(msg[i+1:], "'"); j > 0 {
			key := msg[i+1 : i+1+j]
			envName := "COLLEGE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
			return fmt.Sprintf("%s (%s): invalid value: %s", key, envName, msg)
		}
	}
	return msg
}
