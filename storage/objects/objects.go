// Package objects stores files (videos, documents, attachments): MinIO or any
// S3-compatible store in production, a folder on local disk by default.
package objects

import (
	"context"
	"errors"
	"io"
	"time"
)

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ContentType string
	ETag        string
	ModTime     time.Time
}

// Store is what the modules need from an object store. Readers are streamed:
// no implementation holds a whole object in memory.
type Store interface {
	// Put streams r into key; size is -1 when unknown.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error)
	// Get returns length bytes from offset (length -1: to the end).
	Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, Info, error)
	Stat(ctx context.Context, key string) (Info, error)
	Delete(ctx context.Context, key string) error
	// Presign returns a short-lived URL for a direct download, or
	// ErrNotSupported when the store has none.
	Presign(ctx context.Context, key string, ttl time.Duration) (string, error)
	Ping(ctx context.Context) error
	Name() string
}

var (
	// ErrNotFound means no object has that key.
	ErrNotFound = errors.New("objects: not found")
	// ErrNotSupported means the store cannot do that.
	ErrNotSupported = errors.New("objects: not supported")
	// ErrBadKey means the key is empty or escapes the store.
	ErrBadKey = errors.New("objects: bad key")
)
