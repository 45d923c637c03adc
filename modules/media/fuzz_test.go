package media

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"college/modules/media/mediatest"
)

// FuzzDocumentType: a recognised document always has a content type, and
// only the listed first bytes are recognised.
//
//	go test ./modules/media -run '^$' -fuzz '^FuzzDocumentType$' -fuzztime 60s
func FuzzDocumentType(f *testing.F) {
	for _, s := range []string{"%PDF-1.7\n", "PK\x03\x04rest", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "\xFF\xD8\xFF\xE0", "\x89PNG\r\n\x1a\n", "MZ\x90\x00", "<html>"} {
		f.Add([]byte(s), "方案.docx")
	}
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		ct, ok := DocumentType(head, name)
		if ok != (ct != "") {
			t.Fatalf("DocumentType = %q, %v", ct, ok)
		}
		known := false
		for _, sig := range []string{"%PDF-", "\xFF\xD8\xFF", "\x89PNG\r\n\x1a\n", "PK\x03\x04", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"} {
			known = known || bytes.HasPrefix(head, []byte(sig))
		}
		if ok != known {
			t.Fatalf("DocumentType(%q) = %q, %v", head, ct, ok)
		}
	})
}

// FuzzOpenXLSX runs the whole path of an uploaded workbook: checks, open,
// every row of every sheet. Nothing may panic, and a refusal is one of the
// two errors the importers translate.
//
//	go test ./modules/media -run '^$' -fuzz '^FuzzOpenXLSX$' -fuzztime 60s
func FuzzOpenXLSX(f *testing.F) {
	f.Add(mediatest.Workbook(mediatest.Rows([]string{"用户名*", "姓名*"}, []string{"a", "b <&>"})))
	f.Add(mediatest.Workbook(mediatest.Part{Head: mediatest.SheetHead + `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>1.5</v></c></row>` + mediatest.SheetTail},
		mediatest.Part{Name: "xl/sharedStrings.xml", Head: `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>题型</t></si></sst>`}))
	f.Add([]byte("PK\x03\x04"))
	lim := DefaultXLSXLimits
	lim.MaxMarkup, lim.MaxRow = 4<<10, 16<<10
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := OpenXLSX(data, lim)
		if err != nil {
			if !errors.Is(err, ErrNotZip) && !errors.Is(err, ErrZipTooLarge) {
				t.Fatalf("OpenXLSX: %v", err)
			}
			return
		}
		defer wb.Close()
		for _, sheet := range wb.GetSheetList() {
			rows, err := wb.Rows(sheet)
			if err != nil {
				continue
			}
			for n := 0; rows.Next() && n < 1000; n++ {
				if _, err := rows.Columns(); err != nil {
					break
				}
			}
			_ = rows.Close()
		}
	})
}

// FuzzScanXML holds the XML scan to what encoding/xml then reads: once the
// scan accepts a part, no token the decoder reads from it is longer than
// the markup limit, and no row longer than the row limit.
//
//	go test ./modules/media -run '^$' -fuzz '^FuzzScanXML$' -fuzztime 60s
func FuzzScanXML(f *testing.F) {
	f.Add(mediatest.Rows([]string{"a", "b"}, []string{"<&>"}).Head)
	f.Add(`<?xml version="1.0"?><x:ws xmlns:x="u"><!-- c > d --><x:row a='>'><x:c><![CDATA[<>]]></x:c></x:row><row/></x:ws>`)
	f.Add(`<a b="1"><?pi x?>text &amp; more</a>`)
	const maxMarkup, maxRow = 64, 256
	f.Fuzz(func(t *testing.T, doc string) {
		if scanXML(strings.NewReader(doc), maxMarkup, maxRow) != nil {
			return
		}
		d := xml.NewDecoder(strings.NewReader(doc))
		var rowStart int64 = -1
		for {
			start := d.InputOffset()
			tok, err := d.RawToken()
			if err != nil {
				if err != io.EOF && rowStart < 0 {
					return // malformed: the decoder stops here too
				}
				return
			}
			end := d.InputOffset()
			if end-start > maxMarkup {
				t.Fatalf("token %T of %d bytes at %d accepted", tok, end-start, start)
			}
			switch el := tok.(type) {
			case xml.StartElement:
				if el.Name.Local == "row" && rowStart < 0 {
					rowStart = start
				}
			case xml.EndElement:
				if el.Name.Local == "row" && rowStart >= 0 {
					if end-rowStart > maxRow {
						t.Fatalf("row of %d bytes at %d accepted", end-rowStart, rowStart)
					}
					rowStart = -1
				}
			}
		}
	})
}
