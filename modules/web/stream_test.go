package web

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"college/storage/objects"
	"college/storage/objects/objectstest"

	"github.com/gofiber/fiber/v2"
	"github.com/minio/minio-go/v7"
)

const streamKey = "media/lesson/video.mp4"

// streamApp serves every object of store under /o/<key>.
func streamApp(store objects.Store, opts ServeOptions) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)})
	app.Get("/o/*", func(c *fiber.Ctx) error {
		return ServeObject(c, store, c.Params("*"), opts)
	})
	return app
}

func putRandom(t testing.TB, store objects.Store, key string, size int, seed int64) []byte {
	t.Helper()
	data := make([]byte, size)
	rand.New(rand.NewSource(seed)).Read(data)
	if _, err := store.Put(context.Background(), key, bytes.NewReader(data), int64(size), "video/mp4"); err != nil {
		t.Fatalf("put: %v", err)
	}
	return data
}

type streamResult struct {
	status int
	header http.Header
	body   []byte
}

func doStream(t *testing.T, app *fiber.App, method, path string, headers map[string]string) streamResult {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s %v: %v", method, path, headers, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return streamResult{status: resp.StatusCode, header: resp.Header, body: body}
}

// streamContract checks ServeObject byte for byte against one store.
func streamContract(t *testing.T, store objects.Store) {
	data := putRandom(t, store, streamKey, 3<<20, 11)
	n := len(data)
	info, err := store.Stat(context.Background(), streamKey)
	if err != nil {
		t.Fatal(err)
	}
	etag := quoteETag(info.ETag)
	lastMod := info.ModTime.UTC().Format(http.TimeFormat)
	app := streamApp(store, ServeOptions{MaxAge: time.Hour})
	path := "/o/" + streamKey

	whole := func(t *testing.T, r streamResult) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("status %d, want 200", r.status)
		}
		if !bytes.Equal(r.body, data) {
			t.Fatalf("body: %d bytes, want the whole %d", len(r.body), n)
		}
		if got := r.header.Get("Content-Length"); got != strconv.Itoa(n) {
			t.Fatalf("Content-Length %q, want %d", got, n)
		}
		if r.header.Get("Content-Range") != "" {
			t.Fatalf("200 with Content-Range %q", r.header.Get("Content-Range"))
		}
	}
	partial := func(t *testing.T, r streamResult, first, last int) {
		t.Helper()
		if r.status != http.StatusPartialContent {
			t.Fatalf("status %d, want 206", r.status)
		}
		if want := fmt.Sprintf("bytes %d-%d/%d", first, last, n); r.header.Get("Content-Range") != want {
			t.Fatalf("Content-Range %q, want %q", r.header.Get("Content-Range"), want)
		}
		if !bytes.Equal(r.body, data[first:last+1]) {
			t.Fatalf("body: %d bytes, want bytes %d-%d (%d bytes) exactly", len(r.body), first, last, last-first+1)
		}
		if got := r.header.Get("Content-Length"); got != strconv.Itoa(last-first+1) {
			t.Fatalf("Content-Length %q, want %d", got, last-first+1)
		}
	}
	unsatisfiable := func(t *testing.T, r streamResult) {
		t.Helper()
		if r.status != http.StatusRequestedRangeNotSatisfiable {
			t.Fatalf("status %d, want 416", r.status)
		}
		if want := fmt.Sprintf("bytes */%d", n); r.header.Get("Content-Range") != want {
			t.Fatalf("Content-Range %q, want %q", r.header.Get("Content-Range"), want)
		}
		if len(r.body) != 0 {
			t.Fatalf("416 with a %d-byte body", len(r.body))
		}
	}
	rng := func(v string) map[string]string { return map[string]string{"Range": v} }

	t.Run("whole", func(t *testing.T) {
		r := doStream(t, app, "GET", path, nil)
		whole(t, r)
		for k, want := range map[string]string{
			"Accept-Ranges": "bytes", "ETag": etag, "Last-Modified": lastMod,
			"Content-Type": "video/mp4", "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
			// The lesson page frames documents; nobody else may.
			"X-Frame-Options": "SAMEORIGIN", "Content-Security-Policy": "frame-ancestors 'self'",
		} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if !strings.HasPrefix(etag, `"`) || len(etag) < 3 {
			t.Errorf("ETag %q is not quoted", etag)
		}
	})
	t.Run("first bytes", func(t *testing.T) { partial(t, doStream(t, app, "GET", path, rng("bytes=0-99")), 0, 99) })
	t.Run("middle", func(t *testing.T) {
		partial(t, doStream(t, app, "GET", path, rng("bytes=1048576-1114111")), 1048576, 1114111)
	})
	t.Run("suffix", func(t *testing.T) { partial(t, doStream(t, app, "GET", path, rng("bytes=-500")), n-500, n-1) })
	t.Run("suffix longer than object", func(t *testing.T) {
		partial(t, doStream(t, app, "GET", path, rng("bytes=-99999999")), 0, n-1)
	})
	t.Run("open end", func(t *testing.T) { partial(t, doStream(t, app, "GET", path, rng("bytes=1000-")), 1000, n-1) })
	t.Run("last byte", func(t *testing.T) {
		partial(t, doStream(t, app, "GET", path, rng(fmt.Sprintf("bytes=%d-%d", n-1, n-1))), n-1, n-1)
	})
	t.Run("end past size clipped", func(t *testing.T) {
		partial(t, doStream(t, app, "GET", path, rng("bytes=0-99999999")), 0, n-1)
	})
	t.Run("unit and spaces tolerated", func(t *testing.T) {
		partial(t, doStream(t, app, "GET", path, rng("Bytes= 10-19 ")), 10, 19)
	})
	t.Run("start past end", func(t *testing.T) {
		unsatisfiable(t, doStream(t, app, "GET", path, rng(fmt.Sprintf("bytes=%d-", n))))
		unsatisfiable(t, doStream(t, app, "GET", path, rng(fmt.Sprintf("bytes=%d-%d", n+10, n+20))))
		unsatisfiable(t, doStream(t, app, "GET", path, rng("bytes=99999999999999999999999-")))
	})
	t.Run("suffix of zero", func(t *testing.T) { unsatisfiable(t, doStream(t, app, "GET", path, rng("bytes=-0"))) })
	for _, bad := range []string{"bytes=abc", "items=0-1", "bytes=5-2", "bytes=", "bytes=-", "bytes=1-2-3", "bytes=+1-2", "0-1", "bytes=0x10-20"} {
		t.Run("malformed "+bad, func(t *testing.T) { whole(t, doStream(t, app, "GET", path, rng(bad))) })
	}
	t.Run("multiple ranges", func(t *testing.T) { whole(t, doStream(t, app, "GET", path, rng("bytes=0-1,5-6"))) })
	t.Run("if-none-match", func(t *testing.T) {
		for _, inm := range []string{etag, `"other", ` + etag, "W/" + etag, "*"} {
			r := doStream(t, app, "GET", path, map[string]string{"If-None-Match": inm})
			if r.status != http.StatusNotModified || len(r.body) != 0 {
				t.Fatalf("If-None-Match %s: status %d with %d bytes, want 304 empty", inm, r.status, len(r.body))
			}
			if r.header.Get("ETag") != etag {
				t.Fatalf("304 without the ETag: %q", r.header.Get("ETag"))
			}
		}
		whole(t, doStream(t, app, "GET", path, map[string]string{"If-None-Match": `"something-else"`}))
		// If-None-Match wins over If-Modified-Since.
		whole(t, doStream(t, app, "GET", path, map[string]string{"If-None-Match": `"something-else"`, "If-Modified-Since": lastMod}))
	})
	t.Run("if-modified-since", func(t *testing.T) {
		r := doStream(t, app, "GET", path, map[string]string{"If-Modified-Since": lastMod})
		if r.status != http.StatusNotModified {
			t.Fatalf("If-Modified-Since = Last-Modified: status %d, want 304", r.status)
		}
		later := info.ModTime.Add(time.Hour).UTC().Format(http.TimeFormat)
		if r := doStream(t, app, "GET", path, map[string]string{"If-Modified-Since": later}); r.status != http.StatusNotModified {
			t.Fatalf("If-Modified-Since later: status %d, want 304", r.status)
		}
		earlier := info.ModTime.Add(-time.Hour).UTC().Format(http.TimeFormat)
		whole(t, doStream(t, app, "GET", path, map[string]string{"If-Modified-Since": earlier}))
	})
	t.Run("if-range", func(t *testing.T) {
		partial(t, doStream(t, app, "GET", path, map[string]string{"Range": "bytes=0-99", "If-Range": etag}), 0, 99)
		partial(t, doStream(t, app, "GET", path, map[string]string{"Range": "bytes=0-99", "If-Range": lastMod}), 0, 99)
		whole(t, doStream(t, app, "GET", path, map[string]string{"Range": "bytes=0-99", "If-Range": `"stale-etag"`}))
		whole(t, doStream(t, app, "GET", path, map[string]string{"Range": "bytes=0-99", "If-Range": "W/" + etag}))
		earlier := info.ModTime.Add(-time.Hour).UTC().Format(http.TimeFormat)
		whole(t, doStream(t, app, "GET", path, map[string]string{"Range": "bytes=0-99", "If-Range": earlier}))
	})
	t.Run("head", func(t *testing.T) {
		r := doStream(t, app, "HEAD", path, nil)
		if r.status != http.StatusOK || len(r.body) != 0 {
			t.Fatalf("HEAD: status %d with %d bytes", r.status, len(r.body))
		}
		if r.header.Get("Content-Length") != strconv.Itoa(n) || r.header.Get("Accept-Ranges") != "bytes" || r.header.Get("ETag") != etag {
			t.Fatalf("HEAD headers: %v", r.header)
		}
		r = doStream(t, app, "HEAD", path, rng("bytes=0-99"))
		if r.status != http.StatusPartialContent || r.header.Get("Content-Length") != "100" || r.header.Get("Content-Range") != fmt.Sprintf("bytes 0-99/%d", n) {
			t.Fatalf("HEAD with Range: status %d, headers %v", r.status, r.header)
		}
	})
	t.Run("missing key", func(t *testing.T) {
		for _, p := range []string{"/o/media/none.mp4", "/o/media/../../etc/passwd"} {
			r := doStream(t, app, "GET", p, rng("bytes=0-1"))
			if r.status != http.StatusNotFound || !strings.Contains(string(r.body), `"not_found"`) {
				t.Fatalf("GET %s: status %d %s, want 404 not_found", p, r.status, r.body)
			}
		}
	})
	t.Run("options", func(t *testing.T) {
		app := streamApp(store, ServeOptions{ContentType: "video/webm", Filename: `第一讲 "理论".webm`})
		r := doStream(t, app, "GET", path, rng("bytes=0-9"))
		partial(t, r, 0, 9)
		if r.header.Get("Content-Type") != "video/webm" {
			t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
		}
		want := `inline; filename="___ ____.webm"; filename*=UTF-8''%E7%AC%AC%E4%B8%80%E8%AE%B2%20%22%E7%90%86%E8%AE%BA%22.webm`
		if got := r.header.Get("Content-Disposition"); got != want {
			t.Errorf("Content-Disposition\n got %s\nwant %s", got, want)
		}
		// Without a max age (class files, attachments) nothing is stored.
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
		}
	})
}

func TestServeObjectLocal(t *testing.T) {
	t.Parallel()
	streamContract(t, objectstest.Local(t))
}

func TestServeObjectMinIO(t *testing.T) {
	t.Parallel()
	streamContract(t, objectstest.MinIO(t))
}

func TestServeObjectEmpty(t *testing.T) {
	t.Parallel()
	store := objectstest.Local(t)
	if _, err := store.Put(context.Background(), "empty.bin", bytes.NewReader(nil), 0, "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	app := streamApp(store, ServeOptions{})
	if r := doStream(t, app, "GET", "/o/empty.bin", nil); r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Length") != "0" {
		t.Fatalf("empty object: %d %q %v", r.status, r.body, r.header)
	}
	if r := doStream(t, app, "GET", "/o/empty.bin", map[string]string{"Range": "bytes=-5"}); r.status != 416 || r.header.Get("Content-Range") != "bytes */0" {
		t.Fatalf("empty object with a range: %d %v", r.status, r.header)
	}
}

// staleStat answers Stat with an older version than Get serves.
type staleStat struct{ objects.Store }

func (s staleStat) Stat(ctx context.Context, key string) (objects.Info, error) {
	info, err := s.Store.Stat(ctx, key)
	info.ETag = "older-version"
	return info, err
}

func TestServeObjectChangedWhileServing(t *testing.T) {
	t.Parallel()
	store := objectstest.Local(t)
	putRandom(t, store, "v.mp4", 1000, 1)
	app := streamApp(staleStat{store}, ServeOptions{})
	r := doStream(t, app, "GET", "/o/v.mp4", map[string]string{"Range": "bytes=0-9"})
	if r.status != http.StatusInternalServerError || r.header.Get("Content-Range") != "" || r.header.Get("ETag") != "" {
		t.Fatalf("object replaced mid-request: status %d, headers %v", r.status, r.header)
	}
}

func TestParseRange(t *testing.T) {
	t.Parallel()
	const size = 1000
	cases := []struct {
		in            string
		first, length int64
		res           rangeResult
	}{
		{"bytes=0-0", 0, 1, rangeSatisfiable},
		{"bytes=0-999", 0, 1000, rangeSatisfiable},
		{"bytes=0-1000", 0, 1000, rangeSatisfiable},
		{"bytes=999-", 999, 1, rangeSatisfiable},
		{"bytes=-1", 999, 1, rangeSatisfiable},
		{"bytes=-1000", 0, 1000, rangeSatisfiable},
		{"bytes=-99999999999999999999", 0, 1000, rangeSatisfiable},
		{"bytes=10-99999999999999999999", 10, 990, rangeSatisfiable},
		{"bytes=0-1,", 0, 2, rangeSatisfiable},
		{"bytes=1000-", 0, 0, rangeUnsatisfiable},
		{"bytes=1000-2000", 0, 0, rangeUnsatisfiable},
		{"bytes=-0", 0, 0, rangeUnsatisfiable},
		{"bytes=5-2", 0, 0, rangeIgnored},
		{"bytes=abc", 0, 0, rangeIgnored},
		{"bytes=-1-2", 0, 0, rangeIgnored},
		{"bytes=0-1,5-6", 0, 0, rangeIgnored},
		{"bytes=,", 0, 0, rangeIgnored},
		{"items=0-1", 0, 0, rangeIgnored},
		{"bytes 0-1", 0, 0, rangeIgnored},
	}
	for _, c := range cases {
		first, length, res := parseRange(c.in, size)
		if first != c.first || length != c.length || res != c.res {
			t.Errorf("parseRange(%q) = %d, %d, %d; want %d, %d, %d", c.in, first, length, res, c.first, c.length, c.res)
		}
	}
}

// BenchmarkServeObjectRange serves 1 MiB ranges of a 16 MiB object on local
// disk through the whole Fiber stack in process.
func BenchmarkServeObjectRange(b *testing.B) {
	store := objectstest.Local(b)
	const size, chunk = 16 << 20, 1 << 20
	putRandom(b, store, "bench.bin", size, 3)
	app := streamApp(store, ServeOptions{})
	b.SetBytes(chunk)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		first := (i * 7 % (size / chunk)) * chunk
		req := httptest.NewRequest("GET", "/o/bench.bin", nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", first, first+chunk-1))
		resp, err := app.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		got, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || got != chunk {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, got)
		}
	}
}

// TestStreamThroughputMinIO compares 8 parallel ranged reads of a 200 MB
// object through ServeObject on a real TCP listener with the same reads made
// straight to MinIO. Run by hand:
//
//	COLLEGE_BENCH_STREAM=1 COLLEGE_TEST_S3_ENDPOINT=... go test ./modules/web -run TestStreamThroughputMinIO -v
func TestStreamThroughputMinIO(t *testing.T) {
	if os.Getenv("COLLEGE_BENCH_STREAM") != "1" {
		t.Skip("set COLLEGE_BENCH_STREAM=1 (and the MinIO variables) to measure streaming throughput")
	}
	store := objectstest.MinIO(t)
	ctx := context.Background()
	const size, readers = 200 << 20, 8
	const key = "bench/big.bin"
	if _, err := store.Put(ctx, key, io.LimitReader(rand.New(rand.NewSource(5)), size), size, "video/mp4"); err != nil {
		t.Fatal(err)
	}

	app := streamApp(store, ServeOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: readers * 2, DisableCompression: true}}
	url := "http://" + ln.Addr().String() + "/o/" + key

	table := crc32.MakeTable(crc32.Castagnoli)
	part := int64(size / readers)
	type readFn func(i int, first, last int64) (int64, uint32, error)
	viaServer := func(_ int, first, last int64) (int64, uint32, error) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", first, last))
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent {
			return 0, 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		h := crc32.New(table)
		n, err := io.Copy(h, resp.Body)
		return n, h.Sum32(), err
	}
	direct := func(_ int, first, last int64) (int64, uint32, error) {
		opts := minio.GetObjectOptions{}
		if err := opts.SetRange(first, last); err != nil {
			return 0, 0, err
		}
		obj, err := store.Client().GetObject(ctx, store.Bucket(), key, opts)
		if err != nil {
			return 0, 0, err
		}
		defer obj.Close()
		h := crc32.New(table)
		n, err := io.Copy(h, obj)
		return n, h.Sum32(), err
	}
	run := func(read readFn) (mbps float64, sums []uint32) {
		sums = make([]uint32, readers)
		errs := make([]error, readers)
		var wg sync.WaitGroup
		start := time.Now()
		for i := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first := int64(i) * part
				n, sum, err := read(i, first, first+part-1)
				if err == nil && n != part {
					err = fmt.Errorf("read %d bytes, want %d", n, part)
				}
				sums[i], errs[i] = sum, err
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		return float64(size) / (1 << 20) / elapsed.Seconds(), sums
	}

	// Warm up both paths (connections, MinIO caches), then alternate.
	_, want := run(direct)
	_, _ = run(viaServer)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	rssBefore := rssKB()
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()

	const rounds = 9
	var viaMBps, directMBps []float64
	for range rounds {
		d, sums := run(direct)
		directMBps = append(directMBps, d)
		s, got := run(viaServer)
		viaMBps = append(viaMBps, s)
		for i := range sums {
			if sums[i] != want[i] || got[i] != want[i] {
				t.Fatalf("part %d: checksums differ (direct %x, server %x, first %x)", i, sums[i], got[i], want[i])
			}
		}
	}
	close(stop)
	<-sampled
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	rssAfter := rssKB()

	med := func(v []float64) float64 {
		s := append([]float64(nil), v...)
		sort.Float64s(s)
		return s[len(s)/2]
	}
	t.Logf("200 MiB object, %d parallel ranged readers, %d rounds (median; all rounds)", readers, rounds)
	t.Logf("direct MinIO:        %7.1f MiB/s  %v", med(directMBps), roundAll(directMBps))
	t.Logf("through ServeObject: %7.1f MiB/s  %v", med(viaMBps), roundAll(viaMBps))
	t.Logf("ratio: %.0f%%", 100*med(viaMBps)/med(directMBps))
	t.Logf("HeapInuse: before %.1f MiB, peak while streaming %.1f MiB, after %.1f MiB; RSS before %d KiB, after %d KiB; %.1f GiB moved in total",
		float64(before.HeapInuse)/(1<<20), float64(peak)/(1<<20), float64(after.HeapInuse)/(1<<20), rssBefore, rssAfter,
		float64(2*rounds*size)/(1<<30))
	if peak > before.HeapInuse+64<<20 {
		t.Errorf("heap grew by %.1f MiB while streaming: something holds whole objects", float64(peak-before.HeapInuse)/(1<<20))
	}
}

func roundAll(v []float64) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return out
}

// rssKB reads this process's resident set size (Linux), or 0.
func rssKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// An export is saved under its Chinese name, with an ASCII fallback, and
// no cache keeps it.
func TestAttachment(t *testing.T) {
	app := fiber.New()
	app.Get("/x", func(c *fiber.Ctx) error {
		return Attachment(c, XLSX, "学习档案-2026.xlsx", []byte("PK"))
	})
	resp, err := app.Test(httptest.NewRequest("GET", "/x", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	for h, want := range map[string]string{
		"Content-Type":        XLSX,
		"Content-Disposition": `attachment; filename="____-2026.xlsx"; filename*=UTF-8''%E5%AD%A6%E4%B9%A0%E6%A1%A3%E6%A1%88-2026.xlsx`,
		"Cache-Control":       "private, no-store",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if string(body) != "PK" {
		t.Errorf("body %q", body)
	}
}
