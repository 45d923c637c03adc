package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// DecodeJSON reads the JSON body into v: 400 "malformed_json" when it is not
// JSON, 400 "invalid" naming the field when a value has the wrong type.
func DecodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
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
