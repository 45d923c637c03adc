package item

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
)

// A question's stem, options and analysis may show pictures, sounds and
// videos. Each is kept in the object store under a name made of its
// content's SHA-256 and an extension, and written in the text where it
// stands as a token: "[图片:<sha256>.png]", "[音频:….mp3]", "[视频:….mp4]".
// The same file is stored once however many questions show it, and a
// token reads in an exported workbook as what it is.

// MaxMediaBytes bounds one picture, sound or video in a question.
const MaxMediaBytes = 10 << 20

// mediaTypes are the kinds of file a question may show, by MIME type, with
// the extension of their name and the word of their token.
var mediaTypes = map[string]struct{ ext, word string }{
	"image/png":  {"png", "图片"},
	"image/jpeg": {"jpg", "图片"},
	"image/gif":  {"gif", "图片"},
	"image/webp": {"webp", "图片"},
	"audio/mpeg": {"mp3", "音频"},
	"audio/mp4":  {"m4a", "音频"},
	"audio/ogg":  {"ogg", "音频"},
	"audio/wav":  {"wav", "音频"},
	"video/mp4":  {"mp4", "视频"},
	"video/webm": {"webm", "视频"},
}

// MediaTypesText names the files a question may show, for messages.
const MediaTypesText = "PNG、JPEG、GIF、WebP 图片，MP3、M4A、OGG、WAV 音频，MP4、WebM 视频"

var mediaToken = regexp.MustCompile(`\[(图片|音频|视频):([0-9a-f]{64}\.(?:png|jpg|gif|webp|mp3|m4a|ogg|wav|mp4|webm))\]`)

// SniffMedia names a file's MIME type by its content (http.DetectContentType,
// with the audio and video types it leaves generic told apart by their
// headers), and whether a question may show it.
func SniffMedia(data []byte) (string, bool) {
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch {
	case ct == "audio/wave":
		ct = "audio/wav"
	case ct == "application/ogg":
		ct = "audio/ogg"
	case ct == "video/mp4" && len(data) >= 12 && (string(data[8:11]) == "M4A" || string(data[8:11]) == "M4B"):
		ct = "audio/mp4"
	}
	_, ok := mediaTypes[ct]
	return ct, ok
}

// MediaName is the stored name of a file of a type SniffMedia accepted.
func MediaName(data []byte, contentType string) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + "." + mediaTypes[contentType].ext
}

// MediaToken is the token that shows a stored file in a question's text.
func MediaToken(name string) string {
	ext := name[strings.LastIndexByte(name, '.')+1:]
	for _, t := range mediaTypes {
		if t.ext == ext {
			return "[" + t.word + ":" + name + "]"
		}
	}
	return ""
}

// MediaType is the MIME type of a stored name's extension ("" when none).
func MediaType(name string) string {
	ext := name[strings.LastIndexByte(name, '.')+1:]
	for ct, t := range mediaTypes {
		if t.ext == ext {
			return ct
		}
	}
	return ""
}

// IsMediaName tells whether name is the name of a stored question file.
func IsMediaName(name string) bool {
	m := mediaToken.FindStringSubmatch("[图片:" + name + "]")
	return m != nil && m[0] == "[图片:"+name+"]"
}

// MediaNames lists the files the texts show, each once, in order.
func MediaNames(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, m := range mediaToken.FindAllStringSubmatch(t, -1) {
			if !seen[m[2]] {
				seen[m[2]] = true
				out = append(out, m[2])
			}
		}
	}
	return out
}

// MediaSpan is where a token stands in a text, and the file it names.
type MediaSpan struct {
	Start, End int
	Name       string
}

// MediaSpans finds the tokens of a text in order.
func MediaSpans(text string) []MediaSpan {
	var out []MediaSpan
	for _, m := range mediaToken.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, MediaSpan{Start: m[0], End: m[1], Name: text[m[4]:m[5]]})
	}
	return out
}

// HasMedia tells whether a text shows a stored file.
func HasMedia(t string) bool { return mediaToken.MatchString(t) }

// Media lists the files a question shows, each once.
func (q *Question) Media() []string {
	texts := append([]string{q.Stem, q.Analysis, q.Key.Reference}, q.Options...)
	return MediaNames(texts...)
}
