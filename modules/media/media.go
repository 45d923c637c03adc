// Package media recognises uploaded files by their first bytes (never by
// their name) and reads a video's duration from its container through ranged
// reads, so a video in the object store is probed without downloading it.
package media

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// Kind is what the college does with a file.
type Kind string

// The kinds of file the college accepts.
const (
	KindVideo    Kind = "video"
	KindDocument Kind = "document"
	KindImage    Kind = "image"
)

// Probe describes an uploaded file: what it is, the content type to store
// and serve it with, the extension to name it with and, for videos once
// Duration has run, its length.
type Probe struct {
	Kind            Kind
	ContentType     string
	Ext             string
	DurationSeconds float64
}

var (
	// ErrUnsupported means the bytes are not a format the college accepts.
	ErrUnsupported = errors.New("media: unsupported file type")
	// ErrNoDuration means the container is readable but states no duration
	// (for example a live-recorded WebM without a Duration element).
	ErrNoDuration = errors.New("media: no duration in the container")
	// ErrMalformed means the container is damaged or truncated.
	ErrMalformed = errors.New("media: malformed container")
)

// SniffLen is how many leading bytes Sniff needs to decide.
const SniffLen = 512

// Sniff identifies MP4 (and QuickTime), WebM, PDF, PNG, JPEG, GIF and WebP
// from the first bytes of a file (up to SniffLen are used); anything else,
// audio-only MP4 and Matroska other than WebM included, is ErrUnsupported.
func Sniff(head []byte) (Probe, error) {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return Probe{Kind: KindImage, ContentType: "image/png", Ext: ".png"}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return Probe{Kind: KindImage, ContentType: "image/jpeg", Ext: ".jpg"}, nil
	case bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")):
		return Probe{Kind: KindImage, ContentType: "image/gif", Ext: ".gif"}, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return Probe{Kind: KindImage, ContentType: "image/webp", Ext: ".webp"}, nil
	case isPDF(head):
		return Probe{Kind: KindDocument, ContentType: "application/pdf", Ext: ".pdf"}, nil
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return sniffFtyp(head)
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		if ebmlDocType(head) == "webm" {
			return Probe{Kind: KindVideo, ContentType: "video/webm", Ext: ".webm"}, nil
		}
	}
	return Probe{}, ErrUnsupported
}

// isPDF accepts the header anywhere in the first 1024 bytes, as readers do.
func isPDF(head []byte) bool {
	return bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-"))
}

// ISO base media brands: audio-only and still-image brands share the ftyp
// box with video and must not pass as video.
var (
	audioBrands = map[string]bool{"M4A ": true, "M4B ": true, "M4P ": true, "F4A ": true, "F4B ": true}
	imageBrands = map[string]bool{"heic": true, "heix": true, "heim": true, "heis": true, "hevc": true, "hevx": true,
		"mif1": true, "msf1": true, "avif": true, "avis": true, "jpgs": true}
	videoBrands = map[string]bool{"isom": true, "iso2": true, "iso3": true, "iso4": true, "iso5": true, "iso6": true,
		"iso7": true, "iso8": true, "iso9": true, "mp41": true, "mp42": true, "avc1": true, "av01": true, "dash": true,
		"mmp4": true, "M4V ": true, "M4VH": true, "M4VP": true, "f4v ": true, "msnv": true, "cmfc": true, "cmf2": true,
		"3gp4": true, "3gp5": true, "3gp6": true, "3g2a": true, "MSNV": true, "NDAS": true, "XAVC": true}
)

func sniffFtyp(head []byte) (Probe, error) {
	major := string(head[8:12])
	if audioBrands[major] || imageBrands[major] {
		return Probe{}, ErrUnsupported
	}
	if major == "qt  " {
		return Probe{Kind: KindVideo, ContentType: "video/quicktime", Ext: ".mov"}, nil
	}
	ok := videoBrands[major]
	// Compatible brands follow the minor version, up to the end of the box.
	boxEnd := min(int(binary.BigEndian.Uint32(head[:4])), len(head))
	for i := 16; !ok && i+4 <= boxEnd; i += 4 {
		ok = videoBrands[string(head[i:i+4])]
	}
	if !ok {
		return Probe{}, ErrUnsupported
	}
	return Probe{Kind: KindVideo, ContentType: "video/mp4", Ext: ".mp4"}, nil
}

// ebmlDocType reads DocType from the EBML header at the start of head, or "".
func ebmlDocType(head []byte) string {
	p := 4 // past the EBML element ID
	size, n := ebmlVint(head[p:])
	if n == 0 {
		return ""
	}
	p += n
	end := len(head)
	if size >= 0 && int64(end-p) > size {
		end = p + int(size)
	}
	for p < end {
		id, idLen := ebmlID(head[p:end])
		if idLen == 0 {
			return ""
		}
		p += idLen
		sz, n := ebmlVint(head[p:end])
		if n == 0 || sz < 0 || sz > int64(end-p-n) {
			return ""
		}
		p += n
		if id == 0x4282 {
			return string(bytes.TrimRight(head[p:p+int(sz)], "\x00"))
		}
		p += int(sz)
	}
	return ""
}

// ebmlID reads an element ID (1 to 4 bytes, marker bits kept).
func ebmlID(b []byte) (id uint32, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 4 || len(b) < n {
		return 0, 0
	}
	for i := range n {
		id = id<<8 | uint32(b[i])
	}
	return id, n
}

// ebmlVint reads a data size (1 to 8 bytes); -1 means "unknown size".
func ebmlVint(b []byte) (v int64, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n = 1
	mask := byte(0x80)
	for ; b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if len(b) < n {
		return 0, 0
	}
	u := uint64(b[0] & (mask - 1))
	allOnes := u == uint64(mask-1)
	for i := 1; i < n; i++ {
		u = u<<8 | uint64(b[i])
		allOnes = allOnes && b[i] == 0xFF
	}
	if allOnes {
		return -1, n
	}
	return int64(u), n
}
