package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

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

// MaxDocumentBytes bounds an uploaded document (an application's
// materials, a thread's attachment).
const MaxDocumentBytes = 10 << 20

// documentExts are the kinds of documents PutDocument takes.
var documentExts = map[string]string{
	"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}

// StoredDocument is a document PutDocument stored.
type StoredDocument struct {
	Key         string
	Name        string // the file's own name, cleaned, or fallback plus its extension
	ContentType string
	Size        int64
}

// PutDocument stores an uploaded document under keyBase plus the extension
// of what the bytes are: PDF, Word (.docx), JPEG or PNG, recognised by
// content, at most MaxDocumentBytes. A refused file leaves nothing behind.
func PutDocument(ctx context.Context, store objects.Store, keyBase, name, fallback string, r io.Reader) (StoredDocument, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return StoredDocument{}, BadRequest("bad_upload", "上传中断，请重试").WithCause(err)
	}
	if len(data) > MaxDocumentBytes {
		return StoredDocument{}, TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxDocumentBytes>>20))
	}
	if len(data) == 0 {
		return StoredDocument{}, Invalid(map[string]string{"file": "文件为空"})
	}
	ct, ok := media.DocumentType(data[:min(len(data), 16)], name)
	ext := documentExts[ct]
	if !ok || ext == "" {
		return StoredDocument{}, NewError(415, "unsupported_type", "只能上传 PDF、Word（.docx）文件或 JPG、PNG 图片")
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = fallback + ext
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	key := keyBase + ext
	if _, err := store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		return StoredDocument{}, Internal(fmt.Errorf("put document %s: %w", key, err))
	}
	return StoredDocument{Key: key, Name: name, ContentType: ct, Size: int64(len(data))}, nil
}
