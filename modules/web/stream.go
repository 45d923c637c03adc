package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
)

// ServeOptions tunes how ServeObject presents an object.
type ServeOptions struct {
	ContentType string        // overrides the stored type when not empty
	MaxAge      time.Duration // Cache-Control: private, max-age=...; 0 means no-store
	Filename    string        // optional Content-Disposition inline filename (UTF-8, RFC 5987)
}

// ServeObject answers GET/HEAD for an object with HTTP Range support (RFC 9110),
// streaming from the store without reading the whole object into memory: only
// the requested bytes are asked of the store.
//
// Choices the RFC leaves open:
//   - a malformed Range header (bad unit, bad numbers, last < first) is ignored
//     and the whole object is sent with 200;
//   - a request for several ranges gets the whole object with 200, never
//     multipart/byteranges (players only ask for one range);
//   - an unsatisfiable range (first byte at or past the end, a suffix of 0, any
//     range of an empty object) gets 416 with Content-Range: bytes */size.
//
// If-None-Match (weak comparison) and, without it, If-Modified-Since answer
// 304; If-Range (strong ETag or exact Last-Modified date) decides whether the
// range is honoured. A missing object is NotFound.
func ServeObject(c *fiber.Ctx, store objects.Store, key string, opts ServeOptions) error {
	if !servableKey(key) {
		return NotFound()
	}
	info, err := store.Stat(c.UserContext(), key)
	if errors.Is(err, objects.ErrNotFound) || errors.Is(err, objects.ErrBadKey) {
		return NotFound()
	}
	if err != nil {
		return Internal(fmt.Errorf("web: serve object %s: %w", key, err))
	}

	etag := quoteETag(info.ETag)
	modTime := info.ModTime.UTC().Truncate(time.Second)
	h := &c.Response().Header
	h.Set(fiber.HeaderAcceptRanges, "bytes")
	if etag != "" {
		h.Set(fiber.HeaderETag, etag)
	}
	if !modTime.IsZero() {
		h.Set(fiber.HeaderLastModified, modTime.Format(http.TimeFormat))
	}
	if opts.MaxAge > 0 {
		h.Set(fiber.HeaderCacheControl, "private, max-age="+strconv.FormatInt(int64(opts.MaxAge/time.Second), 10))
	} else {
		h.Set(fiber.HeaderCacheControl, "no-store")
	}

	if notModified(c, etag, modTime) {
		c.Status(fiber.StatusNotModified)
		return nil
	}

	start, length, status := int64(0), info.Size, fiber.StatusOK
	if rh := c.Get(fiber.HeaderRange); rh != "" && ifRangeHolds(c.Get(fiber.HeaderIfRange), etag, modTime) {
		first, n, res := parseRange(rh, info.Size)
		switch res {
		case rangeSatisfiable:
			start, length, status = first, n, fiber.StatusPartialContent
			h.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", first, first+n-1, info.Size))
		case rangeUnsatisfiable:
			h.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes */%d", info.Size))
			c.Status(fiber.StatusRequestedRangeNotSatisfiable)
			return nil
		}
	}

	ctype := opts.ContentType
	if ctype == "" {
		ctype = info.ContentType
	}
	if ctype == "" {
		ctype = fiber.MIMEOctetStream
	}
	h.Set(fiber.HeaderContentType, ctype)
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	// The lesson page shows documents in a frame of its own: objects may be
	// framed by the college's pages, by no other site.
	h.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
	h.Set(fiber.HeaderContentSecurityPolicy, "frame-ancestors 'self'")
	if opts.Filename != "" {
		h.Set(fiber.HeaderContentDisposition, disposition("inline", opts.Filename))
	}
	c.Status(status)

	if c.Method() == fiber.MethodHead {
		h.SetContentLength(int(length))
		return nil
	}

	// The body is written after the handler returns, so the read must not
	// die with a request context that middleware cancels on return.
	rc, got, err := store.Get(context.WithoutCancel(c.UserContext()), key, start, length)
	if err == nil && (got.Size != info.Size || got.ETag != info.ETag) {
		// Replaced between Stat and Get: the headers would lie about the bytes.
		rc.Close()
		err = errors.New("changed while serving")
	}
	if err != nil {
		for _, name := range []string{fiber.HeaderContentRange, fiber.HeaderContentDisposition, fiber.HeaderETag, fiber.HeaderLastModified} {
			h.Del(name)
		}
		h.Set(fiber.HeaderCacheControl, "no-store")
		if errors.Is(err, objects.ErrNotFound) {
			return NotFound()
		}
		return Internal(fmt.Errorf("web: serve object %s: %w", key, err))
	}
	// fasthttp streams exactly length bytes and closes rc (an io.Closer).
	c.Context().SetBodyStream(&bodyStream{rc: rc}, int(length))
	return nil
}

// streamBufSize is the copy size from store to socket: big enough that each
// read from the store and each write to the client moves a lot (fasthttp's
// own copy uses 4 KiB, io.Copy 32 KiB), small enough to keep per-connection
// memory modest. One buffer per stream in flight, pooled.
const streamBufSize = 64 << 10

var streamBufs = sync.Pool{New: func() any { b := make([]byte, streamBufSize); return &b }}

// bodyStream hands an object reader to fasthttp; WriteTo lets io.Copy move
// it in large chunks.
type bodyStream struct{ rc io.ReadCloser }

func (s *bodyStream) Read(p []byte) (int, error) { return s.rc.Read(p) }

func (s *bodyStream) Close() error { return s.rc.Close() }

// WriteTo copies the object to w through a pooled buffer.
func (s *bodyStream) WriteTo(w io.Writer) (int64, error) {
	bp := streamBufs.Get().(*[]byte)
	defer streamBufs.Put(bp)
	buf := *bp
	var total int64
	for {
		n, rerr := io.ReadFull(s.rc, buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// servableKey refuses keys that try to climb out of a prefix, the same way
// for every store (MinIO answers them with a bare 400, local disk with
// ErrBadKey).
func servableKey(key string) bool {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") {
		return false
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == ".." || seg == "." {
			return false
		}
	}
	return true
}

type rangeResult int

const (
	rangeIgnored rangeResult = iota
	rangeSatisfiable
	rangeUnsatisfiable
)

// parseRange reads a Range header against an object of size bytes and returns
// the first byte and length of the single range it asks for.
func parseRange(header string, size int64) (first, length int64, res rangeResult) {
	unit, set, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return 0, 0, rangeIgnored
	}
	var spec string
	count := 0
	for part := range strings.SplitSeq(set, ",") {
		if p := strings.TrimSpace(part); p != "" {
			spec = p
			count++
		}
	}
	if count != 1 {
		return 0, 0, rangeIgnored // none, or several ranges: send it all
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, 0, rangeIgnored
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" { // suffix: the last n bytes
		n, ok := parseBytePos(b)
		if !ok {
			return 0, 0, rangeIgnored
		}
		if n == 0 || size == 0 {
			return 0, 0, rangeUnsatisfiable
		}
		n = min(n, size)
		return size - n, n, rangeSatisfiable
	}
	start, ok := parseBytePos(a)
	if !ok {
		return 0, 0, rangeIgnored
	}
	end := int64(math.MaxInt64)
	if b != "" {
		if end, ok = parseBytePos(b); !ok || end < start {
			return 0, 0, rangeIgnored
		}
	}
	if start >= size {
		return 0, 0, rangeUnsatisfiable
	}
	end = min(end, size-1)
	return start, end - start + 1, rangeSatisfiable
}

// parseBytePos reads 1*DIGIT; numbers too large for int64 saturate, which
// the callers treat as "past the end".
func parseBytePos(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return math.MaxInt64, true // only ErrRange is possible here
	}
	return n, true
}

// notModified applies If-None-Match, or If-Modified-Since when there is no
// If-None-Match (RFC 9110 13.2.2).
func notModified(c *fiber.Ctx, etag string, modTime time.Time) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		return etag != "" && etagListMatches(inm, etag)
	}
	ims := c.Get(fiber.HeaderIfModifiedSince)
	if ims == "" || modTime.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !modTime.After(t)
}

// etagListMatches compares an If-None-Match list with weak comparison.
func etagListMatches(list, etag string) bool {
	if strings.TrimSpace(list) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(list, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == want {
			return true
		}
	}
	return false
}

// ifRangeHolds tells whether a Range may be honoured given If-Range: only a
// strong ETag match or an exact Last-Modified date keep the range.
func ifRangeHolds(ifRange, etag string, modTime time.Time) bool {
	ifRange = strings.TrimSpace(ifRange)
	if ifRange == "" {
		return true
	}
	if strings.HasPrefix(ifRange, `"`) || strings.HasPrefix(ifRange, "W/") {
		return etag != "" && !strings.HasPrefix(ifRange, "W/") && ifRange == etag
	}
	t, err := http.ParseTime(ifRange)
	return err == nil && !modTime.IsZero() && t.Equal(modTime)
}

// quoteETag turns the store's ETag into an entity-tag (stores differ on quotes).
func quoteETag(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" || strings.HasPrefix(tag, `"`) || strings.HasPrefix(tag, `W/"`) {
		return tag
	}
	return `"` + strings.ReplaceAll(tag, `"`, "") + `"`
}

// XLSX is the media type of an Excel workbook.
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Attachment answers b as a file to save under name: its media type, the
// name for every browser (RFC 6266, with an ASCII fallback), and no caching,
// since exports carry people's records.
func Attachment(c *fiber.Ctx, mediaType, name string, b []byte) error {
	c.Set(fiber.HeaderContentType, mediaType)
	c.Set(fiber.HeaderContentDisposition, disposition("attachment", name))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

// disposition builds Content-Disposition with an ASCII fallback name and
// the UTF-8 name per RFC 6266/5987.
func disposition(kind, name string) string {
	var ascii strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '/':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii.String(), rfc5987Escape(name))
}

// rfc5987Escape percent-encodes everything but RFC 5987 attr-char.
func rfc5987Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}
