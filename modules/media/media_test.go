package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"college/static"
	"college/storage/objects"
	"college/storage/objects/objectstest"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSniff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		want Probe
	}{
		{"lesson-12s-faststart.mp4", Probe{Kind: KindVideo, ContentType: "video/mp4", Ext: ".mp4"}},
		{"lesson-12s-moov-at-end.mp4", Probe{Kind: KindVideo, ContentType: "video/mp4", Ext: ".mp4"}},
		{"lesson-7.5s-vp9.webm", Probe{Kind: KindVideo, ContentType: "video/webm", Ext: ".webm"}},
		{"notes.pdf", Probe{Kind: KindDocument, ContentType: "application/pdf", Ext: ".pdf"}},
		{"image.png", Probe{Kind: KindImage, ContentType: "image/png", Ext: ".png"}},
		{"image.jpg", Probe{Kind: KindImage, ContentType: "image/jpeg", Ext: ".jpg"}},
		{"image.gif", Probe{Kind: KindImage, ContentType: "image/gif", Ext: ".gif"}},
		{"image.webp", Probe{Kind: KindImage, ContentType: "image/webp", Ext: ".webp"}},
	}
	for _, c := range cases {
		got, err := Sniff(fixture(t, c.file))
		if err != nil || got != c.want {
			t.Errorf("Sniff(%s) = %+v, %v; want %+v", c.file, got, err, c.want)
		}
		// Only the head is needed.
		if got, err := Sniff(fixture(t, c.file)[:min(SniffLen, len(fixture(t, c.file)))]); err != nil || got != c.want {
			t.Errorf("Sniff(head of %s) = %+v, %v", c.file, got, err)
		}
	}

	random := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(random)
	ftyp := func(major string, compatible ...string) []byte {
		b := []byte("\x00\x00\x00\x00ftyp" + major + "\x00\x00\x00\x00")
		for _, c := range compatible {
			b = append(b, c...)
		}
		binary.BigEndian.PutUint32(b, uint32(len(b)))
		return append(b, "\x00\x00\x00\x08free"...)
	}
	unsupported := map[string][]byte{
		"text file":        fixture(t, "notes.txt"),
		"random bytes":     random,
		"mp3 with ID3":     fixture(t, "tone.mp3"),
		"mp3 frame sync":   {0xFF, 0xFB, 0x90, 0x64, 0x00, 0x00},
		"windows exe":      append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 64)...),
		"elf binary":       []byte("\x7fELF\x02\x01\x01\x00"),
		"zip":              []byte("PK\x03\x04\x14\x00\x06\x00"),
		"m4a audio":        ftyp("M4A ", "M4A ", "mp42", "isom"),
		"heic image":       ftyp("heic", "mif1", "heic"),
		"unknown brand":    ftyp("zzzz", "yyyy"),
		"matroska not web": []byte("\x1a\x45\xdf\xa3\x93\x42\x82\x88matroska\x42\x87\x81\x04\x42\x85\x81\x02"),
		"ebml no doctype":  []byte("\x1a\x45\xdf\xa3\x84\x42\x87\x81\x04"),
		"empty":            nil,
		"short":            []byte("\x00\x00"),
	}
	for name, b := range unsupported {
		if p, err := Sniff(b); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Sniff(%s) = %+v, %v; want ErrUnsupported", name, p, err)
		}
	}

	// Brands that do mean video, the major brand being something else.
	if p, err := Sniff(ftyp("abcd", "xxxx", "mp42")); err != nil || p.ContentType != "video/mp4" {
		t.Errorf("compatible brand mp42: %+v, %v", p, err)
	}
	if p, err := Sniff(ftyp("qt  ", "qt  ")); err != nil || p.ContentType != "video/quicktime" || p.Ext != ".mov" {
		t.Errorf("quicktime: %+v, %v", p, err)
	}
	if p, err := Sniff(append([]byte("\n\n"), fixture(t, "notes.pdf")...)); err != nil || p.Kind != KindDocument {
		t.Errorf("PDF after a little junk: %+v, %v", p, err)
	}
}

var videos = []struct {
	file        string
	contentType string
	seconds     float64
}{
	{"lesson-12s-faststart.mp4", "video/mp4", 12},
	{"lesson-12s-moov-at-end.mp4", "video/mp4", 12},
	{"lesson-7.5s-vp9.webm", "video/webm", 7.5},
}

func TestDuration(t *testing.T) {
	t.Parallel()
	for _, v := range videos {
		b := fixture(t, v.file)
		for _, hint := range []string{v.contentType, "", "application/octet-stream", "video/webm; codecs=vp9"} {
			d, err := Duration(bytes.NewReader(b), int64(len(b)), hint)
			if err != nil || math.Abs(d-v.seconds) > 0.1 {
				t.Errorf("Duration(%s, hint %q) = %v, %v; want %v", v.file, hint, d, err, v.seconds)
			}
		}
	}
	for _, f := range []string{"notes.pdf", "image.png"} {
		b := fixture(t, f)
		if _, err := Duration(bytes.NewReader(b), int64(len(b)), "video/mp4"); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Duration(%s): %v, want ErrUnsupported", f, err)
		}
	}
}

// TestDurationFallsBackToTrack zeroes mvhd's duration: the longest mdhd must
// answer instead.
func TestDurationFallsBackToTrack(t *testing.T) {
	t.Parallel()
	b := bytes.Clone(fixture(t, "lesson-12s-moov-at-end.mp4"))
	i := bytes.Index(b, []byte("mvhd"))
	if i < 0 || b[i+4] != 0 {
		t.Fatal("fixture has no version 0 mvhd")
	}
	// mvhd v0: type, version+flags (4), creation (4), modification (4), timescale (4), duration (4).
	binary.BigEndian.PutUint32(b[i+4+16:], 0)
	d, err := Duration(bytes.NewReader(b), int64(len(b)), "video/mp4")
	if err != nil || math.Abs(d-12) > 0.1 {
		t.Fatalf("Duration without mvhd duration = %v, %v; want 12 from mdhd", d, err)
	}
	// And with every duration gone there is nothing to report.
	for j := 0; ; j += 4 {
		k := bytes.Index(b[j:], []byte("mdhd"))
		if k < 0 {
			break
		}
		j += k
		binary.BigEndian.PutUint32(b[j+4+16:], 0)
	}
	if _, err := Duration(bytes.NewReader(b), int64(len(b)), "video/mp4"); !errors.Is(err, ErrNoDuration) {
		t.Fatalf("no durations at all: %v, want ErrNoDuration", err)
	}
}

func TestDurationTruncated(t *testing.T) {
	t.Parallel()
	for _, v := range videos {
		b := fixture(t, v.file)
		// Every cut must give an answer or an error, never a panic.
		for n := 0; n < len(b); n++ {
			d, err := Duration(bytes.NewReader(b[:n]), int64(n), v.contentType)
			if err == nil && math.Abs(d-v.seconds) > 0.1 {
				t.Fatalf("%s cut at %d: duration %v without error", v.file, n, d)
			}
		}
	}
	// Cuts through the moov box or the Segment Info must be errors.
	for _, c := range []struct {
		file string
		keep int
	}{
		{"lesson-12s-moov-at-end.mp4", len(fixture(t, "lesson-12s-moov-at-end.mp4")) - 10},
		{"lesson-12s-moov-at-end.mp4", 1000},
		{"lesson-12s-faststart.mp4", 100},
		{"lesson-7.5s-vp9.webm", len(fixture(t, "lesson-7.5s-vp9.webm")) - 10},
		{"lesson-7.5s-vp9.webm", 80},
		{"lesson-12s-faststart.mp4", len(fixture(t, "lesson-12s-faststart.mp4")) - 10},
		{"lesson-7.5s-vp9.webm", 20},
	} {
		b := fixture(t, c.file)[:c.keep]
		if d, err := Duration(bytes.NewReader(b), int64(len(b)), ""); err == nil {
			t.Errorf("%s cut to %d bytes: duration %v, want an error", c.file, c.keep, d)
		}
	}
}

// TestDurationSurvivesParserPanic: go-mkvparse v0.14.0 indexes an empty
// slice on a zero-length signed integer or date (found by the fuzz test);
// Duration must turn that into an error.
func TestDurationSurvivesParserPanic(t *testing.T) {
	t.Parallel()
	b := []byte("\x1a\x45\xdf\xa3\x87\x42\x82\x84webm" + // EBML header, DocType webm
		"\x18\x53\x80\x67\x88" + // Segment, 8 bytes
		"\x15\x49\xa9\x66\x83" + // Info, 3 bytes
		"\x44\x61\x80") // DateUTC with no bytes
	d, err := Duration(bytes.NewReader(b), int64(len(b)), "video/webm")
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("Duration = %v, %v; want ErrMalformed from a recovered panic", d, err)
	}
}

// TestDemoVideos checks what static/demo/README.txt promises the seed: each
// listed video is a small WebM of the stated length.
func TestDemoVideos(t *testing.T) {
	t.Parallel()
	list, err := fs.ReadFile(static.Demo, "demo/README.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(list)), "\n")
	if len(lines) != 3 {
		t.Fatalf("README.txt lists %d videos, want 3", len(lines))
	}
	for _, line := range lines {
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[2] == "" {
			t.Fatalf("README.txt line %q: want file, seconds and title separated by tabs", line)
		}
		secs, err := strconv.ParseFloat(f[1], 64)
		if err != nil || secs < 20 || secs > 40 {
			t.Fatalf("%s: duration %q", f[0], f[1])
		}
		b, err := fs.ReadFile(static.Demo, "demo/"+f[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 300<<10 {
			t.Errorf("%s is %d bytes, want under 300 KB", f[0], len(b))
		}
		if p, err := Sniff(b); err != nil || p.ContentType != "video/webm" {
			t.Errorf("%s: Sniff = %+v, %v", f[0], p, err)
		}
		if d, err := Duration(bytes.NewReader(b), int64(len(b)), "video/webm"); err != nil || math.Abs(d-secs) > 0.1 {
			t.Errorf("%s: Duration = %v, %v; README says %v", f[0], d, err, secs)
		}
	}
}

// countingStore counts the bytes asked of the store.
type countingStore struct {
	objects.Store
	gets, bytes atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, objects.Info, error) {
	c.gets.Add(1)
	c.bytes.Add(length)
	return c.Store.Get(ctx, key, offset, length)
}

func TestProbeObjectReadsOnlyHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &countingStore{Store: objectstest.New(t)}

	// A 6 MB "video": the fixture's ftyp, a large mdat, then its moov at
	// the end. Chunk offsets are wrong, which duration does not care about.
	src := fixture(t, "lesson-12s-moov-at-end.mp4")
	ftypEnd := int(binary.BigEndian.Uint32(src))
	moov := bytes.Index(src, []byte("moov")) - 4
	var big bytes.Buffer
	big.Write(src[:ftypEnd])
	mdat := make([]byte, 6<<20)
	binary.BigEndian.PutUint32(mdat, uint32(len(mdat)))
	copy(mdat[4:], "mdat")
	big.Write(mdat)
	big.Write(src[moov:])
	if _, err := store.Put(ctx, "v/big.mp4", bytes.NewReader(big.Bytes()), int64(big.Len()), "video/mp4"); err != nil {
		t.Fatal(err)
	}
	p, info, err := ProbeObject(ctx, store, "v/big.mp4")
	if err != nil || p.Kind != KindVideo || math.Abs(p.DurationSeconds-12) > 0.1 || info.Size != int64(big.Len()) {
		t.Fatalf("ProbeObject = %+v, %+v, %v", p, info, err)
	}
	if store.bytes.Load() > 3*blockSize || store.gets.Load() > 3 {
		t.Fatalf("probing a %d-byte video read %d bytes in %d requests", big.Len(), store.bytes.Load(), store.gets.Load())
	}

	for _, v := range videos {
		b := fixture(t, v.file)
		if _, err := store.Put(ctx, "v/"+v.file, bytes.NewReader(b), int64(len(b)), "application/octet-stream"); err != nil {
			t.Fatal(err)
		}
		p, _, err := ProbeObject(ctx, store, "v/"+v.file)
		if err != nil || p.ContentType != v.contentType || math.Abs(p.DurationSeconds-v.seconds) > 0.1 {
			t.Errorf("ProbeObject(%s) = %+v, %v", v.file, p, err)
		}
	}
	b := fixture(t, "notes.pdf")
	if _, err := store.Put(ctx, "d/notes.pdf", bytes.NewReader(b), int64(len(b)), ""); err != nil {
		t.Fatal(err)
	}
	if p, _, err := ProbeObject(ctx, store, "d/notes.pdf"); err != nil || p.Kind != KindDocument || p.DurationSeconds != 0 {
		t.Errorf("ProbeObject(pdf) = %+v, %v", p, err)
	}
	if _, _, err := ProbeObject(ctx, store, "d/none.pdf"); !errors.Is(err, objects.ErrNotFound) {
		t.Errorf("ProbeObject(missing) = %v, want ErrNotFound", err)
	}
}

func TestReaderAt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &countingStore{Store: objectstest.New(t)}
	data := make([]byte, 5*blockSize+123)
	rand.New(rand.NewSource(2)).Read(data)
	if _, err := store.Put(ctx, "r/data.bin", bytes.NewReader(data), int64(len(data)), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	r := ReaderAt(ctx, store, "r/data.bin", int64(len(data)))
	size := int64(len(data))
	cases := []struct{ off, n int64 }{
		{0, 8}, {0, blockSize}, {blockSize - 4, 8}, {3*blockSize + 7, 2*blockSize + 1},
		{size - 10, 10}, {size - 10, 100}, {size, 1}, {size + 5, 1}, {0, size}, {blockSize / 2, blockSize},
	}
	for _, c := range cases {
		p := make([]byte, c.n)
		n, err := r.ReadAt(p, c.off)
		wantN := max(0, min(c.n, size-c.off))
		if int64(n) != wantN || !bytes.Equal(p[:n], data[min(c.off, size):min(c.off, size)+wantN]) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d bytes", c.n, c.off, n, err, wantN)
		}
		if (int64(n) < c.n) != (err == io.EOF) {
			t.Fatalf("ReadAt(%d bytes at %d): n=%d, err=%v", c.n, c.off, n, err)
		}
	}
	// Small reads inside a cached block cost no request.
	before := store.gets.Load()
	for i := range 100 {
		p := make([]byte, 8)
		if _, err := r.ReadAt(p, int64(i*16)); err != nil {
			t.Fatal(err)
		}
	}
	if got := store.gets.Load() - before; got != 0 {
		t.Fatalf("100 small reads in a cached block made %d requests", got)
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Fatal("negative offset: want an error")
	}
	// Through io.SectionReader, a sequential read gives the whole object.
	got, err := io.ReadAll(io.NewSectionReader(r, 0, size))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("sequential read: %d bytes, %v", len(got), err)
	}
}

// FuzzSniffAndDuration feeds arbitrary bytes to Sniff and Duration, which
// must never panic and must never report a non-positive duration. The seed
// corpus runs in go test; fuzz by hand:
//
//	go test ./modules/media -run '^$' -fuzz FuzzSniffAndDuration -fuzztime 20s
func FuzzSniffAndDuration(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) == ".md" {
			continue
		}
		b := fixture(f, e.Name())
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x00\x08ftyp"))
	f.Add([]byte("\x1a\x45\xdf\xa3\x01\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := Sniff(b); err == nil && (p.Kind == "" || p.ContentType == "" || p.Ext == "") {
			t.Fatalf("Sniff gave an incomplete probe %+v", p)
		}
		for _, hint := range []string{"", "video/mp4", "video/webm"} {
			d, err := Duration(bytes.NewReader(b), int64(len(b)), hint)
			if err == nil && (d <= 0 || math.IsNaN(d) || math.IsInf(d, 0)) {
				t.Fatalf("Duration = %v without error", d)
			}
		}
	})
}
