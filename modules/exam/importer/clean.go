package importer

import (
	"strings"

	"golang.org/x/net/html"
)

// blockTags start a new line in the plain text.
var blockTags = map[string]bool{
	"p": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "table": true,
	"ul": true, "ol": true,
}

// cleanHTML turns an HTML fragment into plain text: tags removed, <br>
// and block elements become line breaks, entities decoded, spaces
// collapsed within lines and empty lines dropped.
func cleanHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return tidyText(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // inside <script> or <style>
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
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
			case tag == "br" || blockTags[tag]:
				b.WriteByte('\n')
			case tag == "td" || tag == "th":
				if tt != html.EndTagToken {
					b.WriteByte(' ')
				}
			}
		}
	}
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
