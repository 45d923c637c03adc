package faculty

import (
	"context"
	"fmt"
	"io"

	"college/modules/web"
	"college/storage/db"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// teacherPhotoMigration gives teachers a photo.
var teacherPhotoMigration = db.Migration{
	ID: "0034_faculty_teacher_photo",
	Up: func(tx *gorm.DB) error {
		return tx.Exec("ALTER TABLE teachers ADD COLUMN photo_key VARCHAR(200) NOT NULL DEFAULT ''").Error
	},
}

// SetObjects gives the faculty the object store its photos live in.
func (s *Service) SetObjects(o objects.Store) { s.objects = o }

// PhotoResponse is a teacher's stored photo.
type PhotoResponse struct {
	URL  string `json:"url"`
	Size int64  `json:"size"`
}

// photoURL is where a teacher's photo is served ("" for none).
func photoURL(t *Teacher) string {
	if t.PhotoKey == "" {
		return ""
	}
	return fmt.Sprintf("/api/v1/teachers/%d/photo", t.ID)
}

// SetPhoto stores a teacher's photo, replacing the one before.
func (s *Service) SetPhoto(ctx context.Context, p *web.Principal, id uint64, r io.Reader) (PhotoResponse, error) {
	t, err := s.Teacher(ctx, p, id)
	if err != nil {
		return PhotoResponse{}, err
	}
	if s.objects == nil {
		return PhotoResponse{}, web.Unprocessable("no_store", "未配置文件存储")
	}
	key, size, err := web.PutImage(ctx, s.objects, fmt.Sprintf("teachers/%d-%d", t.ID, s.now().UnixNano()), r)
	if err != nil {
		return PhotoResponse{}, err
	}
	old := t.PhotoKey
	err = web.ChangeAudited(ctx, s.db, s.deps.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Model(&Teacher{}).Where("id = ?", t.ID).Update("photo_key", key).Error; err != nil {
			return web.AuditEntry{}, fmt.Errorf("faculty: set photo: %w", err)
		}
		return web.AuditBy(p, "teacher.photo", "teacher", t.ID, map[string]any{"name": t.Name, "size": size}), nil
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return PhotoResponse{}, err
	}
	if old != "" {
		_ = s.objects.Delete(context.WithoutCancel(ctx), old)
	}
	t.PhotoKey = key
	return PhotoResponse{URL: photoURL(t), Size: size}, nil
}

// photo serves a teacher's photo to those who keep the teacher.
func (h *Handlers) photo(c *fiber.Ctx) error {
	_, t, err := web.WithID(c, h.svc.Teacher)
	if err != nil {
		return err
	}
	if t.PhotoKey == "" || h.svc.objects == nil {
		return web.NotFound()
	}
	return web.ServeObject(c, h.svc.objects, t.PhotoKey, web.ServeOptions{MaxAge: 3600})
}

// uploadPhoto is the API's photo upload.
func (h *Handlers) uploadPhoto(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	file, err := web.MultipartFile(c, "file")
	if err != nil {
		return err
	}
	out, err := h.svc.SetPhoto(c.UserContext(), web.Caller(c), id, file)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// photoSubmit is the teacher page's photo form.
func (h *Handlers) photoSubmit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	file, err := web.MultipartFile(c, "file")
	if err != nil {
		return err
	}
	if _, err := h.svc.SetPhoto(c.UserContext(), web.Caller(c), id, file); err != nil {
		return err
	}
	web.Flash(c, "已更新教师照片")
	return c.Redirect(fmt.Sprintf("%s/%d", AdminPath, id), fiber.StatusSeeOther)
}
