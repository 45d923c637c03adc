package throughtrain

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

// MaxAttachmentBytes bounds one file of a thread.
const MaxAttachmentBytes = 10 << 20

// attachmentTypes are the kinds of files a thread may carry.
var attachmentTypes = map[string]string{
	"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}

// Attach stores a file of a thread: PDF, Word (.docx), JPEG or PNG,
// recognised by content, at most MaxAttachmentBytes. A refused file leaves
// nothing behind.
func (s *Service) Attach(ctx context.Context, p *web.Principal, id uint64, name string, r io.Reader) (*Attachment, error) {
	t, err := s.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if t.Status == StatusClosed {
		return nil, wrongState(t, "上传附件")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxAttachmentBytes+1))
	if err != nil {
		return nil, web.BadRequest("bad_upload", "上传中断，请重试").WithCause(err)
	}
	if len(data) > MaxAttachmentBytes {
		return nil, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxAttachmentBytes>>20))
	}
	if len(data) == 0 {
		return nil, web.Invalid(map[string]string{"file": "文件为空"})
	}
	ct, ok := media.DocumentType(data[:min(len(data), 16)], name)
	ext := attachmentTypes[ct]
	if !ok || ext == "" {
		return nil, web.NewError(415, "unsupported_type", "只能上传 PDF、Word（.docx）文件或 JPG、PNG 图片")
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = "附件" + ext
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	key := fmt.Sprintf("through-train/%d/%d%s", id, s.now().UnixNano(), ext)
	if _, err := s.objects.Put(ctx, key, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		return nil, web.Internal(err)
	}
	now := s.now().UTC()
	a := &Attachment{ThreadID: id, Name: name, ObjectKey: key, ContentType: ct, Size: int64(len(data)), UploadedBy: p.UserID, Side: sideOf(p, t), CreatedAt: now}
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		res := tx.Model(&Thread{}).Where("id = ? AND status <> ?", id, StatusClosed).Update("updated_at", now)
		if res.Error != nil {
			return web.AuditEntry{}, res.Error
		}
		if res.RowsAffected == 0 {
			return web.AuditEntry{}, web.Conflict("wrong_state", "该事项已办结，不能上传附件")
		}
		if err := tx.Create(a).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "throughtrain.attach", "through_train", id, map[string]any{"name": a.Name, "size": a.Size}), nil
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	return a, nil
}

// AttachmentFor loads a file of a thread p may see, for download.
func (s *Service) AttachmentFor(ctx context.Context, p *web.Principal, id uint64) (*Attachment, error) {
	a, err := web.Load[Attachment](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if _, err := s.Visible(ctx, p, a.ThreadID); err != nil {
		return nil, err
	}
	return a, nil
}
