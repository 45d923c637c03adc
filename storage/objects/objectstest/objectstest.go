// Package objectstest gives each test its own object store: a temporary
// folder by default, or a fresh bucket on the MinIO named by
// COLLEGE_TEST_S3_ENDPOINT, removed when the test ends.
package objectstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"college/storage/objects"

	"github.com/minio/minio-go/v7"
)

// Environment variables naming a real S3-compatible store for tests.
const (
	EnvEndpoint  = "COLLEGE_TEST_S3_ENDPOINT"
	EnvAccessKey = "COLLEGE_TEST_S3_ACCESS_KEY"
	EnvSecretKey = "COLLEGE_TEST_S3_SECRET_KEY"
	EnvSecure    = "COLLEGE_TEST_S3_SECURE"
)

// Local returns a store in a temporary folder.
func Local(t testing.TB) *objects.Local {
	t.Helper()
	s, err := objects.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// MinIOConfig returns the test MinIO settings with a fresh bucket name, or
// ok=false when no MinIO is configured.
func MinIOConfig() (cfg objects.MinIOConfig, ok bool) {
	ep := os.Getenv(EnvEndpoint)
	if ep == "" {
		return cfg, false
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return objects.MinIOConfig{
		Endpoint:  ep,
		AccessKey: os.Getenv(EnvAccessKey),
		SecretKey: os.Getenv(EnvSecretKey),
		Secure:    os.Getenv(EnvSecure) == "true",
		Bucket:    "college-test-" + hex.EncodeToString(b),
	}, true
}

// MinIO returns a store on a fresh bucket, or skips the test with the reason
// when COLLEGE_TEST_S3_ENDPOINT is unset.
func MinIO(t testing.TB) *objects.MinIO {
	t.Helper()
	cfg, ok := MinIOConfig()
	if !ok {
		t.Skip("MinIO tests skipped: " + EnvEndpoint + " is not set")
	}
	return openMinIO(t, cfg)
}

// New returns the MinIO store when configured, the local one otherwise.
func New(t testing.TB) objects.Store {
	t.Helper()
	if cfg, ok := MinIOConfig(); ok {
		return openMinIO(t, cfg)
	}
	return Local(t)
}

func openMinIO(t testing.TB, cfg objects.MinIOConfig) *objects.MinIO {
	ctx := context.Background()
	s, err := objects.NewMinIO(ctx, cfg)
	if err != nil {
		t.Fatalf("objectstest: %v", err)
	}
	t.Cleanup(func() {
		c := s.Client()
		for obj := range c.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
			_ = c.RemoveObject(ctx, cfg.Bucket, obj.Key, minio.RemoveObjectOptions{})
		}
		_ = c.RemoveBucket(ctx, cfg.Bucket)
	})
	return s
}
