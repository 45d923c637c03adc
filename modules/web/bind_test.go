package web

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

type byIDBody struct {
	Name string `json:"name"`
}

type byIDOut struct {
	ID     uint64 `json:"id"`
	Caller uint64 `json:"caller"`
	Name   string `json:"name"`
}

// ByID, ByIDWith, WithID, WithIDPair, WithBody, WithIDBody, IDBody, Deleted and ForCaller hand the caller, the id and the decoded
// body to the service method and answer its result or its error.
func TestByID(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)})
	app.Use(func(c *fiber.Ctx) error {
		SetCaller(c, &Principal{UserID: 7})
		return c.Next()
	})
	get := func(_ context.Context, p *Principal, id uint64) (byIDOut, error) {
		if id == 404 {
			return byIDOut{}, NotFound()
		}
		return byIDOut{ID: id, Caller: p.UserID}, nil
	}
	put := func(_ context.Context, p *Principal, id uint64, in byIDBody) (byIDOut, error) {
		if in.Name == "" {
			return byIDOut{}, Invalid(map[string]string{"name": "必填"})
		}
		return byIDOut{ID: id, Caller: p.UserID, Name: in.Name}, nil
	}
	mine := func(_ context.Context, p *Principal) ([]uint64, error) {
		if p.UserID != 7 {
			return nil, Forbidden()
		}
		return []uint64{p.UserID, 1}, nil
	}
	app.Get("/things/mine", ForCaller(mine))
	app.Get("/things/:id", ByID(get))
	app.Put("/things/:id", ByIDWith(put))
	app.Post("/things", func(c *fiber.Ctx) error {
		out, err := WithBody(c, func(_ context.Context, p *Principal, in byIDBody) (byIDOut, error) {
			return put(context.Background(), p, 1, in)
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(out)
	})
	app.Post("/things/:id/copies", func(c *fiber.Ctx) error {
		id, out, err := WithIDBody(c, put)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"param": id, "name": out.Name})
	})
	app.Delete("/things/:id", Deleted(get))
	app.Patch("/things/:id", func(c *fiber.Ctx) error {
		id, in, err := IDBody[byIDBody](c)
		if err != nil {
			return err
		}
		return c.JSON(byIDOut{ID: id, Name: in.Name})
	})
	app.Get("/things/:id/pair", func(c *fiber.Ctx) error {
		id, out, twice, err := WithIDPair(c, func(ctx context.Context, p *Principal, id uint64) (byIDOut, uint64, error) {
			out, err := get(ctx, p, id)
			return out, 2 * id, err
		})
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"param": id, "id": out.ID, "twice": twice})
	})
	app.Get("/things/:id/with", func(c *fiber.Ctx) error {
		id, out, err := WithID(c, get)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"param": id, "name": out.Name, "id": out.ID})
	})

	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/things/mine", "", 200, `[7,1]`},
		{"GET", "/things/12", "", 200, `{"id":12,"caller":7,"name":""}`},
		{"GET", "/things/404", "", 404, `"code":"not_found"`},
		{"GET", "/things/abc", "", 404, `"code":"not_found"`},
		{"GET", "/things/0", "", 404, `"code":"not_found"`},
		{"PUT", "/things/3", `{"name":"甲"}`, 200, `{"id":3,"caller":7,"name":"甲"}`},
		{"PUT", "/things/3", `{"name":""}`, 400, `"name":"必填"`},
		{"PUT", "/things/3", `{"name":1}`, 400, `"name":"类型不正确`},
		{"PUT", "/things/x", `{"name":"甲"}`, 404, `"code":"not_found"`},
		{"GET", "/things/15/with", "", 200, `{"id":15,"name":"","param":15}`},
		{"GET", "/things/21/pair", "", 200, `{"id":21,"param":21,"twice":42}`},
		{"GET", "/things/404/pair", "", 404, `"code":"not_found"`},
		{"GET", "/things/x/pair", "", 404, `"code":"not_found"`},
		{"POST", "/things", `{"name":"乙"}`, 201, `{"id":1,"caller":7,"name":"乙"}`},
		{"POST", "/things", `{"name":""}`, 400, `"name":"必填"`},
		{"POST", "/things", `{"name":`, 400, `"code":"malformed_json"`},
		{"POST", "/things/8/copies", `{"name":"丙"}`, 201, `{"name":"丙","param":8}`},
		{"POST", "/things/8/copies", `[]`, 400, `"code":"invalid"`},
		{"POST", "/things/x/copies", `{`, 404, `"code":"not_found"`},
		{"DELETE", "/things/8", "", 204, ``},
		{"PATCH", "/things/9", `{"name":"丁"}`, 200, `{"id":9,"caller":0,"name":"丁"}`},
		{"PATCH", "/things/9", `{"name":2}`, 400, `"name":"类型不正确`},
		{"PATCH", "/things/0", `{"name":"丁"}`, 404, `"code":"not_found"`},
		{"DELETE", "/things/404", "", 404, `"code":"not_found"`},
		{"GET", "/things/404/with", "", 404, `"code":"not_found"`},
		{"GET", "/things/-1/with", "", 404, `"code":"not_found"`},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s %s %s: %d %s, want %d with %s", tc.method, tc.path, tc.body, resp.StatusCode, b, tc.status, tc.want)
		}
	}
}
