package portal

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// imagePath is where the images of posts are served; only they may appear
// in a body.
var imagePath = regexp.MustCompile(`^/api/v1/notice-images/[A-Za-z0-9_-]+\.(?:png|jpg|gif|webp)$`)

// bodyPolicy allows what the portal's editor produces: paragraphs,
// headings, emphasis, lists, quotes, simple tables, links and the post's
// own images. Scripts, styles, event handlers and foreign images go.
func bodyPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "blockquote",
		"ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "hr")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("src").Matching(imagePath).OnElements("img")
	p.AllowAttrs("alt").Matching(regexp.MustCompile(`^[^<>"]{0,200}$`)).OnElements("img")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	return p
}

// Sanitizer cleans the HTML of post bodies and college introductions.
type Sanitizer struct{ p *bluemonday.Policy }

// NewSanitizer builds the policy once; it is safe for concurrent use.
func NewSanitizer() *Sanitizer { return &Sanitizer{p: bodyPolicy()} }

// Clean returns the allowed part of html.
func (s *Sanitizer) Clean(html string) string { return s.p.Sanitize(html) }
