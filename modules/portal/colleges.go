package portal

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/objects"

	"gorm.io/gorm"
)

// College returns a college's page: its introduction and open classes.
func (s *Service) College(ctx context.Context, p *web.Principal, id uint64) (CollegeResponse, error) {
	c, err := s.loadContent(ctx)
	if err != nil {
		return CollegeResponse{}, web.Internal(err)
	}
	var col *College
	for i := range c.colleges {
		if c.colleges[i].ID == id {
			col = &c.colleges[i]
		}
	}
	if col == nil {
		return CollegeResponse{}, web.NotFound()
	}
	out := CollegeResponse{ID: col.ID, Name: col.Name, CanEdit: canEditIntro(p, col)}
	if out.Intro, err = s.store.intro(ctx, id); err != nil {
		return CollegeResponse{}, web.Internal(err)
	}
	if out.OpenClasses, err = s.sources.OpenClasses(ctx, id, 20); err != nil {
		return CollegeResponse{}, web.Internal(err)
	}
	return out, nil
}

// canEditIntro: the admins of the college itself, and org admins above it.
func canEditIntro(p *web.Principal, c *College) bool {
	return canWrite(p) && p.InScope(c.Path)
}

// SetIntro replaces a college's introduction.
func (s *Service) SetIntro(ctx context.Context, p *web.Principal, id uint64, in IntroRequest) (CollegeResponse, error) {
	cur, err := s.College(ctx, p, id)
	if err != nil {
		return CollegeResponse{}, err
	}
	if !cur.CanEdit {
		if canWrite(p) {
			return CollegeResponse{}, web.NotFound()
		}
		return CollegeResponse{}, web.Forbidden()
	}
	if len(in.Body) > maxIntro {
		return CollegeResponse{}, web.Invalid(map[string]string{"body": "介绍过长"})
	}
	body := s.clean.Clean(in.Body)
	err = web.ChangeAudited(ctx, s.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := saveIntro(tx, &CollegeIntro{OrgID: id, Body: body, UpdatedBy: p.UserID, UpdatedAt: s.now().UTC()}); err != nil {
			return web.AuditEntry{}, fmt.Errorf("portal: save intro: %w", err)
		}
		return web.AuditBy(p, "college.intro", "org", id, map[string]any{"length": len(body)}), nil
	})
	if err != nil {
		return CollegeResponse{}, err
	}
	cur.Intro = body
	return cur, nil
}

// imageTypes are the image formats a post may carry, by detected type.
var imageTypes = map[string]string{"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}

// imageKey is where an image named name is kept in the object store.
func imageKey(name string) string { return "portal/images/" + name }

// SaveImage stores an image for a post and returns its address.
func (s *Service) SaveImage(ctx context.Context, store objects.Store, p *web.Principal, data []byte) (ImageResponse, error) {
	if !canWrite(p) {
		return ImageResponse{}, web.Forbidden()
	}
	ct := http.DetectContentType(data)
	ext, ok := imageTypes[ct]
	if !ok {
		return ImageResponse{}, web.Unprocessable("wrong_media", "只能上传 PNG、JPEG、GIF 或 WebP 图片")
	}
	name := fmt.Sprintf("%d-%d.%s", p.UserID, s.now().UnixNano(), ext)
	if _, err := store.Put(ctx, imageKey(name), bytes.NewReader(data), int64(len(data)), ct); err != nil {
		return ImageResponse{}, web.Internal(err)
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "notice.image", "notice_image", 0, map[string]any{"name": name, "size": len(data)})); err != nil {
		_ = store.Delete(context.WithoutCancel(ctx), imageKey(name))
		return ImageResponse{}, web.AuditUnavailable(err)
	}
	return ImageResponse{URL: "/api/v1/notice-images/" + name}, nil
}

// ImageName checks the name of an image in a request.
func ImageName(name string) (string, bool) {
	if !imagePath.MatchString("/api/v1/notice-images/"+name) || strings.Contains(name, "..") {
		return "", false
	}
	return imageKey(name), true
}

// imageMaxAge: images never change under a name.
const imageMaxAge = 30 * 24 * time.Hour
