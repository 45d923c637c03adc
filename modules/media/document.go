package media

import (
	"bytes"
	"path"
	"strings"
)

var officeTypes = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".doc":  "application/msword",
	".ppt":  "application/vnd.ms-powerpoint",
	".xls":  "application/vnd.ms-excel",
}

// DocumentType recognises an attached document by its first bytes: PDF,
// Office files (OOXML and the older binary format, told apart by the
// file name's extension) and PNG/JPEG scans. ok is false for anything else.
func DocumentType(head []byte, filename string) (contentType string, ok bool) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf", true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		contentType = "application/zip"
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		contentType = "application/x-ole-storage"
	default:
		return "", false
	}
	if t, ok := officeTypes[strings.ToLower(path.Ext(filename))]; ok {
		contentType = t
	}
	return contentType, true
}
