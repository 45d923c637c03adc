package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// maxJSON bounds a JSON request body.
const maxJSON = 1 << 20

// DecodeJSON reads the JSON body into v: 400 "malformed_json" when it is not
// JSON, 400 "invalid" naming the field when a value has the wrong type.
func DecodeJSON(c *fiber.Ctx, v any) error {
	if n := c.Request().Header.ContentLength(); n > maxJSON {
		return TooLarge("请求内容过大")
	}
	var body []byte
	if s := c.Context().RequestBodyStream(); s != nil {
		b, err := io.ReadAll(io.LimitReader(s, maxJSON+1))
		if err != nil {
			return BadRequest("malformed_json", "请求内容读取失败").WithCause(err)
		}
		if len(b) > maxJSON {
			return TooLarge("请求内容过大")
		}
		body = b
	} else {
		body = c.Body()
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return BadRequest("malformed_json", "请求内容为空，应为 JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return Invalid(map[string]string{field: "类型不正确，应为 " + jsonTypeName(te.Type.Kind().String())})
		}
		return BadRequest("malformed_json", "请求内容不是有效的 JSON").WithCause(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return BadRequest("malformed_json", "请求内容不是有效的 JSON")
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "数字"
	case kind == "string":
		return "文本"
	case kind == "bool":
		return "true 或 false"
	case kind == "slice", kind == "array":
		return "数组"
	default:
		return "对象"
	}
}

// MultipartFile returns a reader over the named file field of a multipart
// request, streaming from the connection when the body is large, so that an
// upload never has to fit in memory.
func MultipartFile(c *fiber.Ctx, field string) (io.Reader, error) {
	u, err := MultipartUpload(c, field)
	if err != nil {
		return nil, err
	}
	return u.Part, nil
}

// Upload is the file part of a multipart request, read as a stream (Read,
// FileName), with the short text fields the form sent before it.
type Upload struct {
	*multipart.Part
	Fields map[string]string // at most 20, 1 KB each
}

// MultipartUpload reads a multipart body up to the named file part, keeping
// the text fields sent before it (a form's selects precede its file input),
// so that the file itself can be streamed.
func MultipartUpload(c *fiber.Ctx, field string) (*Upload, error) {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, Invalid(map[string]string{field: "请以 multipart/form-data 上传文件"})
	}
	var body io.Reader
	if s := c.Context().RequestBodyStream(); s != nil {
		body = s
	} else {
		body = bytes.NewReader(c.Body())
	}
	mr := multipart.NewReader(body, params["boundary"])
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, Invalid(map[string]string{field: "请选择要上传的文件"})
		}
		if err != nil {
			return nil, BadRequest("bad_multipart", "上传内容格式不正确").WithCause(err)
		}
		if part.FormName() == field && part.FileName() != "" {
			return &Upload{Part: part, Fields: fields}, nil
		}
		if part.FileName() == "" && len(fields) < 20 {
			b, _ := io.ReadAll(io.LimitReader(part, 1024))
			fields[part.FormName()] = string(b)
		}
	}
}

// FormFileBytes returns the whole named file of a small multipart upload,
// parsed with the rest of the form so that its other fields stay readable
// in any order; a file over limit bytes is refused with 413.
func FormFileBytes(c *fiber.Ctx, field string, limit int64) ([]byte, error) {
	tooLarge := fmt.Sprintf("文件过大，不能超过 %d MB", limit>>20)
	fh, err := c.FormFile(field)
	if err != nil {
		return nil, Invalid(map[string]string{field: "请选择要上传的文件"})
	}
	if fh.Size > limit {
		return nil, TooLarge(tooLarge)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, Internal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, Internal(err)
	}
	if int64(len(data)) > limit {
		return nil, TooLarge(tooLarge)
	}
	return data, nil
}

// WithID reads the route's :id and calls fn with the caller and that id,
// returning the id with fn's result: the first lines of a handler that goes
// on from a record the caller may see. A malformed id is 404, like a
// missing record.
func WithID[T any](c *fiber.Ctx, fn func(ctx context.Context, p *Principal, id uint64) (T, error)) (uint64, T, error) {
	var zero T
	id, err := ParamID(c, "id")
	if err != nil {
		return 0, zero, err
	}
	out, err := fn(c.UserContext(), Caller(c), id)
	return id, out, err
}

// WithIDPair is WithID for a method that answers two results.
func WithIDPair[A, B any](c *fiber.Ctx, fn func(ctx context.Context, p *Principal, id uint64) (A, B, error)) (uint64, A, B, error) {
	var a A
	var b B
	id, err := ParamID(c, "id")
	if err != nil {
		return 0, a, b, err
	}
	a, b, err = fn(c.UserContext(), Caller(c), id)
	return id, a, b, err
}

// WithBody decodes the JSON body and calls fn with the caller and it.
func WithBody[In, T any](c *fiber.Ctx, fn func(ctx context.Context, p *Principal, in In) (T, error)) (T, error) {
	var in In
	if err := DecodeJSON(c, &in); err != nil {
		var zero T
		return zero, err
	}
	return fn(c.UserContext(), Caller(c), in)
}

// IDBody reads the route's :id, then decodes the JSON body into an In.
// A malformed id is 404 before the body is read.
func IDBody[In any](c *fiber.Ctx) (uint64, In, error) {
	var in In
	id, err := ParamID(c, "id")
	if err != nil {
		return 0, in, err
	}
	if err := DecodeJSON(c, &in); err != nil {
		return 0, in, err
	}
	return id, in, nil
}

// WithIDBody reads the route's :id, decodes the JSON body, and calls fn
// with the caller, the id and the body, returning the id with fn's result.
// A malformed id is 404 before the body is read.
func WithIDBody[In, T any](c *fiber.Ctx, fn func(ctx context.Context, p *Principal, id uint64, in In) (T, error)) (uint64, T, error) {
	id, in, err := IDBody[In](c)
	if err != nil {
		var zero T
		return 0, zero, err
	}
	out, err := fn(c.UserContext(), Caller(c), id, in)
	return id, out, err
}

// Deleted is the handler of a route that removes the record its :id names
// through fn: 204 with no body, or fn's error.
func Deleted[T any](fn func(ctx context.Context, p *Principal, id uint64) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, _, err := WithID(c, fn); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// ByID is the handler of a route with an :id whose service method takes
// the caller and the id: it answers the method's result as JSON, or its
// error. A malformed id is 404, like a missing record.
func ByID[T any](fn func(ctx context.Context, p *Principal, id uint64) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, out, err := WithID(c, fn)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// ByIDWith is ByID for a method that also takes the decoded JSON body.
func ByIDWith[In, T any](fn func(ctx context.Context, p *Principal, id uint64, in In) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, out, err := WithIDBody(c, fn)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// ForCaller is the handler of a route whose service method takes only the
// caller ("my" lists): it answers the method's result as JSON, or its error.
func ForCaller[T any](fn func(ctx context.Context, p *Principal) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := fn(c.UserContext(), Caller(c))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}
