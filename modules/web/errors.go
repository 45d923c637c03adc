// Package web holds what every module's HTTP layer shares: the error type and
// handler, the caller's identity, paging, validation, scoping, page rendering
// and the API description.
package web

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the one error type handlers return: an HTTP status, a stable code,
// a safe message in Chinese for the user, optional field or row details, and
// the internal cause (logged, never sent).
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
	Rows    []RowError
	Cause   error
	// RetryAfter, in seconds, is sent as the Retry-After header (429, 503).
	RetryAfter int
}

// RowError points at one bad row of an uploaded file.
type RowError struct {
	Row     int    `json:"row,omitempty"`
	At      string `json:"at,omitempty"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// WithCause keeps the internal reason for the logs.
func (e *Error) WithCause(err error) *Error { e.Cause = err; return e }

// NewError builds an Error.
func NewError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// BadRequest is 400 for malformed input.
func BadRequest(code, message string) *Error { return NewError(http.StatusBadRequest, code, message) }

// Invalid is 400 with per-field messages.
func Invalid(fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: "提交的内容有误，请检查标出的项目", Fields: fields}
}

// Unauthorized is 401: not logged in or the session has ended.
func Unauthorized() *Error {
	return NewError(http.StatusUnauthorized, "unauthorized", "请先登录")
}

// Forbidden is 403: logged in but not allowed.
func Forbidden() *Error {
	return NewError(http.StatusForbidden, "forbidden", "没有权限执行此操作")
}

// NotFound is 404: missing or outside the caller's scope.
func NotFound() *Error { return NewError(http.StatusNotFound, "not_found", "未找到该记录") }

// Conflict is 409: the current state does not allow it.
func Conflict(code, message string) *Error { return NewError(http.StatusConflict, code, message) }

// Unprocessable is 422: a rule refused it.
func Unprocessable(code, message string) *Error {
	return NewError(http.StatusUnprocessableEntity, code, message)
}

// TooLarge is 413.
func TooLarge(message string) *Error {
	return NewError(http.StatusRequestEntityTooLarge, "too_large", message)
}

// TooMany is 429 with the seconds to wait before trying again.
func TooMany(code, message string, retryAfter int) *Error {
	if retryAfter < 1 {
		retryAfter = 1
	}
	return &Error{Status: http.StatusTooManyRequests, Code: code, Message: message, RetryAfter: retryAfter}
}

// Unavailable is 503 with Retry-After: the service cannot do it now and
// the client should try again in a moment.
func Unavailable(message string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: message, RetryAfter: 1}
}

// Internal is 500; the cause is logged with the request id.
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "服务器内部错误，请稍后重试", Cause: cause}
}

// AsError turns any error into an *Error (unknown errors become 500).
func AsError(err error) *Error {
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	return Internal(err)
}

// IsStatus reports whether err is a web error with the given status.
func IsStatus(err error, status int) bool {
	var we *Error
	return errors.As(err, &we) && we.Status == status
}
