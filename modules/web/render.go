package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Engine renders the server-side pages: every page template is parsed once
// with the shared layout and partials.
type Engine struct {
	pages   map[string]*template.Template
	assets  map[string]string // path -> fingerprint
	College string            // the college's name, shown in every page
	unread  func(ctx context.Context, userID uint64) (int64, error)
}

// PageData is what every page template receives.
type PageData struct {
	Title   string
	College string
	Caller  *Principal
	CSRF    string
	Path    string
	Query   url.Values // the request's query, for links that keep filters
	Flash   string
	Unread  int64 // the caller's unread notifications, for the nav's badge
	Data    any
}

// NewEngine parses templates/layout.html, templates/partials/*.html and each
// templates/<module>/<page>.html (page name "<module>/<page>") from fsys, and
// fingerprints the files under assets/. extra adds or replaces template
// functions (a module's own, such as exam's qtext).
func NewEngine(fsys fs.FS, college string, extra ...template.FuncMap) (*Engine, error) {
	e := &Engine{pages: map[string]*template.Template{}, assets: map[string]string{}, College: college}
	_ = fs.WalkDir(fsys, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil
		}
		sum := sha256.Sum256(b)
		e.assets[strings.TrimPrefix(p, "assets/")] = hex.EncodeToString(sum[:4])
		return nil
	})
	base := template.New("layout").Funcs(e.funcs())
	for _, f := range extra {
		base = base.Funcs(f)
	}
	if _, err := base.ParseFS(fsys, "templates/layout.html"); err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	if m, _ := fs.Glob(fsys, "templates/partials/*.html"); len(m) > 0 {
		if _, err := base.ParseFS(fsys, m...); err != nil {
			return nil, fmt.Errorf("web: parse partials: %w", err)
		}
	}
	err := fs.WalkDir(fsys, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if rel == "layout" || strings.HasPrefix(rel, "partials/") {
			return nil
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(fsys, p); err != nil {
			return fmt.Errorf("web: parse %s: %w", p, err)
		}
		e.pages[rel] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Asset returns the fingerprinted URL of a static file.
func (e *Engine) Asset(name string) string {
	if v, ok := e.assets[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

func (e *Engine) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) string { return e.Asset(name) },
		"has":   func(p *Principal, roles ...string) bool { return p.HasAny(roles...) },
		"roleName": func(r string) string {
			if n, ok := RoleNames[r]; ok {
				return n
			}
			return r
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(Shanghai).Format("2006-01-02")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(Shanghai).Format("2006-01-02 15:04:05")
		},
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i + 1
			}
			return s
		},
		"join": strings.Join,
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		"base":     path.Base,
		"pager":    NewPager,
		"pct":      func(f float64) string { return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%" },
		"clock":    Clock,
		"yes":      func(b *bool) bool { return b != nil && *b },
		"minutes":  func(seconds float64) int { return int(math.Ceil(seconds / 60)) },
		"readTime": ReadTime,
		"size":     SizeText,
		"dict":     Dict,
		"cols":     Cols,
		// qtext shows a question's text; the exam module replaces it with
		// one that shows the text's pictures and sounds.
		"qtext": func(s string) template.HTML { return template.HTML(template.HTMLEscapeString(s)) },
	}
}

// Dict builds the argument map of a partial from key, value pairs:
// {{template "filterActions" (dict "Active" $d.Q "Reset" "/admin/users")}}.
func Dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// truth tells whether v counts as true in a template's if.
func truth(v any) bool {
	if v == nil {
		return false
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return r.Len() > 0
	}
	return !r.IsZero()
}

// Column is one header cell of the "thead" partial.
type Column struct {
	Label, Class, Title string
}

// Cols builds the columns of the "thead" partial. Each string is
// "label", "label|class" or "label|class|title". Any other argument must be
// false, nil or empty, as (and $cond "label") gives when $cond is false: that
// column is left out.
func Cols(specs ...any) ([]Column, error) {
	cols := make([]Column, 0, len(specs))
	for _, spec := range specs {
		s, ok := spec.(string)
		if !ok {
			if truth(spec) {
				return nil, fmt.Errorf("cols: %v is not a column", spec)
			}
			continue
		}
		if s == "" {
			continue
		}
		parts := strings.SplitN(s, "|", 3)
		c := Column{Label: parts[0]}
		if len(parts) > 1 {
			c.Class = parts[1]
		}
		if len(parts) > 2 {
			c.Title = parts[2]
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// Render writes page name with the layout.
// SetUnread gives the engine the count of a user's unread notifications,
// shown as a badge in every signed-in page's navigation.
func (e *Engine) SetUnread(f func(ctx context.Context, userID uint64) (int64, error)) { e.unread = f }

func (e *Engine) Render(c *fiber.Ctx, status int, name, title string, data any) error {
	t, ok := e.pages[name]
	if !ok {
		return Internal(fmt.Errorf("web: no page template %q", name))
	}
	pd := PageData{Title: title, College: e.College, Caller: Caller(c), Path: c.Path(), Data: data, Query: url.Values{}}
	for k, v := range c.Queries() {
		pd.Query.Set(k, v)
	}
	if pd.Caller != nil {
		pd.CSRF = pd.Caller.CSRF
		if e.unread != nil {
			pd.Unread, _ = e.unread(c.UserContext(), pd.Caller.UserID) // a badge is not worth failing the page
		}
	}
	if f := c.Cookies("flash"); f != "" {
		pd.Flash, _ = url.QueryUnescape(f)
		c.Cookie(&fiber.Cookie{Name: "flash", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0), HTTPOnly: true, SameSite: "Lax", Secure: SecureCookies(c)})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pd); err != nil {
		return Internal(fmt.Errorf("web: render %s: %w", name, err))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}

// Clock formats seconds as mm:ss, or h:mm:ss from an hour on.
func Clock(seconds float64) string {
	n := int(math.Round(seconds))
	if n < 0 {
		n = 0
	}
	h, m, sec := n/3600, n/60%60, n%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%02d:%02d", m, sec)
}

// ReadTime formats a reading time: "N 秒" under a minute, else whole minutes.
func ReadTime(seconds int) string {
	if seconds < 60 {
		return strconv.Itoa(seconds) + " 秒"
	}
	return strconv.Itoa((seconds+59)/60) + " 分钟"
}

// Pager holds the links of a page navigation that keeps the other filters.
type Pager struct {
	Page, Pages             int
	First, Prev, Next, Last string
}

// NewPager builds the links for page of pages on the current page's URL.
func NewPager(pd PageData, page, pages int) Pager {
	link := func(n int) string {
		q := url.Values{}
		for k, v := range pd.Query {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return pd.Path + "?" + q.Encode()
	}
	p := Pager{Page: page, Pages: pages}
	if page > 1 {
		p.First, p.Prev = link(1), link(page-1)
	}
	if page < pages {
		p.Next, p.Last = link(page+1), link(pages)
	}
	return p
}

// Flash sets a one-time message shown on the next page.
func Flash(c *fiber.Ctx, msg string) {
	c.Cookie(&fiber.Cookie{Name: "flash", Value: url.QueryEscape(msg), Path: "/", HTTPOnly: true, SameSite: "Lax", MaxAge: 60, Secure: SecureCookies(c)})
}
