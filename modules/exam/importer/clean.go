package importer

import (
	"path/filepath"
	"strings"

	"github.com/yuin/goldmark"
	"golang.org/x/net/html"
)

// blockTags start a new line in the plain text.
var blockTags = map[string]bool{
	"p": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "table": true,
	"ul": true, "ol": true,
}

// mediaMark encloses, in text read from HTML or Word, where a picture,
// sound, video or formula stood (see markMedia); collector.add turns each
// into the stored file's token or refuses the question with the reason.
const mediaMark = '\uFFFC'

// opaqueTags are media the bank cannot show as a file: formulas and
// vector drawings.
var opaqueTags = map[string]bool{"object": true, "embed": true, "svg": true, "math": true}

// linkMedia tells the kind of media a link to an embedded file is (Moodle
// shows <a href="@@PLUGINFILE@@/a.mp3"> as a player), or "".
func linkMedia(href string) string {
	if !strings.HasPrefix(href, "@@PLUGINFILE@@/") && !strings.HasPrefix(href, "data:") {
		return ""
	}
	if strings.HasPrefix(href, "data:") {
		mime, _, _ := strings.Cut(href[len("data:"):], "/")
		switch mime {
		case "image":
			return "img"
		case "audio", "video":
			return mime
		}
		return ""
	}
	name, _ := pluginFile(href)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		return "img"
	case ".mp3", ".m4a", ".ogg", ".oga", ".wav":
		return "audio"
	case ".mp4", ".webm", ".ogv":
		return "video"
	}
	return ""
}

// cleanHTML turns an HTML fragment into plain text that keeps its meaning:
// tags removed, <br> and block elements become line breaks, entities
// decoded, <sup>/<sub> become superscript or subscript characters (10² and
// H₂O; "^(…)" and "_(…)" where Unicode has none), <pre> keeps its spaces
// and lines, and media leave mediaMark. Elsewhere spaces are collapsed
// within lines and empty lines dropped.
func cleanHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return tidyText(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var out []string              // finished segments: tidied text, or kept <pre> text
	var b strings.Builder         // the current segment
	skip, pre := 0, 0             // inside <script>/<style>; inside <pre>
	link := 0                     // inside a link shown as its media
	player := ""                  // an <audio>/<video> waiting for its <source>
	var script []*strings.Builder // open <sup>/<sub>, innermost last
	var kinds []string
	w := func(t string) {
		if n := len(script); n > 0 {
			script[n-1].WriteString(t)
			return
		}
		b.WriteString(t)
	}
	flush := func(keep bool) {
		if keep {
			out = append(out, strings.Trim(b.String(), "\n"))
		} else if t := tidyText(b.String()); t != "" {
			out = append(out, t)
		}
		b.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			for len(script) > 0 { // unclosed <sup>: keep its text
				t := script[len(script)-1].String()
				script, kinds = script[:len(script)-1], kinds[:len(kinds)-1]
				w(t)
			}
			flush(pre > 0)
			return strings.Join(out, "\n")
		case html.TextToken:
			if skip == 0 && link == 0 {
				w(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch {
			case tag == "script" || tag == "style":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case tag == "sup" || tag == "sub":
				if tt == html.StartTagToken {
					script, kinds = append(script, &strings.Builder{}), append(kinds, tag)
				} else if tt == html.EndTagToken && len(script) > 0 {
					t, k := script[len(script)-1].String(), kinds[len(kinds)-1]
					script, kinds = script[:len(script)-1], kinds[:len(kinds)-1]
					w(scriptText(t, k == "sup"))
				}
			case tag == "pre":
				if tt == html.StartTagToken {
					flush(false)
					pre++
				} else if tt == html.EndTagToken && pre > 0 {
					flush(true)
					pre--
				}
			case tag == "img":
				if tt != html.EndTagToken {
					w(markMedia("img", attrs["src"]))
				}
			case tag == "audio" || tag == "video":
				switch {
				case tt == html.EndTagToken:
					if player != "" {
						w(markMedia(player, ""))
						player = ""
					}
				case attrs["src"] != "":
					w(markMedia(tag, attrs["src"]))
				case tt == html.StartTagToken:
					player = tag
				}
			case tag == "source":
				if player != "" {
					w(markMedia(player, attrs["src"]))
					player = ""
				}
			case tag == "a":
				if tt == html.StartTagToken {
					if kind := linkMedia(attrs["href"]); kind != "" || link > 0 {
						if link == 0 {
							w(markMedia(kind, attrs["href"]))
						}
						link++
					}
				} else if tt == html.EndTagToken && link > 0 {
					link--
				}
			case opaqueTags[tag]:
				if tt != html.EndTagToken {
					w(markMedia(tag, ""))
				}
			case tag == "br" || blockTags[tag]:
				w("\n")
			case tag == "td" || tag == "th":
				if tt != html.EndTagToken {
					w(" ")
				}
			}
		}
	}
}

const (
	supFrom = "0123456789+-=()ni"
	supTo   = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"
	subFrom = "0123456789+-=()"
	subTo   = "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎"
)

// scriptText writes the text of a <sup> (or <sub>) in characters that keep
// its meaning: 10<sup>2</sup> is 10², H<sub>2</sub>O is H₂O; text Unicode
// has no such characters for is written ^(…) or _(…).
func scriptText(t string, sup bool) string {
	t = strings.TrimSpace(t)
	if t == "" {
		return ""
	}
	from, to, mark := subFrom, []rune(subTo), "_"
	if sup {
		from, to, mark = supFrom, []rune(supTo), "^"
	}
	var b strings.Builder
	for _, r := range t {
		i := strings.IndexRune(from, r)
		if i < 0 {
			if len([]rune(t)) == 1 {
				return mark + t
			}
			return mark + "(" + t + ")"
		}
		b.WriteRune(to[i])
	}
	return b.String()
}

// tidyText collapses runs of spaces (including no-break spaces) in each
// line, trims lines and drops empty ones.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// markdownHTML renders Markdown ([markdown] in GIFT) as HTML, raw HTML in
// it left out, for cleanHTML to turn into text.
func markdownHTML(s string) string {
	var b strings.Builder
	if err := goldmark.Convert([]byte(s), &b); err != nil {
		return html.EscapeString(s)
	}
	return b.String()
}
