package bases

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"college/modules/media"
	"college/modules/web"

	"gorm.io/gorm"
)

// MaxDocumentBytes bounds one application document.
const MaxDocumentBytes = 10 << 20

// documentTypes are the kinds of files an application may carry.
var documentTypes = map[string]string{
	"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}

// AddDocument stores a document of an application (准入材料): PDF, Word
// (.docx), JPEG or PNG, recognised by content, at most MaxDocumentBytes.
// A refused file leaves nothing behind.
func (s *Service) AddDocument(ctx context.Context, p *web.Principal, id uint64, name string, r io.Reader) (*Document, error) {
	b, err := s.Managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if b.Status == StatusWithdrawn || b.Status == StatusRejected {
		return nil, wrongState(b, "upload")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return nil, web.BadRequest("bad_upload", "上传中断，请重试").WithCause(err)
	}
	if len(data) > MaxDocumentBytes {
		return nil, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxDocumentBytes>>20))
	}
	if len(data) == 0 {
		return nil, web.Invalid(map[string]string{"file": "文件为空"})
	}
	ct, ok := media.DocumentType(data[:min(len(data), 16)], name)
	ext := documentTypes[ct]
	if !ok || ext == "" {
		return nil, web.NewError(415, "unsupported_type", "只能上传 PDF、Word（.docx）文件或 JPG、PNG 图片")
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = "准入材料" + ext
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	key := fmt.Sprintf("bases/%d/%d%s", id, s.now().UnixNano(), ext)
	if _, err := s.objects.Put(ctx, key, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		return nil, web.Internal(err)
	}
	d := &Document{BaseID: id, Name: name, ObjectKey: key, ContentType: ct, Size: int64(len(data)), UploadedBy: p.UserID, CreatedAt: s.now().UTC()}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(d).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "base.document", "base", id, map[string]any{"name": d.Name, "size": d.Size}), nil
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	return d, nil
}

// DocumentFor loads a document of a base p may see, for download.
func (s *Service) DocumentFor(ctx context.Context, p *web.Principal, id uint64) (*Document, error) {
	d, err := web.Load[Document](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if _, err := s.Managed(ctx, p, d.BaseID); err != nil {
		return nil, err
	}
	return d, nil
}
