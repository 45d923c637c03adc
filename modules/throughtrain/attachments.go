package throughtrain

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"gorm.io/gorm"
)

// MaxAttachmentBytes bounds one file of a thread.
const MaxAttachmentBytes = web.MaxDocumentBytes

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
	doc, err := web.PutDocument(ctx, s.objects, fmt.Sprintf("through-train/%d/%d", id, s.now().UnixNano()), name, "附件", r)
	if err != nil {
		return nil, err
	}
	key := doc.Key
	now := s.now().UTC()
	a := &Attachment{ThreadID: id, Name: doc.Name, ObjectKey: key, ContentType: doc.ContentType, Size: doc.Size, UploadedBy: p.UserID, Side: sideOf(p, t), CreatedAt: now}
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
