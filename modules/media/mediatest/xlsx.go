// Package mediatest builds hostile upload files for tests: zip bombs that
// look like Excel workbooks, written straight through the compressor so a
// test never holds their expanded form.
package mediatest

import (
	"archive/zip"
	"bytes"
	"strings"
)

// Part is one zip entry: Head, then Unit repeated until at least Size bytes
// of it are written, then Tail. Stored parts are not compressed.
type Part struct {
	Name             string
	Head, Unit, Tail string
	Size             int64
	Stored           bool
}

const (
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
	mainNS  = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	relNS   = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
)

// SheetHead and SheetTail wrap the rows of a worksheet part.
const (
	SheetHead = xmlDecl + `<worksheet ` + mainNS + `><sheetData>`
	SheetTail = `</sheetData></worksheet>`
)

// skeleton are the parts every workbook needs besides its first sheet.
func skeleton() []Part {
	return []Part{
		{Name: "[Content_Types].xml", Head: xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
			`</Types>`},
		{Name: "_rels/.rels", Head: xmlDecl + `<Relationships ` + relNS + `><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{Name: "xl/workbook.xml", Head: xmlDecl + `<workbook ` + mainNS + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{Name: "xl/_rels/workbook.xml.rels", Head: xmlDecl + `<Relationships ` + relNS + `>` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>` +
			`</Relationships>`},
	}
}

// Workbook writes a minimal workbook whose first sheet is sheet (a Part
// named xl/worksheets/sheet1.xml is made from it), followed by extra parts.
func Workbook(sheet Part, extra ...Part) []byte {
	sheet.Name = "xl/worksheets/sheet1.xml"
	return Zip(append(append(skeleton(), sheet), extra...)...)
}

// Zip writes the parts into a zip archive.
func Zip(parts ...Part) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		h := &zip.FileHeader{Name: p.Name, Method: zip.Deflate}
		if p.Stored {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		_, _ = w.Write([]byte(p.Head))
		if p.Size > 0 && p.Unit != "" {
			chunk := []byte(strings.Repeat(p.Unit, 64<<10/len(p.Unit)+1))
			for n := int64(0); n < p.Size; n += int64(len(chunk)) {
				_, _ = w.Write(chunk)
			}
		}
		_, _ = w.Write([]byte(p.Tail))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Rows is a sheet part of the given rows of inline-string cells.
func Rows(rows ...[]string) Part {
	var b strings.Builder
	b.WriteString(SheetHead)
	for _, r := range rows {
		b.WriteString("<row>")
		for _, v := range r {
			b.WriteString(`<c t="inlineStr"><is><t>`)
			b.WriteString(escape(v))
			b.WriteString(`</t></is></c>`)
		}
		b.WriteString("</row>")
	}
	b.WriteString(SheetTail)
	return Part{Head: b.String()}
}

// Bomb is a workbook whose first sheet is header followed by one cell of
// size bytes of "A": a few hundred MB deflate to well under a megabyte.
func Bomb(header []string, size int64) []byte {
	head := Rows(header).Head
	head = strings.TrimSuffix(head, SheetTail) + `<row><c t="inlineStr"><is><t>`
	return Workbook(Part{Head: head, Unit: "A", Size: size, Tail: `</t></is></c></row>` + SheetTail})
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
