package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// XLSXLimits bound an uploaded Excel workbook: its zip container, and what
// excelize holds in memory at once while reading it row by row.
type XLSXLimits struct {
	Zip       ZipLimits
	MaxMarkup int // bytes of one tag, text run, comment or CDATA section of any XML part
	MaxRow    int // bytes of one <row> element of a worksheet
}

// xlsxInMemory is the size above which excelize moves a worksheet or the
// shared strings table to a temporary file and reads it from there: its
// in-memory decoding of the shared strings costs 30 times their size.
const xlsxInMemory = 1 << 20

// DefaultXLSXLimits fit the import templates with room to spare: 50,000
// users make a 16 MB sheet and a 4 MB shared strings table, 10,000 long
// questions a 15 MB sheet. Worksheets are read a row at a time, so a row
// (and a single cell) is bounded rather than the sheet; the shared strings
// cost about 10 times their size in memory and other XML parts (styles)
// up to 30 times, so they are kept small; pictures are held as they are.
var DefaultXLSXLimits = XLSXLimits{
	Zip: ZipLimits{
		MaxEntries:   1000,
		MaxEntrySize: 8 << 20,
		MaxTotalSize: 128 << 20,
		MaxRatio:     200,
		EntrySize: func(name string) int64 {
			switch n := partName(name); {
			case strings.HasPrefix(n, "xl/worksheets/"):
				return 64 << 20
			case n == "xl/sharedstrings.xml":
				return 8 << 20
			case isXMLPart(n):
				return 2 << 20
			}
			return 0
		},
	},
	MaxMarkup: 1 << 20,
	MaxRow:    4 << 20,
}

// isXMLPart tells the parts excelize may decode from the pictures and
// other files it only carries.
func isXMLPart(name string) bool {
	return strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") || strings.HasSuffix(name, ".vml")
}

// OpenXLSX opens an uploaded workbook once CheckZip and a streaming scan of
// its XML parts have accepted it, with excelize's own unzip limits set to
// the same bounds. Errors wrap ErrZipTooLarge (refuse as a likely bomb) or
// ErrNotZip (not a readable workbook). Close the file when done: that also
// removes excelize's temporary files.
func OpenXLSX(data []byte, lim XLSXLimits) (f *excelize.File, err error) {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, fmt.Errorf("%w: no zip signature", ErrNotZip)
	}
	zr, err := checkZip(data, lim.Zip)
	if err != nil {
		return nil, err
	}
	for _, zf := range zr.File {
		if !isXMLPart(partName(zf.Name)) {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNotZip, zf.Name, err)
		}
		err = scanXML(rc, lim.MaxMarkup, lim.MaxRow)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("%w: excelize panic: %v", ErrNotZip, p)
		}
	}()
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.Zip.MaxTotalSize,
		UnzipXMLSizeLimit: min(lim.Zip.MaxTotalSize, xlsxInMemory),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotZip, err)
	}
	return f, nil
}

// XML scanner states.
const (
	inText = iota
	inTagStart
	inTag
	inQuote
	inBang
	inComment
	inCDATA
	inPI
)

// scanXML reads an XML part once, holding nothing of it, and refuses it
// with ErrZipTooLarge when a single token (tag, text run, comment, CDATA
// section, processing instruction) is longer than maxMarkup or a <row>
// element is longer than maxRow: encoding/xml would hold either in memory
// whole. A DOCTYPE (never in an Office part) is refused as ErrNotZip.
// Other malformations are left to the XML decoder.
func scanXML(r io.Reader, maxMarkup, maxRow int) error {
	br := bufio.NewReaderSize(r, 32<<10)
	var (
		state      = inText
		quote      byte
		token, row int
		inRow      bool
		name       []byte // first bytes of the current tag's name
		nameDone   bool
		prev       byte // last byte in the current tag, for "/>"
		tail       [8]byte
		tailLen    int // bytes of "<!" construct seen, for its kind
		closing    bool
	)
	tooLarge := func(what string, n int) error {
		return fmt.Errorf("%w: %s of more than %d bytes", ErrZipTooLarge, what, n)
	}
	endTag := func() {
		local := name
		if i := bytes.LastIndexByte(local, ':'); i >= 0 {
			local = local[i+1:]
		}
		if string(local) == "row" {
			switch {
			case closing:
				inRow = false
			case prev != '/':
				inRow = true
				row = token
			}
		}
	}
	for {
		c, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotZip, err)
		}
		token++
		if inRow {
			row++
			if row > maxRow {
				return tooLarge("row", maxRow)
			}
		}
		if token > maxMarkup {
			return tooLarge("markup", maxMarkup)
		}
		switch state {
		case inText:
			if c == '<' {
				state, token, name, nameDone, closing, prev = inTagStart, 1, name[:0], false, false, 0
			}
		case inTagStart:
			switch c {
			case '!':
				state, tailLen = inBang, 0
			case '?':
				state = inPI
			case '/':
				state, closing = inTag, true
			case '>':
				state, token = inText, 0
			default:
				state = inTag
				name = append(name, c)
			}
		case inTag:
			switch {
			case c == '"' || c == '\'':
				state, quote, nameDone = inQuote, c, true
			case c == '>':
				endTag()
				state, token = inText, 0
			case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/':
				nameDone = true
			case !nameDone && len(name) < 32:
				name = append(name, c)
			}
			prev = c
		case inQuote:
			if c == quote {
				state = inTag
			}
		case inBang:
			tail[tailLen] = c
			tailLen++
			switch seen := string(tail[:tailLen]); {
			case seen == "--":
				state, tailLen = inComment, 0
			case seen == "[CDATA[":
				state, tailLen = inCDATA, 0
			case !strings.HasPrefix("--", seen) && !strings.HasPrefix("[CDATA[", seen):
				return fmt.Errorf("%w: XML declaration <!%s", ErrNotZip, seen)
			}
		case inComment, inCDATA, inPI:
			tail[0], tail[1], tail[2] = tail[1], tail[2], c
			tailLen = min(tailLen+1, 3)
			end := "-->"
			if state == inCDATA {
				end = "]]>"
			} else if state == inPI {
				end = "?>"
			}
			if tailLen >= len(end) && string(tail[3-len(end):3]) == end {
				state, token, tailLen = inText, 0, 0
			}
		}
	}
}
