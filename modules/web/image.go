package web

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"college/modules/media"
	"college/storage/objects"
)

// MaxImageBytes bounds a photo: a portrait or a site picture, not a poster.
const MaxImageBytes = 5 << 20

// PutImage stores an uploaded photo under keyBase plus the extension of
// what the bytes are (PNG, JPEG, GIF or WebP, recognised by content, not
// by name), at most MaxImageBytes, and returns its key. A refused file
// leaves nothing behind.
func PutImage(ctx context.Context, store objects.Store, keyBase string, r io.Reader) (string, int64, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		return "", 0, BadRequest("upload_failed", "上传中断，请重试").WithCause(err)
	}
	if len(data) > MaxImageBytes {
		return "", 0, TooLarge(fmt.Sprintf("图片过大，不能超过 %d MB", MaxImageBytes>>20))
	}
	if len(data) == 0 {
		return "", 0, Invalid(map[string]string{"file": "请选择图片文件"})
	}
	probe, err := media.Sniff(data[:min(len(data), media.SniffLen)])
	if err != nil || probe.Kind != media.KindImage {
		return "", 0, NewError(415, "unsupported_media_type", "只能上传 JPG、PNG、GIF 或 WebP 图片")
	}
	key := keyBase + probe.Ext
	if _, err := store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), probe.ContentType); err != nil {
		return "", 0, Internal(fmt.Errorf("put image %s: %w", key, err))
	}
	return key, int64(len(data)), nil
}
