package objects

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MinIOConfig points at an S3-compatible store.
type MinIOConfig struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool
	Region    string
}

// MinIO stores objects in one bucket of MinIO or any S3-compatible store.
type MinIO struct {
	client *minio.Client
	bucket string
	region string
	ready  atomic.Bool // the bucket is known to exist
}

// NewMinIO connects and creates the bucket when it does not exist.
func NewMinIO(ctx context.Context, cfg MinIOConfig) (*MinIO, error) {
	m, err := NewMinIOClient(cfg)
	if err != nil {
		return nil, err
	}
	if err := m.EnsureBucket(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// NewMinIOClient makes the client without reaching the store: a college
// may start while the store is down, and EnsureBucket (which Ping and Put
// call until it succeeds) finds or creates the bucket once it is back.
func NewMinIOClient(cfg MinIOConfig) (*MinIO, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("objects: minio client: %w", err)
	}
	return &MinIO{client: client, bucket: cfg.Bucket, region: cfg.Region}, nil
}

// EnsureBucket creates the bucket when it does not exist.
func (m *MinIO) EnsureBucket(ctx context.Context) error {
	if m.ready.Load() {
		return nil
	}
	ok, err := m.client.BucketExists(ctx, m.bucket)
	if err != nil {
		return fmt.Errorf("objects: bucket %s: %w", m.bucket, err)
	}
	if !ok {
		if err := m.client.MakeBucket(ctx, m.bucket, minio.MakeBucketOptions{Region: m.region}); err != nil {
			if ok2, err2 := m.client.BucketExists(ctx, m.bucket); err2 != nil || !ok2 {
				return fmt.Errorf("objects: create bucket %s: %w", m.bucket, err)
			}
		}
	}
	m.ready.Store(true)
	return nil
}

// Client exposes the MinIO client (tests remove their buckets with it).
func (m *MinIO) Client() *minio.Client { return m.client }

// Bucket names the bucket in use.
func (m *MinIO) Bucket() string { return m.bucket }

// Name identifies the store in /readyz.
func (m *MinIO) Name() string { return "minio" }

// Ping checks the bucket answers (creating it, the first time, if the
// store was down when the college started).
func (m *MinIO) Ping(ctx context.Context) error {
	if !m.ready.Load() {
		return m.EnsureBucket(ctx)
	}
	_, err := m.client.BucketExists(ctx, m.bucket)
	return err
}

// Put streams r to the bucket (multipart for large or unknown sizes).
func (m *MinIO) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := m.EnsureBucket(ctx); err != nil {
		return Info{}, err
	}
	if key == "" {
		return Info{}, ErrBadKey
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		opts.PartSize = 16 << 20
	}
	up, err := m.client.PutObject(ctx, m.bucket, key, r, size, opts)
	if err != nil {
		return Info{}, fmt.Errorf("objects: put %s: %w", key, err)
	}
	if size >= 0 && up.Size != size {
		return Info{}, fmt.Errorf("objects: put %s: stored %d bytes, want %d", key, up.Size, size)
	}
	return m.Stat(ctx, key)
}

// Stat reads the object's metadata.
func (m *MinIO) Stat(ctx context.Context, key string) (Info, error) {
	st, err := m.client.StatObject(ctx, m.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return Info{}, ErrNotFound
		}
		return Info{}, fmt.Errorf("objects: stat %s: %w", key, err)
	}
	return Info{Key: key, Size: st.Size, ContentType: st.ContentType, ETag: st.ETag, ModTime: st.LastModified.UTC()}, nil
}

// Get asks the store for just the bytes wanted.
func (m *MinIO) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, Info, error) {
	info, err := m.Stat(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	if offset < 0 || offset > info.Size {
		return nil, Info{}, fmt.Errorf("objects: offset %d outside %d bytes", offset, info.Size)
	}
	if length < 0 || offset+length > info.Size {
		length = info.Size - offset
	}
	if length == 0 {
		return io.NopCloser(eofReader{}), info, nil
	}
	opts := minio.GetObjectOptions{}
	if err := opts.SetRange(offset, offset+length-1); err != nil {
		return nil, Info{}, err
	}
	obj, err := m.client.GetObject(ctx, m.bucket, key, opts)
	if err != nil {
		return nil, Info{}, fmt.Errorf("objects: get %s: %w", key, err)
	}
	return obj, info, nil
}

// Delete removes the object; a missing one is no error.
func (m *MinIO) Delete(ctx context.Context, key string) error {
	if err := m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("objects: delete %s: %w", key, err)
	}
	return nil
}

// Presign makes a GET URL valid for ttl.
func (m *MinIO) Presign(ctx context.Context, key string, ttl time.Duration) (string, error) {
	u, err := m.client.PresignedGetObject(ctx, m.bucket, key, ttl, url.Values{})
	if err != nil {
		return "", fmt.Errorf("objects: presign %s: %w", key, err)
	}
	return u.String(), nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
