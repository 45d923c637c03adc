package media

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"college/modules/media/mediatest"
)

func TestOpenXLSXReadsAWorkbook(t *testing.T) {
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"用户名", "姓名 <甲> & \"乙\""})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	for name, data := range map[string][]byte{
		"excelize":  buf.Bytes(),
		"mediatest": mediatest.Workbook(mediatest.Rows([]string{"用户名", "姓名"}, []string{"a", "b"})),
		"prefixed and commented": mediatest.Workbook(mediatest.Part{Head: `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><!-- a > b --><x:sheetData>` +
			`<x:row r="1" spans="1:2" x:note='a>b'><x:c r="A1" t="inlineStr"><x:is><x:t><![CDATA[用户名 <>]]></x:t></x:is></x:c></x:row><x:row r="2"/></x:sheetData></x:worksheet>`}),
	} {
		wb, err := OpenXLSX(data, DefaultXLSXLimits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows, err := wb.GetRows(wb.GetSheetList()[0])
		if err != nil || len(rows) == 0 || !strings.HasPrefix(rows[0][0], "用户名") {
			t.Fatalf("%s: rows %q, %v", name, rows, err)
		}
		_ = wb.Close()
	}
}

// A 400 MB cell deflates to well under a megabyte; it is refused from the
// central directory, without inflating anything.
func TestOpenXLSXRefusesABomb(t *testing.T) {
	data := mediatest.Bomb([]string{"用户名*", "姓名*"}, 400<<20)
	if len(data) > 2<<20 {
		t.Fatalf("bomb of %d bytes", len(data))
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := OpenXLSX(data, DefaultXLSXLimits)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrZipTooLarge) {
		t.Fatalf("OpenXLSX(bomb) = %v, %v; want ErrZipTooLarge", f, err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Fatalf("refusing the bomb allocated %d MB", grew>>20)
	}
}

// noise is a part of text that deflate cannot squeeze much: honest about
// its ratio.
func noise(name string, size int) mediatest.Part {
	var b strings.Builder
	x := uint32(1)
	for b.Len() < size {
		x = x*1664525 + 1013904223
		b.WriteByte(byte('a' + x>>24%26))
	}
	return mediatest.Part{Name: name, Head: b.String()}
}

// Parts excelize decodes whole are kept small; pictures it only carries
// may be larger.
func TestXLSXPartLimits(t *testing.T) {
	sheet := mediatest.Rows([]string{"a"})
	if _, err := OpenXLSX(mediatest.Workbook(sheet, noise("xl/styles.xml", 3<<20)), DefaultXLSXLimits); !errors.Is(err, ErrZipTooLarge) {
		t.Errorf("3 MB styles: %v", err)
	}
	if _, err := OpenXLSX(mediatest.Workbook(sheet, noise("xl/sharedStrings.xml", 9<<20)), DefaultXLSXLimits); !errors.Is(err, ErrZipTooLarge) {
		t.Errorf("9 MB shared strings: %v", err)
	}
	f, err := OpenXLSX(mediatest.Workbook(sheet, noise("xl/media/image1.png", 3<<20)), DefaultXLSXLimits)
	if err != nil {
		t.Fatalf("3 MB picture: %v", err)
	}
	_ = f.Close()
}

func TestCheckZipLimits(t *testing.T) {
	lim := ZipLimits{MaxEntries: 8, MaxEntrySize: 3 << 20, MaxTotalSize: 5 << 20, MaxRatio: 50,
		EntrySize: func(name string) int64 {
			if name == "big" {
				return 4 << 20
			}
			return 0
		}}
	many := make([]mediatest.Part, 9)
	for i := range many {
		many[i] = mediatest.Part{Name: strings.Repeat("x", i+1), Head: "x"}
	}
	for _, c := range []struct {
		name  string
		parts []mediatest.Part
		want  error
	}{
		{"fine", []mediatest.Part{noise("a", 2<<20), noise("b", 2<<20)}, nil},
		{"entry over its limit", []mediatest.Part{noise("a", 3<<20+1)}, ErrZipTooLarge},
		{"entry under its own limit", []mediatest.Part{noise("big", 3<<20+1)}, nil},
		{"entry over its own limit", []mediatest.Part{noise("big", 4<<20+1)}, ErrZipTooLarge},
		{"total", []mediatest.Part{noise("a", 2<<20), noise("b", 2<<20), noise("c", 2<<20)}, ErrZipTooLarge},
		{"ratio", []mediatest.Part{{Name: "a", Unit: "A", Size: 2 << 20}}, ErrZipTooLarge},
		{"small parts compress freely", []mediatest.Part{{Name: "a", Unit: "A", Size: 1 << 19}}, nil},
		{"entries", many, ErrZipTooLarge},
	} {
		err := CheckZip(mediatest.Zip(c.parts...), lim)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// The signature count refuses a directory too long to read, even if
	// the end record claims fewer entries.
	data := mediatest.Zip(many[:8]...)
	if err := CheckZip(append([]byte("PK\x01\x02"), data...), lim); !errors.Is(err, ErrZipTooLarge) {
		t.Errorf("nine signatures: %v", err)
	}
}

func TestOpenXLSXBoundsRowsAndMarkup(t *testing.T) {
	lim := DefaultXLSXLimits
	lim.MaxMarkup, lim.MaxRow = 1000, 4000
	cell := func(text string) string { return `<c t="inlineStr"><is><t>` + text + `</t></is></c>` }
	sheet := func(rows string) mediatest.Part {
		return mediatest.Part{Head: mediatest.SheetHead + rows + mediatest.SheetTail}
	}
	for _, c := range []struct {
		name  string
		sheet mediatest.Part
		want  error
	}{
		{"fine", sheet(`<row>` + strings.Repeat(cell(strings.Repeat("x", 900)), 4) + `</row><row/>`), nil},
		{"long cell", sheet(`<row>` + cell(strings.Repeat("x", 1001)) + `</row>`), ErrZipTooLarge},
		{"long row", sheet(`<row>` + strings.Repeat(cell(strings.Repeat("x", 900)), 5) + `</row>`), ErrZipTooLarge},
		{"long prefixed row", sheet(`<x:row a="1">` + strings.Repeat(cell("x"), 200) + `</x:row>`), ErrZipTooLarge},
		{"many short rows", sheet(strings.Repeat(`<row>`+cell("x")+`</row>`, 200)), nil},
		{"long attribute", sheet(`<row a="` + strings.Repeat(">", 1001) + `"/>`), ErrZipTooLarge},
		{"long comment", sheet(`<!--` + strings.Repeat("<a>", 400) + `-->`), ErrZipTooLarge},
		{"long CDATA", sheet(`<row>` + `<c><v><![CDATA[` + strings.Repeat("<a>", 400) + `]]></v></c></row>`), ErrZipTooLarge},
		{"doctype", sheet(`<!DOCTYPE x [<!ENTITY a "b">]>`), ErrNotZip},
	} {
		f, err := OpenXLSX(mediatest.Workbook(c.sheet), lim)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if f != nil {
			_ = f.Close()
		}
	}
}

func TestOpenXLSXRefusesWhatIsNotAWorkbook(t *testing.T) {
	good := mediatest.Workbook(mediatest.Rows([]string{"a"}))
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("用户名,姓名\nzhangsan,张三\n"),
		"random":    bytes.Repeat([]byte{0x8f, 0x13, 0xe2, 0x55}, 1000),
		"zip head":  []byte("PK\x03\x04 this is not a workbook"),
		"truncated": good[:len(good)/2],
	} {
		f, err := OpenXLSX(data, DefaultXLSXLimits)
		if !errors.Is(err, ErrNotZip) {
			t.Errorf("%s: %v, %v; want ErrNotZip", name, f, err)
		}
	}
}
