package exam

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"college/modules/exam/item"
	"college/modules/web"
	"college/storage/objects"
)

// A question's pictures, sounds and videos are kept in the object store
// under questions/media/<sha256>.<ext> and shown by the tokens of its text
// (item.MediaToken). A file is written once, whatever number of questions
// and banks show it; none is deleted with a question, since papers frozen
// in attempts keep showing it.

// mediaKey is where a question file is kept.
func mediaKey(name string) string { return "questions/media/" + name }

// MediaURL is where pages load a question file from.
func MediaURL(name string) string { return "/api/v1/question-media/" + name }

// mediaMaxAge lets browsers keep a question file: its name is its content.
const mediaMaxAge = 30 * 24 * time.Hour

// storeMedia writes the files an import brings that the store lacks.
func (s *Service) storeMedia(ctx context.Context, files map[string][]byte) error {
	if len(files) > 0 && s.objects == nil {
		return web.Internal(errors.New("exam: no object store for question media"))
	}
	for name, data := range files {
		if _, err := s.objects.Stat(ctx, mediaKey(name)); err == nil {
			continue
		} else if !errors.Is(err, objects.ErrNotFound) {
			return web.Internal(fmt.Errorf("exam: stat %s: %w", name, err))
		}
		if _, err := s.objects.Put(ctx, mediaKey(name), bytes.NewReader(data), int64(len(data)), item.MediaType(name)); err != nil {
			return web.Internal(fmt.Errorf("exam: store %s: %w", name, err))
		}
	}
	return nil
}

// missingMedia lists the files the questions show that are neither among
// files nor in the store.
func (s *Service) missingMedia(ctx context.Context, qs []item.Question, files map[string][]byte) ([]string, error) {
	var missing []string
	checked := map[string]bool{}
	for i := range qs {
		for _, name := range qs[i].Media() {
			if checked[name] || files[name] != nil {
				continue
			}
			checked[name] = true
			if s.objects == nil {
				missing = append(missing, name)
				continue
			}
			_, err := s.objects.Stat(ctx, mediaKey(name))
			switch {
			case errors.Is(err, objects.ErrNotFound):
				missing = append(missing, name)
			case err != nil:
				return nil, web.Internal(fmt.Errorf("exam: stat %s: %w", name, err))
			}
		}
	}
	return missing, nil
}

// missingMessage says which files a text names that the college lacks.
func missingMessage(names []string) string {
	return fmt.Sprintf("题目中的 %s 在本系统中不存在：请用含图片的原文件（Word、Moodle XML）导入，或在题目中重新上传", strings.Join(names, "、"))
}

// checkQuestionMedia refuses a question whose tokens name files the store
// lacks.
func (s *Service) checkQuestionMedia(ctx context.Context, q item.Question) error {
	missing, err := s.missingMedia(ctx, []item.Question{q}, nil)
	if err != nil || len(missing) == 0 {
		return err
	}
	return web.Invalid(map[string]string{"stem": missingMessage(missing)})
}

// dataURIs gives a preview the files of an import as data: URIs, since
// nothing is stored before the admin confirms.
func dataURIs(files map[string][]byte) map[string]string {
	if len(files) == 0 {
		return nil
	}
	out := make(map[string]string, len(files))
	for name, data := range files {
		out[name] = "data:" + item.MediaType(name) + ";base64," + base64.StdEncoding.EncodeToString(data)
	}
	return out
}

// UploadMedia keeps a picture, sound or video for the questions of a bank
// the caller manages and answers the token to put in a question's text.
func (s *Service) UploadMedia(ctx context.Context, p *web.Principal, bankID uint64, data []byte) (MediaResponse, error) {
	if _, err := s.bankFor(ctx, p, bankID); err != nil {
		return MediaResponse{}, err
	}
	if len(data) == 0 {
		return MediaResponse{}, web.Invalid(map[string]string{"file": "请选择文件"})
	}
	if len(data) > item.MaxMediaBytes {
		return MediaResponse{}, web.TooLarge(fmt.Sprintf("文件过大，不能超过 %d MB", item.MaxMediaBytes>>20))
	}
	ct, ok := item.SniffMedia(data)
	if !ok {
		return MediaResponse{}, web.NewError(http.StatusUnsupportedMediaType, "unsupported_media_type", "文件格式不支持，可用："+item.MediaTypesText)
	}
	name := item.MediaName(data, ct)
	if err := s.storeMedia(ctx, map[string][]byte{name: data}); err != nil {
		return MediaResponse{}, err
	}
	if err := s.audit.Record(ctx, web.AuditBy(p, "question.media_upload", "bank", bankID, map[string]any{"name": name, "bytes": len(data)})); err != nil {
		return MediaResponse{}, err
	}
	return MediaResponse{Name: name, Token: item.MediaToken(name), URL: MediaURL(name), ContentType: ct}, nil
}

// TemplateFuncs are the exam module's template functions: qtext shows a
// question's text with its pictures, sounds and videos.
func TemplateFuncs() template.FuncMap {
	return template.FuncMap{"qtext": RichHTML}
}

// RichHTML is a question's text as HTML: the text escaped, each token a
// picture, a player or a video.
func RichHTML(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range item.MediaSpans(text) {
		b.WriteString(template.HTMLEscapeString(text[last:m.Start]))
		src := template.HTMLEscapeString(MediaURL(m.Name))
		switch strings.SplitN(item.MediaType(m.Name), "/", 2)[0] {
		case "audio":
			b.WriteString(`<audio class="q-media" controls preload="none" src="` + src + `">音频</audio>`)
		case "video":
			b.WriteString(`<video class="q-media" controls preload="metadata" playsinline src="` + src + `">视频</video>`)
		default:
			b.WriteString(`<img class="q-media" loading="lazy" alt="题目图片" src="` + src + `">`)
		}
		last = m.End
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String()) //nolint:gosec // escaped above; names are hex and a known extension
}
