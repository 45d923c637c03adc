package bases

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"

	"gorm.io/gorm"
)

// MaxDocumentBytes bounds one application document.
const MaxDocumentBytes = web.MaxDocumentBytes

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
	doc, err := web.PutDocument(ctx, s.objects, fmt.Sprintf("bases/%d/%d", id, s.now().UnixNano()), name, "准入材料", r)
	if err != nil {
		return nil, err
	}
	key := doc.Key
	d := &Document{BaseID: id, Name: doc.Name, ObjectKey: key, ContentType: doc.ContentType, Size: doc.Size, UploadedBy: p.UserID, CreatedAt: s.now().UTC()}
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
