package catalog

import (
	"context"
	"slices"
	"strings"
	"time"

	"college/modules/web"

	"github.com/gofiber/fiber/v2"
)

func (s *Service) validateTopic(ctx context.Context, p *web.Principal, in *TopicRequest) (*time.Time, error) {
	f := web.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	f.Required("title", in.Title)
	f.MaxLen("title", in.Title, 200)
	f.MaxLen("summary", in.Summary, 5000)
	var deadline *time.Time
	if in.Deadline != "" {
		d, err := time.ParseInLocation("2006-01-02", in.Deadline, web.Shanghai)
		if err != nil {
			f.Add("deadline", "日期格式应为 YYYY-MM-DD")
		} else {
			end := d.AddDate(0, 0, 1).Add(-time.Second).UTC() // the whole day counts
			deadline = &end
		}
	}
	f.Check(len(in.CourseIDs) <= 200, "course_ids", "一个专题最多 200 门课程")
	if err := f.Err(); err != nil {
		return nil, err
	}
	for _, id := range in.CourseIDs {
		c, err := s.store.CourseForManager(ctx, p, id)
		if err != nil {
			return nil, web.Internal(err)
		}
		if c == nil {
			return nil, web.Invalid(map[string]string{"course_ids": "课程不存在或不在您的管理范围内"})
		}
	}
	return deadline, nil
}

// SaveTopic creates (id 0) or replaces a topic of the caller's college.
func (s *Service) SaveTopic(ctx context.Context, p *web.Principal, id uint64, in TopicRequest) (*Topic, error) {
	if !canManage(p) {
		return nil, web.Forbidden()
	}
	deadline, err := s.validateTopic(ctx, p, &in)
	if err != nil {
		return nil, err
	}
	t := &Topic{CollegeID: p.OrgID}
	if id != 0 {
		t, err = s.topicForManager(ctx, p, id)
		if err != nil {
			return nil, err
		}
	}
	t.Title, t.Summary, t.Deadline = in.Title, in.Summary, deadline
	action := "topic.update"
	if id == 0 {
		action = "topic.create"
	}
	err = s.apply(ctx, func(st *Store) (web.AuditEntry, error) {
		tx := st.db.WithContext(ctx)
		if err := tx.Save(t).Error; err != nil {
			return web.AuditEntry{}, err
		}
		if err := tx.Where("topic_id = ?", t.ID).Delete(&TopicCourse{}).Error; err != nil {
			return web.AuditEntry{}, err
		}
		seen := []uint64{}
		for i, cid := range in.CourseIDs {
			if slices.Contains(seen, cid) {
				continue
			}
			seen = append(seen, cid)
			if err := tx.Create(&TopicCourse{TopicID: t.ID, CourseID: cid, Seq: i + 1}).Error; err != nil {
				return web.AuditEntry{}, err
			}
		}
		return web.AuditBy(p, action, "topic", t.ID, map[string]any{"title": t.Title, "courses": in.CourseIDs}), nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Service) topicForManager(ctx context.Context, p *web.Principal, id uint64) (*Topic, error) {
	return web.Load[Topic](s.store.db.WithContext(ctx).Scopes(web.OrgScope(p, "college_id")), id)
}

// topicCourses returns the courses of a topic the caller may study.
func (s *Service) topicCourses(ctx context.Context, p *web.Principal, topicID uint64) ([]Course, error) {
	var out []Course
	err := s.store.db.WithContext(ctx).Model(&Course{}).Scopes(learnerVisible(p)).
		Joins("JOIN topic_courses tc ON tc.course_id = courses.id AND tc.topic_id = ?", topicID).
		Order("tc.seq").Find(&out).Error
	return out, err
}

// Topics lists the topics that hold at least one course the caller may study.
func (s *Service) Topics(ctx context.Context, p *web.Principal) ([]TopicResponse, error) {
	if notForStudy(p) {
		return nil, web.Forbidden()
	}
	var topics []Topic
	if err := s.store.db.WithContext(ctx).Order("created_at DESC").Limit(200).Find(&topics).Error; err != nil {
		return nil, web.Internal(err)
	}
	out := []TopicResponse{}
	for _, t := range topics {
		r, err := s.topicResponse(ctx, p, &t)
		if err != nil {
			return nil, err
		}
		if len(r.Courses) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// Topic returns one topic with the caller's visible courses (404 when none).
func (s *Service) Topic(ctx context.Context, p *web.Principal, id uint64) (TopicResponse, error) {
	if notForStudy(p) {
		return TopicResponse{}, web.Forbidden()
	}
	t, err := web.Load[Topic](s.store.db.WithContext(ctx), id)
	if err != nil {
		return TopicResponse{}, err
	}
	r, err := s.topicResponse(ctx, p, t)
	if err != nil {
		return TopicResponse{}, err
	}
	if len(r.Courses) == 0 {
		if m, _ := s.topicForManager(ctx, p, id); m == nil {
			return TopicResponse{}, web.NotFound()
		}
	}
	return r, nil
}

func (s *Service) topicResponse(ctx context.Context, p *web.Principal, t *Topic) (TopicResponse, error) {
	cs, err := s.topicCourses(ctx, p, t.ID)
	if err != nil {
		return TopicResponse{}, web.Internal(err)
	}
	r := TopicResponse{ID: t.ID, Title: t.Title, Summary: t.Summary, Courses: courseItems(cs)}
	if t.Deadline != nil {
		r.Deadline = t.Deadline.In(web.Shanghai).Format("2006-01-02")
	}
	return r, nil
}

func (h *Handlers) registerTopics(a *web.API, pages fiber.Router) {
	a.Get("/topics", web.Doc{Summary: "专题列表（含本人可学课程）", Resp: []TopicResponse{}}, web.ForCaller(h.svc.Topics))
	a.Get("/topics/:id", web.Doc{Summary: "专题详情", Resp: TopicResponse{}}, web.ByID(h.svc.Topic))
	a.Post("/topics", web.Doc{Summary: "新建专题", Body: TopicRequest{}, Resp: TopicResponse{}, Status: 201, Roles: managers}, h.createTopic)
	a.Put("/topics/:id", web.Doc{Summary: "修改专题", Body: TopicRequest{}, Resp: TopicResponse{}, Roles: managers}, h.updateTopic)
	pages.Get("/topics/:id", web.RequireLogin, h.topicPage)
}

func (h *Handlers) saveTopic(c *fiber.Ctx, id uint64) error {
	var in TopicRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	p := web.Caller(c)
	t, err := h.svc.SaveTopic(c.UserContext(), p, id, in)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if id == 0 {
		status = fiber.StatusCreated
	}
	r, err := h.svc.topicResponse(c.UserContext(), p, t)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(r)
}

func (h *Handlers) createTopic(c *fiber.Ctx) error { return h.saveTopic(c, 0) }

func (h *Handlers) updateTopic(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.saveTopic(c, id)
}

func (h *Handlers) topicPage(c *fiber.Ctx) error {
	_, t, err := web.WithID(c, h.svc.Topic)
	if err != nil {
		return err
	}
	return h.pages.Render(c, fiber.StatusOK, "catalog/topic", t.Title, map[string]any{"Topic": t})
}
