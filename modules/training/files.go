package training

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

// AttachFile stores a document of a class (the host).
func (s *Service) AttachFile(ctx context.Context, p *web.Principal, classID uint64, kind, name string, r io.Reader) (*File, error) {
	c, err := s.hostClass(ctx, p, classID)
	if err != nil {
		return nil, err
	}
	if FileKindNames[kind] == "" {
		return nil, web.Invalid(map[string]string{"kind": "材料类型应为 plan、signin_sheet、timetable 或 other"})
	}
	if !classActions(p, c, c.Status).Upload {
		return nil, wrongState(c.Status, c.Status)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, web.BadRequest("bad_upload", "上传中断，请重试").WithCause(err)
	}
	if len(data) > MaxFileBytes {
		return nil, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", MaxFileBytes>>20))
	}
	if len(data) == 0 {
		return nil, web.Invalid(map[string]string{"file": "文件为空"})
	}
	ct, ok := media.DocumentType(data[:min(len(data), 16)], name)
	if !ok {
		return nil, web.NewError(415, "unsupported_type", "只能上传 PDF、Word、Excel 文件或 PNG、JPEG 图片")
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = FileKindNames[kind]
	}
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	ext := strings.ToLower(path.Ext(name))
	key := fmt.Sprintf("classes/%d/%s-%d%s", classID, kind, s.now().UnixNano(), ext)
	if _, err := s.objects.Put(ctx, key, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		return nil, web.Internal(err)
	}
	f := &File{ClassID: classID, Kind: kind, Name: name, ObjectKey: key, Size: int64(len(data)), UploadedBy: p.UserID, CreatedAt: s.now().UTC()}
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		return tx.Create(f).Error
	}, func() (string, string, uint64, any) {
		return "class.file", "class", classID, map[string]any{"kind": f.Kind, "name": f.Name, "size": f.Size}
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	return f, nil
}

// DeleteFile removes a wrong upload before the class graduates (the host).
func (s *Service) DeleteFile(ctx context.Context, p *web.Principal, id uint64) (*File, error) {
	f, err := web.Load[File](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	c, err := s.hostClass(ctx, p, f.ClassID)
	if err != nil {
		return nil, err
	}
	if !classActions(p, c, c.Status).RemoveFiles {
		return nil, web.Conflict("wrong_state", "班次已结班，材料不能删除")
	}
	err = s.audited(ctx, p, func(tx *gorm.DB) error {
		return tx.Delete(f).Error
	}, func() (string, string, uint64, any) {
		return "class.file.delete", "class", f.ClassID, map[string]any{"kind": f.Kind, "name": f.Name}
	})
	if err != nil {
		return nil, err
	}
	_ = s.objects.Delete(ctx, f.ObjectKey)
	return f, nil
}

// Files lists a class's attached files (host and org department).
func (s *Service) Files(ctx context.Context, p *web.Principal, classID uint64) ([]FileResponse, error) {
	if _, err := s.managedClass(ctx, p, classID); err != nil {
		return nil, err
	}
	return s.classFiles(ctx, classID)
}

// classFiles lists the files of a class.
func (s *Service) classFiles(ctx context.Context, classID uint64) ([]FileResponse, error) {
	var rows []File
	if err := s.db.WithContext(ctx).Where("class_id = ?", classID).Order("id").Find(&rows).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := make([]FileResponse, len(rows))
	for i, f := range rows {
		out[i] = FileResponse{ID: f.ID, Kind: f.Kind, KindName: FileKindNames[f.Kind], Name: f.Name, Size: f.Size, CreatedAt: f.CreatedAt}
	}
	return out, nil
}

// FileFor loads an attached file for download (host and org department).
func (s *Service) FileFor(ctx context.Context, p *web.Principal, id uint64) (*File, error) {
	f, err := web.Load[File](s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if _, err := s.managedClass(ctx, p, f.ClassID); err != nil {
		return nil, err
	}
	return f, nil
}

// Objects is the object store files are kept in.
func (s *Service) Objects() interface{ Name() string } { return s.objects }
