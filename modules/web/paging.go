package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Page is a page request: ?page=&page_size=.
type Page struct {
	Page     int
	PageSize int
}

// MaxPageSize caps page_size.
const MaxPageSize = 200

// MaxOffset caps how many rows a page may skip: page*page_size can neither
// overflow nor ask the database to scan past ten million rows.
const MaxOffset = 10_000_000

// IDPage reads the route's :id and the page of its list the query asks for.
func IDPage(c *fiber.Ctx) (uint64, Page, error) {
	id, err := ParamID(c, "id")
	if err != nil {
		return 0, Page{}, err
	}
	pg, err := PageFrom(c)
	return id, pg, err
}

// PageFrom reads the page and page size (defaults 1 and 20).
func PageFrom(c *fiber.Ctx) (Page, error) {
	p := Page{Page: 1, PageSize: 20}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, Invalid(map[string]string{"page": "页码必须是正整数"})
		}
		p.Page = n
	}
	if v := c.Query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return p, Invalid(map[string]string{"page_size": "每页条数必须在 1 到 200 之间"})
		}
		p.PageSize = n
	}
	if (p.Page - 1) > MaxOffset/p.PageSize {
		return p, Invalid(map[string]string{"page": "页码过大"})
	}
	return p, nil
}

// Offset is the number of rows to skip, between 0 and MaxOffset whatever
// the page holds (pages are also built from unchecked numbers).
func (p Page) Offset() int {
	if p.Page <= 1 || p.PageSize <= 0 {
		return 0
	}
	if p.Page-1 > MaxOffset/p.PageSize {
		return MaxOffset
	}
	return (p.Page - 1) * p.PageSize
}

// List is the shape of every list answer.
type List[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
}

// NewList wraps items; a nil slice becomes [] in JSON.
func NewList[T any](items []T, total int64, p Page) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total, Page: p.Page, PageSize: p.PageSize}
}

// Pages is the number of pages for the page template.
func (l List[T]) Pages() int {
	if l.PageSize == 0 {
		return 0
	}
	return int((l.Total + int64(l.PageSize) - 1) / int64(l.PageSize))
}

// QueryUint reads an optional unsigned id from the query (0 when absent).
func QueryUint(c *fiber.Ctx, name string) (uint64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, Invalid(map[string]string{name: "必须是数字编号"})
	}
	return n, nil
}

// ParamID reads the :id route parameter; a non-number is 404.
func ParamID(c *fiber.Ctx, name string) (uint64, error) {
	n, err := strconv.ParseUint(c.Params(name), 10, 64)
	if err != nil || n == 0 {
		return 0, NotFound()
	}
	return n, nil
}

// ParseUint parses a form value as an id.
func ParseUint(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }

// Itoa formats an id.
func Itoa(n uint64) string { return strconv.FormatUint(n, 10) }
