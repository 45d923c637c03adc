package objects

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Local keeps objects as files under a folder, with a small JSON sidecar for
// the content type and ETag.
type Local struct{ dir string }

// NewLocal creates the folder when needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("objects: create %s: %w", dir, err)
	}
	return &Local{dir: dir}, nil
}

type localMeta struct {
	ContentType string `json:"content_type"`
	ETag        string `json:"etag"`
}

// Name identifies the store in /readyz.
func (l *Local) Name() string { return "local" }

// Ping checks the folder is there.
func (l *Local) Ping(context.Context) error {
	_, err := os.Stat(l.dir)
	return err
}

func (l *Local) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "\\") || strings.HasPrefix(key, "/") {
		return "", ErrBadKey
	}
	clean := filepath.Clean(key)
	if clean != key || strings.HasPrefix(clean, "..") || strings.HasSuffix(key, ".meta") {
		return "", ErrBadKey
	}
	return filepath.Join(l.dir, clean), nil
}

// Put writes to a temporary file and renames it into place, so readers never
// see half an object.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	p, err := l.path(key)
	if err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return Info{}, fmt.Errorf("objects: mkdir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return Info{}, fmt.Errorf("objects: temp file: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Info{}, fmt.Errorf("objects: write %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return Info{}, fmt.Errorf("objects: write %s: got %d bytes, want %d", key, n, size)
	}
	meta := localMeta{ContentType: contentType, ETag: hex.EncodeToString(h.Sum(nil))}
	mb, _ := json.Marshal(meta)
	if err := os.WriteFile(p+".meta", mb, 0o640); err != nil {
		return Info{}, fmt.Errorf("objects: write meta: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return Info{}, fmt.Errorf("objects: rename: %w", err)
	}
	return l.Stat(ctx, key)
}

// Stat reads the file's size and sidecar.
func (l *Local) Stat(_ context.Context, key string) (Info, error) {
	p, err := l.path(key)
	if err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, fmt.Errorf("objects: stat: %w", err)
	}
	var meta localMeta
	if b, err := os.ReadFile(p + ".meta"); err == nil {
		_ = json.Unmarshal(b, &meta)
	}
	if meta.ContentType == "" {
		meta.ContentType = "application/octet-stream"
	}
	return Info{Key: key, Size: fi.Size(), ContentType: meta.ContentType, ETag: meta.ETag, ModTime: fi.ModTime().UTC()}, nil
}

// Get opens the file at offset and limits the reader to length bytes.
func (l *Local) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, Info, error) {
	info, err := l.Stat(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	if offset < 0 || offset > info.Size {
		return nil, Info{}, fmt.Errorf("objects: offset %d outside %d bytes", offset, info.Size)
	}
	p, _ := l.path(key)
	f, err := os.Open(p)
	if err != nil {
		return nil, Info{}, fmt.Errorf("objects: open: %w", err)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, Info{}, fmt.Errorf("objects: seek: %w", err)
	}
	if length < 0 || offset+length > info.Size {
		length = info.Size - offset
	}
	return limitedFile{Reader: io.LimitReader(f, length), f: f}, info, nil
}

// Delete removes the object and its sidecar; a missing object is no error.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("objects: delete: %w", err)
	}
	_ = os.Remove(p + ".meta")
	return nil
}

// Presign is not available on local disk: the server streams instead.
func (l *Local) Presign(context.Context, string, time.Duration) (string, error) {
	return "", ErrNotSupported
}

type limitedFile struct {
	io.Reader
	f *os.File
}

func (l limitedFile) Close() error { return l.f.Close() }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
