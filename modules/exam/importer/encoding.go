package importer

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// errEncoding is the refusal of a text file whose encoding is not known.
const errEncoding = "文件编码无法识别：请用 UTF-8 编码另存后再导入（记事本“另存为”时编码选 UTF-8）"

// textUTF8 returns a GIFT or text file as UTF-8. UTF-8 (with or without a
// BOM) stays as it is; UTF-16 with a BOM is converted; GBK/GB18030, what
// Chinese Windows Notepad saves as "ANSI", is converted when its bytes read
// as Chinese text. Anything else is refused rather than imported garbled.
func textUTF8(data []byte) ([]byte, string) {
	if out, ok, msg := fromUTF16(data); ok || msg != "" {
		return out, msg
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return data, ""
	}
	if !looksGB(data) {
		return nil, errEncoding
	}
	return decodeAll(simplifiedchinese.GB18030, data)
}

// fromUTF16 converts a file that starts with a UTF-16 byte order mark.
func fromUTF16(data []byte) ([]byte, bool, string) {
	if !bytes.HasPrefix(data, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, false, ""
	}
	out, msg := decodeAll(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), data)
	return out, true, msg
}

func decodeAll(enc encoding.Encoding, data []byte) ([]byte, string) {
	out, _, err := transform.Bytes(enc.NewDecoder(), data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, errEncoding
	}
	return out, ""
}

// looksGB tells whether bytes that are not UTF-8 read as GB18030 text made
// mostly of the common GB2312 characters: every non-ASCII byte belongs to a
// valid double- or four-byte character, and the rarer GBK extension pairs
// (a trail byte below 0xA1, which Latin-1 text with accents also makes) are
// at most a tenth of the GB2312 pairs.
func looksGB(data []byte) bool {
	common, rare := 0, 0
	for i := 0; i < len(data); i++ {
		b := data[i]
		if b < 0x80 {
			continue
		}
		if b == 0x80 || b == 0xFF || i+1 >= len(data) {
			return false
		}
		t := data[i+1]
		switch {
		case t >= 0x30 && t <= 0x39: // four bytes
			if i+3 >= len(data) || data[i+2] < 0x81 || data[i+2] > 0xFE || data[i+3] < 0x30 || data[i+3] > 0x39 {
				return false
			}
			rare++
			i += 3
		case b >= 0xA1 && b <= 0xF7 && t >= 0xA1 && t <= 0xFE:
			common++
			i++
		case t >= 0x40 && t <= 0xFE && t != 0x7F:
			rare++
			i++
		default:
			return false
		}
	}
	return common > 0 && rare*10 <= common
}

// xmlUTF8 prepares a Moodle XML file for the decoder: UTF-16 with a BOM and
// undeclared GBK are converted here; an encoding the XML declaration names
// is decoded by xmlCharset.
func xmlUTF8(data []byte) ([]byte, string) {
	if out, ok, msg := fromUTF16(data); ok || msg != "" {
		return out, msg
	}
	if declaredEncoding(data) != "" {
		return data, ""
	}
	return textUTF8(data)
}

// declaredEncoding is the encoding the XML declaration names, when it is not
// UTF-8.
func declaredEncoding(data []byte) string {
	head := data[:min(len(data), 200)]
	if !bytes.HasPrefix(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(head[:end])
	i := strings.Index(decl, "encoding=")
	if i < 0 || i+10 > len(decl) {
		return ""
	}
	q := decl[i+9]
	label, _, _ := strings.Cut(decl[i+10:], string(q))
	if l := strings.ToLower(strings.TrimSpace(label)); l != "utf-8" && l != "utf8" {
		return l
	}
	return ""
}

// xmlCharset decodes the encodings an XML declaration may name (GBK,
// GB2312, GB18030, Big5, ISO-8859-1 …). A file converted from UTF-16 still
// declares UTF-16: it is UTF-8 by now.
func xmlCharset(label string, input io.Reader) (io.Reader, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	if strings.HasPrefix(l, "utf-16") || l == "utf-8" {
		return input, nil
	}
	enc, err := htmlindex.Get(l)
	if err != nil {
		return nil, fmt.Errorf("不支持的编码 %q，请用 UTF-8 编码另存", label)
	}
	return transform.NewReader(input, enc.NewDecoder()), nil
}
