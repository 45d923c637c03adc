package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"college/app/collegetest"
	"college/modules/media/mediatest"
)

// Both Excel imports refuse a zip bomb (a 400 MB cell deflated to under a
// megabyte) with 422 before inflating it, and import nothing.
func TestExcelImportsRefuseBombs(t *testing.T) {
	a, c := collegetest.NewCityApp(t)
	col, ua := c.Tokens["col"], c.Tokens["ua_admin"]
	bank := a.Do("POST", "/api/v1/banks", col, map[string]any{"name": "炸弹题库"}).ID(t)
	users := func() float64 { return a.Do("GET", "/api/v1/users?page_size=1", ua, nil).JSON(t)["total"].(float64) }
	questions := func() float64 {
		return a.Do("GET", fmt.Sprintf("/api/v1/banks/%d/questions?page_size=1", bank), col, nil).JSON(t)["total"].(float64)
	}
	usersBefore := users()
	for _, imp := range []struct {
		path, token string
		header      []string
	}{
		{"/api/v1/users/import", ua, collegetest.ImportHeader},
		{fmt.Sprintf("/api/v1/banks/%d/import", bank), col, []string{"题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H", "答案", "分值", "难度", "标签", "解析"}},
	} {
		bomb := mediatest.Bomb(imp.header, 400<<20)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := a.Upload(imp.path, imp.token, "名单.xlsx", bomb, nil)
		runtime.ReadMemStats(&after)
		collegetest.MustStatus(t, r, 422)
		if r.ErrorCode(t) != "import_invalid" || !strings.Contains(string(r.Body), "文件解压后过大") {
			t.Fatalf("%s: %s", imp.path, r.Body)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 200<<20 {
			t.Fatalf("%s: the refused bomb allocated %d MB", imp.path, grew>>20)
		}
	}
	if users() != usersBefore || questions() != 0 {
		t.Fatalf("a refused bomb imported something: users %v (was %v), questions %v", users(), usersBefore, questions())
	}
}

// Files that are not workbooks get a clear 422, never a 500.
func TestExcelImportsRefuseBrokenFiles(t *testing.T) {
	t.Parallel()
	a, c := collegetest.NewCityApp(t)
	col, ua := c.Tokens["col"], c.Tokens["ua_admin"]
	bank := a.Do("POST", "/api/v1/banks", col, map[string]any{"name": "坏文件题库"}).ID(t)
	good := collegetest.ImportFile(t, collegetest.ImportHeader, [][]string{{"x1", "某", "UA", "", "", "", "", "", ""}})
	docx := mediatest.Zip(
		mediatest.Part{Name: "[Content_Types].xml", Head: `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		mediatest.Part{Name: "_rels/.rels", Head: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		mediatest.Part{Name: "word/document.xml", Head: `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>通知</w:t></w:r></w:p></w:body></w:document>`},
	)
	files := map[string][]byte{
		"random":        bytes.Repeat([]byte{0x8f, 0x13, 0xe2, 0x55, 0x00, 0x7a}, 2000),
		"truncated":     good[:len(good)*2/3],
		"docx":          docx,
		"zip head":      []byte("PK\x03\x04 not a workbook"),
		"no sheet data": mediatest.Workbook(mediatest.Part{Head: `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="s"><v>99</v></c></row>`}),
	}
	for name, data := range files {
		for _, imp := range []struct{ path, token string }{
			{"/api/v1/users/import", ua},
			{fmt.Sprintf("/api/v1/banks/%d/import", bank), col},
		} {
			r := a.Upload(imp.path, imp.token, "名单.xlsx", data, nil)
			if r.Status != 422 || r.ErrorCode(t) != "import_invalid" {
				t.Errorf("%s to %s: %d %s", name, imp.path, r.Status, r.Body)
			}
		}
	}
}
