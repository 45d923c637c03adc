package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"college/storage/objects"
)

// blockSize is what one store request fetches for a small read: container
// parsers read many tiny headers close together, and one request for 64 KiB
// costs about as much as one for 8 bytes.
const (
	blockSize   = 64 << 10
	cacheBlocks = 4
)

// ReaderAt reads an object of size bytes with ranged Gets, keeping the last
// few 64 KiB blocks read, so Duration can run on a stored video without
// downloading it. Safe for concurrent use.
func ReaderAt(ctx context.Context, store objects.Store, key string, size int64) io.ReaderAt {
	return &storeReaderAt{ctx: ctx, store: store, key: key, size: size}
}

type block struct {
	start int64
	data  []byte
}

type storeReaderAt struct {
	ctx   context.Context
	store objects.Store
	key   string
	size  int64

	mu     sync.Mutex
	blocks []block // most recently used last
}

// ReadAt follows io.ReaderAt: a short read comes with an error (io.EOF at
// the end of the object).
func (s *storeReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("media: negative offset")
	}
	if off >= s.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), s.size-off)
	var n int
	var err error
	if want > blockSize {
		n, err = s.fetch(p[:want], off)
	} else {
		n, err = s.fromBlocks(p[:want], off)
	}
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// fetch reads p straight from the store.
func (s *storeReaderAt) fetch(p []byte, off int64) (int, error) {
	rc, _, err := s.store.Get(s.ctx, s.key, off, int64(len(p)))
	if err != nil {
		return 0, fmt.Errorf("media: read %s at %d: %w", s.key, off, err)
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p)
	if err != nil {
		return n, fmt.Errorf("media: read %s at %d: %w", s.key, off, err)
	}
	return n, nil
}

// fromBlocks serves a read of at most blockSize bytes from one or two blocks.
func (s *storeReaderAt) fromBlocks(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(p) {
		b, err := s.block((off + int64(n)) / blockSize * blockSize)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], b.data[off+int64(n)-b.start:])
		if c == 0 {
			return n, io.ErrUnexpectedEOF // the object shrank
		}
		n += c
	}
	return n, nil
}

// block returns the cached block at start or fetches it; s.mu is held.
func (s *storeReaderAt) block(start int64) (block, error) {
	for i, b := range s.blocks {
		if b.start == start {
			s.blocks = append(append(s.blocks[:i:i], s.blocks[i+1:]...), b)
			return b, nil
		}
	}
	data := make([]byte, min(blockSize, s.size-start))
	if _, err := s.fetch(data, start); err != nil {
		return block{}, err
	}
	b := block{start: start, data: data}
	if len(s.blocks) == cacheBlocks {
		s.blocks = append(s.blocks[:0:0], s.blocks[1:]...)
	}
	s.blocks = append(s.blocks, b)
	return b, nil
}

// ProbeObject sniffs a stored object and, for a video, reads its duration,
// fetching only the bytes it needs.
func ProbeObject(ctx context.Context, store objects.Store, key string) (Probe, objects.Info, error) {
	info, err := store.Stat(ctx, key)
	if err != nil {
		return Probe{}, objects.Info{}, fmt.Errorf("media: probe %s: %w", key, err)
	}
	r := ReaderAt(ctx, store, key, info.Size)
	head := make([]byte, min(info.Size, SniffLen))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return Probe{}, info, fmt.Errorf("media: probe %s: %w", key, err)
	}
	p, err := Sniff(head)
	if err != nil {
		return Probe{}, info, err
	}
	if p.Kind == KindVideo {
		if p.DurationSeconds, err = Duration(r, info.Size, p.ContentType); err != nil {
			return p, info, fmt.Errorf("media: probe %s: %w", key, err)
		}
	}
	return p, info, nil
}
