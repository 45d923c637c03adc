package importer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"college/modules/exam/item"
)

// Media a file brings (Moodle XML's base64 <file>s, data: URIs in GIFT or
// HTML, pictures in a .docx) is found where the text shows it and kept in
// Result.Media by its stored name; the text gets the file's token (see
// item.MediaToken). A question whose media cannot be kept as it is — a
// file the import does not contain, a web address, a formula, a type the
// exam page cannot show — is refused with the reason, never imported
// without it.

// markMedia is what cleanHTML and the Word reader write where a text shows
// a file: the tag and its source between two mediaMarks, resolved by
// collector.add.
func markMedia(tag, src string) string {
	src = strings.ReplaceAll(strings.ReplaceAll(src, string(mediaMark), ""), "\x1f", "")
	return string(mediaMark) + tag + "\x1f" + src + string(mediaMark)
}

var mediaMarks = regexp.MustCompile("\uFFFC([a-zA-Z:]*)\x1f([^\uFFFC]*)\uFFFC")

// pluginFile names an embedded Moodle file by its path and name
// ("@@PLUGINFILE@@/dir/a b.png" is "dir/a b.png").
func pluginFile(src string) (string, bool) {
	rest, ok := strings.CutPrefix(src, "@@PLUGINFILE@@/")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	if u, err := url.PathUnescape(rest); err == nil {
		rest = u
	}
	return strings.TrimPrefix(rest, "/"), true
}

// withFiles gives the marks of a text whose source is one of files (by
// pluginFile name) the file's content as a data: URI.
func withFiles(text string, files map[string][]byte) string {
	if len(files) == 0 || !strings.ContainsRune(text, mediaMark) {
		return text
	}
	return mediaMarks.ReplaceAllStringFunc(text, func(m string) string {
		sub := mediaMarks.FindStringSubmatch(m)
		name, ok := pluginFile(sub[2])
		if !ok {
			return m
		}
		data, ok := files[name]
		if !ok {
			return m
		}
		ct, _ := item.SniffMedia(data)
		return markMedia(sub[1], "data:"+ct+";base64,"+base64.StdEncoding.EncodeToString(data))
	})
}

// resolveMedia replaces the marks of a text with tokens, keeping each
// file in media; why holds what kept a mark from resolving.
func resolveMedia(text string, media map[string][]byte, why *[]string) string {
	if !strings.ContainsRune(text, mediaMark) {
		return text
	}
	out := mediaMarks.ReplaceAllStringFunc(text, func(m string) string {
		sub := mediaMarks.FindStringSubmatch(m)
		name, msg := keepMedia(sub[1], sub[2], media)
		if msg != "" {
			*why = append(*why, msg)
			return "[媒体]" // the question is refused; the text stays non-empty
		}
		return item.MediaToken(name)
	})
	if strings.ContainsRune(out, mediaMark) { // a bare mark: media the reader could not place
		*why = append(*why, "题目含无法读取的图片或音视频，请改为文字或常见格式的图片后再导入")
		out = strings.ReplaceAll(out, string(mediaMark), "")
	}
	return out
}

// keepMedia decodes one source into media, or says why it cannot.
func keepMedia(tag, src string, media map[string][]byte) (string, string) {
	what := "图片"
	switch tag {
	case "audio":
		what = "音频"
	case "video":
		what = "视频"
	}
	src = strings.TrimSpace(src)
	switch {
	case src == "":
		if tag != "img" && tag != "audio" && tag != "video" {
			return "", "题目含公式、图表或矢量图，暂不能导入，请改为文字或 PNG 图片后再导入"
		}
		return "", what + "没有内容，请检查后再导入"
	case strings.HasPrefix(src, "@@PLUGINFILE@@/"):
		name, _ := pluginFile(src)
		return "", fmt.Sprintf("%s「%s」不在文件中（导出时未包含该文件），请重新导出后再导入", what, name)
	case strings.HasPrefix(src, "data:"):
	default:
		lower := strings.ToLower(src)
		if strings.HasPrefix(lower, "http:") || strings.HasPrefix(lower, "https:") || strings.HasPrefix(lower, "//") {
			return "", fmt.Sprintf("题目引用了网上的%s（%s），题库只保存随文件导入的%s，请下载后放入题目再导入", what, short(src), what)
		}
		return "", fmt.Sprintf("%s「%s」不在文件中，请把%s放入题目后再导入", what, short(src), what)
	}
	meta, payload, ok := strings.Cut(src[len("data:"):], ",")
	if !ok || !strings.HasSuffix(strings.ToLower(meta), ";base64") {
		return "", what + "的数据格式无法识别（应为 base64），请检查后再导入"
	}
	payload = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, payload)
	if len(payload) > item.MaxMediaBytes/3*4+4 {
		return "", fmt.Sprintf("%s超过 %d MB，请压缩后再导入", what, item.MaxMediaBytes>>20)
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "="))
	}
	if err != nil {
		return "", what + "的数据已损坏（base64 无法解码），请重新导出后再导入"
	}
	if len(data) > item.MaxMediaBytes {
		return "", fmt.Sprintf("%s超过 %d MB，请压缩后再导入", what, item.MaxMediaBytes>>20)
	}
	ct, ok := item.SniffMedia(data)
	switch {
	case !ok && bytes.Contains(data[:min(len(data), 1024)], []byte("<svg")):
		return "", fmt.Sprintf("%s格式不支持（SVG 矢量图），可用：%s", what, item.MediaTypesText)
	case !ok && ct == "application/octet-stream":
		return "", fmt.Sprintf("%s格式无法识别（Word 中的公式、EMF/WMF 图片请另存为 PNG），可用：%s", what, item.MediaTypesText)
	case !ok:
		return "", fmt.Sprintf("%s格式不支持（%s），可用：%s", what, ct, item.MediaTypesText)
	}
	name := item.MediaName(data, ct)
	media[name] = data
	return name, ""
}

// short cuts a long source for a message.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "…"
	}
	return s
}
