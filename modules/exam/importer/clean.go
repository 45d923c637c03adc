package importer

import (
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

// mediaMark stands where an HTML fragment had an image, audio or video,
// which the bank cannot hold yet: a question with one is refused (see
// collector.add) rather than imported without it.
const mediaMark = '\uFFFC'

var mediaTags = map[string]bool{"img": true, "audio": true, "video": true, "object": true, "embed": true, "svg": true, "math": true}

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
			if skip == 0 {
				w(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
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
			case mediaTags[tag]:
				if tt != html.EndTagToken {
					w(string(mediaMark))
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
