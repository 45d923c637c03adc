package sites

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"college/modules/web"
	"college/storage/db"
	"college/storage/objects"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// MaxPhotos bounds the pictures of one site.
const MaxPhotos = 12

// Photo is one picture of a site.
type Photo struct {
	ID        uint64 `gorm:"primaryKey"`
	SiteID    uint64 `gorm:"not null;index:idx_site_photos_site"`
	ObjectKey string `gorm:"size:200;not null"`
	Caption   string `gorm:"size:100;not null;default:''"`
	Size      int64  `gorm:"not null"`
	CreatedBy uint64 `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// TableName names the photos' table.
func (Photo) TableName() string { return "site_photos" }

// sitePhotosMigration adds the pictures of the sites.
var sitePhotosMigration = db.Migration{
	ID: "0035_sites_photos",
	Up: func(tx *gorm.DB) error {
		type sitePhoto struct {
			ID        uint64 `gorm:"primaryKey"`
			SiteID    uint64 `gorm:"not null;index:idx_site_photos_site"`
			ObjectKey string `gorm:"size:200;not null"`
			Caption   string `gorm:"size:100;not null;default:''"`
			Size      int64  `gorm:"not null"`
			CreatedBy uint64 `gorm:"not null;default:0"`
			CreatedAt time.Time
		}
		return tx.Table("site_photos").Migrator().CreateTable(&sitePhoto{})
	},
}

// SetObjects gives the sites the object store their photos live in.
func (s *Service) SetObjects(o objects.Store) { s.objects = o }

// PhotoResponse is a picture of a site.
type PhotoResponse struct {
	ID      uint64 `json:"id"`
	URL     string `json:"url"`
	Caption string `json:"caption"`
}

func photoResponse(ph *Photo) PhotoResponse {
	return PhotoResponse{ID: ph.ID, URL: fmt.Sprintf("/api/v1/site-photos/%d", ph.ID), Caption: ph.Caption}
}

// Photos lists a site's pictures, oldest first, for whoever sees the site.
func (s *Service) Photos(ctx context.Context, p *web.Principal, siteID uint64) ([]PhotoResponse, error) {
	if _, err := s.load(ctx, s.d.DB, p, siteID); err != nil {
		return nil, err
	}
	var rows []Photo
	if err := s.d.DB.WithContext(ctx).Where("site_id = ?", siteID).Order("id").Limit(MaxPhotos).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sites: photos: %w", err)
	}
	out := make([]PhotoResponse, len(rows))
	for i := range rows {
		out[i] = photoResponse(&rows[i])
	}
	return out, nil
}

// AddPhoto stores a picture of a site its district (or the org
// department) keeps: an image recognised by content, MaxPhotos at most.
func (s *Service) AddPhoto(ctx context.Context, p *web.Principal, siteID uint64, caption string, r io.Reader) (PhotoResponse, error) {
	site, err := s.load(ctx, s.d.DB, p, siteID)
	if err != nil {
		return PhotoResponse{}, err
	}
	if !canManage(p, site) {
		return PhotoResponse{}, web.Forbidden()
	}
	caption = strings.TrimSpace(caption)
	if tooLong(caption, 100) {
		return PhotoResponse{}, web.Invalid(map[string]string{"caption": "说明不超过 100 字"})
	}
	if s.objects == nil {
		return PhotoResponse{}, web.Unprocessable("no_store", "未配置文件存储")
	}
	var n int64
	if err := s.d.DB.WithContext(ctx).Model(&Photo{}).Where("site_id = ?", siteID).Count(&n).Error; err != nil {
		return PhotoResponse{}, fmt.Errorf("sites: count photos: %w", err)
	}
	if n >= MaxPhotos {
		return PhotoResponse{}, web.Conflict("too_many_photos", fmt.Sprintf("每个教学点最多 %d 张照片，请先删除不用的照片", MaxPhotos))
	}
	key, size, err := web.PutImage(ctx, s.objects, fmt.Sprintf("sites/%d/%d", siteID, time.Now().UnixNano()), r)
	if err != nil {
		return PhotoResponse{}, err
	}
	ph := Photo{SiteID: siteID, ObjectKey: key, Caption: caption, Size: size, CreatedBy: p.UserID, CreatedAt: time.Now().UTC()}
	err = web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Create(&ph).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "site.photo.add", "site", siteID, map[string]any{"photo_id": ph.ID, "caption": caption, "size": size}), nil
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return PhotoResponse{}, err
	}
	return photoResponse(&ph), nil
}

// photo loads a picture of a site the caller sees.
func (s *Service) photo(ctx context.Context, p *web.Principal, id uint64) (*Photo, *Site, error) {
	var ph Photo
	if err := s.d.DB.WithContext(ctx).First(&ph, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, web.NotFound()
	} else if err != nil {
		return nil, nil, fmt.Errorf("sites: photo: %w", err)
	}
	site, err := s.load(ctx, s.d.DB, p, ph.SiteID)
	if err != nil {
		return nil, nil, err
	}
	return &ph, site, nil
}

// DeletePhoto removes a picture of a site the caller keeps.
func (s *Service) DeletePhoto(ctx context.Context, p *web.Principal, id uint64) (uint64, error) {
	ph, site, err := s.photo(ctx, p, id)
	if err != nil {
		return 0, err
	}
	if !canManage(p, site) {
		return 0, web.Forbidden()
	}
	err = web.ChangeAudited(ctx, s.d.DB, s.d.Audit, func(tx *gorm.DB) (web.AuditEntry, error) {
		if err := tx.Delete(&Photo{}, ph.ID).Error; err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "site.photo.delete", "site", ph.SiteID, map[string]any{"photo_id": ph.ID}), nil
	})
	if err != nil {
		return 0, err
	}
	if s.objects != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), ph.ObjectKey)
	}
	return ph.SiteID, nil
}

// servePhoto streams a picture to whoever sees its site.
func (h *Handlers) servePhoto(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ph, _, err := h.svc.photo(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	if h.svc.objects == nil {
		return web.NotFound()
	}
	return web.ServeObject(c, h.svc.objects, ph.ObjectKey, web.ServeOptions{MaxAge: 3600})
}

func (h *Handlers) listPhotos(c *fiber.Ctx) error {
	_, out, err := web.WithID(c, h.svc.Photos)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *Handlers) addPhoto(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	file, err := web.MultipartFile(c, "file")
	if err != nil {
		return err
	}
	out, err := h.svc.AddPhoto(c.UserContext(), web.Caller(c), id, c.FormValue("caption"), file)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handlers) deletePhoto(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.DeletePhoto(c.UserContext(), web.Caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// photoForm is the site page's upload form.
func (h *Handlers) photoForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	file, err := web.MultipartFile(c, "file")
	if err != nil {
		return err
	}
	if _, err := h.svc.AddPhoto(c.UserContext(), web.Caller(c), id, c.FormValue("caption"), file); err != nil {
		return h.formError(c, err)
	}
	web.Flash(c, "已上传照片")
	return c.Redirect(fmt.Sprintf("%s/%d#photos", AdminPath, id), fiber.StatusSeeOther)
}

// photoDeleteForm is the site page's delete button.
func (h *Handlers) photoDeleteForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "pid")
	if err != nil {
		return err
	}
	siteID, err := h.svc.DeletePhoto(c.UserContext(), web.Caller(c), id)
	if err != nil {
		return err
	}
	web.Flash(c, "已删除照片")
	return c.Redirect(fmt.Sprintf("%s/%d#photos", AdminPath, siteID), fiber.StatusSeeOther)
}
