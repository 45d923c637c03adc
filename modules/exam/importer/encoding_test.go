package importer

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A GIFT file saved by Chinese Windows Notepad as "ANSI" (GBK) or as
// "Unicode" (UTF-16 with a BOM) imports the same as UTF-8; a file in an
// encoding that cannot be told (Moodle's own windows-1252 fixture, which
// Moodle refuses too) is refused with the reason, never imported garbled.
func TestGIFTEncodings(t *testing.T) {
	src := string(fixture(t, "sample.gift"))
	want, probs := ParseGIFT([]byte(src))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	want.Format = "gift"
	for name, data := range map[string][]byte{
		"GBK":       encode(t, simplifiedchinese.GBK, src),
		"GB18030":   encode(t, simplifiedchinese.GB18030, src),
		"UTF-16LE":  encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), src),
		"UTF-16BE":  encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), src),
		"UTF-8 BOM": append([]byte("\xef\xbb\xbf"), src...),
	} {
		got, probs, err := Parse("bank.txt", data)
		if err != nil || len(probs) > 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v %+v\n got %+v\nwant %+v", name, err, probs, got, want)
		}
	}
	for name, data := range map[string][]byte{
		"windows-1252 (Moodle's fixture)": fixture(t, "real/moodle_gift_windows-1252.gift.txt"),
		"Latin-1 accents":                 []byte("R\xe9sum\xe9 du caf\xe9 {=oui ~non}"),
		"cut GBK":                         encode(t, simplifiedchinese.GBK, "党的宗旨{=全心全意}")[:5],
	} {
		_, probs := ParseGIFT(data)
		if len(probs) != 1 || probs[0].Message != errEncoding {
			t.Errorf("%s: %+v, want the encoding refusal", name, probs)
		}
	}
}

// A Moodle XML file in GBK (declared) or UTF-16 (with a BOM) imports the
// same as UTF-8; an unknown declared encoding is refused.
func TestMoodleXMLEncodings(t *testing.T) {
	src := string(fixture(t, "moodle.xml"))
	want, probs := ParseMoodleXML([]byte(src))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	want.Format = "moodle_xml"
	decl := func(enc string) string {
		i := strings.Index(src, "?>")
		if i < 0 {
			return `<?xml version="1.0" encoding="` + enc + `"?>` + src
		}
		return `<?xml version="1.0" encoding="` + enc + `"?>` + src[i+2:]
	}
	for name, data := range map[string][]byte{
		"GBK declared":    encode(t, simplifiedchinese.GBK, decl("GBK")),
		"GB2312 declared": encode(t, simplifiedchinese.GBK, decl("gb2312")),
		"UTF-16 with BOM": encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), decl("UTF-16")),
		"GBK undeclared":  encode(t, simplifiedchinese.GBK, decl("UTF-8")[strings.Index(decl("UTF-8"), "?>")+2:]),
	} {
		got, probs, err := Parse("bank.xml", data)
		if err != nil || len(probs) > 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v %+v", name, err, probs)
		}
	}
	_, probs = ParseMoodleXML([]byte(decl("x-klingon")))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "不支持的编码") {
		t.Errorf("unknown encoding: %+v", probs)
	}
}

func gbk() encoding.Encoding { return simplifiedchinese.GBK }
