package catalog

import (
	"context"
	"slices"
	"strings"

	"college/modules/web"
)

func validateLesson(in *LessonRequest, creating bool) error {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	if creating {
		if in.Type == "" {
			f.Add("type", "必填")
		} else if _, ok := LessonTypeNames[in.Type]; !ok {
			f.Add("type", "应为 video（视频）、article（图文）或 document（文档）")
		}
	}
	f.MaxLen("body", in.Body, 200000)
	f.Check(in.MinReadSeconds >= 0 && in.MinReadSeconds <= 24*3600, "min_read_seconds", "应在 0 到 86400 秒之间")
	if (in.Type == LessonArticle || in.Type == LessonDocument) && in.MinReadSeconds == 0 {
		in.MinReadSeconds = 60
	}
	return f.Err()
}

// lessonsWith is a course's lessons with l in place of the lesson of its
// id, or added when it is new, or without it when drop.
func lessonsWith(lessons []Lesson, l *Lesson, drop bool) []Lesson {
	out := make([]Lesson, 0, len(lessons)+1)
	for _, x := range lessons {
		if x.ID != l.ID || l.ID == 0 {
			out = append(out, x)
		}
	}
	if !drop {
		out = append(out, *l)
	}
	return out
}

// saveLessonChange writes a changed lesson (or deletes it), the course
// hours that follow from it and the audit entry, together.
func (s *Service) saveLessonChange(ctx context.Context, c *Course, l *Lesson, drop bool, entry func() web.AuditEntry) error {
	lessons, err := s.store.Lessons(ctx, c.ID)
	if err != nil {
		return web.Internal(err)
	}
	s.proposeFor(ctx, c, lessonsWith(lessons, l, drop))
	return s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		var err error
		if drop {
			err = st.DeleteLesson(ctx, l.ID)
		} else {
			err = st.SaveLesson(ctx, l)
		}
		if err == nil {
			err = st.UpdateCourseColumns(ctx, c, "hours_x100")
		}
		if err != nil {
			return web.AuditEntry{}, err
		}
		return entry(), nil
	})
}

// AddLesson appends a lesson to a course.
func (s *Service) AddLesson(ctx context.Context, p *web.Principal, courseID uint64, in LessonRequest) (*Lesson, error) {
	c, err := s.editable(ctx, p, courseID)
	if err != nil {
		return nil, err
	}
	if err := validateLesson(&in, true); err != nil {
		return nil, err
	}
	lessons, err := s.store.Lessons(ctx, courseID)
	if err != nil {
		return nil, web.Internal(err)
	}
	seq := 1
	if n := len(lessons); n > 0 {
		seq = lessons[n-1].Seq + 1
	}
	l := &Lesson{CourseID: courseID, Seq: seq, Title: in.Title, Type: in.Type, Body: in.Body, MinReadSeconds: in.MinReadSeconds}
	err = s.saveLessonChange(ctx, c, l, false, func() web.AuditEntry {
		return web.AuditBy(p, "lesson.create", "lesson", l.ID, map[string]any{"course_id": courseID, "title": l.Title, "type": l.Type})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// managedLesson loads a lesson of a course the caller manages.
func (s *Service) managedLesson(ctx context.Context, p *web.Principal, id uint64) (*Lesson, *Course, error) {
	l, err := s.store.LessonByID(ctx, id)
	if err != nil {
		return nil, nil, web.Internal(err)
	}
	if l == nil {
		return nil, nil, web.NotFound()
	}
	c, err := s.managed(ctx, p, l.CourseID)
	if err != nil {
		return nil, nil, err
	}
	return l, c, nil
}

// UpdateLesson edits a lesson's title, text and reading time.
func (s *Service) UpdateLesson(ctx context.Context, p *web.Principal, id uint64, in LessonRequest) (*Lesson, error) {
	l, c, err := s.managedLesson(ctx, p, id)
	if err != nil {
		return nil, err
	}
	in.Type = l.Type
	if err := validateLesson(&in, false); err != nil {
		return nil, err
	}
	l.Title, l.Body, l.MinReadSeconds = in.Title, in.Body, in.MinReadSeconds
	err = s.saveLessonChange(ctx, c, l, false, func() web.AuditEntry {
		return web.AuditBy(p, "lesson.update", "lesson", l.ID, map[string]any{"title": l.Title})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// DeleteLesson removes a lesson of a draft course and its media.
func (s *Service) DeleteLesson(ctx context.Context, p *web.Principal, id uint64) error {
	l, c, err := s.managedLesson(ctx, p, id)
	if err != nil {
		return err
	}
	if c.Status != StatusDraft {
		return web.Conflict("course_published", "课程已发布，不能删除课时；如需调整请先复制为新课程")
	}
	err = s.saveLessonChange(ctx, c, l, true, func() web.AuditEntry {
		return web.AuditBy(p, "lesson.delete", "lesson", l.ID, nil)
	})
	if err != nil {
		return err
	}
	if l.MediaKey != "" {
		_ = s.objects.Delete(ctx, l.MediaKey)
	}
	return nil
}

// Reorder sets the lesson order of a course; the ids must be exactly its lessons.
func (s *Service) Reorder(ctx context.Context, p *web.Principal, courseID uint64, ids []uint64) error {
	if _, err := s.managed(ctx, p, courseID); err != nil {
		return err
	}
	lessons, err := s.store.Lessons(ctx, courseID)
	if err != nil {
		return web.Internal(err)
	}
	have := make([]uint64, len(lessons))
	for i, l := range lessons {
		have[i] = l.ID
	}
	want := slices.Clone(ids)
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		return web.Invalid(map[string]string{"lesson_ids": "须按新顺序列出本课程的全部课时，且不能重复"})
	}
	return s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		if err := st.Reorder(ctx, courseID, ids); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "lesson.reorder", "course", courseID, ids), nil
	})
}
