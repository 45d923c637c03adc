// Package search finds courses, topics, classes and notices by their
// titles across the college, each within what the caller may see: every
// module answers for its own records through a Source that app/ wires, so
// the visibility rules stay where they are written.
package search

import (
	"cmp"
	"context"
	"log/slog"
	"strings"
	"sync"
	"unicode/utf8"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

// Item is one hit.
type Item struct {
	Type  string `json:"type"` // course, topic, class, notice
	ID    uint64 `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Response answers GET /api/v1/search.
type Response struct {
	Q     string `json:"q"`
	Items []Item `json:"items"`
}

// Source finds records of one type whose title (or summary) contains q,
// among those p may see, at most limit of them.
type Source struct {
	Type  string
	Label string // the type in Chinese, for the page
	Find  func(ctx context.Context, p *web.Principal, q string, limit int) ([]Item, error)
}

// Service asks every source at once.
type Service struct {
	sources []Source
	log     *slog.Logger
}

// New makes the search over sources, in the order results are shown.
func New(log *slog.Logger, sources ...Source) *Service {
	return &Service{sources: sources, log: log}
}

// PerType bounds the hits of each type.
const PerType = 10

// MaxQuery bounds a query, in characters.
const MaxQuery = 50

// Search finds q in every source. A source that fails is left out and
// logged; the others answer.
func (s *Service) Search(ctx context.Context, p *web.Principal, q string) (Response, error) {
	q = strings.Join(strings.Fields(q), " ")
	f := web.Fields{}
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		f.Add("q", "请输入要搜索的内容")
	case n > MaxQuery:
		f.Add("q", "搜索内容不能超过 50 个字")
	}
	if err := f.Err(); err != nil {
		return Response{}, err
	}
	found := make([][]Item, len(s.sources))
	errs := make([]error, len(s.sources))
	var wg sync.WaitGroup
	for i, src := range s.sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i], errs[i] = src.Find(ctx, p, q, PerType)
		}()
	}
	wg.Wait()
	out := Response{Q: q, Items: []Item{}}
	failed := 0
	for i, items := range found {
		if errs[i] != nil {
			failed++
			s.log.Warn("search: source failed", "type", s.sources[i].Type, "err", errs[i])
			continue
		}
		out.Items = append(out.Items, items[:min(len(items), PerType)]...)
	}
	if failed == len(s.sources) && failed > 0 {
		return Response{}, web.Internal(errs[0])
	}
	return out, nil
}

// Handlers serves the search.
type Handlers struct {
	svc   *Service
	pages *web.Engine
}

// NewHandlers makes the handlers.
func NewHandlers(svc *Service, pages *web.Engine) *Handlers {
	return &Handlers{svc: svc, pages: pages}
}

// Register lists the routes.
func (h *Handlers) Register(api *web.API, pages fiber.Router) {
	api.Get("/search", web.Doc{Summary: "站内搜索：课程、专题、班次和通知公告，只含调用者可见的内容", Resp: Response{}, Query: []string{"q"}}, h.search)
	pages.Get("/search", web.RequireLogin, h.page)
}

func (h *Handlers) search(c *fiber.Ctx) error {
	out, err := h.svc.Search(c.UserContext(), web.Caller(c), c.Query("q"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// pageData is the data of search/results.
type pageData struct {
	Q      string
	Groups []group
	Error  string
	Asked  bool
}

type group struct {
	Label string
	Items []Item
}

func (h *Handlers) page(c *fiber.Ctx) error {
	d := pageData{Q: strings.TrimSpace(c.Query("q"))}
	status := fiber.StatusOK
	if d.Q != "" {
		d.Asked = true
		out, err := h.svc.Search(c.UserContext(), web.Caller(c), d.Q)
		if err != nil {
			we := web.AsError(err)
			if we.Status >= 500 {
				return err
			}
			status, d.Error = we.Status, cmp.Or(we.Fields["q"], we.Message)
		}
		for _, src := range h.svc.sources {
			g := group{Label: src.Label}
			for _, it := range out.Items {
				if it.Type == src.Type {
					g.Items = append(g.Items, it)
				}
			}
			if len(g.Items) > 0 {
				d.Groups = append(d.Groups, g)
			}
		}
	}
	return h.pages.Render(c, status, "search/results", "站内搜索", d)
}
