package media

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrZipTooLarge means an archive would expand past its limits: a zip
	// bomb, or at least nothing an import should be asked to read.
	ErrZipTooLarge = errors.New("media: archive expands too much")
	// ErrNotZip means the bytes are not a readable zip archive.
	ErrNotZip = errors.New("media: not a zip archive")
)

// MsgZipTooLarge tells an uploader why an archive was refused.
const MsgZipTooLarge = "文件解压后过大，可能不是正常的 Excel 文件"

// ZipLimits bound what a zip archive may expand to. Sizes are uncompressed
// bytes as the central directory states them; archive/zip refuses to
// inflate an entry past its stated size, so the statement is binding.
type ZipLimits struct {
	MaxEntries   int   // entries in the central directory
	MaxEntrySize int64 // any one entry, unless EntrySize says otherwise
	MaxTotalSize int64 // all entries together
	MaxRatio     int64 // uncompressed/compressed size of an entry over ratioFloor
	// EntrySize, when set, gives the limit for the named entry; 0 means
	// MaxEntrySize.
	EntrySize func(name string) int64
}

// ratioFloor is the size below which an entry's compression ratio is not
// checked: a small XML part of repeated tags compresses very well and
// costs nothing to inflate.
const ratioFloor = 1 << 20

// CheckZip reads the central directory of a zip archive (nothing is
// inflated) and refuses it with ErrZipTooLarge when it has too many
// entries, an entry or the whole would expand past the limits, or an
// entry is compressed suspiciously well. Unreadable bytes give ErrNotZip.
func CheckZip(data []byte, lim ZipLimits) error {
	_, err := checkZip(data, lim)
	return err
}

func checkZip(data []byte, lim ZipLimits) (*zip.Reader, error) {
	// Every central directory header starts with this signature, so the
	// count bounds the entries archive/zip would allocate: a directory of
	// millions of tiny entries is refused before it is read.
	if n := bytes.Count(data, []byte("PK\x01\x02")); n > lim.MaxEntries {
		return nil, fmt.Errorf("%w: more than %d entries", ErrZipTooLarge, lim.MaxEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotZip, err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, fmt.Errorf("%w: %d entries", ErrZipTooLarge, len(zr.File))
	}
	var total uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		limit := lim.MaxEntrySize
		if lim.EntrySize != nil {
			if l := lim.EntrySize(f.Name); l > 0 {
				limit = l
			}
		}
		if size > uint64(limit) {
			return nil, fmt.Errorf("%w: %q expands to %d bytes", ErrZipTooLarge, f.Name, size)
		}
		total += size
		if total > uint64(lim.MaxTotalSize) {
			return nil, fmt.Errorf("%w: more than %d bytes in all", ErrZipTooLarge, lim.MaxTotalSize)
		}
		if ratio := size / max(f.CompressedSize64, 1); size > ratioFloor && ratio > uint64(lim.MaxRatio) {
			return nil, fmt.Errorf("%w: %q compressed %d to 1", ErrZipTooLarge, f.Name, ratio)
		}
	}
	return zr, nil
}

// partName normalises an entry name the way excelize does.
func partName(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, `\`, "/"))
}
