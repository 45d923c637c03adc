package web

import (
	"io"
	"math"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestPageOffsetNeverOverflows(t *testing.T) {
	t.Parallel()
	for _, p := range []Page{
		{Page: math.MaxInt, PageSize: MaxPageSize},
		{Page: math.MaxInt / 2, PageSize: 20},
		{Page: math.MaxInt/MaxPageSize + 2, PageSize: MaxPageSize},
		{Page: 0, PageSize: 20},
		{Page: math.MinInt, PageSize: 20},
		{Page: 3, PageSize: -5},
	} {
		off := p.Offset()
		if off < 0 || off > MaxOffset {
			t.Errorf("%+v: offset %d, want 0..%d", p, off, MaxOffset)
		}
	}
	if got := (Page{Page: 3, PageSize: 20}).Offset(); got != 40 {
		t.Errorf("page 3 of 20: offset %d, want 40", got)
	}
}

func TestPageFromRefusesHugePages(t *testing.T) {
	t.Parallel()
	app := fiber.New(fiber.Config{ErrorHandler: ErrorHandler(nil, nil)})
	app.Get("/x", func(c *fiber.Ctx) error {
		p, err := PageFrom(c)
		if err != nil {
			return err
		}
		return c.SendString(strconv.Itoa(p.Offset()))
	})
	cases := []struct {
		query  string
		status int
		body   string
	}{
		{"page=2&page_size=50", 200, "50"},
		{"page=" + strconv.Itoa(MaxOffset/200+1) + "&page_size=200", 200, strconv.Itoa(MaxOffset)},
		{"page=" + strconv.Itoa(MaxOffset/200+2) + "&page_size=200", 400, ""},
		{"page=9223372036854775807&page_size=200", 400, ""},
		{"page=46116860184273879&page_size=200", 400, ""},
		{"page=99999999999999999999999", 400, ""},
		{"page=-1", 400, ""},
	}
	for _, c := range cases {
		resp, err := app.Test(httptest.NewRequest("GET", "/x?"+c.query, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != c.status || (c.body != "" && string(b) != c.body) {
			t.Errorf("%s: %d %s, want %d %s", c.query, resp.StatusCode, b, c.status, c.body)
		}
	}
}

// IDPage reads the id first: a bad id is 404 whatever the page, then a bad
// page is 400.
func TestIDPage(t *testing.T) {
	t.Parallel()
	app := fiber.New(fiber.Config{ErrorHandler: ErrorHandler(nil, nil)})
	app.Get("/x/:id", func(c *fiber.Ctx) error {
		id, p, err := IDPage(c)
		if err != nil {
			return err
		}
		return c.SendString(strconv.FormatUint(id, 10) + "/" + strconv.Itoa(p.Offset()))
	})
	for path, want := range map[string]struct {
		status int
		body   string
	}{
		"/x/7?page=3&page_size=10": {200, "7/20"},
		"/x/7":                     {200, "7/0"},
		"/x/0?page=2":              {404, ""},
		"/x/abc?page=-1":           {404, ""},
		"/x/7?page=-1":             {400, ""},
	} {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want.status || (want.body != "" && string(b) != want.body) {
			t.Errorf("%s: %d %q, want %d %q", path, resp.StatusCode, b, want.status, want.body)
		}
	}
}
