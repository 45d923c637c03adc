package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// RequestIDKey is where the request id middleware keeps the id.
const RequestIDKey = "rid"

// RequestID returns the id of the current request.
func RequestID(c *fiber.Ctx) string {
	s, _ := c.Locals(RequestIDKey).(string)
	return s
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Rows    []RowError        `json:"rows,omitempty"`
}

// ErrorHandler renders every error the same way: JSON on the API, a friendly
// page elsewhere. 5xx causes are logged with the request id and never sent.
func ErrorHandler(log *slog.Logger, eng *Engine) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		we := outage(toWebError(err))
		if we.Status == http.StatusRequestEntityTooLarge {
			// The unread body must not be taken for the next request.
			c.Context().SetConnectionClose()
		}
		if we.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(we.RetryAfter))
		}
		if we.Status >= 500 {
			log.Error("request failed", "rid", RequestID(c), "method", c.Method(), "path", c.Path(), "status", we.Status, "err", we.Cause)
		}
		// A request the server could not read (a malformed multipart body,
		// say) reaches here outside any route, without its path: it gets
		// the JSON shape, which every client can read.
		unread := len(c.Route().Handlers) == 0
		if IsAPI(c) || unread || eng == nil || c.Get(fiber.HeaderAccept) == fiber.MIMEApplicationJSON {
			return c.Status(we.Status).JSON(errorBody{Error: errorDetail{Code: we.Code, Message: we.Message, Fields: we.Fields, Rows: we.Rows}})
		}
		if we.Status == http.StatusUnauthorized {
			return c.Redirect("/login?next="+urlQueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return eng.Render(c, we.Status, "error", titleFor(we.Status), map[string]any{"Status": we.Status, "Message": we.Message, "RequestID": RequestID(c)})
	}
}

func toWebError(err error) *Error {
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case http.StatusNotFound:
			return NewError(fe.Code, "not_found", "页面不存在")
		case http.StatusMethodNotAllowed:
			return NewError(fe.Code, "method_not_allowed", "不支持该请求方法")
		case http.StatusRequestEntityTooLarge:
			return TooLarge("上传内容过大")
		case http.StatusBadRequest:
			return BadRequest("bad_request", "请求格式不正确")
		case http.StatusUnsupportedMediaType:
			return NewError(fe.Code, "unsupported_media_type", "不支持的内容类型")
		}
		if fe.Code < 500 {
			return NewError(fe.Code, "error", fe.Message)
		}
		return Internal(fe)
	}
	return Internal(err)
}

func titleFor(status int) string {
	switch status {
	case http.StatusForbidden:
		return "没有权限"
	case http.StatusNotFound:
		return "页面不存在"
	case http.StatusRequestEntityTooLarge:
		return "内容过大"
	case http.StatusServiceUnavailable:
		return "服务繁忙"
	}
	if status >= 500 {
		return "服务器错误"
	}
	return "出错了"
}
