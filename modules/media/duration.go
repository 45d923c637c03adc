package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"strings"
	"time"

	"github.com/abema/go-mp4"
	"github.com/remko/go-mkvparse"
)

// readBudget caps the bytes a duration probe may read: the parsers only need
// box and element headers plus a few small boxes, and a hostile file must
// not make them pull a whole object through a ranged reader.
const readBudget = 4 << 20

// maxHeaderBox is the largest mvhd, mehd or mdhd box believed (real ones
// are 16 to 120 bytes).
const maxHeaderBox = 1 << 10

// Duration reads the duration in seconds of an MP4 (or QuickTime) or WebM
// from its container, through r of size bytes: only headers are read, with
// seeks over the media data, so the moov box may sit at the end of an MP4.
// The format is taken from the first bytes; contentType is only a hint for
// files Sniff does not recognise. A damaged file gives an error, never a
// panic.
func Duration(r io.ReaderAt, size int64, contentType string) (float64, error) {
	head := make([]byte, min(size, SniffLen))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return 0, fmt.Errorf("media: read head: %w", errors.Join(ErrMalformed, err))
	}
	container := ""
	if p, err := Sniff(head); err == nil {
		if p.Kind != KindVideo {
			return 0, ErrUnsupported
		}
		container = p.ContentType
	} else {
		container, _, _ = mime.ParseMediaType(contentType)
	}
	var parse func(io.ReadSeeker, int64) (float64, error)
	switch strings.ToLower(container) {
	case "video/mp4", "video/quicktime", "video/x-m4v":
		parse = mp4Duration
	case "video/webm", "video/x-matroska":
		parse = webmDuration
	default:
		return 0, ErrUnsupported
	}
	d, err := safeParse(parse, &budgetReader{r: io.NewSectionReader(r, 0, size), left: readBudget}, size)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(d) || math.IsInf(d, 0) || d <= 0 {
		return 0, ErrNoDuration
	}
	return d, nil
}

// safeParse turns a parser panic on hostile input into ErrMalformed.
func safeParse(parse func(io.ReadSeeker, int64) (float64, error), rs io.ReadSeeker, size int64) (d float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = 0, fmt.Errorf("%w: parser panic: %v", ErrMalformed, p)
		}
	}()
	return parse(rs, size)
}

// checkTopLevelBoxes walks the top-level box headers: a box running past the
// end of the file means a truncated upload, whose moov or media is cut off.
func checkTopLevelBoxes(rs io.ReadSeeker, size int64) error {
	var hdr [16]byte
	for off, boxes := int64(0), 0; size-off >= 8; boxes++ {
		if boxes == 10000 {
			return fmt.Errorf("%w: mp4: too many top-level boxes", ErrMalformed)
		}
		if _, err := rs.Seek(off, io.SeekStart); err != nil {
			return fmt.Errorf("%w: mp4: %v", ErrMalformed, err)
		}
		if _, err := io.ReadFull(rs, hdr[:8]); err != nil {
			return fmt.Errorf("%w: mp4: box header at %d: %v", ErrMalformed, off, err)
		}
		boxSize := int64(binary.BigEndian.Uint32(hdr[:4]))
		switch boxSize {
		case 0: // runs to the end of the file
			return nil
		case 1: // 64-bit size follows the type
			if _, err := io.ReadFull(rs, hdr[8:16]); err != nil {
				return fmt.Errorf("%w: mp4: box header at %d: %v", ErrMalformed, off, err)
			}
			u := binary.BigEndian.Uint64(hdr[8:16])
			if u > math.MaxInt64 || u < 16 {
				return fmt.Errorf("%w: mp4: bad box size at %d", ErrMalformed, off)
			}
			boxSize = int64(u)
		default:
			if boxSize < 8 {
				return fmt.Errorf("%w: mp4: bad box size at %d", ErrMalformed, off)
			}
		}
		if boxSize > size-off {
			return fmt.Errorf("%w: mp4: %q box at %d needs %d bytes, the file ends %d bytes later (truncated?)",
				ErrMalformed, hdr[4:8], off, boxSize, size-off)
		}
		off += boxSize
	}
	return nil
}

// mp4Duration takes mvhd's duration; for fragmented files without one, the
// mvex/mehd fragment duration; failing both, the longest track's mdhd.
func mp4Duration(rs io.ReadSeeker, size int64) (float64, error) {
	if err := checkTopLevelBoxes(rs, size); err != nil {
		return 0, err
	}
	boxes, err := mp4.ExtractBoxes(rs, nil, []mp4.BoxPath{
		{mp4.BoxTypeMoov(), mp4.BoxTypeMvhd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeMvex(), mp4.BoxTypeMehd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeTrak(), mp4.BoxTypeMdia(), mp4.BoxTypeMdhd()},
	})
	if err != nil {
		return 0, fmt.Errorf("%w: mp4: %v", ErrMalformed, err)
	}
	var movieScale uint32
	var movie, fragments, longestTrack float64
	var fragmentUnits uint64
	for _, bi := range boxes {
		if bi.Size > maxHeaderBox || bi.Size < bi.HeaderSize {
			return 0, fmt.Errorf("%w: mp4: %s box of %d bytes", ErrMalformed, bi.Type, bi.Size)
		}
		if _, err := bi.SeekToPayload(rs); err != nil {
			return 0, fmt.Errorf("%w: mp4: %v", ErrMalformed, err)
		}
		box, _, err := mp4.UnmarshalAny(rs, bi.Type, bi.Size-bi.HeaderSize, bi.Context)
		if err != nil {
			return 0, fmt.Errorf("%w: mp4: %s: %v", ErrMalformed, bi.Type, err)
		}
		switch b := box.(type) {
		case *mp4.Mvhd:
			movieScale = b.Timescale
			movie = seconds(b.GetDuration(), b.Timescale, b.GetVersion())
		case *mp4.Mehd:
			fragmentUnits = b.GetFragmentDuration()
		case *mp4.Mdhd:
			longestTrack = max(longestTrack, seconds(b.GetDuration(), b.Timescale, b.GetVersion()))
		}
	}
	if fragmentUnits > 0 && movieScale > 0 {
		fragments = float64(fragmentUnits) / float64(movieScale)
	}
	for _, d := range []float64{movie, fragments, longestTrack} {
		if d > 0 {
			return d, nil
		}
	}
	if len(boxes) == 0 {
		return 0, fmt.Errorf("%w: mp4: no moov box", ErrNoDuration)
	}
	return 0, ErrNoDuration
}

// seconds converts a header duration; all ones means "unknown" in version 0
// (32-bit) and version 1 (64-bit) boxes alike.
func seconds(units uint64, scale uint32, version uint8) float64 {
	if scale == 0 || units == 0 || units == math.MaxUint64 || (version == 0 && units == math.MaxUint32) {
		return 0
	}
	return float64(units) / float64(scale)
}

// webmDuration reads Segment/Info: Duration × TimecodeScale (nanoseconds).
func webmDuration(rs io.ReadSeeker, size int64) (float64, error) {
	h := &segmentInfo{scale: 1_000_000, fileSize: size}
	err := mkvparse.Parse(rs, h)
	if err != nil && !errors.Is(err, errInfoRead) {
		return 0, fmt.Errorf("%w: webm: %v", ErrMalformed, err)
	}
	if !h.haveDuration {
		return 0, ErrNoDuration
	}
	return h.duration * float64(h.scale) / 1e9, nil
}

var errInfoRead = errors.New("media: segment info read")

// segmentInfo descends only into Segment and Info (clusters are skipped with
// seeks) and stops the parse once Info has been read.
type segmentInfo struct {
	fileSize     int64
	scale        int64
	duration     float64
	haveDuration bool
}

func (h *segmentInfo) HandleMasterBegin(id mkvparse.ElementID, info mkvparse.ElementInfo) (bool, error) {
	if id == mkvparse.SegmentElement && info.Size >= 0 && info.Size > h.fileSize-info.Offset {
		// A live recording leaves the size unknown (-1); a known one past
		// the end of the file means a truncated upload.
		return false, fmt.Errorf("segment of %d bytes at %d runs past the end of the file (truncated?)", info.Size, info.Offset)
	}
	return id == mkvparse.SegmentElement || id == mkvparse.InfoElement, nil
}

func (h *segmentInfo) HandleMasterEnd(id mkvparse.ElementID, _ mkvparse.ElementInfo) error {
	if id == mkvparse.InfoElement {
		return errInfoRead
	}
	return nil
}

func (h *segmentInfo) HandleInteger(id mkvparse.ElementID, v int64, _ mkvparse.ElementInfo) error {
	if id == mkvparse.TimecodeScaleElement && v > 0 {
		h.scale = v
	}
	return nil
}

func (h *segmentInfo) HandleFloat(id mkvparse.ElementID, v float64, _ mkvparse.ElementInfo) error {
	if id == mkvparse.DurationElement {
		h.duration, h.haveDuration = v, true
	}
	return nil
}

func (h *segmentInfo) HandleString(mkvparse.ElementID, string, mkvparse.ElementInfo) error {
	return nil
}

func (h *segmentInfo) HandleDate(mkvparse.ElementID, time.Time, mkvparse.ElementInfo) error {
	return nil
}

func (h *segmentInfo) HandleBinary(mkvparse.ElementID, []byte, mkvparse.ElementInfo) error {
	return nil
}

// budgetReader fails once a parser has read more than its budget (seeks are
// free: that is how media data is skipped), and never returns a short read
// without an error.
type budgetReader struct {
	r    *io.SectionReader
	left int64
}

var errBudget = errors.New("media: container headers larger than expected")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	// Fill p or fail: go-mkvparse reads values with a single Read and would
	// take a short read at the end of a truncated file as a whole value.
	n, err := io.ReadFull(b.r, p)
	b.left -= int64(n)
	return n, err
}

func (b *budgetReader) Seek(offset int64, whence int) (int64, error) {
	return b.r.Seek(offset, whence)
}
