package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// uploadApp echoes what MultipartUpload and FormFileBytes read; stream
// selects the server's streamed request bodies, as in production.
func uploadApp(stream bool) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true, StreamRequestBody: stream, BodyLimit: 64 << 20,
		ErrorHandler: ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)})
	app.Post("/stream", func(c *fiber.Ctx) error {
		u, err := MultipartUpload(c, "file")
		if err != nil {
			return err
		}
		b, err := io.ReadAll(u)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"name": u.FileName(), "size": len(b), "fields": u.Fields})
	})
	app.Post("/small", func(c *fiber.Ctx) error {
		b, err := FormFileBytes(c, "file", 1<<20)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"size": len(b), "note": c.FormValue("note")})
	})
	return app
}

type formPart struct{ name, file, body string }

func multipartBody(t *testing.T, parts ...formPart) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var pw io.Writer
		var err error
		if p.file != "" {
			pw, err = w.CreateFormFile(p.name, p.file)
		} else {
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(pw, p.body)
	}
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

func TestMultipartUploadAndFormFileBytes(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 3<<20)
	cases := []struct {
		name, path, ctype string
		parts             []formPart
		status            int
		want              string // in the answer
	}{
		{"small file", "/stream", "", []formPart{{"kind", "", "讲义"}, {"file", "a.pdf", "%PDF"}}, 200, `"fields":{"kind":"讲义"},"name":"a.pdf","size":4`},
		{"field before a streamed file", "/stream", "", []formPart{{"kind", "", "讲义"}, {"file", "v.mp4", big}},
			200, fmt.Sprintf(`"fields":{"kind":"讲义"},"name":"v.mp4","size":%d`, len(big))},
		{"no file", "/stream", "", []formPart{{"kind", "", "讲义"}}, 400, `"file":"请选择要上传的文件"`},
		{"not multipart", "/stream", "application/json", nil, 400, `"file":"请以 multipart/form-data 上传文件"`},
		{"small file, field after it", "/small", "", []formPart{{"file", "u.xlsx", "PK"}, {"note", "", "n"}}, 200, `"note":"n","size":2`},
		{"small file over limit", "/small", "", []formPart{{"file", "u.xlsx", big}}, 413, `文件过大，不能超过 1 MB`},
		{"small: no file", "/small", "", []formPart{{"note", "", "n"}}, 400, `"file":"请选择要上传的文件"`},
	}
	// Without streamed bodies the server parses a multipart body before the
	// handler and hands it back fields first; the college streams large ones.
	for _, stream := range []bool{true, false} {
		app := uploadApp(stream)
		for _, tc := range cases {
			if !stream && tc.path == "/stream" {
				continue
			}
			body, ctype := multipartBody(t, tc.parts...)
			if tc.ctype != "" {
				body, ctype = strings.NewReader("--nothing here"), tc.ctype
			}
			req := httptest.NewRequest("POST", tc.path, body)
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Accept", "application/json")
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatalf("stream=%v %s: %v", stream, tc.name, err)
			}
			b, _ := io.ReadAll(res.Body)
			var v any
			if json.Unmarshal(b, &v) != nil || res.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
				t.Errorf("stream=%v %s: %d %s, want %d with %s", stream, tc.name, res.StatusCode, b, tc.status, tc.want)
			}
		}
	}
}
