package web

import (
	"bufio"
	"io"
	"log/slog"

	"github.com/gofiber/fiber/v2"
)

// AttachmentStream answers a file to save under name like Attachment, but
// writes it while it is sent: write runs after the handler returns, so
// everything that may fail the request (scope, audit) is done before. An
// error inside write can only cut the download short; it is logged. The
// request's context is done by then: a reader write drains (an object of
// the store) must be opened with a context that outlives the handler.
func AttachmentStream(c *fiber.Ctx, mediaType, name string, log *slog.Logger, write func(w io.Writer) error) error {
	c.Set(fiber.HeaderContentType, mediaType)
	c.Set(fiber.HeaderContentDisposition, disposition("attachment", name))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	rid := RequestID(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(w); err != nil {
			log.Error("attachment stream", "rid", rid, "err", err)
			return
		}
		_ = w.Flush()
	})
	return nil
}
