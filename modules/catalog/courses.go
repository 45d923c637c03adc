package catalog

import (
	"context"
	"slices"
	"strings"

	"college/modules/web"

	"gorm.io/gorm"
)

// canManage: a college's administrators manage its courses.
func canManage(p *web.Principal) bool { return p.Has(web.RoleCollegeAdmin) }

// canOversee: the org department reads every course in its subtree.
func canOversee(p *web.Principal) bool { return p.HasAny(web.RoleCollegeAdmin, web.RoleOrgAdmin) }

// apply makes a change and writes its audit entry in one transaction, so
// that both are kept or neither is. change works on a store of the
// transaction and returns the entry; it must not read settings (they come
// from the database, outside the transaction).
func (s *Service) apply(ctx context.Context, change func(st *Store) (web.AuditEntry, error)) error {
	return web.ChangeAudited(ctx, s.store.db, s.audit, func(tx *gorm.DB) (web.AuditEntry, error) { return change(&Store{db: tx}) })
}

func (s *Service) validateCourse(ctx context.Context, in *CourseRequest) error {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	in.Category = strings.TrimSpace(in.Category)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	f.MaxLen("summary", in.Summary, 5000)
	f.MaxLen("category", in.Category, 50)
	f.MaxLen("teacher", in.Teacher, 100)
	if in.Kind == "" {
		f.Add("kind", "必填")
	} else if _, ok := KindNames[in.Kind]; !ok {
		f.Add("kind", "应为 required（必修）或 elective（选修）")
	}
	for _, l := range in.AudienceLevels {
		if !slices.Contains(Levels, l) {
			f.Add("audience_levels", "未知职级："+l)
		}
	}
	if in.Hours != nil && *in.Hours > 100*100 {
		f.Add("hours", "学时不能超过 100")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if len(in.AudienceOrgIDs) > 0 && s.orgs != nil {
		ok, err := s.orgs.OrgsExist(ctx, in.AudienceOrgIDs)
		if err != nil {
			return web.Internal(err)
		}
		if !ok {
			return web.Invalid(map[string]string{"audience_org_ids": "组织不存在"})
		}
	}
	return nil
}

// audienceOrgs is the org audience to store: none given means every org.
func audienceOrgs(in CourseRequest) []uint64 {
	if in.AudienceOrgIDs == nil {
		return []uint64{}
	}
	return in.AudienceOrgIDs
}

// CreateCourse adds a draft course to the caller's college.
func (s *Service) CreateCourse(ctx context.Context, p *web.Principal, in CourseRequest) (*Course, error) {
	return s.CreateCourseAs(ctx, p, in, func(c *Course) web.AuditEntry {
		return web.AuditBy(p, "course.create", "course", c.ID, map[string]any{"title": c.Title})
	})
}

// CreateCourseAs creates a course as a step of another module's action,
// whose entry (built from the new course) is written with the course
// instead of course.create: one action, one entry.
func (s *Service) CreateCourseAs(ctx context.Context, p *web.Principal, in CourseRequest, entry func(*Course) web.AuditEntry) (*Course, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	if err := s.validateCourse(ctx, &in); err != nil {
		return nil, err
	}
	c := &Course{CollegeID: p.OrgID, Title: in.Title, Summary: in.Summary, Category: in.Category, Kind: in.Kind, Teacher: strings.TrimSpace(in.Teacher),
		AudienceLevels: levelsColumn(in.AudienceLevels), Status: StatusDraft, CreatedBy: p.UserID}
	if in.Hours != nil {
		c.Hours, c.HoursManual = *in.Hours, true
	}
	err := s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		if err := st.SaveCourse(ctx, c, audienceOrgs(in)); err != nil {
			return web.AuditEntry{}, err
		}
		return entry(c), nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// managed loads a course the caller may change.
func (s *Service) managed(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	c, err := s.store.CourseForManager(ctx, p, id)
	if err != nil {
		return nil, web.Internal(err)
	}
	if c == nil {
		return nil, web.NotFound()
	}
	return c, nil
}

// editable loads a course the caller may change and that is not archived.
func (s *Service) editable(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	c, err := s.managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusArchived {
		return nil, errArchived()
	}
	return c, nil
}

func errArchived() *web.Error {
	return web.Conflict("course_archived", "课程已归档，不能修改")
}

// UpdateCourse edits a course that is not archived.
func (s *Service) UpdateCourse(ctx context.Context, p *web.Principal, id uint64, in CourseRequest) (*Course, error) {
	c, err := s.editable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.validateCourse(ctx, &in); err != nil {
		return nil, err
	}
	c.Title, c.Summary, c.Category, c.Kind, c.Teacher = in.Title, in.Summary, in.Category, in.Kind, strings.TrimSpace(in.Teacher)
	c.AudienceLevels = levelsColumn(in.AudienceLevels)
	if in.Hours != nil {
		c.Hours, c.HoursManual = *in.Hours, true
	} else {
		c.HoursManual = false
		if err := s.refreshHours(ctx, c); err != nil {
			return nil, err
		}
	}
	err = s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		if err := st.SaveCourse(ctx, c, audienceOrgs(in)); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "course.update", "course", c.ID, map[string]any{"title": c.Title, "hours": c.Hours}), nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ProposeHours applies the crediting rule set to a total study length.
func (s *Service) ProposeHours(ctx context.Context, seconds float64) web.Hours {
	if seconds <= 0 {
		return 0
	}
	minutes := seconds / 60
	switch {
	case minutes >= float64(s.settings.Int(ctx, SetHoursLongMinutes)):
		return web.HoursFromFloat(s.settings.Float(ctx, SetHoursLong))
	case minutes >= float64(s.settings.Int(ctx, SetHoursShortMinutes)):
		return web.HoursFromFloat(s.settings.Float(ctx, SetHoursShort))
	default:
		return web.HoursFromFloat(s.settings.Float(ctx, SetHoursMicro))
	}
}

// studySeconds is the length a learner spends on the lessons: video
// durations plus the minimum reading time of the other lessons.
func studySeconds(lessons []Lesson) float64 {
	total := 0.0
	for _, l := range lessons {
		if l.Type == LessonVideo {
			total += l.DurationSeconds
		} else {
			total += float64(l.MinReadSeconds)
		}
	}
	return total
}

// refreshHours recomputes the proposed hours of a course whose hours were
// not set by hand.
func (s *Service) refreshHours(ctx context.Context, c *Course) error {
	lessons, err := s.store.Lessons(ctx, c.ID)
	if err != nil {
		return web.Internal(err)
	}
	s.proposeFor(ctx, c, lessons)
	return nil
}

// proposeFor sets the hours of a course not set by hand from the lessons
// it will have.
func (s *Service) proposeFor(ctx context.Context, c *Course, lessons []Lesson) {
	if !c.HoursManual {
		c.Hours = s.ProposeHours(ctx, studySeconds(lessons))
	}
}

// Publish makes a complete course visible to its audience; publishing a
// published course changes nothing.
func (s *Service) Publish(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	c, err := s.managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	already := c.Status == StatusPublished
	if !already {
		if err := s.publishable(ctx, c); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		c.Status, c.PublishedAt = StatusPublished, &now
	}
	err = s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		if !already {
			if err := st.UpdateCourseColumns(ctx, c, "status", "published_at", "hours_x100"); err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, "course.publish", "course", c.ID, map[string]any{"title": c.Title, "hours": c.Hours}), nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// publishable checks a draft: lessons, each with its file, and hours.
func (s *Service) publishable(ctx context.Context, c *Course) error {
	lessons, err := s.store.Lessons(ctx, c.ID)
	if err != nil {
		return web.Internal(err)
	}
	if len(lessons) == 0 {
		return web.Unprocessable("no_lessons", "课程还没有课时，不能发布")
	}
	for _, l := range lessons {
		if l.Type != LessonArticle && l.MediaKey == "" {
			return web.Unprocessable("media_missing", "课时“"+l.Title+"”还没有上传文件，不能发布")
		}
	}
	s.proposeFor(ctx, c, lessons)
	if c.Hours <= 0 {
		return web.Unprocessable("no_hours", "课程学时为 0，请设置学时后再发布")
	}
	return nil
}

// Archive withdraws a course from the catalog; learners keep their credits.
func (s *Service) Archive(ctx context.Context, p *web.Principal, id uint64) (*Course, error) {
	c, err := s.managed(ctx, p, id)
	if err != nil {
		return nil, err
	}
	c.Status = StatusArchived
	err = s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		if err := st.UpdateCourseColumns(ctx, c, "status"); err != nil {
			return web.AuditEntry{}, err
		}
		return web.AuditBy(p, "course.archive", "course", c.ID, map[string]any{"title": c.Title}), nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
