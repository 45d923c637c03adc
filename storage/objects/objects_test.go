package objects_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"college/storage/objects"
	"college/storage/objects/objectstest"

	"github.com/minio/minio-go/v7"
)

// contract is what every store must do the same way.
func contract(t *testing.T, s objects.Store) {
	ctx := context.Background()
	data := make([]byte, 3<<20+17)
	rand.New(rand.NewSource(7)).Read(data)

	info, err := s.Put(ctx, "media/a/video.mp4", bytes.NewReader(data), int64(len(data)), "video/mp4")
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	if info.Size != int64(len(data)) || info.ContentType != "video/mp4" || info.ETag == "" {
		t.Fatalf("put info = %+v", info)
	}

	// Unknown size streams too.
	if _, err := s.Put(ctx, "media/a/unknown.bin", io.LimitReader(bytes.NewReader(data), 1000), -1, "application/octet-stream"); err != nil {
		t.Fatalf("put unknown size: %v", err)
	}
	st, err := s.Stat(ctx, "media/a/unknown.bin")
	if err != nil || st.Size != 1000 {
		t.Fatalf("stat unknown-size object = %+v, %v", st, err)
	}

	cases := []struct {
		name           string
		offset, length int64
		want           []byte
	}{
		{"whole", 0, -1, data},
		{"first bytes", 0, 100, data[:100]},
		{"middle", 1 << 20, 4096, data[1<<20 : 1<<20+4096]},
		{"open end", int64(len(data)) - 10, -1, data[len(data)-10:]},
		{"length past end clipped", int64(len(data)) - 5, 100, data[len(data)-5:]},
		{"empty at end", int64(len(data)), -1, nil},
	}
	for _, tc := range cases {
		rc, gi, err := s.Get(ctx, "media/a/video.mp4", tc.offset, tc.length)
		if err != nil {
			t.Fatalf("%s: get: %v", tc.name, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: read: %v", tc.name, err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Fatalf("%s: got %d bytes, want %d (content differs: %v)", tc.name, len(got), len(tc.want), len(got) == len(tc.want))
		}
		if gi.Size != int64(len(data)) {
			t.Fatalf("%s: info size %d", tc.name, gi.Size)
		}
	}
	if _, _, err := s.Get(ctx, "media/a/video.mp4", int64(len(data))+1, 1); err == nil {
		t.Fatal("get past the end: want an error")
	}

	if _, err := s.Stat(ctx, "media/none"); !errors.Is(err, objects.ErrNotFound) {
		t.Fatalf("stat missing: %v, want ErrNotFound", err)
	}
	if _, _, err := s.Get(ctx, "media/none", 0, -1); !errors.Is(err, objects.ErrNotFound) {
		t.Fatalf("get missing: %v, want ErrNotFound", err)
	}

	// Overwrite replaces content.
	if _, err := s.Put(ctx, "media/a/video.mp4", strings.NewReader("short"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Get(ctx, "media/a/video.mp4", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "short" {
		t.Fatalf("after overwrite got %q", got)
	}

	if err := s.Delete(ctx, "media/a/video.mp4"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "media/a/video.mp4"); !errors.Is(err, objects.ErrNotFound) {
		t.Fatalf("stat after delete: %v", err)
	}
	if err := s.Delete(ctx, "media/a/video.mp4"); err != nil {
		t.Fatalf("delete twice: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

func TestLocalContract(t *testing.T) {
	t.Parallel()
	contract(t, objectstest.Local(t))
}

func TestMinIOContract(t *testing.T) {
	t.Parallel()
	contract(t, objectstest.MinIO(t))
}

func TestLocalRefusesEscapingKeys(t *testing.T) {
	t.Parallel()
	s := objectstest.Local(t)
	for _, key := range []string{"", "../x", "a/../../x", "/etc/passwd", "a\\b", "x.meta"} {
		if _, err := s.Put(context.Background(), key, strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, objects.ErrBadKey) {
			t.Errorf("put %q: %v, want ErrBadKey", key, err)
		}
	}
	if _, err := s.Presign(context.Background(), "a", time.Minute); !errors.Is(err, objects.ErrNotSupported) {
		t.Errorf("local presign: %v", err)
	}
}

func TestMinIOPresign(t *testing.T) {
	t.Parallel()
	s := objectstest.MinIO(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, "p/file.txt", strings.NewReader("hello"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	u, err := s.Presign(ctx, "p/file.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Fatalf("presigned GET = %d %q", resp.StatusCode, body)
	}
}

// A client made while the store was unreachable finds or creates its
// bucket on first use: the first Put works without a restart.
func TestMinIOBucketMadeOnFirstUse(t *testing.T) {
	cfg, ok := objectstest.MinIOConfig()
	if !ok {
		t.Skip("MinIO tests skipped: " + objectstest.EnvEndpoint + " is not set")
	}
	m, err := objects.NewMinIOClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Cleanup(func() {
		_ = m.Client().RemoveObject(ctx, cfg.Bucket, "late", minio.RemoveObjectOptions{})
		_ = m.Client().RemoveBucket(ctx, cfg.Bucket)
	})
	if exists, err := m.Client().BucketExists(ctx, cfg.Bucket); err != nil || exists {
		t.Fatalf("bucket before first use: %v %v", exists, err)
	}
	if _, err := m.Put(ctx, "late", strings.NewReader("x"), 1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if err := m.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}
