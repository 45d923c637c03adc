package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"college/modules/media"
	"college/modules/web"
)

const (
	presignTTL  = 10 * time.Minute
	mediaMaxAge = time.Hour
)

var errTooLarge = errors.New("catalog: upload over the limit")

// limitedReader fails once more than max bytes have been read.
type limitedReader struct {
	r       io.Reader
	max     int64
	read    int64
	readErr error // the upload itself broke off (the client's side)
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.max {
		return n, errTooLarge
	}
	if err != nil && !errors.Is(err, io.EOF) {
		l.readErr = err
	}
	return n, err
}

// MaxUpload is the upload size limit in bytes (a setting).
func (s *Service) MaxUpload(ctx context.Context) int64 {
	return int64(s.settings.Int(ctx, SetMaxUploadMB)) << 20
}

// wantKind says which files a lesson type takes.
func wantKind(lessonType string) (media.Kind, string) {
	switch lessonType {
	case LessonVideo:
		return media.KindVideo, "视频课时只能上传 MP4 或 WebM 视频"
	case LessonDocument:
		return media.KindDocument, "文档课时只能上传 PDF 文件"
	}
	return "", "图文课时不需要上传文件"
}

// store streams an upload into the object store after recognising it from
// its first bytes; it never holds the file in memory.
func (s *Service) putUpload(ctx context.Context, key string, r io.Reader, allow func(media.Probe) error) (media.Probe, int64, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return media.Probe{}, 0, web.BadRequest("upload_failed", "文件上传中断，请重试").WithCause(err)
	}
	head = head[:n]
	probe, err := media.Sniff(head)
	if err != nil {
		return media.Probe{}, 0, web.NewError(http.StatusUnsupportedMediaType, "unsupported_media_type", "不支持的文件类型：视频请上传 MP4 或 WebM，文档请上传 PDF，图片请上传 PNG 或 JPEG")
	}
	if err := allow(probe); err != nil {
		return media.Probe{}, 0, err
	}
	max := s.MaxUpload(ctx)
	lr := &limitedReader{r: io.MultiReader(bytes.NewReader(head), r), max: max}
	info, err := s.objects.Put(ctx, key+probe.Ext, lr, -1, probe.ContentType)
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key+probe.Ext)
		if errors.Is(err, errTooLarge) || lr.read > max {
			return media.Probe{}, 0, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", max>>20))
		}
		if lr.readErr != nil {
			return media.Probe{}, 0, web.BadRequest("upload_failed", "文件上传中断，请重试").WithCause(err)
		}
		// The store failed, not the upload: a server error, logged (and
		// 503 when the store is down or the disk full).
		return media.Probe{}, 0, web.Internal(fmt.Errorf("catalog: store %s: %w", key+probe.Ext, err))
	}
	return probe, info.Size, nil
}

// SetMedia stores the file of a video or document lesson and reads a
// video's duration from its container. Replacing the file of a lesson
// resets its learners' positions and coverage (the old measurements are of
// another video); completions and credited hours stay.
func (s *Service) SetMedia(ctx context.Context, p *web.Principal, lessonID uint64, r io.Reader) (MediaResponse, error) {
	l, c, err := s.managedLesson(ctx, p, lessonID)
	if err != nil {
		return MediaResponse{}, err
	}
	if c.Status == StatusArchived {
		return MediaResponse{}, errArchived()
	}
	want, msg := wantKind(l.Type)
	base := fmt.Sprintf("lessons/%d/v%d", l.ID, l.MediaVersion+1)
	probe, size, err := s.putUpload(ctx, base, r, func(pr media.Probe) error {
		if want == "" || pr.Kind != want {
			return web.Unprocessable("wrong_media", msg)
		}
		return nil
	})
	if err != nil {
		return MediaResponse{}, err
	}
	key := base + probe.Ext
	duration := 0.0
	if probe.Kind == media.KindVideo {
		duration, err = media.Duration(media.ReaderAt(ctx, s.objects, key, size), size, probe.ContentType)
		if err != nil || duration <= 0 {
			_ = s.objects.Delete(ctx, key)
			return MediaResponse{}, web.Unprocessable("bad_video", "无法读取视频时长，文件可能已损坏").WithCause(err)
		}
	}
	old := l.MediaKey
	l.MediaKey, l.MediaSize, l.ContentType, l.DurationSeconds = key, size, probe.ContentType, duration
	l.MediaVersion++
	res := MediaResponse{Size: size, ContentType: probe.ContentType, DurationSeconds: duration}
	err = s.saveLessonChange(ctx, c, l, false, func() web.AuditEntry {
		return web.AuditBy(p, "lesson.media", "lesson", l.ID, res)
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return MediaResponse{}, err
	}
	if old != "" && old != key {
		_ = s.objects.Delete(ctx, old)
		if s.listener != nil {
			if err := s.listener.MediaReplaced(ctx, l.ID, l.MediaVersion); err != nil {
				s.log.Error("catalog: reset progress after media replacement", "lesson", l.ID, "err", err)
			}
		}
	}
	return res, nil
}

// SetCover stores a course's cover image.
func (s *Service) SetCover(ctx context.Context, p *web.Principal, courseID uint64, r io.Reader) (MediaResponse, error) {
	c, err := s.managed(ctx, p, courseID)
	if err != nil {
		return MediaResponse{}, err
	}
	base := fmt.Sprintf("covers/%d-%d", c.ID, s.now().UnixNano())
	probe, size, err := s.putUpload(ctx, base, r, func(pr media.Probe) error {
		if pr.Kind != media.KindImage {
			return web.Unprocessable("wrong_media", "封面只能上传 PNG 或 JPEG 图片")
		}
		return nil
	})
	if err != nil {
		return MediaResponse{}, err
	}
	old := c.CoverKey
	c.CoverKey = base + probe.Ext
	res := MediaResponse{Size: size, ContentType: probe.ContentType}
	err = s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		if err := st.UpdateCourseColumns(ctx, c, "cover_key"); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "course.cover", "course", c.ID, res), nil
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), c.CoverKey)
		return MediaResponse{}, err
	}
	if old != "" {
		_ = s.objects.Delete(ctx, old)
	}
	return res, nil
}
