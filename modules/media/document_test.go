package media

import "testing"

func TestDocumentType(t *testing.T) {
	for _, c := range []struct {
		head, name, want string
		ok               bool
	}{
		{"%PDF-1.7\n", "方案.pdf", "application/pdf", true},
		{"PK\x03\x04rest", "签到表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
		{"PK\x03\x04rest", "archive.zip", "application/zip", true},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "课程表.DOC", "application/msword", true},
		{"\xFF\xD8\xFF\xE0", "photo.jpg", "image/jpeg", true},
		{"\x89PNG\r\n\x1a\n", "scan.png", "image/png", true},
		{"MZ\x90\x00", "evil.pdf", "", false},
		{"<html>", "page.docx", "", false},
	} {
		got, ok := DocumentType([]byte(c.head), c.name)
		if got != c.want || ok != c.ok {
			t.Errorf("%q %s: %q %v, want %q %v", c.head, c.name, got, ok, c.want, c.ok)
		}
	}
}
